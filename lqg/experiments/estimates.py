r"""How good Algorithm 2's estimates are, against the exact quantities of Section 3.

At a fixed policy, the episodes of one iteration are replayed ``replications`` times, each with its
own random stream (one batched call of :func:`~lqg.episodes.perturbed_episodes` on copies of the
policy); :func:`~lqg.accuracy.estimate_accuracy` compares the replicated estimates (4.1) and the
direction of (4.2) with :func:`~lqg.evaluation.policy_gradient`, :func:`~lqg.evaluation.state_covariances`
and :func:`~lqg.evaluation.natural_gradient`. Used by the Section 4 notebook and the gradient
estimator notebook.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from .. import _checks as check
from ..accuracy import estimate_accuracy
from ..episodes import Episodes, perturbed_episodes
from ..estimators import (
    empirical_covariance,
    natural_gradient_estimate,
    two_point_gradient,
    zeroth_order_gradient,
)
from ..evaluation import natural_gradient, policy_gradient, state_covariances
from ..unknown_parameters import model_free_natural_policy_gradient
from .convergence import converged
from .measures import NOT_MEASURED, Difference, Exceedance, proportion

__all__ = ["repeat_policy", "bonferroni", "estimates_grid", "sample_size_study", "radius_bias",
           "estimator_maps", "direction_errors", "threshold_runs", "lowest_converging",
           "exploration_check", "best_step", "estimator_values"]


def repeat_policy(K, n: int) -> tuple:
    """``n`` copies of a joint policy: a batch whose entries get independent random streams."""
    return tuple(np.broadcast_to(Ki, (n,) + np.shape(Ki)) for Ki in K)


def bonferroni(settings: int, level: float = 0.01) -> float:
    """The two-sided z-score bound for a false-alarm rate ``level`` over ``settings`` tests."""
    return float(stats.norm.isf(level / 2 / settings))


def estimates_at(game, K, *, replications: int, trajectories: int, radius: float, eta: float,
                 seed, gradient_scale=None) -> dict:
    r"""Accuracy of the estimates (4.1) and of the step of (4.2) at the policy K, per player and t.

    Returns arrays of shape (N, T): ``grad_z``, ``grad_std`` (z-score and relative spread of the
    gradient estimate), ``cov_z``, ``cov_std`` (the same for :math:`\widehat\Sigma_t^i`),
    ``dir_error``, ``dir_cosine`` (median relative error and cosine of the direction against
    :math:`2E_{t,i}`), ``step`` (root mean square of :math:`\eta(\widehat d_t - 2E_{t,i})` relative
    to :math:`\|K_t^i\|`), ``cost_rms`` (root mean square observed cost), and ``lambda_min``,
    ``kappa``, ``trace_inv2`` of the exact :math:`\Sigma_t`. ``gradient_scale`` replaces
    :math:`\|\nabla\|` in the relative errors (where the exact gradient is zero, e.g. at K*).
    """
    T, N = game.T, game.N
    episodes = perturbed_episodes(game, repeat_policy(K, replications), trajectories=trajectories,
                                  radius=radius, seed=seed)
    directions = natural_gradient_estimate(episodes, radius)
    exact_gradient, exact_natural = policy_gradient(game, K), natural_gradient(game, K)
    sigma = state_covariances(game, K)[:T]
    covariance = empirical_covariance(episodes.states)
    eigenvalues = np.linalg.eigvalsh(sigma)
    gain = np.stack([np.linalg.norm(Ki, axis=(-2, -1)) for Ki in K])             # (N, T)
    out = {name: np.full((N, T), np.nan) for name in (
        "grad_z", "grad_std", "cov_z", "cov_std", "dir_error", "dir_cosine", "step", "cost_rms")}
    out.update(lambda_min=np.broadcast_to(eigenvalues[:, 0], (N, T)).copy(),
               kappa=np.broadcast_to(eigenvalues[:, -1] / eigenvalues[:, 0], (N, T)).copy(),
               trace_inv2=np.broadcast_to(np.trace(np.linalg.inv(sigma @ sigma), axis1=-2, axis2=-1),
                                          (N, T)).copy())
    for i in range(N):
        estimate = zeroth_order_gradient(episodes.costs[:, i], episodes.U[i], radius)
        g = estimate_accuracy(estimate, exact_gradient[i], scale=gradient_scale)
        c = estimate_accuracy(covariance[:, i], sigma)
        d = estimate_accuracy(directions[i], exact_natural[i], scale=gradient_scale)
        step = estimate_accuracy(eta * directions[i], eta * exact_natural[i], scale=gain[i])
        out["grad_z"][i], out["grad_std"][i] = g.bias_z, g.relative_std
        out["cov_z"][i], out["cov_std"][i] = c.bias_z, c.relative_std
        out["dir_error"][i], out["dir_cosine"][i] = d.median_relative_error, d.median_cosine
        out["step"][i] = step.relative_rmse
        out["cost_rms"][i] = np.sqrt(np.mean(episodes.costs[:, i] ** 2, axis=(0, 2)))
    return out


def estimates_grid(policies: dict, games: dict, *, replications: int, trajectories: int,
                   radius: float, eta: float, seed) -> dict:
    """``estimates_at`` for every policy (name -> K) and game (label -> LQGame), with the same
    random streams everywhere (the columns differ by the game only): arrays of shape (policies,
    games, N, T). Where a policy is an equilibrium its exact gradient is zero, so its relative
    errors are taken with respect to 1 (name the policy with a ``*``)."""
    measured = {}
    for a, (name, K) in enumerate(policies.items()):
        for b, game in enumerate(games.values()):
            found = estimates_at(game, K, replications=replications, trajectories=trajectories,
                                 radius=radius, eta=eta, seed=seed,
                                 gradient_scale=1.0 if "*" in name else None)
            for key, value in found.items():
                measured.setdefault(key, np.full((len(policies), len(games)) + value.shape,
                                                 np.nan))[a, b] = value
    return measured


def _first(episodes: Episodes, L: int) -> Episodes:
    """The first L trajectories of each iteration's episodes (independent, so a sample of size L)."""
    minus = None if episodes.costs_minus is None else episodes.costs_minus[..., :L]
    return Episodes(U=tuple(Ui[..., :L, :, :] for Ui in episodes.U), costs=episodes.costs[..., :L],
                    states=episodes.states[..., :L, :], x0=episodes.x0[..., :L, :],
                    costs_minus=minus)


