r"""More than two players: the games of the N-player notebooks and what is measured on them.

The paper's title and Theorem 3.5 are about N players, its experiments about two. Two families of
games (:mod:`lqg.examples.games`): random games and network-consensus games on a ring, for each N.

* :func:`family_games` builds them, keyed by (family, N);
* :func:`algorithm_1_study` runs Algorithm 1 from initial policies near each equilibrium and
  measures convergence, the observed and linearised rates and the constants of Theorem 3.5;
* :func:`algorithm_2_study` runs Algorithm 2 over seeds on the random games and measures how
  many iterations and episodes reach each accuracy, as N grows.
"""

from __future__ import annotations

import numpy as np

from .. import _checks as check
from ..diagnostics import report
from ..equilibrium import check_assumptions, solve_nash
from ..examples import games as families
from ..known_parameters import natural_policy_gradient
from ..linearization import step_size_bound
from ..sampling import sample_policies_near
from ..variants import model_free_variants
from .convergence import (
    converged,
    final_error,
    linear_rate,
    linearized_rate,
    linearized_spectrum,
    nash_gap_history,
)
from .measures import Median, proportion

__all__ = ["FAMILIES", "family_games", "assumption_rows", "algorithm_1_study", "algorithm_2_study",
           "algorithm_1_values", "algorithm_2_values"]

FAMILIES = ("random", "consensus")


def family_games(players, *, state_dim: int, horizon: int, noise: float, seed: int,
                 families_=FAMILIES) -> dict:
    """(family, N) -> LQGame: ``random_game(N, state_dim, seed=[seed, N])`` and
    ``consensus_game(ring(N))``, both with horizon ``horizon`` and W = ``noise`` I."""
    found = {}
    for N in players:
        N = check.positive_int(N, "players")
        if "random" in families_:
            found["random", N] = families.random_game(
                N, state_dim, T=horizon, seed=np.random.default_rng([seed, N]), noise=noise)
        if "consensus" in families_:
            found["consensus", N] = families.consensus_game(families.ring(N), T=horizon, noise=noise)
    return dict(sorted(found.items(), key=lambda item: (item[0][1], FAMILIES.index(item[0][0]))))


def assumption_rows(games: dict) -> dict:
    """(family, N) -> the standing assumptions, the largest cond(Phi_t) and the range of C^i(K*)."""
    rows = {}
    for key, game in games.items():
        checked = check_assumptions(game)
        nash = solve_nash(game)
        rows[key] = dict(d=game.d, k=game.k, condition=float(np.max(checked.phi_condition)),
                         holds=bool(checked.assumption_2_1 and checked.assumption_2_2
                                    and checked.remark_2_4),
                         cost_min=float(nash.costs.min()), cost_max=float(nash.costs.max()))
    return rows


def algorithm_1_study(games: dict, *, radius: float, runs: int, eta: float, iterations: int,
                      record_every: int, tol: float, seed: int) -> dict:
    r"""Algorithm 1 on every game from ``runs`` initial policies within ``radius`` of
    :math:`K^*` (``SeedSequence([seed, N, f])``, f the family's index), one batched call per game.

    Returns (family, N) -> dict with the result, the Nash-gap history (records, runs) and the
    measured values: ``converged`` and ``diverged`` fractions, the fitted per-iteration factor of
    the Nash gap (median, 10 and 90 % quantiles over runs), :math:`\rho(J)^2` of the linearised
    update, :math:`\eta_{\max}`, and :math:`\hat\alpha`, (3.11)'s sides and Assumption 3.3 at the
    first initial policy.
    """
    found = {}
    for (family, N), game in games.items():
        nash = solve_nash(game)
        start = sample_policies_near(nash.K, radius, runs,
                                     np.random.default_rng([seed, N, FAMILIES.index(family)]))
        result = natural_policy_gradient(game, start, eta, iterations, record_every=record_every,
                                         record_policies="all", nash=nash)
        gap = nash_gap_history(game, result)
        rates = linear_rate(result.iterations, gap)
        spectrum = linearized_spectrum(game, nash)
        theory = report(game, tuple(K[0] for K in start), nash=nash)
        found[family, N] = dict(
            result=result, gap=gap,
            converged=proportion(converged(result, tol)), diverged=proportion(result.diverged),
            observed_rate=float(np.nanmedian(rates)),
            observed_rate_10=float(np.nanquantile(rates, 0.1)),
            observed_rate_90=float(np.nanquantile(rates, 0.9)),
            linearized_rate_squared=linearized_rate(game, eta, nash, spectrum=spectrum) ** 2,
            eta_max=step_size_bound(spectrum), alpha_hat=theory.alpha_hat,
            assumption_3_3=theory.assumption_3_3, lhs_3_11=theory.lhs_3_11,
            rhs_3_11=theory.rhs_3_11)
    return found


def episodes_to(result, game, trajectories: int, levels) -> dict:
    r"""For each accuracy level: the fraction of runs whose worst player's \|normalized error\|
    is below it at some recorded iteration, the median first such iteration m over the runs that
    get there, and the episodes it took, :math:`m\,N\,T\,L` (Algorithm 2 plays T L episodes per
    player and iteration)."""
    worst = np.nan_to_num(np.abs(result.normalized_error), nan=np.inf).max(axis=-1)
    per_iteration = game.N * game.T * trajectories
    out = {}
    for level in levels:
        below = worst < level
        reached = below.any(axis=0)
        first = result.iterations[np.argmax(below, axis=0)]
        median = float(np.median(first[reached])) if reached.any() else float("nan")
        out[level] = dict(reached=proportion(reached), iterations=median,
                          episodes=median * per_iteration)
    return out


