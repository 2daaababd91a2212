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

__all__ = ["solve_nash", "check_assumptions", "NashSolution", "NoUniqueNashError",
           "NotAnEquilibriumError"]

#: Condition number of :math:`\Phi_t` above which the equilibrium is treated as not unique:
#: beyond it a linear solve in double precision keeps fewer than about two correct digits.
CONDITION_LIMIT = 1e14

# Beyond this magnitude (the square root of the largest double) an entry of P_t^i* or Phi_t counts as
# overflowing: a product of two such numbers overflows, and Phi_t's condition number measures that.
_RANGE = float(np.sqrt(np.finfo(float).max))


class NoUniqueNashError(LQGameError):
    """The block matrix :math:`\\Phi_t` of Remark 2.4 is singular (or numerically so) at time ``t``."""

    def __init__(self, t: int, condition: float):
        self.t, self.condition = t, condition
        super().__init__(
            f"Phi_{t} (Remark 2.4) is singular or numerically singular at t={t} "
            f"(condition number {condition:.3g} > {CONDITION_LIMIT:.0e}): eq. (2.4) has no unique "
            "solution, so the Nash equilibrium cannot be computed this way")


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


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` over the last two axes: BLAS, except for the small products of a game with d < 8 (the
    paper's), which are summed in order by einsum as the kernel sums them (:func:`lqg._kernel.matmul`),
    so that such games keep their numbers bit for bit."""
    if a.shape[-1] < kernel._BLAS_FROM and b.shape[-1] < kernel._BLAS_FROM:
        return np.einsum("...mn,...np->...mp", a, b)
    return np.matmul(a, b)


def _traces(M: np.ndarray, P: np.ndarray) -> np.ndarray:
    r""":math:`\operatorname{Tr}(M P^i)` for every player, from ``P`` of shape (N, d, d); shape (N,)."""
    if M.shape[-1] < kernel._BLAS_FROM:
        return np.einsum("ef,nfe->n", M, P)                  # as the kernel's (3.14) sums a dense M
    return P.reshape(len(P), -1) @ M.T.ravel()               # one matrix-vector product


def phi_system(game, P_next: np.ndarray, B_t: np.ndarray, R_t: np.ndarray):
    r"""The block matrix :math:`\Phi_t` of Remark 2.4 and the blocks :math:`(B_t^i)^\top P_{t+1}^{i*}`
    stacked by rows (sum k, d), from every :math:`P_{t+1}^{i*}` (``P_next``, shape (N, d, d)),
    :math:`B_t = [B_t^1, \dots, B_t^N]` and the block diagonal ``R_t`` of the :math:`R_t^i`."""
    if len(set(game.k)) == 1:                                # one batched product for all players
        BtP = np.matmul(B_t.T.reshape(game.N, game.k[0], -1), P_next).reshape(B_t.shape[::-1])
    else:
        BtP = np.concatenate([B_t[:, s].T @ P_next[i] for i, s in enumerate(game.slices)])
    return R_t + BtP @ B_t, BtP


def _stage_weights(game, t: int, K_t: np.ndarray) -> np.ndarray:
    r""":math:`Q_t^i + \sum_j (K_t^j)^\top R_t^{ij} K_t^j` (:math:`R_t^{ii} = R_t^i`) for every player,
    from the stacked gains ``K_t`` (sum k, d); shape (N, d, d)."""
    RK = _product(game.R_block[t], K_t)                      # R_t^i K_t^i, stacked by rows
    if len(set(game.k)) == 1:                                # one batched product for all players
        by_player = (game.N, game.k[0], game.d)
        own = _product(np.swapaxes(K_t.reshape(by_player), 1, 2), RK.reshape(by_player))
    else:
        own = np.stack([_product(K_t[s].T, RK[s]) for s in game.slices])
    stage = np.stack([Q_i[t] for Q_i in game.Q]) + own       # (game.Q_stacked would copy every Q)
    for (i, j), R_ij in game.R_cross.items():                # player i's weight on u^j
        K_j = K_t[game.slices[j]]
        stage[i] += _product(K_j.T, _product(R_ij[t], K_j))
    return stage


def nash_step(game, t: int, phi: np.ndarray, BtP: np.ndarray, P_next: np.ndarray, A_t: np.ndarray,
              B_t: np.ndarray, out: np.ndarray | None = None):
    r"""The gains :math:`K_t^*` of (2.4), stacked (sum k, d), and every :math:`P_t^{i*}` of (2.5)
    (N, d, d; into ``out`` if given), from :func:`phi_system` and every :math:`P_{t+1}^{i*}`
    (``P_next``). :math:`P_t^{i*}` is made symmetric, which rounding would otherwise undo."""
    K_t = np.linalg.solve(phi, BtP @ A_t)                                            # eq. (2.4)
    closed = A_t - B_t @ K_t                                                         # A_t - B_t K_t*
    P_t = _stage_weights(game, t, K_t) + _product(closed.T, _product(P_next, closed))   # eq. (2.5)
    P_t = np.add(P_t, np.swapaxes(P_t, -1, -2), out=out)
    P_t *= 0.5
    return K_t, P_t


def _overflow(t: int, what: str) -> LQGameError:
    return LQGameError(f"overflow at t={t}: {what}; the costs of this game grow beyond the range of "
                       "floating point numbers over its horizon (shorten T or rescale the weights)")


def _require_finite(P: np.ndarray, t: int) -> None:
    """Overflow at the largest t' >= t (where it happened first) at which a value matrix P_t'^i*
    (``P``, (N, T+1, d, d)) is not finite, if there is one."""
    finite = np.isfinite(P[:, t:]).all(axis=(-1, -2))                             # (N, T+1-t)
    if not finite.all():
        t_bad = t + int(np.flatnonzero(~finite.all(axis=0))[-1])
        raise _overflow(t_bad, f"the value matrix P_{t_bad}^i* of player "
                               f"{int(np.argmin(finite[:, t_bad - t]))} (eq. (2.5)) is not finite")


def _condition(t: int, phi: np.ndarray, P: np.ndarray) -> float:
    """The condition number of Phi_t, or an overflow error instead of a verdict "singular": when some
    P_t'^i* (t' > t) or Phi_t is not finite, or when Phi_t or P_t+1^i* is beyond :data:`_RANGE`."""
    condition = float(np.linalg.cond(phi)) if np.all(np.isfinite(phi)) else np.nan
    if condition <= CONDITION_LIMIT:
        return condition
    _require_finite(P, t + 1)
    largest = np.abs(P[:, t + 1]).max(axis=(-1, -2))
    i = int(np.argmax(largest))
    reach = f"P_{t + 1}^{i}* of player {i} reaches {largest[i]:.3g}"
    if np.isnan(condition):
        raise _overflow(t, f"Phi_{t} (Remark 2.4) is not finite: {reach}")
    if max(largest[i], np.abs(phi).max()) > _RANGE:
        raise _overflow(t, f"Phi_{t} (Remark 2.4) reaches {np.abs(phi).max():.3g} and {reach}, beyond "
                           f"{_RANGE:.3g}, where a product of two such numbers overflows: the condition "
                           f"number {condition:.3g} of Phi_{t} measures that, not a singular Phi_{t}")
    return condition


def _backward_recursion(game, raise_on_singular: bool):
    """(2.4)-(2.5) and (2.8) backwards: the stacked gains (T, sum k, d), the value matrices player by
    player (N, T+1, d, d), the N_t^i* (T+1, N), cond(Phi_t) (T,) and the second-order margins (N, T).
    Where Phi_t is singular and ``raise_on_singular`` is false, the recursion stops: its condition
    number is inf, the earlier steps' NaN."""
    T, d, N, k = game.T, game.d, game.N, sum(game.k)
    A, B, R, W = game.A, game.B_stacked, game.R_block, game.W
    K, phi, cond = np.zeros((T, k, d)), np.empty((T, k, k)), np.full(T, np.nan)
    P = np.empty((N, T + 1, d, d))               # player by player: each P^i* is one block
    P[:, T] = [Q_i[T] for Q_i in game.Q]
    noise = np.zeros((T + 1, N))                 # N_t^i*, eq. (2.8)
    first = T                                    # the earliest t solved
    for t in range(T - 1, -1, -1):
        phi[t], BtP = phi_system(game, P[:, t + 1], B[t], R[t])                      # Remark 2.4
        cond[t] = _condition(t, phi[t], P)
        if not cond[t] <= CONDITION_LIMIT:
            if raise_on_singular:
                raise NoUniqueNashError(t, cond[t])
            cond[t] = np.inf
            break
        K[t], _ = nash_step(game, t, phi[t], BtP, P[:, t + 1], A[t], B[t], out=P[:, t])  # (2.4)-(2.5)
        noise[t] = noise[t + 1] + _traces(W[t], P[:, t + 1])                          # eq. (2.8)
        first = t
    if first == 0 and not np.all(np.isfinite(P[:, 0])):         # the recursion went through
        _require_finite(P, 0)
    margin = np.full((N, T), np.nan)
    for i, s in enumerate(game.slices):        # second-order conditions: R_t^i + B_t^i' P_t+1^i* B_t^i
        own = phi[first:, s, s]
        margin[i, first:] = np.linalg.eigvalsh(0.5 * (own + np.swapaxes(own, 1, 2)))[:, 0]
    return K, P, noise, cond, margin


def solve_nash(game) -> NashSolution:
    r"""Solve the coupled Riccati equations (2.4)-(2.5) for the unique Nash equilibrium, and its
    costs (2.7)-(2.8).

    At each t the stacked linear system :math:`\Phi_t K_t^* = \dots` (module docstring) is solved
    with one LU solve; no inverse or least-squares step is used. A step's products serve all players
    at once (BLAS from d = 8 on; below, in the kernel's order of summation, so that the paper's
    games keep their numbers bit for bit).

    Parameters
    ----------
    game : LQGame

    Returns
    -------
    NashSolution
        With its evidence: the condition numbers of :math:`\Phi_t` and every player's second-order
        condition per t (``is_equilibrium``); ``best_response_gaps()`` checks it independently.
        The evidence costs one singular value decomposition of the (sum k) x (sum k) matrix
        :math:`\Phi_t` per t and a k_i x k_i symmetric eigenvalue problem per player and t:
        for N = 10, d = 64, k_i = 4 about a quarter of the time (``benchmarks/bench_core.py``).

    Raises
    ------
    NoUniqueNashError
        When :math:`\Phi_t` is singular or its condition number exceeds :data:`CONDITION_LIMIT`;
        the message names t.
    LQGameError
        On overflow, named so, with t: a value matrix, :math:`\Phi_t` or a cost is not finite, or
        :math:`\Phi_t` is ill-conditioned only because it or :math:`P_{t+1}^{i*}` is beyond 1.3e154.
    """
    game = check.game(game)
    with np.errstate(all="ignore"):
        K, P, noise, cond, margin = _backward_recursion(game, raise_on_singular=True)
        costs = noise[0] + _traces(game.x0.second_moment, P[:, 0])                   # eq. (2.7)
    if not np.all(np.isfinite(costs)):
        i = int(np.argmin(np.isfinite(costs)))
        raise _overflow(max(np.flatnonzero(~np.isfinite(noise[:, i])), default=0),
                        f"the equilibrium cost of player {i} (eqs. (2.7)-(2.8)) is not finite")
    return NashSolution(K=tuple(np.ascontiguousarray(K[:, s]) for s in game.slices), P=tuple(P),
                        costs=costs, condition=cond, second_order=margin, game=game)


def phi_condition_numbers(game) -> np.ndarray:
    """Condition numbers of the Remark 2.4 matrices :math:`\\Phi_t`, shape (T,); raises only on overflow.
    ``inf`` marks a singular :math:`\\Phi_t`; steps before it (where the recursion cannot go on) are NaN."""
    with np.errstate(all="ignore"):
        return _backward_recursion(check.game(game), raise_on_singular=False)[3]


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
        _, _, _, cond, margin = _backward_recursion(game, raise_on_singular=False)
    return AssumptionReport(
        assumption_2_1=all(pd(M) for M in (*game.Q, *game.R)),
        x0_gaussian=isinstance(game.x0, GaussianState),
        x0_second_moment_pd=pd(game.x0.second_moment),
        W_pd=pd(game.W),
        remark_2_4=bool(np.all(np.isfinite(cond))),
        phi_condition=cond,
        second_order=bool(np.all(margin > 0)),
    )