def sample_size_study(game, K, L_grid, *, replications: int, radius: float, seed) -> tuple:
    """Relative spreads of the gradient and covariance estimates and median direction error
    against L (arrays (len(L_grid), N, T)), from the first L trajectories of the largest L;
    and the log-log slopes of player 1's, which an L^(-1/2) law puts at -0.5."""
    T, N = game.T, game.N
    big = perturbed_episodes(game, repeat_policy(K, replications), trajectories=max(L_grid),
                             radius=radius, seed=seed)
    exact_gradient, exact_natural = policy_gradient(game, K), natural_gradient(game, K)
    sigma = state_covariances(game, K)[:T]
    by_L = {key: np.full((len(L_grid), N, T), np.nan) for key in ("grad_std", "cov_std", "dir_error")}
    for j, L in enumerate(L_grid):
        sub = _first(big, L)
        directions = natural_gradient_estimate(sub, radius)
        covariance = empirical_covariance(sub.states)
        for i in range(N):
            estimate = zeroth_order_gradient(sub.costs[:, i], sub.U[i], radius)
            by_L["grad_std"][j, i] = estimate_accuracy(estimate, exact_gradient[i]).relative_std
            by_L["cov_std"][j, i] = estimate_accuracy(covariance[:, i], sigma).relative_std
            by_L["dir_error"][j, i] = estimate_accuracy(directions[i],
                                                        exact_natural[i]).median_relative_error
    slopes = {key: np.polyfit(np.log(L_grid), np.log(value[:, 0]), 1)[0] for key, value in by_L.items()}
    return by_L, slopes


def radius_bias(game, K, radius_grid, *, replications: int, trajectories: int, seed) -> list:
    """Bias of the gradient estimate at each radius (one row per radius and player): relative bias,
    its standard error, the largest z-score and the relative spread, per t."""
    check.seed_sequence(seed)
    exact_gradient = policy_gradient(game, K)
    rows = []
    for j, r in enumerate(radius_grid):
        episodes = perturbed_episodes(game, repeat_policy(K, replications), trajectories=trajectories,
                                      radius=r, seed=seed.spawn(len(radius_grid))[j])
        for i in range(game.N):
            estimate = zeroth_order_gradient(episodes.costs[:, i], episodes.U[i], r)
            acc = estimate_accuracy(estimate, exact_gradient[i])
            rows.append(dict(radius=r, player=i + 1, bias=acc.relative_bias,
                             stderr=acc.bias_stderr, z=acc.bias_z, std=acc.relative_std))
    return rows