#: Algorithm 2 as printed, and under the reading of its cost that reproduces Section 5.2 best
#: among the single readings (the cost-to-go from the perturbed time: notebook 07)
VARIANTS = {"as printed": {}, "cost-to-go": {"trajectory_cost": "cost-to-go"}}


def algorithm_2_study(games: dict, *, start_radius: float, seeds: int, eta: float,
                      iterations: int, trajectories: int, radius: float, record_every: int,
                      levels, tol: float, seed: int, variants: dict = VARIANTS) -> dict:
    r"""Algorithm 2 on every game from ``seeds`` initial policies within ``start_radius`` of
    :math:`K^*`, each with its own random stream (``SeedSequence([seed, N, j])``), under each of
    ``variants`` (name -> options, in lockstep on common random numbers:
    :func:`~lqg.variants.model_free_variants`), and Algorithm 1 from the same policies
    with the same step size for reference.

    Returns (family, N) -> {name: measured} for each variant and ``"Algorithm 1"``; measured
    holds the result, the ``converged`` (at ``tol``) and ``diverged`` fractions, the median worst
    error at the start and the end, the fraction of runs that end below their start, and
    ``episodes_to`` at each of ``levels`` (Algorithm 1's "episodes" are those Algorithm 2
    would have played in as many iterations).
    """
    found = {}
    for (family, N), game in games.items():
        nash = solve_nash(game)
        K0 = sample_policies_near(nash.K, start_radius, seeds, np.random.default_rng([seed, N, 2]))
        streams = [np.random.SeedSequence([seed, N, j]) for j in range(seeds)]
        results = model_free_variants(
            game, K0, eta, iterations, list(variants.values()), trajectories=trajectories,
            radius=radius, seed=streams, record_every=record_every, record_policies="none",
            nash=nash)
        reference = natural_policy_gradient(game, K0, eta, iterations, record_every=record_every,
                                            record_policies="none", nash=nash)
        found[family, N] = {name: _measured(result, game, trajectories, levels, tol)
                            for name, result in zip([*variants, "Algorithm 1"], [*results, reference])}
    return found


def _measured(result, game, trajectories, levels, tol) -> dict:
    start = np.abs(result.normalized_error[0]).max(axis=-1)
    final = final_error(result)
    return dict(result=result, converged=proportion(converged(result, tol)),
                diverged=proportion(result.diverged), median_start_error=Median.of(start),
                median_final_error=Median.of(final), improved=proportion(final < start),
                to=episodes_to(result, game, trajectories, levels))


def _by_game(study: dict, key: str, spec: str = "") -> str:
    return "; ".join(f"{family} N={N}: {values[key]:{spec}}" for (family, N), values in study.items())


def algorithm_1_values(study: dict) -> dict:
    """The flat values the claims of the N-player notebook read, from :func:`algorithm_1_study`."""
    entries = list(study.values())
    ratio = [abs(s["observed_rate"] / s["linearized_rate_squared"] - 1) for s in entries]
    return dict(
        games=len(entries), converged_by_game=_by_game(study, "converged", "k"),
        converged=[s["converged"] for s in entries],
        converged_worst=min((s["converged"] for s in entries), key=lambda p: p.value),
        rates_by_game="; ".join(f"{f} N={N}: {s['observed_rate']:.3f} (rho(J)^2 = "
                                f"{s['linearized_rate_squared']:.3f})" for (f, N), s in study.items()),
        agreement=max(ratio), rates_below_one=all(s["observed_rate_90"] < 1 for s in entries),
        alpha_min=min(s["alpha_hat"] for s in entries), alpha_max=max(s["alpha_hat"] for s in entries),
        lhs_rhs_max=max(s["lhs_3_11"] / s["rhs_3_11"] for s in entries),
        assumption_3_3_none=not any(s["assumption_3_3"] for s in entries))


def algorithm_2_values(study: dict, level: float) -> dict:
    """The flat values the claim of the Algorithm 2 notebook reads, from :func:`algorithm_2_study`
    with the default variants, at one accuracy ``level``: per N the fractions that reach it as
    printed and under the cost-to-go reading, the fractions diverged, the median episodes of the
    reading, and the exponent p of a least-squares fit episodes ~ N^p over the N whose runs reach
    the level."""
    players = [N for _, N in study]
    pick = lambda name, what: [s[name][what] for s in study.values()]  # noqa: E731
    reach = lambda name: [s[name]["to"][level]["reached"] for s in study.values()]  # noqa: E731
    episodes = [s["cost-to-go"]["to"][level]["episodes"] for s in study.values()]
    finite = [(N, e) for N, e in zip(players, episodes) if np.isfinite(e)]
    exponent = (float(np.polyfit(np.log([N for N, _ in finite]), np.log([e for _, e in finite]), 1)[0])
                if len(finite) >= 2 else float("nan"))
    return dict(players=players, level=level, literal_reached=reach("as printed"),
                literal_diverged=pick("as printed", "diverged"), reading_reached=reach("cost-to-go"),
                reading_diverged=pick("cost-to-go", "diverged"), reading_episodes=episodes,
                reference_reached=reach("Algorithm 1"), exponent=exponent)
