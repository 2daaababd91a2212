r"""The infinite-horizon game with stationary policies (beyond the paper's finite horizon).

With time-invariant matrices, discount :math:`\beta \in (0, 1]` and stationary policies
:math:`u_t^i = -K^i x_t`, player i's value matrix solves the discrete Lyapunov equation

.. math::

    P^i = Q^i + \sum_j (K^j)^\top R^{ij} K^j + \beta\, F^\top P^i F, \qquad F = A - \sum_j B^jK^j,

(eq. (3.13) with :math:`P_{t+1} = P_t`), and the stationary feedback Nash equilibrium solves the
coupled algebraic Riccati equations: (2.4) and (2.5) with :math:`\beta P^{i*}` in place of
:math:`P_{t+1}^{i*}`. :func:`solve_stationary_nash` finds it by iterating that step (the finite-horizon
recursion run backwards until it stops changing, as QuantEcon's ``nnash`` does) and says when it
does not converge, when it overflows, and when its limit is not an equilibrium (a player's
second-order condition :math:`R^i + \beta (B^i)^\top P^{i*} B^i \succ 0` fails).

The stationary games here are :class:`~lqg.model.LQGame` objects whose matrices do not depend on t:
their :math:`A_0, B_0^i, Q_0^i, R_0^i, R_0^{ij}, W_0` and :math:`x_0` define the infinite-horizon
game (T plays no part; :math:`Q_T^i` is where the iteration may start, ``start="terminal"``). Two
objectives are offered:

* ``"total"``: :math:`C^i(K) = \mathbb E\sum_{t\ge0}\beta^t c_t^i = \operatorname{Tr}(P^i\Sigma_0)
  + \frac{\beta}{1-\beta}\operatorname{Tr}(WP^i)`, finite for :math:`\beta < 1`, or for
  :math:`\beta = 1` without noise (the setting of Mazumdar et al., 2019);
* ``"average"``: :math:`\lim_T \frac1T\mathbb E\sum_{t<T} c_t^i = \operatorname{Tr}(WP^i)` for
  :math:`\beta = 1`, the usual objective with noise and no discount.

Their gradients follow Lemma 3.7: :math:`\nabla_{K^i}C^i = 2E^i\Sigma_K` with
:math:`E^i = R^{ii}K^i - \beta (B^i)^\top P^i F` and :math:`\Sigma_K = \Sigma_0 + \beta F\Sigma_KF^\top
+ \frac{\beta}{1-\beta}W` (total) or :math:`\Sigma_K = F\Sigma_KF^\top + W` (average).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks as check
from . import _kernel as kernel
from ._checks import LQGameError
from .equilibrium import CONDITION_LIMIT, NotAnEquilibriumError, NoUniqueNashError, nash_step, phi_system

__all__ = ["solve_stationary_nash", "StationaryNash", "NoStationaryNashError", "stationary_cost",
           "stationary_value_matrices"]

OBJECTIVES = ("total", "average")
STARTS = ("zero", "terminal")

#: Iterates at which a player's second-order condition may fail before :func:`solve_stationary_nash`
#: gives up. With indefinite weights an iterate may fail though the limit holds (python-control's
#: ``dare`` cases fail once); an iteration with nothing to settle on fails about every other step.
SECOND_ORDER_PATIENCE = 100


class NoStationaryNashError(LQGameError):
    """The iteration of the coupled algebraic Riccati equations did not converge, or overflowed."""


def _time_invariant(game):
    game = check.game(game)
    changing = [name for name, M in (("A", game.A), ("W", game.W),
                                     *[(f"B[{i}]", B) for i, B in enumerate(game.B)],
                                     *[(f"Q[{i}]", Q[:game.T]) for i, Q in enumerate(game.Q)],
                                     *[(f"R[{i}]", R) for i, R in enumerate(game.R)],
                                     *[(f"R_cross[{k}]", R) for k, R in game.R_cross.items()])
                if np.any(M != M[0])]
    if changing:
        raise LQGameError(f"a stationary game needs matrices that do not depend on t; "
                          f"{', '.join(changing)} change(s) with t")
    return game


@dataclass(frozen=True, eq=False, repr=False)
class StationaryNash:
    r"""The stationary feedback Nash equilibrium of the infinite-horizon game.

    Attributes
    ----------
    K : tuple of N numpy.ndarray, shapes (k_i, d)
        Stationary gains :math:`K^{i*}`, :math:`u_t^i = -K^{i*}x_t`.
    P : tuple of N numpy.ndarray, shapes (d, d)
        Value matrices :math:`P^{i*}`.
    beta : float
        The discount factor.
    iterations : int
        Steps of the recursion until convergence.
    change : float
        The largest relative change of :math:`K^*` and :math:`P^*` in the last step (below ``tol``).
    spectral_radius : float
        :math:`\rho(\sqrt\beta\,(A - \sum_j B^jK^{j*}))`: below 1 when the equilibrium stabilises the
        (discounted) closed loop.
    condition : float
        Condition number of the last :math:`\Phi` (Remark 2.4).
    second_order : numpy.ndarray, shape=(N,)
        Smallest eigenvalue of :math:`R^i + \beta (B^i)^\top P^{i*} B^i` for each player: positive
        when each player's problem is strictly convex in its own control (the second-order
        condition), so that :math:`K^*` is a Nash equilibrium and not only a stationary point.
    game : LQGame
    """

    K: tuple
    P: tuple
    beta: float
    iterations: int
    change: float
    spectral_radius: float
    condition: float
    second_order: np.ndarray
    game: object

    @property
    def is_equilibrium(self) -> bool:
        """Whether every player's second-order condition holds at :math:`P^*`."""
        return bool(np.all(self.second_order > 0))

    def __repr__(self) -> str:
        status = "" if self.is_equilibrium else \
            ", stationary point (a second-order condition fails: not an equilibrium)"
        return (f"StationaryNash({self.game!r}, beta={self.beta:g}, iterations={self.iterations}, "
                f"spectral radius {self.spectral_radius:.4g}{status})")


