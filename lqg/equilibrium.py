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
Remark 2.4; the :math:`P_t^{i*}` follow from (2.5), which is (3.13) at :math:`K^*`, with
:math:`P_T^{i*} = Q_T^i`. The solution is a Nash equilibrium when, in addition, every player's
problem is convex in its own control: :math:`R_t^i + (B_t^i)^\top P_{t+1}^{i*} B_t^i \succ 0`
(the second-order condition), which Assumption 2.1 guarantees and :class:`NashSolution` reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks as check
from . import _kernel as kernel
from ._checks import LQGameError, NotAnEquilibriumError
from .states import GaussianState
from .verification import best_response

__all__ = ["NashSolution", "NoUniqueNashError", "NotAnEquilibriumError", "solve_nash",
           "check_assumptions",
           "AssumptionReport", "phi_condition_numbers", "CONDITION_LIMIT"]

#: Condition number of :math:`\Phi_t` above which the equilibrium is treated as not unique:
#: beyond it a linear solve in double precision keeps fewer than about two correct digits.
CONDITION_LIMIT = 1e14


class NoUniqueNashError(LQGameError):
    """The block matrix :math:`\\Phi_t` of Remark 2.4 is singular (or numerically so) at time ``t``."""

    def __init__(self, t: int, condition: float):
        self.t = t
        self.condition = condition
        super().__init__(
            f"Phi_{t} (Remark 2.4) is singular or numerically singular at t={t} "
            f"(condition number {condition:.3g} > {CONDITION_LIMIT:.0e}): eq. (2.4) has no unique "
            "solution, so the Nash equilibrium cannot be computed this way"
        )


@dataclass(frozen=True, eq=False, repr=False)
class NashSolution:
    r"""The Nash equilibrium of an :class:`~lqg.model.LQGame`, with its evidence.

    Attributes
    ----------
    K : tuple of N numpy.ndarray, shapes (T, k_i, d)
        Equilibrium gains :math:`K_t^{i*}`, eq. (2.4); the equilibrium control is
        :math:`u_t^{i*} = -K_t^{i*} x_t`, eq. (2.6).
    P : tuple of N numpy.ndarray, shapes (T+1, d, d)
        Value matrices :math:`P_t^{i*}`, eq. (2.5).
    costs : numpy.ndarray, shape=(N,)
        Equilibrium costs :math:`C^i(K^*) = \mathbb E[x_0^\top P_0^{i*} x_0] + N_0^{i*}`, eqs. (2.7)-(2.8).
    condition : numpy.ndarray, shape=(T,)
        Condition number of :math:`\Phi_t` at each t (Remark 2.4).
    second_order : numpy.ndarray, shape=(N, T)
        Smallest eigenvalue of :math:`R_t^i + (B_t^i)^\top P_{t+1}^{i*} B_t^i`: positive for every
        player and t when each player's problem is strictly convex in its own control, so that the
        solution of (2.4) is each player's best response (the second-order condition).
    game : LQGame
        The game it was solved for.
    """

    K: tuple
    P: tuple
    costs: np.ndarray
    condition: np.ndarray
    second_order: np.ndarray
    game: object

    @property
    def is_equilibrium(self) -> bool:
        """Whether every player's second-order condition holds at every t."""
        return bool(np.all(self.second_order > 0))

    def require_equilibrium(self, what: str = "") -> NashSolution:
        """This solution, if it is an equilibrium; else :class:`NotAnEquilibriumError` naming the
        player and t whose second-order condition fails first in the backward recursion (the
        largest such t, then the lowest player).
        ``what`` is appended to the message (e.g. ``" to measure normalized errors against"``)."""
        if self.is_equilibrium:
            return self
        failing = ~(self.second_order > 0)                       # NaN (not reached) fails too
        t = int(np.flatnonzero(failing.any(axis=0)).max())       # the recursion runs backwards
        player = int(np.flatnonzero(failing[:, t])[0])
        raise NotAnEquilibriumError(player, t, float(self.second_order[player, t]), what)

    @property
    def game_fingerprint(self) -> str:
        return self.game.fingerprint

    @property
    def game_repr(self) -> str:
        return repr(self.game)

    def best_response_gaps(self) -> np.ndarray:
        r"""Each player's :math:`C^i(K^*) - \min_{K^i} C^i(K^i, K^{-i*})`, by the textbook LQR
        recursion of :func:`lqg.verification.best_response` (independent of the solver): zero up
        to rounding at a Nash equilibrium. Shape (N,)."""
        return np.array([self.costs[i] - best_response(self.game, self.K, i)[1]
                         for i in range(self.game.N)])

    def __repr__(self) -> str:
        status = "Nash equilibrium" if self.is_equilibrium else \
            "stationary point (a second-order condition fails: not an equilibrium)"
        return (f"NashSolution({self.game_repr}, costs={np.round(self.costs, 6).tolist()}, "
                f"max cond(Phi_t)={float(np.max(self.condition)):.3g}, {status})")


