r"""The Nash equilibrium of the game: coupled Riccati equations (2.4)-(2.5) and costs (2.7)-(2.8).

At each :math:`t = T-1, \dots, 0` the equilibrium gains solve the linear system (2.4), which,
written for all players at once, is

.. math::

    \Phi_t K_t^* = \begin{bmatrix} (B_t^1)^\top P_{t+1}^{1*} A_t \\ \vdots \\
    (B_t^N)^\top P_{t+1}^{N*} A_t \end{bmatrix},
    \qquad
    (\Phi_t)_{ij} = \begin{cases} R_t^i + (B_t^i)^\top P_{t+1}^{i*} B_t^i & i = j, \\
    (B_t^i)^\top P_{t+1}^{i*} B_t^j & i \neq j, \end{cases}

with :math:`K_t^* = [K_t^{1*}; \dots; K_t^{N*}]` stacked by rows. :math:`\Phi_t` is the block matrix of
Remark 2.4; the :math:`P_t^{i*}` follow from (2.5) with :math:`P_T^{i*} = Q_T^i`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .evaluation import player_quadratic, traces_to_costs
from .model import LQGame

__all__ = ["NashSolution", "NoUniqueNashError", "solve_nash", "phi_condition_numbers",
           "CONDITION_LIMIT"]

#: Condition number of :math:`\Phi_t` above which the equilibrium is treated as not unique:
#: beyond it a linear solve in double precision keeps fewer than about two correct digits.
CONDITION_LIMIT = 1e14


class NoUniqueNashError(ValueError):
    """The block matrix :math:`\\Phi_t` of Remark 2.4 is singular (or numerically so) at time ``t``."""

    def __init__(self, t: int, condition: float):
        self.t = t
        self.condition = condition
        super().__init__(
            f"Phi_{t} (Remark 2.4) is singular or numerically singular at t={t} "
            f"(condition number {condition:.3g} > {CONDITION_LIMIT:.0e}): eq. (2.4) has no unique "
            "solution, so the Nash equilibrium cannot be computed this way"
        )


@dataclass(frozen=True, eq=False)
class NashSolution:
    """The Nash equilibrium of an :class:`~lqg.model.LQGame`.

    Attributes
    ----------
    K : tuple of N numpy.ndarray, shapes (T, k_i, d)
        Equilibrium gains :math:`K_t^{i*}`, eq. (2.4); the equilibrium control is
        :math:`u_t^{i*} = -K_t^{i*} x_t`, eq. (2.6).
    P : tuple of N numpy.ndarray, shapes (T+1, d, d)
        Value matrices :math:`P_t^{i*}`, eq. (2.5).
    costs : numpy.ndarray, shape=(N,)
        Equilibrium costs :math:`C^i(K^*) = \\mathbb E[x_0^\\top P_0^{i*} x_0] + N_0^{i*}`, eqs. (2.7)-(2.8).
    condition : numpy.ndarray, shape=(T,)
        Condition number of :math:`\\Phi_t` at each t (Remark 2.4).
    """

    K: tuple
    P: tuple
    costs: np.ndarray
    condition: np.ndarray


def _backward_recursion(game: LQGame, raise_on_singular: bool):
    """Run (2.4)-(2.5) backwards; return stacked gains, value matrices and condition numbers.

    Where :math:`\\Phi_t` is singular and ``raise_on_singular`` is false, the recursion stops and
    the condition numbers of the earlier steps are NaN.
    """
    T, d, N = game.T, game.d, game.N
    k = sum(game.k)
    A, B, R = game.A, game.B_stacked, game.R_block
    K = np.zeros((T, k, d))
    P = np.empty((N, T + 1, d, d))
    P[:, T] = [Qi[T] for Qi in game.Q]
    cond = np.full(T, np.nan)
    for t in range(T - 1, -1, -1):
        # player i's block of rows: (B_t^i)^T P_{t+1}^{i*}
        BtP = np.concatenate([Bi[t].T @ P[i, t + 1] for i, Bi in enumerate(game.B)])
        phi = R[t] + BtP @ B[t]
        with np.errstate(all="ignore"):
            cond[t] = np.linalg.cond(phi)
        if not np.isfinite(cond[t]) or cond[t] > CONDITION_LIMIT:
            cond[t] = np.inf
            if raise_on_singular:
                raise NoUniqueNashError(t, cond[t])
            return None, None, cond
        K[t] = np.linalg.solve(phi, BtP @ A[t])
        closed = A[t] - B[t] @ K[t]
        P_t = (np.stack([Qi[t] for Qi in game.Q]) + player_quadratic(game, K[t], R[t] @ K[t])
               + closed.T @ P[:, t + 1] @ closed)
        P[:, t] = 0.5 * (P_t + np.swapaxes(P_t, -1, -2))
    return K, P, cond


def solve_nash(game: LQGame) -> NashSolution:
    """Solve the coupled Riccati equations (2.4)-(2.5) for the unique Nash equilibrium.

    At each t the stacked linear system :math:`\\Phi_t K_t^* = \\dots` (module docstring) is solved
    with one LU solve; no inverse or least-squares step is used.

    Parameters
    ----------
    game : LQGame

    Returns
    -------
    NashSolution

    Raises
    ------
    NoUniqueNashError
        When :math:`\\Phi_t` is singular or its condition number exceeds :data:`CONDITION_LIMIT`;
        the message names t.
    """
    K, P, cond = _backward_recursion(game, raise_on_singular=True)
    costs = traces_to_costs(game, P)
    return NashSolution(
        K=tuple(np.ascontiguousarray(K[:, s]) for s in game.slices),
        P=tuple(P),
        costs=costs,
        condition=cond,
    )


def phi_condition_numbers(game: LQGame) -> np.ndarray:
    """Condition numbers of the Remark 2.4 matrices :math:`\\Phi_t`, shape (T,); never raises.

    ``inf`` marks a singular :math:`\\Phi_t`; steps before it (where the recursion cannot go on)
    are NaN.
    """
    return _backward_recursion(game, raise_on_singular=False)[2]