def solve_stationary_nash(game, *, beta: float = 1.0, tol: float = 1e-12, max_iter: int = 100_000,
                          start: str = "zero", require_equilibrium: bool = True) -> StationaryNash:
    r"""The stationary feedback Nash equilibrium: the coupled algebraic Riccati equations.

    Iterates the step of :func:`~lqg.equilibrium.solve_nash`:

    .. math::

        \Phi K^* = \begin{bmatrix}\beta(B^1)^\top P^{1}A\\ \vdots\end{bmatrix}, \qquad
        P^{i} \leftarrow Q^i + \sum_j (K^{j*})^\top R^{ij}K^{j*}
        + \beta (A - \textstyle\sum_j B^jK^{j*})^\top P^{i}(A - \textstyle\sum_j B^jK^{j*}),

    with :math:`\Phi` the matrix of Remark 2.4 built from :math:`\beta P^i`, until the largest
    relative change of :math:`K^*` and :math:`P^*` is below ``tol``. Iterate n is the stationary
    point of (2.4) at t = 0 of the n-step game whose terminal weights are the start.

    Parameters
    ----------
    game : LQGame
        With matrices that do not depend on t (module docstring).
    beta : float, default 1
        Discount factor in (0, 1].
    tol, max_iter : float, int
        Convergence criterion on the relative change per step; steps before giving up.
    start : {"zero", "terminal"}
        :math:`P^i = 0` (as ``nnash``), or the terminal weights :math:`Q_T^i` (with beta = 1, iterate
        n is then ``solve_nash(game.with_horizon(n))`` at t = 0). From zero the first :math:`\Phi`
        is :math:`\operatorname{diag}(R^i)`: a singular or indefinite :math:`R^i` needs the other.
    require_equilibrium : bool, default True
        Refuse a game whose second-order condition :math:`R^i + \beta (B^i)^\top P^i B^i \succ 0`
        fails: at the converged :math:`P^*`, or at ``SECOND_ORDER_PATIENCE`` iterates of one
        player (the iteration is then not settling on an equilibrium; this fails fast where it would
        otherwise run ``max_iter`` steps). With False the stationary point is returned anyway and
        ``second_order`` (``is_equilibrium``) says whether it is an equilibrium.

    Returns
    -------
    StationaryNash

    Raises
    ------
    NotAnEquilibriumError
        With ``require_equilibrium``, when a player's second-order condition fails as above.
    NoStationaryNashError
        When the iteration does not converge within ``max_iter`` steps, or overflows (the message
        names the step, the player, and a mode of :math:`\sqrt\beta A` no control reaches, if any).
    NoUniqueNashError
        When :math:`\Phi` is singular along the way.
    """
    game = _time_invariant(game)
    beta = check.number(beta, "beta", 0.0, 1.0, open_low=True)
    tol = check.number(tol, "tol", 0.0, open_low=True)
    max_iter = check.positive_int(max_iter, "max_iter")
    start = check.choice(start, STARTS, "start")
    require_equilibrium = check.flag(require_equilibrium, "require_equilibrium")
    A, B, R = game.A[0], game.B_stacked[0], game.R_block[0]
    P = np.array(game.Q_stacked[:, game.T]) if start == "terminal" else np.zeros((game.N, game.d, game.d))
    K = np.zeros((sum(game.k), game.d))
    failures = np.zeros(game.N, dtype=int)
    with np.errstate(all="ignore"):
        for step in range(1, max_iter + 1):
            phi, BtP = phi_system(game, beta * P, B, R)
            if not np.all(np.isfinite(phi)):
                raise _overflow(game, beta, step, P)
            margin = _second_order(phi, game.slices)
            failures += ~(margin > 0)
            if require_equilibrium and failures.max() >= SECOND_ORDER_PATIENCE:
                raise _refusal(margin, f" (it failed at {failures.max()} of the first {step} iterates "
                               f"of the coupled Riccati iteration from {start}, which does not "
                               "settle on an equilibrium)", int(np.argmax(failures)))
            condition = np.linalg.cond(phi)
            if not np.isfinite(condition) or condition > CONDITION_LIMIT:
                if require_equilibrium and not np.all(margin > 0):    # a player's flat direction
                    raise _refusal(margin, f" (Phi is singular at iterate {step} from {start}; a "
                                   "start where every player's problem is convex, start='terminal' "
                                   "with Q_T > 0, may avoid it)")
                raise NoUniqueNashError(0, condition)
            K_new, P_new = nash_step(game, 0, phi, BtP, beta * P, A, B)
            if not (np.all(np.isfinite(K_new)) and np.all(np.isfinite(P_new))):
                raise _overflow(game, beta, step, P_new)
            # np.max, unlike max(), propagates NaN (an overflowing difference): never "converged"
            change = float(np.max([np.abs(K_new - K).max() / max(1.0, np.abs(K_new).max()),
                                   np.abs(P_new - P).max() / max(1.0, np.abs(P_new).max())]))
            K, P = K_new, P_new
            if change <= tol:
                break
        else:
            raise NoStationaryNashError(f"the coupled Riccati iteration did not converge in "
                                        f"{max_iter} steps (last relative change {change:.3g} > "
                                        f"tol = {tol:g})")
        margin = _second_order(phi_system(game, beta * P, B, R)[0], game.slices)
    if require_equilibrium and not np.all(margin > 0):
        raise _refusal(margin, f" (at the stationary point the iteration converged to in {step} steps)")
    F = A - B @ K
    return StationaryNash(
        K=tuple(np.ascontiguousarray(K[s]) for s in game.slices),
        P=tuple(np.ascontiguousarray(P[i]) for i in range(game.N)),
        beta=beta, iterations=step, change=change,
        spectral_radius=float(np.abs(np.linalg.eigvals(np.sqrt(beta) * F)).max()),
        condition=float(condition), second_order=margin, game=game)