def estimator_maps(game, K, L_grid, radius_grid, *, replications: int, seed) -> dict:
    """The one-point and two-point gradient estimates' relative spread and bias z-score, and the
    covariance estimate's spread, over (r, L): arrays (len(radius_grid), len(L_grid), N, T).

    Each radius replays the same random numbers (paired), with every perturbation also mirrored."""
    T, N = game.T, game.N
    exact_gradient = policy_gradient(game, K)
    exact_sigma = state_covariances(game, K)[:T]
    keys = ("one_std", "one_z", "two_std", "two_z", "cov_std")
    maps = {key: np.full((len(radius_grid), len(L_grid), N, T), np.nan) for key in keys}
    for a, r in enumerate(radius_grid):
        big = perturbed_episodes(game, repeat_policy(K, replications), trajectories=max(L_grid), radius=r,
                                 seed=seed, estimator="two-point")
        for b, L in enumerate(L_grid):
            sub = _first(big, L)
            covariance = empirical_covariance(sub.states)
            for i in range(N):
                plus, minus = sub.costs[:, i], sub.costs_minus[:, i]
                one = estimate_accuracy(zeroth_order_gradient(plus, sub.U[i], r), exact_gradient[i])
                two = estimate_accuracy(two_point_gradient(plus, minus, sub.U[i], r), exact_gradient[i])
                cov = estimate_accuracy(covariance[:, i], exact_sigma)
                maps["one_std"][a, b, i], maps["one_z"][a, b, i] = one.relative_std, one.bias_z
                maps["two_std"][a, b, i], maps["two_z"][a, b, i] = two.relative_std, two.bias_z
                maps["cov_std"][a, b, i] = cov.relative_std
    return maps


def direction_errors(games: dict, K, variants: dict, *, replications: int, radius: float,
                     seed) -> np.ndarray:
    """Median relative error of player 1's direction of (4.2) against :math:`2E_{t,1}`, for each
    variant (name -> options of the episodes) and game: array (variants, games, T)."""
    out = np.full((len(variants), len(games), next(iter(games.values())).T), np.nan)
    for v, options in enumerate(variants.values()):
        for b, game in enumerate(games.values()):
            episodes = perturbed_episodes(game, repeat_policy(K, replications), radius=radius, seed=seed,
                                          **options)
            direction = natural_gradient_estimate(episodes, radius)[0]
            out[v, b] = estimate_accuracy(direction, natural_gradient(game, K)[0]).median_relative_error
    return out


def threshold_runs(games: dict, K, variants: dict, *, seeds: int, eta: float, iterations: int,
                   radius: float, seed, accuracy: float = 0.05) -> dict:
    """Algorithm 2 from K under each variant and game (sigma^2 -> game): per variant, one row per
    game with the fractions converged (below ``accuracy`` at the end) and diverged."""
    found = {}
    for name, options in variants.items():
        rows = []
        for s2, game in games.items():
            result = model_free_natural_policy_gradient(
                game, repeat_policy(K, seeds), eta, iterations, radius=radius, seed=seed,
                record_every=iterations, record_policies="none", **options)
            ok = converged(result, accuracy)
            with np.errstate(invalid="ignore"):
                error = (np.nanmedian(np.where(result.diverged[:, None], np.nan,
                                               np.abs(result.normalized_error[-1])), axis=0)
                         if not result.diverged.all() else np.full(game.N, np.nan))
            rows.append(dict(sigma2=s2, converged=proportion(ok), diverged=proportion(result.diverged),
                             median_error=error))
        found[name] = rows
    return found


def lowest_converging(rows: list):
    """The smallest sigma^2 from which every larger level has all runs converged (None if none)."""
    ok = [row["converged"].k == row["converged"].n for row in rows]
    for j in range(len(rows)):
        if all(ok[j:]):
            return rows[j]["sigma2"]
    return None


