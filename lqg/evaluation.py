r"""Exact costs, covariances and gradients of a joint linear policy :math:`u_t^i = -K_t^i x_t` (Section 3.1).

A joint policy is a tuple of N arrays, player i's of shape ``(*batch, T, k_i, d)``. Every function
broadcasts over the leading batch dimensions, like :mod:`numpy.linalg` over stacks of matrices:
one call evaluates a whole batch of policies, and the players' batch shapes broadcast against
each other. The equations themselves are written once, in ``lqg._kernel``; these functions
validate their arguments and lay the batch out for it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _checks as check
from . import _kernel as kernel
from .equilibrium import NashSolution, solve_nash

__all__ = [
    "value_matrices",
    "cost",
    "state_covariances",
    "policy_gradient",
    "natural_gradient",
    "normalized_error",
]


def _prepared(game, K, name: str = "K"):
    """The kernel's coefficients, the policy batch-last, its batch shape and its closed loops."""
    game = check.game(game)
    stacked = check.policy(game, K, name)
    c = kernel.coefficients(game)
    Ks = kernel.batch_last(stacked)
    return game, c, Ks, stacked.shape[:-3], kernel.closed_loop(c, Ks)


def _split(game, stacked: np.ndarray) -> tuple:
    return tuple(np.ascontiguousarray(stacked[..., s, :]) for s in game.slices)


def value_matrices(game, K: Sequence) -> tuple:
    r"""The matrices :math:`P_{t,i}^K` of eq. (3.13), for every player.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)

    Returns
    -------
    tuple of N numpy.ndarray, shapes (*batch, T+1, d, d)
    """
    with np.errstate(all="ignore"):
        game, c, Ks, batch, closed = _prepared(game, K)
        P = kernel.batch_first(kernel.value_matrices(c, Ks, closed), batch)   # (*batch, T+1, N, d, d)
    return tuple(np.ascontiguousarray(P[..., i, :, :]) for i in range(game.N))


def cost(game, K: Sequence) -> np.ndarray:
    r"""Each player's exact cost :math:`C^i(K)` by eqs. (3.13)-(3.14).

    :math:`C^i(K) = \mathbb E[x_0^\top P_{0,i}^K x_0] + N_{0,i}^K` with
    :math:`N_{t,i}^K = N_{t+1,i}^K + \operatorname{Tr}(W_t P_{t+1,i}^K)`, :math:`N_{T,i}^K = 0`.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)

    Returns
    -------
    numpy.ndarray, shape=(*batch, N)
        ``inf`` where the policy is so large that the cost overflows (no warning is raised).
    """
    with np.errstate(all="ignore"):
        game, c, Ks, batch, closed = _prepared(game, K)
        total = kernel.costs(c, kernel.value_matrices(c, Ks, closed))
    total = kernel.batch_first(total, batch)
    # with positive semi-definite weights costs are >= 0, so a NaN is inf - inf after an overflow
    return np.where(np.isnan(total), np.inf, total) if game.weights_psd else total


def state_covariances(game, K: Sequence) -> np.ndarray:
    r"""The state second moments :math:`\Sigma_t^K = \mathbb E[x_t x_t^\top]` of eq. (3.4).

    Returns
    -------
    numpy.ndarray, shape=(*batch, T+1, d, d)
        :math:`\Sigma_0^K, \dots, \Sigma_T^K`; their sum is :math:`\Sigma_K`.
    """
    with np.errstate(all="ignore"):
        game, c, Ks, batch, closed = _prepared(game, K)
        return kernel.batch_first(kernel.state_covariances(c, closed), batch)


def natural_gradient(game, K: Sequence) -> tuple:
    r"""The natural gradient :math:`2E_{t,i}^K = \nabla_{K_t^i}C^i(K)\,(\Sigma_t^K)^{-1}`, eq. (3.15).

    This is the update direction of Algorithm 1, eq. (3.8) (Remark 3.2).

    Returns
    -------
    tuple of N numpy.ndarray, shapes (*batch, T, k_i, d)
    """
    with np.errstate(all="ignore"):
        game, c, Ks, batch, closed = _prepared(game, K)
        _, products = kernel.value_matrices(c, Ks, closed, keep_products=True)
        return _split(game, kernel.batch_first(kernel.natural_gradient(c, Ks, products), batch))


def policy_gradient(game, K: Sequence) -> tuple:
    r"""Each player's own policy gradient :math:`\nabla_{K_t^i} C^i(K) = 2E_{t,i}^K\Sigma_t^K`,
    Lemma 3.7, eq. (3.16).

    Returns
    -------
    tuple of N numpy.ndarray, shapes (*batch, T, k_i, d)
    """
    with np.errstate(all="ignore"):
        game, c, Ks, batch, closed = _prepared(game, K)
        _, products = kernel.value_matrices(c, Ks, closed, keep_products=True)
        gradient = kernel.policy_gradient(kernel.natural_gradient(c, Ks, products),
                                          kernel.state_covariances(c, closed))
    return _split(game, kernel.batch_first(gradient, batch))


def normalized_error(game, K: Sequence, nash: NashSolution | None = None) -> np.ndarray:
    r"""The performance measure of Section 5: :math:`(C^i(K) - C^i(K^*)) / C^i(K^*)`.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)
    nash : NashSolution, optional
        The game's equilibrium (it must have been solved for this game); computed with
        :func:`~lqg.equilibrium.solve_nash` if omitted.

    Returns
    -------
    numpy.ndarray, shape=(*batch, N)
    """
    game = check.game(game)
    nash = check.nash_of(game, nash) or solve_nash(game)
    return (cost(game, K) - nash.costs) / nash.costs