def phi_system(c: kernel.Coefficients, P_next: np.ndarray, B_t: np.ndarray, R_t: np.ndarray):
    r"""The block matrix :math:`\Phi_t` of Remark 2.4 and the blocks :math:`(B_t^i)^\top P_{t+1}^{i*}`
    stacked by rows, from every :math:`P_{t+1}^{i*}` (``P_next``, shape (N, d, d))."""
    BtP = np.concatenate([B_t[:, s].T @ P_next[i] for i, s in enumerate(c.slices)])
    return R_t + BtP @ B_t, BtP


def nash_step(c: kernel.Coefficients, t: int, phi: np.ndarray, BtP: np.ndarray, P_next: np.ndarray,
              A_t: np.ndarray, B_t: np.ndarray):
    r"""The gains :math:`K_t^*` of (2.4), stacked (sum k, d), and every :math:`P_t^{i*}` of (2.5),
    which is (3.13) at :math:`K^*` (N, d, d)."""
    K_t = np.linalg.solve(phi, BtP @ A_t)                            # eq. (2.4)
    closed = A_t - B_t @ K_t
    stage = kernel.stage_weights(c, K_t[None, ..., None], times=slice(t, t + 1))[0]
    P_t = kernel.value_step(stage, closed[..., None], P_next[..., None])[0][..., 0]   # eq. (2.5)
    return K_t, 0.5 * (P_t + np.swapaxes(P_t, -1, -2))


def _overflow(t: int, what: str) -> LQGameError:
    return LQGameError(f"{what} overflow at t={t}: the costs of this game grow beyond the range of "
                       "floating point numbers over its horizon (shorten T or rescale the weights)")


def _backward_recursion(game, raise_on_singular: bool):
    """(2.4)-(2.5) backwards; stacked gains, value matrices, condition numbers, second-order margins.

    Where :math:`\\Phi_t` is singular and ``raise_on_singular`` is false, the recursion stops and
    the condition numbers of the earlier steps are NaN.
    """
    c = kernel.coefficients(game)
    T, d, N = game.T, game.d, game.N
    K = np.zeros((T, sum(game.k), d))
    P = np.empty((T + 1, N, d, d))
    P[T] = game.Q_stacked[:, T]
    cond = np.full(T, np.nan)
    margin = np.full((N, T), np.nan)
    for t in range(T - 1, -1, -1):
        if not np.all(np.isfinite(P[t + 1])):
            raise _overflow(t + 1, "the value matrices P_t^i*")
        phi, BtP = phi_system(c, P[t + 1], game.B_stacked[t], game.R_block[t])
        if not np.all(np.isfinite(phi)):
            raise _overflow(t, "Phi_t")
        cond[t] = np.linalg.cond(phi)
        if not np.isfinite(cond[t]) or cond[t] > CONDITION_LIMIT:
            cond[t] = np.inf
            if raise_on_singular:
                raise NoUniqueNashError(t, cond[t])
            return None, None, cond, margin
        for i, s in enumerate(game.slices):                          # second-order conditions
            margin[i, t] = np.linalg.eigvalsh(0.5 * (phi[s, s] + phi[s, s].T))[0]
        K[t], P[t] = nash_step(c, t, phi, BtP, P[t + 1], game.A[t], game.B_stacked[t])
    if not np.all(np.isfinite(P[0])):
        raise _overflow(0, "the value matrices P_t^i*")
    return K, P, cond, margin


def solve_nash(game) -> NashSolution:
    """Solve the coupled Riccati equations (2.4)-(2.5) for the unique Nash equilibrium.

    At each t the stacked linear system :math:`\\Phi_t K_t^* = \\dots` (module docstring) is solved
    with one LU solve; no inverse or least-squares step is used.

    Parameters
    ----------
    game : LQGame

    Returns
    -------
    NashSolution
        With its evidence: the condition numbers of :math:`\\Phi_t` and every player's second-order
        condition per t (``is_equilibrium``); ``best_response_gaps()`` checks it independently.

    Raises
    ------
    NoUniqueNashError
        When :math:`\\Phi_t` is singular or its condition number exceeds :data:`CONDITION_LIMIT`;
        the message names t.
    LQGameError
        When the value matrices overflow (the message names t).
    """
    game = check.game(game)
    with np.errstate(all="ignore"):
        K, P, cond, margin = _backward_recursion(game, raise_on_singular=True)
        c = kernel.coefficients(game)
        costs = kernel.costs(c, P[..., None])[:, 0]
    return NashSolution(
        K=tuple(np.ascontiguousarray(K[:, s]) for s in game.slices),
        P=tuple(np.ascontiguousarray(P[:, i]) for i in range(game.N)),
        costs=costs, condition=cond, second_order=margin, game=game,
    )


