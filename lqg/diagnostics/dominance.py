r"""Unilateral deviations :math:`(K^i, K^{-i*})`: the Nash gap of Theorem 3.5 and the bounds of Lemma 3.9."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import _checks as check
from ..equilibrium import NashSolution, solve_nash
from ..evaluation import Evaluation, cost
from ._common import (
    norm2,
    ratio,
    require_assumption_2_1,
    sigma_k_star,
    sigma_min,
    sigma_x_lemma_3_1,
)

__all__ = ["nash_gap", "gradient_dominance", "deviation_curves"]


def _nash(game, nash: NashSolution | None) -> NashSolution:
    return check.nash_of(game, nash) or solve_nash(game)


def _unilateral(game, K: Sequence, nash: NashSolution) -> np.ndarray:
    r"""Every :math:`(K^i, K^{-i*})` stacked by rows: shape ``(*batch, N, T, sum(k), d)``.

    Axis ``-4`` indexes the deviating player i: its rows are player i's gains from ``K``, the
    other rows the Nash gains.
    """
    Ks = check.policy(game, K)
    star = np.concatenate(nash.K, axis=-2)
    own = np.zeros((game.N, sum(game.k)), dtype=bool)
    for i, s in enumerate(game.slices):
        own[i, s] = True
    return np.where(own[:, None, :, None], Ks[..., None, :, :, :], star)


def _own(array: np.ndarray, N: int, axis: int) -> np.ndarray:
    """Diagonal over (deviating player, player): ``array[..., i, i, ...]`` with the pair at ``axis``."""
    idx = np.arange(N)
    moved = np.moveaxis(array, (axis, axis + 1), (0, 1))
    return np.moveaxis(moved[idx, idx], 0, axis)


def _own_costs(game, costs: np.ndarray) -> np.ndarray:
    """Player i's cost under its own deviation, from costs ``(*batch, N deviations, N players)``;
    a NaN (an overflow's ``inf - inf``) is reported as ``inf`` when the weights are PSD."""
    own = np.diagonal(costs, axis1=-2, axis2=-1)
    return np.where(np.isnan(own), np.inf, own) if game.weights_psd else own


def unilateral_gaps(game, K: Sequence, nash: NashSolution | None = None) -> np.ndarray:
    r"""Each player's excess cost :math:`C^i(K^i, K^{-i*}) - C^i(K^*)` (Section 3, Theorem 3.5).

    Player i plays :math:`K^i` while every other player plays the Nash policy. The values are
    non-negative (up to rounding) because :math:`K^{i*}` is a best response to :math:`K^{-i*}`.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)
    nash : NashSolution, optional
        The game's equilibrium; computed with :func:`~lqg.equilibrium.solve_nash` if omitted.

    Returns
    -------
    numpy.ndarray, shape=(*batch, N)
        ``inf`` where a policy is so large that its cost overflows.
    """
    game = check.game(game)
    nash = _nash(game, nash)
    with np.errstate(all="ignore"):
        found = Evaluation(game, _unilateral(game, K, nash))
        return _own_costs(game, found.costs) - nash.costs


def nash_gap(game, K: Sequence, nash: NashSolution | None = None) -> np.ndarray:
    r"""The quantity Theorem 3.5 drives to zero: :math:`\sum_{i=1}^N [C^i(K^i, K^{-i*}) - C^i(K^*)]`.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)
    nash : NashSolution, optional

    Returns
    -------
    numpy.ndarray, shape=(*batch,)
    """
    return unilateral_gaps(game, K, nash).sum(axis=-1)


@dataclass(frozen=True, eq=False)
class GradientDominance:
    r"""The bounds of Lemma 3.9 at a joint policy K, for every player i (arrays of shape (*batch, N)).

    Player i's quantities are evaluated at :math:`(K^i, K^{-i*})`; write
    :math:`E_t = E_{t,i}^{(K^i, K^{-i*})}` (eq. (3.15)),
    :math:`G_t = R_t^i + (B_t^i)^\top P_{t+1,i}^{(K^i, K^{-i*})} B_t^i` and
    :math:`\nabla_t = \nabla_{K_t^i} C^i(K^i, K^{-i*}) = 2E_t\Sigma_t^{(K^i,K^{-i*})}` (eq. (3.16)).
    Lemma 3.9 states ``lower_gradient <= lower <= gap <= upper <= upper_gradient``.

    Attributes
    ----------
    gap : numpy.ndarray
        :math:`C^i(K^i, K^{-i*}) - C^i(K^*)`.
    upper : numpy.ndarray
        :math:`\frac{\|\Sigma_{K^*}\|}{\underline\sigma_R} \sum_{t=0}^{T-1}\operatorname{Tr}(E_t^\top E_t)`.
    lower : numpy.ndarray
        :math:`\underline\sigma_X \sum_{t=0}^{T-1} \operatorname{Tr}(E_t^\top E_t) / \|G_t\|`.
    upper_gradient : numpy.ndarray
        :math:`\frac{\|\Sigma_{K^*}\|}{4\underline\sigma_R\underline\sigma_X^2}\sum_t
        \operatorname{Tr}(\nabla_t^\top\nabla_t)`, with :math:`\underline\sigma_X` here a lower
        bound on :math:`\Sigma_t^{(K^i,K^{-i*})}`.
    lower_gradient : numpy.ndarray
        :math:`\frac{\underline\sigma_X}{4\|\Sigma_{(K^i,K^{-i*})}\|^2}\sum_t
        \operatorname{Tr}(\nabla_t^\top\nabla_t)/\|G_t\|`, with the same
        :math:`\underline\sigma_X` as ``lower``.
    sigma_x_lower : numpy.ndarray
        The :math:`\underline\sigma_X` used in ``lower`` and ``lower_gradient``.
    sigma_x_upper : numpy.ndarray
        The :math:`\underline\sigma_X` used in ``upper_gradient``.
    """

    gap: np.ndarray
    upper: np.ndarray
    lower: np.ndarray
    upper_gradient: np.ndarray
    lower_gradient: np.ndarray
    sigma_x_lower: np.ndarray
    sigma_x_upper: np.ndarray


def gradient_dominance(game, K: Sequence, nash: NashSolution | None = None,
                       sigma_x: str = "lemma_3_1") -> GradientDominance:
    r"""The gradient-dominance bounds of Lemma 3.9, evaluated at :math:`(K^i, K^{-i*})` for each i.

    .. math::

        \underline\sigma_X \sum_{t=0}^{T-1} \frac{\operatorname{Tr}(E_t^\top E_t)}{\|G_t\|}
        \;\le\; C^i(K^i, K^{-i*}) - C^i(K^*) \;\le\;
        \frac{\|\Sigma_{K^*}\|}{\underline\sigma_R} \sum_{t=0}^{T-1}\operatorname{Tr}(E_t^\top E_t),

    notation as in :class:`GradientDominance`. The lemma assumes Assumption 2.1 (positive definite
    weights), which this function requires.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)
        Player i's bounds use only :math:`K^i`.
    nash : NashSolution, optional
    sigma_x : {"lemma_3_1", "sharp"}
        Which :math:`\underline\sigma_X` enters the bounds. ``"lemma_3_1"`` (default): the
        policy-free bound of Lemma 3.1, valid in all four. ``"sharp"``: the smallest valid
        policy-dependent value — for the lower bounds,
        :math:`\min_{t<T}\sigma_{\min}(\Sigma_t^{(K^{i\prime}, K^{-i*})})` with
        :math:`K_t^{i\prime} = K_t^i - G_t^{-1}E_t`; for ``upper_gradient``,
        :math:`\min_{t<T}\sigma_{\min}(\Sigma_t^{(K^i, K^{-i*})})`.

    Returns
    -------
    GradientDominance

    Notes
    -----
    **Which covariance the lower bound needs.** The proof compares :math:`K^i` with the one-step
    improvement :math:`K^{i\prime}` above. By Lemma 3.8, exactly,

    .. math::

        C^i(K^i, K^{-i*}) - C^i(K^{i\prime}, K^{-i*})
        = \sum_{t=0}^{T-1} \operatorname{Tr}\big(\Sigma_t^{(K^{i\prime}, K^{-i*})}
          E_t^\top G_t^{-1} E_t\big),

    and :math:`C^i(K^{i\prime}, K^{-i*}) \ge C^i(K^*)`. So the :math:`\underline\sigma_X` of the
    lower bound must bound the state covariance of the *improved* policy
    :math:`(K^{i\prime}, K^{-i*})`, not of :math:`(K^i, K^{-i*})`; the policy-free bound of Lemma 3.1
    bounds both. Taking the covariance of :math:`(K^i, K^{-i*})` itself can make the printed
    lower bound exceed the gap (``tests/test_diagnostics.py`` holds a counterexample).
    The upper bound is the paper's, with :math:`\max_t\|\Sigma_t^{K^*}\| \le \|\Sigma_{K^*}\|`
    and :math:`G_t^{-1} \preceq (R_t^i)^{-1}`.
    """
    game = check.game(game)
    sigma_x = check.choice(sigma_x, ("lemma_3_1", "sharp"), "sigma_x")
    require_assumption_2_1(game, "gradient_dominance (Lemma 3.9)")
    nash = _nash(game, nash)
    N, T = game.N, game.T
    dev = _unilateral(game, K, nash)                                    # (*batch, N, T, sum k, d)
    sigma_r = float(min(sigma_min(R).min() for R in game.R))
    sigma_kstar = sigma_k_star(game, nash)
    free = sigma_x_lemma_3_1(game)

    with np.errstate(all="ignore"):
        found = Evaluation(game, dev)
        P_all = np.moveaxis(found.value_matrices, -3, -4)             # (*batch, N dev., N, T+1, d, d)
        P = _own(P_all, N, P_all.ndim - 5)                             # (*batch, N, T+1, d, d)
        gap = _own_costs(game, found.costs) - nash.costs
        E_all = 0.5 * found.natural_gradient
        gradient = found.policy_gradient                                # eq. (3.16)
        S = found.state_covariances                                     # (*batch, N, T+1, d, d)

        trEE, trEE_G, trGG_G, trGG, improved = [], [], [], [], []
        for i, s in enumerate(game.slices):
            E = E_all[..., i, :, s, :]                                  # (*batch, T, k_i, d)
            B = game.B[i]
            G = game.R[i] + np.swapaxes(B, -1, -2) @ P[..., i, 1:, :, :] @ B
            normG = norm2(G)
            grad = gradient[..., i, :, s, :]                            # (*batch, T, k_i, d)
            ee, gg = np.sum(E * E, axis=(-1, -2)), np.sum(grad * grad, axis=(-1, -2))
            trEE.append(ee)
            trEE_G.append(ee / normG)
            trGG.append(gg)
            trGG_G.append(gg / normG)
            if sigma_x == "sharp":
                step = dev[..., i, :, :, :].copy()
                step[..., s, :] -= np.linalg.solve(G, E)
                improved.append(step)

        trEE, trEE_G, trGG, trGG_G = (np.stack(v, axis=-2) for v in (trEE, trEE_G, trGG, trGG_G))
        sigma_dev = norm2(S.sum(axis=-3))                               # ||Sigma_(K^i, K^-i*)||
        if sigma_x == "lemma_3_1":
            sx_lower = np.full(gap.shape, free)
            sx_upper = sx_lower
        else:
            S_improved = Evaluation(game, np.stack(improved, axis=-4)).state_covariances
            sx_lower = sigma_min(S_improved[..., :T, :, :]).min(axis=-1)
            sx_upper = sigma_min(S[..., :T, :, :]).min(axis=-1)

        upper = sigma_kstar / sigma_r * trEE.sum(axis=-1)
        lower = sx_lower * trEE_G.sum(axis=-1)
        upper_gradient = ratio(sigma_kstar * trGG.sum(axis=-1), 4 * sigma_r * sx_upper**2)
        lower_gradient = sx_lower * ratio(trGG_G.sum(axis=-1), 4 * sigma_dev**2)
    return GradientDominance(
        gap=gap, upper=upper, lower=lower, upper_gradient=upper_gradient,
        lower_gradient=lower_gradient, sigma_x_lower=sx_lower, sigma_x_upper=sx_upper,
    )


def deviation_curves(game, nash: NashSolution | None = None, *, scale: float = 0.5,
                     points: int = 41, directions: int = 8, seed=0) -> tuple:
    r"""Each player's cost :math:`C^i(K^{i*} + \varepsilon D, K^{-i*})` along random directions D of
    unit Frobenius norm per t, for :math:`\varepsilon` in [-``scale``, ``scale``]: at a Nash
    equilibrium every curve is smallest at :math:`\varepsilon = 0`.

    Parameters
    ----------
    game : LQGame
    nash : NashSolution, optional
    scale : float
        Largest :math:`|\varepsilon|`.
    points : int
        Number of values of :math:`\varepsilon` (odd, so that 0 is one of them).
    directions : int
        Random directions per player.
    seed : int, SeedSequence or Generator
        The directions are drawn player after player from this stream.

    Returns
    -------
    eps : numpy.ndarray, shape=(points,)
    costs : list of N numpy.ndarray, shapes (points, directions)
        Player i's own cost along its directions.
    """
    game = check.game(game)
    nash = _nash(game, nash)
    scale = check.number(scale, "scale", 0.0, open_low=True)
    points = check.positive_int(points, "points")
    if points % 2 == 0:
        raise check.LQGameError(f"points must be odd (so that epsilon = 0 is among them); got {points}")
    directions = check.positive_int(directions, "directions")
    rng = check.generator(seed)
    eps = np.linspace(-scale, scale, points)
    curves = []
    for i in range(game.N):
        D = rng.standard_normal((directions, game.T, game.k[i], game.d))
        D /= np.linalg.norm(D, axis=(-2, -1), keepdims=True)
        K = list(nash.K)
        K[i] = nash.K[i] + eps[:, None, None, None, None] * D
        curves.append(cost(game, tuple(K))[..., i])
    return eps, curves