def _second_order(phi: np.ndarray, slices: tuple) -> np.ndarray:
    r"""Each player's smallest eigenvalue of its diagonal block of :math:`\Phi`,
    :math:`R^i + \beta (B^i)^\top P^i B^i`, shape (N,)."""
    return np.array([np.linalg.eigvalsh(0.5 * (phi[s, s] + phi[s, s].T))[0] for s in slices])


def _refusal(margin: np.ndarray, what: str, player: int | None = None) -> NotAnEquilibriumError:
    """The refusal naming ``player`` (by default the first whose ``margin`` is not positive)."""
    i = int(np.flatnonzero(~(margin > 0))[0]) if player is None else player
    return NotAnEquilibriumError(i, None, float(margin[i]), what)


def _overflow(game, beta: float, step: int, P: np.ndarray) -> NoStationaryNashError:
    """The error for an iteration whose value matrices (or Phi) left the floating point range."""
    player = next((i for i in range(game.N) if not np.all(np.isfinite(P[i]))), None)
    which = f"P^{player} is no longer finite" if player is not None else "Phi overflows"
    M, B = np.sqrt(beta) * game.A[0], game.B_stacked[0]
    # Popov-Belevitch-Hautus: the mode lam is stabilisable iff rank [lam I - M, B] = d
    unreachable = [lam for lam in np.linalg.eigvals(M) if abs(lam) >= 1 and np.linalg.matrix_rank(
        np.hstack([lam * np.eye(game.d) - M, B])) < game.d]
    why = (f"the mode {unreachable[0]:.4g} of sqrt(beta) A is not inside the unit circle and no "
           "player's control reaches it (PBH test): the game is not stabilisable" if unreachable
           else "no stabilising solution of the coupled Riccati equations is reachable from the start")
    return NoStationaryNashError(f"the coupled Riccati iteration overflowed at step {step} "
                                 f"({which}): {why}")