def exploration_check(game, K, levels) -> dict:
    r"""What Gaussian exploration :math:`\sigma_u` does to the game the players learn in: per level,
    the explored noise :math:`W_{\sigma_u}` (its smallest eigenvalue against W's), whether the
    Nash equilibrium and the natural gradient at K are unchanged, and the players' costs at
    :math:`K^*` while exploring over their costs without (the price of exploring)."""
    from ..episodes import game_with_exploration
    from ..equilibrium import solve_nash
    from ..evaluation import cost

    nash = solve_nash(game)
    found = {}
    for s_u in levels:
        explored = game_with_exploration(game, s_u)
        same_nash = all(np.allclose(a, b, rtol=1e-10, atol=1e-12)
                        for a, b in zip(solve_nash(explored).K, nash.K))
        same_natural = all(np.allclose(a, b, rtol=1e-10, atol=1e-12)
                           for a, b in zip(natural_gradient(explored, K), natural_gradient(game, K)))
        paid = cost(explored, nash.K) + s_u ** 2 * np.array(
            [R.trace(axis1=-2, axis2=-1).sum() for R in game.R])
        found[s_u] = dict(W=explored.W[0], lambda_min=float(np.linalg.eigvalsh(explored.W[0])[0]),
                          lambda_min_W=float(np.linalg.eigvalsh(game.W[0])[0]),
                          same_nash=same_nash, same_natural=same_natural,
                          price=paid / nash.costs)
    return found


def best_step(method, game, starts, step_grid, iterations: int, *, tol: float,
              record_every: int = 10) -> dict:
    """Run ``method`` (Algorithm 1 or vanilla policy gradient) from ``starts`` at every step size of
    ``step_grid`` and keep the best: the most runs within ``tol`` until the end, then the fewest
    median iterations to get there. Returns the best step's values and result, and every step's
    (eta, converged, median iterations)."""
    candidates = []
    for step in step_grid:
        result = method(game, starts, step, iterations, record_every=record_every,
                        record_policies="none")
        reached = result.iterations_to(tol)
        done = reached >= 0
        candidates.append(dict(eta=step, converged=proportion(done),
                               diverged=proportion(result.diverged),
                               median_iterations=float(np.median(reached[done])) if done.any()
                               else np.inf, iterations=np.where(done, reached, np.inf),
                               result=result))
    best = min(candidates, key=lambda c: (-c["converged"].k, c["median_iterations"]))
    return {**best, "all": [(c["eta"], c["converged"], c["median_iterations"]) for c in candidates]}


def estimator_values(threshold: dict, comparison: dict, exploration: dict, *, natural: str,
                     vanilla: str, paper_name: str) -> dict:
    """The measured values the claims of the gradient estimator notebook read: per noise level of
    the comparison, the probability that a vanilla run needs more iterations than a natural one
    (a run that never gets there needs infinitely many); per noise level of the threshold runs,
    how far exploration raises the shares converged and not diverged over the paper's."""
    levels = sorted({s for s, _ in comparison})
    pairs = [(comparison[s, natural], comparison[s, vanilla]) for s in levels]
    one = threshold[paper_name]
    explored = [name for name in threshold if name.startswith("exploration")]
    rows = threshold[explored[0]] if explored else []
    return dict(
        natural_converged=[n["converged"] for n, _ in pairs],
        vanilla_converged=[v["converged"] for _, v in pairs],
        natural_iterations=[n["median_iterations"] for n, _ in pairs],
        vanilla_iterations=[v["median_iterations"] for _, v in pairs],
        vanilla_slower=[Exceedance.of(v["iterations"], n["iterations"]) for n, v in pairs],
        paper_converged=[row["converged"] for row in one],
        explored_converged=[row["converged"] for row in rows],
        explore_finds=[Difference(e["converged"], o["converged"]) for e, o in zip(rows, one)]
        or [NOT_MEASURED],
        explore_survives=[Difference(_alive(e), _alive(o))
                          for e, o in zip(rows, one)] or [NOT_MEASURED],
        price=[float(100 * (p - 1)) for level in exploration.values() for p in level["price"]],
        same_nash=all(level["same_nash"] for level in exploration.values()))


def _alive(row: dict):
    d = row["diverged"]
    return type(d)(d.n - d.k, d.n)
