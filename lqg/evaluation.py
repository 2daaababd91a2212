r"""Exact evaluation of a joint linear policy :math:`u_t^i = -K_t^i x_t` (Section 3.1).

A joint policy is a tuple of N arrays, player i's of shape ``(*batch, T, k_i, d)``. Every
function broadcasts over the leading batch dimensions, like :mod:`numpy.linalg` over stacks
of matrices: one call evaluates a whole batch of policies. The batch shapes of the players
broadcast against each other.

Internally the players' gains are stacked by rows into :math:`K_t = [K_t^1; \dots; K_t^N]`,
shape ``(*batch, T, sum(k), d)``, so that the closed loop is :math:`A_t - B_t K_t` with
:math:`B_t = [B_t^1, \dots, B_t^N]`, and the recursions loop over time only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from .model import LQGame, LQGameError

if TYPE_CHECKING:
    from .equilibrium import NashSolution

__all__ = [
    "stack_policy",
    "split_policy",
    "closed_loop",
    "value_matrices",
    "cost",
    "state_covariances",
    "policy_gradient",
    "natural_gradient",
    "normalized_error",
]


# ---------------------------------------------------------------------------
# stacking


def stack_policy(game: LQGame, K: Sequence, name: str = "K") -> np.ndarray:
    """Validate a joint policy and stack it by rows: shape ``(*batch, T, sum(k), d)``.

    Raises
    ------
    LQGameError
        If ``K`` does not hold one array per player of shape ``(*batch, T, k_i, d)``, if the
        players' batch shapes do not broadcast, or if an entry is not finite (the message names
        the player and t).
    """
    if isinstance(K, np.ndarray) or not isinstance(K, Sequence):
        raise LQGameError(
            f"{name} must be a tuple of {game.N} arrays (one per player) of shapes "
            f"(*batch, T, k_i, d); got {type(K).__name__}"
        )
    if len(K) != game.N:
        raise LQGameError(f"{name} has {len(K)} players' policies but the game has N = {game.N}")
    arrays = []
    for i, Ki in enumerate(K):
        try:
            Ki = np.asarray(Ki, dtype=float)
        except (TypeError, ValueError) as exc:
            raise LQGameError(f"{name}[{i}] (player {i}) is not a numeric array: {exc}") from None
        want = (game.T, game.k[i], game.d)
        if Ki.ndim < 3 or Ki.shape[-3:] != want:
            raise LQGameError(
                f"{name}[{i}] (player {i}) must have shape (*batch, T, k_{i}, d) = "
                f"(*batch, {want[0]}, {want[1]}, {want[2]}); got {Ki.shape}"
            )
        bad = ~np.isfinite(Ki)
        if bad.any():
            t = int(np.argwhere(bad)[0][-3])
            raise LQGameError(f"{name}[{i}] (player {i}) has non-finite entries at t={t}")
        arrays.append(Ki)
    try:
        batch = np.broadcast_shapes(*(a.shape[:-3] for a in arrays))
    except ValueError:
        shapes = ", ".join(str(a.shape[:-3]) for a in arrays)
        raise LQGameError(f"{name}: the players' batch shapes {shapes} do not broadcast") from None
    return np.concatenate(
        [np.broadcast_to(a, batch + a.shape[-3:]) for a in arrays], axis=-2
    )


def split_policy(game: LQGame, K_stacked: np.ndarray) -> tuple:
    """Inverse of :func:`stack_policy`: a tuple of N arrays ``(*batch, T, k_i, d)``."""
    return tuple(np.ascontiguousarray(K_stacked[..., s, :]) for s in game.slices)


def closed_loop(game: LQGame, K_stacked: np.ndarray) -> np.ndarray:
    r""":math:`A_t - \sum_j B_t^j K_t^j` for a stacked policy, shape ``(*batch, T, d, d)``."""
    return game.A - game.B_stacked @ K_stacked


def player_quadratic(game: LQGame, K: np.ndarray, RK: np.ndarray) -> np.ndarray:
    r""":math:`(K^i)^\top R^i K^i` for every player at once, shape ``(..., N, d, d)``.

    ``K`` is a stacked policy and ``RK`` the block-diagonal R times it, both of shape
    ``(..., sum(k), d)``. A short loop over the players' row blocks is ten times faster than
    one masked ``einsum`` over all of them for the small matrices of the paper's games.
    """
    return np.stack(
        [np.swapaxes(K[..., s, :], -1, -2) @ RK[..., s, :] for s in game.slices], axis=-3
    )


# ---------------------------------------------------------------------------
# the recursions on stacked policies (no validation; used by the algorithms)


def stacked_value_matrices(game: LQGame, K_stacked: np.ndarray,
                           closed: np.ndarray | None = None) -> np.ndarray:
    r"""Eq. (3.13) for all players, shape ``(*batch, N, T+1, d, d)``.

    :math:`P_{t,i}^K = Q_t^i + (K_t^i)^\top R_t^i K_t^i + (A_t - \sum_j B_t^jK_t^j)^\top
    P_{t+1,i}^K (A_t - \sum_j B_t^jK_t^j)`, with :math:`P_{T,i}^K = Q_T^i`.
    """
    if closed is None:
        closed = closed_loop(game, K_stacked)
    T = game.T
    batch = K_stacked.shape[:-3]
    stage = player_quadratic(game, K_stacked, game.R_block @ K_stacked)
    # stage: (*batch, T, N, d, d) -> players first, then time
    stage = np.moveaxis(stage, -3, -4) + game.Q_stacked[:, :T]
    P = np.empty(batch + (game.N, T + 1, game.d, game.d))
    P[..., T, :, :] = game.Q_stacked[:, T]
    closed_T = np.swapaxes(closed, -1, -2)[..., None, :, :, :]
    closed = closed[..., None, :, :, :]
    for t in range(T - 1, -1, -1):
        P[..., t, :, :] = stage[..., t, :, :] + closed_T[..., t, :, :] @ P[..., t + 1, :, :] @ closed[..., t, :, :]
    return P


def traces_to_costs(game: LQGame, P: np.ndarray) -> np.ndarray:
    r"""Eq. (3.14): :math:`C^i(K) = \operatorname{Tr}(P_{0,i}^K \mathbb E[x_0x_0^\top])
    + \sum_{t=1}^{T} \operatorname{Tr}(W P_{t,i}^K)`, shape ``(*batch, N)``."""
    d2 = game.d * game.d
    # Tr(M P) = vec(P) . vec(M^T), without forming the products of the whole history
    initial = P[..., 0, :, :].reshape(P.shape[:-3] + (d2,)) @ game.x0.second_moment.T.reshape(d2)
    noise = P[..., 1:, :, :].reshape(P.shape[:-3] + (game.T * d2,)) @ np.tile(game.W.T.reshape(d2), game.T)
    return initial + noise


def stacked_natural_gradient(game: LQGame, K_stacked: np.ndarray, closed: np.ndarray,
                             P: np.ndarray) -> np.ndarray:
    r"""Eq. (3.15) times two, :math:`2E_{t,i}^K`, stacked: shape ``(*batch, T, sum(k), d)``.

    :math:`E_{t,i}^K = R_t^iK_t^i - (B_t^i)^\top P_{t+1,i}^K (A_t - \sum_j B_t^jK_t^j)`.
    """
    PA = P[..., 1:, :, :] @ closed[..., None, :, :, :]  # (*batch, N, T, d, d)
    BtPA = np.concatenate(
        [np.swapaxes(B, -1, -2) @ PA[..., i, :, :, :] for i, B in enumerate(game.B)], axis=-2
    )
    return 2.0 * (game.R_block @ K_stacked - BtPA)


def stacked_state_covariances(game: LQGame, closed: np.ndarray) -> np.ndarray:
    r"""Eq. (3.4) by the recursion of Lemma 3.1: :math:`\Sigma_{t+1} = (A_t - \sum_j B_t^jK_t^j)
    \Sigma_t (\cdot)^\top + W`, :math:`\Sigma_0 = \mathbb E[x_0x_0^\top]`; shape ``(*batch, T+1, d, d)``."""
    T = game.T
    batch = closed.shape[:-3]
    S = np.empty(batch + (T + 1, game.d, game.d))
    S[..., 0, :, :] = game.x0.second_moment
    closed_T = np.swapaxes(closed, -1, -2)
    for t in range(T):
        S[..., t + 1, :, :] = closed[..., t, :, :] @ S[..., t, :, :] @ closed_T[..., t, :, :] + game.W
    return S


# ---------------------------------------------------------------------------
# public, validated API


def value_matrices(game: LQGame, K: Sequence) -> tuple:
    r"""The matrices :math:`P_{t,i}^K` of eq. (3.13).

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)

    Returns
    -------
    tuple of N numpy.ndarray, shapes (*batch, T+1, d, d)
    """
    Ks = stack_policy(game, K)
    with np.errstate(over="ignore", invalid="ignore"):
        P = stacked_value_matrices(game, Ks)
    return tuple(np.moveaxis(P, -4, 0))


def cost(game: LQGame, K: Sequence) -> np.ndarray:
    r"""Each player's exact cost :math:`C^i(K)` by eqs. (3.13)-(3.14).

    :math:`C^i(K) = \mathbb E[x_0^\top P_{0,i}^K x_0] + N_{0,i}^K` with
    :math:`N_{t,i}^K = N_{t+1,i}^K + \operatorname{Tr}(W P_{t+1,i}^K)`, :math:`N_{T,i}^K = 0`.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)

    Returns
    -------
    numpy.ndarray, shape=(*batch, N)
        ``inf`` where the policy is so large that the cost overflows (no warning is raised).
    """
    Ks = stack_policy(game, K)
    with np.errstate(over="ignore", invalid="ignore"):
        c = traces_to_costs(game, stacked_value_matrices(game, Ks))
    # costs are non-negative (Lemma 3.6), so a NaN can only be inf - inf after an overflow
    return np.where(np.isnan(c), np.inf, c)


def state_covariances(game: LQGame, K: Sequence) -> np.ndarray:
    r"""The state second moments :math:`\Sigma_t^K = \mathbb E[x_t x_t^\top]` of eq. (3.4).

    Returns
    -------
    numpy.ndarray, shape=(*batch, T+1, d, d)
        :math:`\Sigma_0^K, \dots, \Sigma_T^K`; their sum is :math:`\Sigma_K`.
    """
    Ks = stack_policy(game, K)
    with np.errstate(over="ignore", invalid="ignore"):
        return stacked_state_covariances(game, closed_loop(game, Ks))


def natural_gradient(game: LQGame, K: Sequence) -> tuple:
    r"""The natural gradient :math:`2E_{t,i}^K = \nabla_{K_t^i}C^i(K)\,(\Sigma_t^K)^{-1}`, eq. (3.15).

    This is the update direction of Algorithm 1, eq. (3.8) (Remark 3.2).

    Returns
    -------
    tuple of N numpy.ndarray, shapes (*batch, T, k_i, d)
    """
    Ks = stack_policy(game, K)
    with np.errstate(over="ignore", invalid="ignore"):
        closed = closed_loop(game, Ks)
        P = stacked_value_matrices(game, Ks, closed)
        return split_policy(game, stacked_natural_gradient(game, Ks, closed, P))


def policy_gradient(game: LQGame, K: Sequence) -> tuple:
    r"""Each player's own policy gradient :math:`\nabla_{K_t^i} C^i(K) = 2E_{t,i}^K\Sigma_t^K`,
    Lemma 3.7, eq. (3.16).

    Returns
    -------
    tuple of N numpy.ndarray, shapes (*batch, T, k_i, d)
    """
    Ks = stack_policy(game, K)
    with np.errstate(over="ignore", invalid="ignore"):
        closed = closed_loop(game, Ks)
        P = stacked_value_matrices(game, Ks, closed)
        S = stacked_state_covariances(game, closed)
        grad = stacked_natural_gradient(game, Ks, closed, P) @ S[..., :-1, :, :]
    return split_policy(game, grad)


def normalized_error(game: LQGame, K: Sequence, nash: "NashSolution | None" = None) -> np.ndarray:
    r"""The performance measure of Section 5: :math:`(C^i(K) - C^i(K^*)) / C^i(K^*)`.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)
    nash : NashSolution, optional
        The game's equilibrium; computed with :func:`~lqg.equilibrium.solve_nash` if omitted.

    Returns
    -------
    numpy.ndarray, shape=(*batch, N)
    """
    if nash is None:
        from .equilibrium import solve_nash

        nash = solve_nash(game)
    c = cost(game, K)
    return (c - nash.costs) / nash.costs