# ---------------------------------------------------------------------------
# stationary policies: Lyapunov equations, costs and gradients


def _stationary_policy(game, K, name="K") -> np.ndarray:
    """Stationary gains, one (*batch, k_i, d) array per player, stacked: (*batch, sum k, d)."""
    if isinstance(K, np.ndarray) or not isinstance(K, (tuple, list)) or len(K) != game.N:
        raise LQGameError(f"{name} must be a tuple of {game.N} arrays of shapes (*batch, k_i, d) "
                          "(stationary gains, one per player)")
    arrays = []
    for i, Ki in enumerate(K):
        Ki = check.real_array(Ki, name, i)
        if Ki.ndim < 2 or Ki.shape[-2:] != (game.k[i], game.d):
            raise LQGameError(f"{check.where(name, i)} must have shape (*batch, k_{i}, d) = "
                              f"(*batch, {game.k[i]}, {game.d}); got {Ki.shape}")
        check.check_finite(Ki, name, i)
        arrays.append(Ki)
    try:
        batch = np.broadcast_shapes(*(a.shape[:-2] for a in arrays))
    except ValueError:
        raise LQGameError(f"{name}: the players' batch shapes do not broadcast") from None
    return np.concatenate([np.broadcast_to(a, batch + a.shape[-2:]) for a in arrays], axis=-2)


def _lyapunov(M: np.ndarray, C: np.ndarray) -> np.ndarray:
    r"""Solutions X of :math:`X = M X M^\top + C` for stacks (..., d, d), by the vectorised linear
    system :math:`(I - M \otimes M)\,\mathrm{vec}\,X = \mathrm{vec}\,C`; NaN where
    :math:`\rho(M) \ge 1` (no finite solution)."""
    d = M.shape[-1]
    lead = np.broadcast_shapes(M.shape[:-2], np.shape(C)[:-2])
    M = np.broadcast_to(M, lead + (d, d))
    kron = np.einsum("...ab,...cd->...acbd", M, M).reshape(lead + (d * d, d * d))
    rhs = np.broadcast_to(C, lead + (d, d)).reshape(lead + (d * d, 1))
    X = np.linalg.solve(np.eye(d * d) - kron, rhs)[..., 0].reshape(lead + (d, d))
    return np.where(_schur_stable(M)[..., None, None], 0.5 * (X + np.swapaxes(X, -1, -2)), np.nan)


def _schur_stable(M: np.ndarray) -> np.ndarray:
    """Whether every eigenvalue of each matrix of the stack M (..., d, d) is inside the unit circle;
    for d <= 2 by the Jury conditions (exact, without eigenvalues)."""
    d = M.shape[-1]
    if d == 1:
        return np.abs(M[..., 0, 0]) < 1
    if d == 2:
        det = M[..., 0, 0] * M[..., 1, 1] - M[..., 0, 1] * M[..., 1, 0]
        trace = M[..., 0, 0] + M[..., 1, 1]
        return (np.abs(det) < 1) & (np.abs(trace) < 1 + det)
    return np.abs(np.linalg.eigvals(M)).max(axis=-1) < 1


def _prepare(game, K, beta, objective):
    game = _time_invariant(game)
    beta = check.number(beta, "beta", 0.0, 1.0, open_low=True)
    objective = check.choice(objective, OBJECTIVES, "objective")
    if objective == "total" and beta == 1 and np.any(game.W[0]):
        raise LQGameError("with noise and beta = 1 the total cost is infinite: take beta < 1 or "
                          "objective='average'")
    if objective == "average" and beta != 1:
        raise LQGameError(f"objective='average' is the undiscounted average cost: beta must be 1; "
                          f"got {beta:g}")
    Ks = _stationary_policy(game, K)
    return game, Ks, beta, objective, game.A[0] - game.B_stacked[0] @ Ks


def _batch_last(Ks: np.ndarray) -> np.ndarray:
    """Stationary stacked gains (*batch, sum k, d) as one time step of the kernel, (1, sum k, d, R)."""
    return kernel.batch_last(Ks[..., None, :, :])