def phi_condition_numbers(game) -> np.ndarray:
    """Condition numbers of the Remark 2.4 matrices :math:`\\Phi_t`, shape (T,); raises only on overflow.

    ``inf`` marks a singular :math:`\\Phi_t`; steps before it (where the recursion cannot go on)
    are NaN.
    """
    with np.errstate(all="ignore"):
        return _backward_recursion(check.game(game), raise_on_singular=False)[2]


# ---------------------------------------------------------------------------
# the standing assumptions


@dataclass(frozen=True)
class AssumptionReport:
    """Which of the paper's standing assumptions hold for a game (see :func:`check_assumptions`).

    Attributes
    ----------
    assumption_2_1 : bool
        Every :math:`Q_t^i` and :math:`R_t^i` is positive definite.
    assumption_2_2 : bool
        :math:`x_0` is Gaussian with :math:`\\mathbb E[x_0x_0^\\top] \\succ 0` and every :math:`W_t \\succ 0`.
    x0_gaussian, x0_second_moment_pd, W_pd : bool
        The three parts of Assumption 2.2.
    remark_2_4 : bool
        Every block matrix :math:`\\Phi_t` of Remark 2.4 is invertible (so Assumption 2.3 holds).
    phi_condition : numpy.ndarray, shape=(T,)
        Condition numbers of :math:`\\Phi_t` (``inf`` where singular).
    second_order : bool
        Every player's second-order condition holds at every t (the solution of (2.4) is an
        equilibrium); implied by Assumption 2.1, and possible without it.
    """

    assumption_2_1: bool
    x0_gaussian: bool
    x0_second_moment_pd: bool
    W_pd: bool
    remark_2_4: bool
    phi_condition: np.ndarray
    second_order: bool

    @property
    def assumption_2_2(self) -> bool:
        return self.x0_gaussian and self.x0_second_moment_pd and self.W_pd

    def __str__(self) -> str:
        def mark(ok):
            return "holds" if ok else "fails"

        finite = self.phi_condition[np.isfinite(self.phi_condition)]
        worst = f"{np.max(self.phi_condition):.3g}" if finite.size == self.phi_condition.size else "inf"
        return "\n".join([
            f"Assumption 2.1 (Q, R positive definite): {mark(self.assumption_2_1)}",
            f"Assumption 2.2 (x0 Gaussian, E[x0 x0^T] > 0, W > 0): {mark(self.assumption_2_2)}"
            f"  [Gaussian: {self.x0_gaussian}, E[x0 x0^T] > 0: {self.x0_second_moment_pd},"
            f" W > 0: {self.W_pd}]",
            f"Remark 2.4 (Phi_t invertible, so Assumption 2.3): {mark(self.remark_2_4)}"
            f"  [max condition number {worst}]",
            f"second-order conditions (each player's problem convex in its control): "
            f"{mark(self.second_order)}",
        ])


def check_assumptions(game) -> AssumptionReport:
    """Report which of Assumptions 2.1, 2.2 and the condition of Remark 2.4 hold; raises only when
    the game's value matrices overflow.

    Remark 2.4 is checked on the block matrices :math:`\\Phi_t` built along the backward
    recursion (2.4)-(2.5).
    """
    game = check.game(game)

    def pd(M):
        return bool(np.all(check.smallest_eigenvalues(M) > 1e-12 * check.scale(M)))

    with np.errstate(all="ignore"):
        _, _, cond, margin = _backward_recursion(game, raise_on_singular=False)
    return AssumptionReport(
        assumption_2_1=all(pd(M) for M in (*game.Q, *game.R)),
        x0_gaussian=isinstance(game.x0, GaussianState),
        x0_second_moment_pd=pd(game.x0.second_moment),
        W_pd=pd(game.W),
        remark_2_4=bool(np.all(np.isfinite(cond))),
        phi_condition=cond,
        second_order=bool(np.all(margin > 0)),
    )