def stationary_value_matrices(game, K, *, beta: float = 1.0) -> np.ndarray:
    r"""Every player's :math:`P^i` of the stationary policy K (module docstring), shape (*batch, N, d, d);
    NaN where :math:`\sqrt\beta(A - \sum_jB^jK^j)` is not stable (the cost is infinite)."""
    game, Ks, beta, _, F = _prepare(game, K, beta, "average" if beta == 1 else "total")
    stage = kernel.stage_weights(kernel.coefficients(game), _batch_last(Ks), times=slice(0, 1))
    stage = kernel.batch_first(stage[0], Ks.shape[:-2])                # (*batch, N, d, d)
    M = np.sqrt(beta) * np.swapaxes(F, -1, -2)[..., None, :, :]
    with np.errstate(all="ignore"):
        return _lyapunov(M, stage)


def stationary_covariance(game, K, *, beta: float = 1.0, objective: str = "total") -> np.ndarray:
    r""":math:`\Sigma_K`, the (discounted) sum or the stationary second moment of the states
    (module docstring), shape (*batch, d, d); NaN where the closed loop is not stable."""
    game, Ks, beta, objective, F = _prepare(game, K, beta, objective)
    if objective == "average":
        C, M = game.W[0], F
    else:
        C = game.x0.second_moment + (beta / (1 - beta) * game.W[0] if beta < 1 else 0.0)
        M = np.sqrt(beta) * F
    with np.errstate(all="ignore"):
        return _lyapunov(M, C)


def stationary_cost(game, K, *, beta: float = 1.0, objective: str = "total") -> np.ndarray:
    r"""Each player's infinite-horizon cost of the stationary policy K, shape (*batch, N);
    ``inf`` where the closed loop is not stable."""
    game, _, beta, objective, _ = _prepare(game, K, beta, objective)
    P = stationary_value_matrices(game, K, beta=beta)
    if objective == "average":
        weight = game.W[0]
    else:
        weight = game.x0.second_moment + (beta / (1 - beta) * game.W[0] if beta < 1 else 0.0)
    costs = np.einsum("...nab,ba->...n", P, weight)
    return np.where(np.isnan(costs), np.inf, costs)


def stationary_natural_gradient(game, K, *, beta: float = 1.0) -> tuple:
    r""":math:`2E^i = 2(R^{ii}K^i - \beta(B^i)^\top P^i F)` for every player, shapes (*batch, k_i, d);
    NaN where the closed loop is not stable."""
    game, Ks, beta, objective, _ = _prepare(game, K, beta, "average" if beta == 1 else "total")
    natural = _stacked_gradient(game, Ks, beta, objective, natural=True)
    return tuple(np.ascontiguousarray(natural[..., s, :]) for s in game.slices)


def stationary_policy_gradient(game, K, *, beta: float = 1.0, objective: str = "total") -> tuple:
    r"""Lemma 3.7 for stationary policies: :math:`\nabla_{K^i}C^i = 2E^i\Sigma_K`, shapes
    (*batch, k_i, d); NaN where the closed loop is not stable."""
    game, Ks, beta, objective, _ = _prepare(game, K, beta, objective)
    gradient = _stacked_gradient(game, Ks, beta, objective, natural=False)
    return tuple(np.ascontiguousarray(gradient[..., s, :]) for s in game.slices)


def _stacked_gradient(game, Ks: np.ndarray, beta: float, objective: str, *,
                      natural: bool) -> np.ndarray:
    r"""The natural gradient :math:`2E` or the gradient :math:`2E\Sigma_K` of the stacked stationary
    gains ``Ks`` (*batch, sum k, d) of a validated game (no checks here: the public functions and
    :mod:`lqg.experiments.counterexample` check their arguments once); NaN where unstable."""
    F = game.A[0] - game.B_stacked[0] @ Ks
    c = kernel.coefficients(game)
    with np.errstate(all="ignore"):
        stage = kernel.stage_weights(c, _batch_last(Ks), times=slice(0, 1))
        stage = kernel.batch_first(stage[0], Ks.shape[:-2])            # (*batch, N, d, d)
        P = _lyapunov(np.sqrt(beta) * np.swapaxes(F, -1, -2)[..., None, :, :], stage)
        products = kernel.batch_last(beta * P @ F[..., None, :, :])[None]   # (1, N, d, d, R)
        gradient = kernel.natural_gradient(c, _batch_last(Ks), products, times=slice(0, 1))
        gradient = kernel.batch_first(gradient[0], Ks.shape[:-2])      # (*batch, sum k, d)
        if natural:
            return gradient
        if objective == "average":
            S = _lyapunov(F, game.W[0])
        else:
            S = _lyapunov(np.sqrt(beta) * F, game.x0.second_moment
                          + (beta / (1 - beta) * game.W[0] if beta < 1 else 0.0))
        return gradient @ S
