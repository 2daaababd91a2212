r"""Natural policy gradient with known parameters: Algorithm 1 of Section 3, eqs. (3.6)-(3.8).

Every player updates simultaneously from the joint policy of the previous iteration,

.. math::

    K_t^{i,(m)} = K_t^{i,(m-1)} - 2\eta_i E_{t,i}^{K^{(m-1)}}, \qquad
    E_{t,i}^{K} = R_t^i K_t^i - (B_t^i)^\top P_{t+1,i}^{K}\Big(A_t - \sum_{j} B_t^j K_t^j\Big),

which is the natural gradient step (3.5), :math:`\nabla_{K_t^i}C^i(K)(\Sigma_t^K)^{-1} = 2E_{t,i}^K`
(Remark 3.2, Lemma 3.7).

This module also holds what Algorithms 1 and 2 share: the result type :class:`PGResult`, argument
validation, the divergence rule with its freezing of diverged runs, and the recording of the history;
and, for comparison (beyond the paper), the vanilla policy gradient method
:func:`policy_gradient_descent` with the same machinery.

Batches
-------
Initial policies may carry leading batch dimensions, ``(*batch, T, k_i, d)``; every batch entry is an
independent run and all of them advance together. Internally the stacked gains are held *batch-last*,
shape ``(T, sum(k), d, n_runs)``: the paper's matrices are tiny (d = 2), and NumPy multiplies a stack of
2x2 matrices an order of magnitude faster as a few whole-array operations over a contiguous run axis
than through ``matmul`` on a leading stack axis, which calls BLAS once per matrix.
"""

from __future__ import annotations

import collections
import numbers
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from tqdm import tqdm

from .equilibrium import NashSolution, NoUniqueNashError, solve_nash
from .evaluation import stack_policy
from .model import LQGame, LQGameError

__all__ = ["PGResult", "natural_policy_gradient", "policy_gradient_descent", "DIVERGENCE_FACTOR"]

#: The default divergence rule. A run is diverged once some player's cost exceeds this multiple of its
#: cost at the initial policies (or once a policy or cost stops being finite).
DIVERGENCE_FACTOR = 1e6

_RECORD_POLICIES = ("t0", "all", "none")


# ---------------------------------------------------------------------------
# the result


@dataclass(frozen=True, eq=False, repr=False)
class PGResult:
    r"""The outcome of a policy gradient run, in the spirit of :class:`scipy.optimize.OptimizeResult`.

    Shapes use ``batch`` for the batch shape of the initial policies (``()`` for a single run),
    ``n_records`` for the number of recorded iterations and ``T_rec`` for the number of recorded time
    indices (1 with ``record_policies="t0"``, T with ``"all"``).

    Attributes
    ----------
    K : tuple of N numpy.ndarray, shapes (*batch, T, k_i, d)
        Final policies :math:`K^{i,(M)}`. For a diverged run, the last iterate that passed the divergence
        test, :math:`K^{(m-1)}` with ``m = diverged_at`` (:math:`K^{(0)}` if ``diverged_at == 0``).
    costs : numpy.ndarray, shape=(n_records, *batch, N)
        Exact costs :math:`C^i(K^{(m)})` (eq. (3.14)) at the recorded iterations ``m``. For a diverged
        run, the record at ``diverged_at`` holds the cost that tripped the rule (possibly ``inf``)
        and later records are NaN.
    normalized_error : numpy.ndarray, shape=(n_records, *batch, N)
        :math:`(C^i(K^{(m)}) - C^i(K^*)) / C^i(K^*)`, the performance measure of Section 5; NaN
        throughout if the game has no unique Nash equilibrium.
    iterations : numpy.ndarray of int, shape=(n_records,)
        The recorded iteration numbers ``0, record_every, 2 record_every, ...`` and always the last.
    policies : tuple of N numpy.ndarray, shapes (n_records, *batch, T_rec, k_i, d), or None
        The recorded iterates :math:`K_t^{i,(m)}` for ``t`` in ``policy_times`` (NaN after a
        run diverged); None with ``record_policies="none"``.
    policy_times : numpy.ndarray of int, shape=(T_rec,)
        The time indices ``t`` held by ``policies``.
    diverged : numpy.ndarray of bool, shape=batch
        Which runs diverged (see :func:`natural_policy_gradient` for the rule).
    diverged_at : numpy.ndarray of int, shape=batch
        The first iteration ``m`` whose iterate :math:`K^{(m)}` failed the divergence test;
        -1 where none.
    nit : int
        Number of iterations M performed.
    nash : NashSolution or None
        The equilibrium the normalized errors refer to (None if it is not unique).
    message : str
        A one-line summary.
    """

    K: tuple
    costs: np.ndarray
    normalized_error: np.ndarray
    iterations: np.ndarray
    policies: tuple | None
    policy_times: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    nit: int
    nash: NashSolution | None
    message: str

    @property
    def success(self) -> bool:
        """True when no run diverged."""
        return not bool(np.any(self.diverged))

    def iterations_to(self, threshold: float) -> np.ndarray:
        r"""For each run, the first recorded iteration from which every player's normalized error
        stays within ``threshold`` (:math:`|\cdot| <` ``threshold`` at that record and all later
        ones); -1 where there is none (in particular for diverged runs).

        Parameters
        ----------
        threshold : float
            E.g. 0.005 for the 0.5% of Section 5.1, 0.05 for the 5% of Section 5.2.

        Returns
        -------
        numpy.ndarray of int, shape=batch
        """
        if (isinstance(threshold, (bool, np.bool_)) or not isinstance(threshold, numbers.Real)
                or not (np.isfinite(threshold) and threshold > 0)):
            raise LQGameError(f"threshold must be a positive number; got {threshold!r}")
        within = (np.abs(self.normalized_error) < threshold).all(axis=-1)   # NaN compares False
        # records from which the run stays within: a reverse cumulative AND
        stays = np.flip(np.logical_and.accumulate(np.flip(within, axis=0), axis=0), axis=0)
        first = np.argmax(stays, axis=0)
        return np.where(stays.any(axis=0), self.iterations[first], -1)

    def __repr__(self) -> str:
        batch = self.diverged.shape
        return (f"PGResult(nit={self.nit}, batch={batch}, records={len(self.iterations)}, "
                f"diverged={int(np.sum(self.diverged))}, message={self.message!r})")


# ---------------------------------------------------------------------------
# argument validation shared by Algorithms 1 and 2


def _is_integer(value) -> bool:
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def positive_int(value, name: str) -> int:
    """``value`` as a positive int, or a ValueError naming ``name``."""
    if not _is_integer(value) or value < 1:
        raise LQGameError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def per_player(value, N: int, name: str, *, allow_zero: bool = False) -> np.ndarray:
    """A positive (or, with ``allow_zero``, non-negative) finite scalar or one per player, as an
    array of shape (N,)."""
    kind = "non-negative" if allow_zero else "positive"
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise LQGameError(f"{name} must be a {kind} number or a sequence of {N} (one per player); "
                          f"got {value!r}")
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise LQGameError(f"{name} must be a {kind} number or a sequence of {N} (one per player); "
                          f"got {value!r}") from None

    def ok(v):
        return np.isfinite(v) and (v >= 0 if allow_zero else v > 0)

    if array.ndim == 0:
        if not ok(array):
            raise LQGameError(f"{name} must be {kind} and finite; got {float(array)!r}")
        return np.full(N, float(array))
    if array.ndim != 1 or array.shape[0] != N:
        raise LQGameError(f"{name} must be a scalar or a sequence with one value per player "
                          f"(N = {N}); got shape {array.shape}")
    for i, v in enumerate(array):
        if not ok(v):
            raise LQGameError(f"{name}[{i}] (player {i}) must be {kind} and finite; got {float(v)!r}")
    return array


def choice(value, options: Sequence[str], name: str) -> str:
    if not isinstance(value, str) or value not in options:
        raise LQGameError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def _check_factor(value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating)):
        raise LQGameError(f"divergence_factor must be a number greater than 1; got {value!r}")
    value = float(value)
    if not value > 1:
        raise LQGameError(f"divergence_factor must be a number greater than 1; got {value!r}")
    return value


def _check_progress(value):
    if value is not None and not isinstance(value, (bool, np.bool_)):
        raise LQGameError(f"progress must be True, False or None; got {value!r}")
    return value


@dataclass
class RunSetup:
    """Validated arguments common to Algorithms 1 and 2 (internal)."""

    K0: np.ndarray          # stacked, batch flattened: (n_runs, T, sum k, d)
    batch: tuple
    eta: np.ndarray         # (N,)
    eta_rows: np.ndarray    # (sum k,): player i's rows carry eta_i
    iterations: int
    record_every: int
    record_policies: str
    divergence_factor: float
    nash: NashSolution | None
    progress: bool | None

    @property
    def n_runs(self) -> int:
        return self.K0.shape[0]


def setup_run(game: LQGame, K0, eta, iterations, record_every, record_policies,
              divergence_factor, nash, progress) -> RunSetup:
    """Validate the arguments shared by both algorithms; solve for the Nash equilibrium if needed."""
    if not isinstance(game, LQGame):
        raise LQGameError(f"game must be an LQGame; got {type(game).__name__}")
    stacked = stack_policy(game, K0, "K0")
    batch = stacked.shape[:-3]
    eta = per_player(eta, game.N, "eta")
    iterations = positive_int(iterations, "iterations")
    record_every = positive_int(record_every, "record_every")
    record_policies = choice(record_policies, _RECORD_POLICIES, "record_policies")
    divergence_factor = _check_factor(divergence_factor)
    progress = _check_progress(progress)
    if nash is None:
        try:
            nash = solve_nash(game)
        except NoUniqueNashError:
            nash = None
    elif not isinstance(nash, NashSolution):
        raise LQGameError(f"nash must be a NashSolution or None; got {type(nash).__name__}")
    return RunSetup(
        K0=np.ascontiguousarray(stacked.reshape((-1,) + stacked.shape[-3:])),
        batch=batch,
        eta=eta,
        eta_rows=np.repeat(eta, game.k),
        iterations=iterations,
        record_every=record_every,
        record_policies=record_policies,
        divergence_factor=divergence_factor,
        nash=nash,
        progress=progress,
    )


# ---------------------------------------------------------------------------
# divergence, recording, progress


class RunMonitor:
    """Tracks which runs have diverged and why (internal).

    A run diverges at iteration m when its iterate :math:`K^{(m)}` has a non-finite entry, or when a
    monitored cost of :math:`K^{(m)}` is non-finite or exceeds ``factor`` times the same player's
    monitored cost at :math:`K^{(0)}`; Algorithm 2 adds a singular covariance estimate.
    """

    def __init__(self, n_runs: int, factor: float):
        self.factor = factor
        self.diverged_at = np.full(n_runs, -1, dtype=np.int64)
        self.reference = None
        self.reasons = collections.Counter()

    @property
    def active(self) -> np.ndarray:
        return self.diverged_at < 0

    @property
    def any_diverged(self) -> bool:
        return bool(np.any(self.diverged_at >= 0))

    def flag(self, m: int, bad: np.ndarray, reason: str) -> np.ndarray:
        """Mark the still-active runs in ``bad`` as diverged at ``m``; return them as a mask."""
        new = bad & self.active
        count = int(np.count_nonzero(new))
        if count:
            self.diverged_at[new] = m
            self.reasons[reason] += count
        return new

    def check_policies(self, m: int, K: np.ndarray, run_axis: int) -> np.ndarray:
        axes = tuple(a for a in range(K.ndim) if a != run_axis % K.ndim)
        return self.flag(m, ~np.isfinite(K).all(axis=axes), "non-finite policy")

    def check_costs(self, m: int, costs: np.ndarray) -> np.ndarray:
        """``costs`` of shape (n_runs, N); the first call sets the reference costs."""
        finite = np.isfinite(costs).all(axis=1)
        new = self.flag(m, ~finite, "non-finite cost")
        if self.reference is None:
            self.reference = costs.copy()
        exploded = (costs > self.factor * self.reference).any(axis=1)
        return new | self.flag(m, exploded, f"cost above {self.factor:g} x initial")

    def summary(self, algorithm: str, iterations: int) -> str:
        n = self.diverged_at.size
        diverged = int(np.count_nonzero(~self.active))
        if not diverged:
            return f"{algorithm}: {n} run(s) completed {iterations} iterations without diverging"
        why = ", ".join(f"{reason}: {count}" for reason, count in sorted(self.reasons.items()))
        first = int(self.diverged_at[~self.active].min())
        return (f"{algorithm}: {diverged} of {n} run(s) diverged (first at iteration {first}; {why}); "
                f"the others completed {iterations} iterations")


class History:
    """Preallocated records of costs and policies at the recorded iterations (internal)."""

    def __init__(self, setup: RunSetup, game: LQGame):
        M, every = setup.iterations, setup.record_every
        self.iterations = np.unique(np.append(np.arange(0, M + 1, every), M))
        n, runs = len(self.iterations), setup.n_runs
        self.costs = np.full((n, runs, game.N), np.nan)
        if setup.record_policies == "none":
            self.times = np.arange(0)
            self.policies = None
        else:
            self.times = np.arange(1) if setup.record_policies == "t0" else np.arange(game.T)
            self.policies = np.full((n, runs, len(self.times), sum(game.k), game.d), np.nan)
        self._next = 0

    def due(self, m: int) -> bool:
        return self._next < len(self.iterations) and self.iterations[self._next] == m

    def record(self, costs: np.ndarray, K: np.ndarray, include: np.ndarray) -> None:
        """Store ``costs`` (n_runs, N) and ``K`` (n_runs, T, sum k, d) for the runs in ``include``."""
        j = self._next
        self.costs[j, include] = costs[include]
        if self.policies is not None:
            self.policies[j, include] = K[include][:, : len(self.times)]
        self._next += 1


def progress_bar(total: int, progress: bool | None, desc: str) -> tqdm:
    """A tqdm bar on stderr: shown if ``progress`` is True, or if it is None and stderr is a terminal."""
    return tqdm(total=total, desc=desc, disable=None if progress is None else not progress,
                leave=False, unit="it")


def make_result(game: LQGame, setup: RunSetup, history: History, monitor: RunMonitor,
                K_final: np.ndarray, algorithm: str) -> PGResult:
    """Assemble a :class:`PGResult`, reshaping the flat run axis back to the batch shape."""
    batch = setup.batch
    n = len(history.iterations)
    costs = history.costs.reshape((n,) + batch + (game.N,))
    if setup.nash is not None:
        normalized = (costs - setup.nash.costs) / setup.nash.costs
    else:
        normalized = np.full_like(costs, np.nan)
    policies = None
    if history.policies is not None:
        stacked = history.policies.reshape((n,) + batch + history.policies.shape[2:])
        policies = tuple(stacked[..., s, :] for s in game.slices)
    K = K_final.reshape(batch + K_final.shape[1:])
    message = monitor.summary(algorithm, setup.iterations)
    if setup.nash is None:
        message += "; the game has no unique Nash equilibrium, so normalized_error is NaN"
    return PGResult(
        K=tuple(np.ascontiguousarray(K[..., s, :]) for s in game.slices),
        costs=costs,
        normalized_error=normalized,
        iterations=history.iterations,
        policies=policies,
        policy_times=history.times,
        diverged=(monitor.diverged_at >= 0).reshape(batch),
        diverged_at=monitor.diverged_at.reshape(batch),
        nit=setup.iterations,
        nash=setup.nash,
        message=message,
    )


# ---------------------------------------------------------------------------
# eqs. (3.6), (3.7) and (3.14) on a batch-last stack of policies


def _trace_terms(M: np.ndarray) -> list:
    """The nonzero entries of a constant matrix, as ``(e, f, M[e, f])``."""
    return [(e, f, M[e, f]) for e, f in zip(*np.nonzero(M))]


def _trace_product(terms: list, P: np.ndarray) -> np.ndarray:
    r""":math:`\operatorname{Tr}(M P) = \sum_{e,f} M_{ef} P_{fe}` for ``P`` of shape (..., d, d, runs),
    summed term by term in a fixed order (a NumPy reduction would change its order of summation
    with the number of runs, and a run's numbers must not depend on its batch)."""
    out = np.zeros(P.shape[:-3] + P.shape[-1:])
    for e, f, value in terms:
        out += value * P[..., f, e, :]
    return out


def batch_last_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Matrix product over the two axes before the last: ``(..., m, n, B) @ (..., n, p, B)``.

    The last axis enumerates runs (length 1 broadcasts a constant matrix); the product is a sum of
    ``n`` whole-array outer products, each one vectorised over the runs.
    """
    out = a[..., :, 0, None, :] * b[..., None, 0, :, :]
    for j in range(1, a.shape[-2]):
        out += a[..., :, j, None, :] * b[..., None, j, :, :]
    return out


class Recursions:
    r"""The backward recursions (3.6)/(3.13) and the gradient (3.7) for batch-last stacked policies.

    Parameters
    ----------
    game : LQGame

    Notes
    -----
    Policies are held as ``Ks`` of shape ``(T, sum(k), d, n_runs)``: rows of player i's gain
    :math:`K_t^i` are the rows ``game.slices[i]`` of ``Ks[t]``.
    """

    def __init__(self, game: LQGame):
        self.T = game.T
        self.A = game.A[..., None]                                      # (T, d, d, 1)
        self.B = game.B_stacked[..., None]                              # (T, d, K, 1)
        self.Bt_rows = np.swapaxes(game.B_stacked, -1, -2)[:, :, None, :, None]  # (T, K, 1, d, 1)
        self.R = game.R_block[..., None]                                # (T, K, K, 1)
        self.Q = np.swapaxes(game.Q_stacked, 0, 1)[..., None]           # (T+1, N, d, d, 1)
        self.W = _trace_terms(game.W)
        self.S0 = _trace_terms(game.x0.second_moment)
        self.W_matrix = game.W[..., None]                               # (d, d, 1)
        self.S0_matrix = game.x0.second_moment[..., None]
        self.row_player = np.repeat(np.arange(game.N), game.k)
        self.starts = np.concatenate([[0], np.cumsum(game.k)[:-1]])
        self.one_row_each = all(k == 1 for k in game.k)

    def run(self, Ks: np.ndarray, gradient: bool = True):
        r"""Costs and, if ``gradient``, the natural gradients of a batch-last stack of policies.

        Returns
        -------
        costs : numpy.ndarray, shape=(N, n_runs)
            :math:`C^i(K) = \operatorname{Tr}(P_{0,i}^K\mathbb E[x_0x_0^\top])
            + \sum_{t=1}^T \operatorname{Tr}(W P_{t,i}^K)`, eq. (3.14).
        grad : numpy.ndarray, shape=(T, sum(k), d, n_runs), or None
            :math:`2E_{t,i}^K`, eq. (3.7) times two (the step direction of eq. (3.8)).
        """
        runs = Ks.shape[-1]
        P = np.broadcast_to(self.Q[self.T], self.Q[self.T].shape[:-1] + (runs,))
        costs = np.zeros(P.shape[:1] + (runs,))
        grad = np.empty_like(Ks) if gradient else None
        for t in range(self.T - 1, -1, -1):
            costs += _trace_product(self.W, P)                        # Tr(W P_{t+1,i})
            Kt = Ks[t]
            closed = self.A[t] - batch_last_matmul(self.B[t], Kt)     # A_t - sum_j B_t^j K_t^j
            P_closed = batch_last_matmul(P, closed)                   # P_{t+1,i} (A_t - B_t K_t)
            RK = batch_last_matmul(self.R[t], Kt)                     # R_t^i K_t^i, stacked
            if gradient:
                BtPA = batch_last_matmul(self.Bt_rows[t], P_closed[self.row_player])[:, 0]
                grad[t] = 2.0 * (RK - BtPA)                           # eq. (3.7)
            KRK = Kt[:, :, None, :] * RK[:, None, :, :]
            if not self.one_row_each:
                KRK = np.add.reduceat(KRK, self.starts, axis=0)       # (K_t^i)^T R_t^i K_t^i
            P = self.Q[t] + KRK + batch_last_matmul(np.swapaxes(closed, 0, 1), P_closed)  # (3.6)
        costs += _trace_product(self.S0, P)                           # Tr(P_0 E[x0 x0^T])
        return costs, grad

    def costs(self, Ks_batch_first: np.ndarray) -> np.ndarray:
        """Exact costs of policies ``(n_runs, T, sum k, d)``, shape (n_runs, N)."""
        return self.run(np.moveaxis(Ks_batch_first, 0, -1), gradient=False)[0].T

    def state_covariances(self, Ks: np.ndarray) -> np.ndarray:
        r""":math:`\Sigma_0^K, \dots, \Sigma_{T-1}^K` (eq. (3.4), Lemma 3.1's recursion
        :math:`\Sigma_{t+1} = (A_t - B_tK_t)\Sigma_t(A_t - B_tK_t)^\top + W`), shape (T, d, d, n_runs)."""
        runs = Ks.shape[-1]
        S = np.empty(Ks.shape[:1] + self.A.shape[1:3] + (runs,))
        S[0] = self.S0_matrix
        for t in range(self.T - 1):
            closed = self.A[t] - batch_last_matmul(self.B[t], Ks[t])
            S[t + 1] = batch_last_matmul(batch_last_matmul(closed, S[t]),
                                         np.swapaxes(closed, 0, 1)) + self.W_matrix
        return S


# ---------------------------------------------------------------------------
# Algorithm 1


def natural_policy_gradient(game: LQGame, K0: Sequence, eta, iterations: int, *,
                            record_every: int = 1, record_policies: str = "t0",
                            divergence_factor: float = DIVERGENCE_FACTOR,
                            nash: NashSolution | None = None,
                            progress: bool | None = None) -> PGResult:
    r"""Algorithm 1: the natural policy gradient method with known parameters.

    For :math:`m = 1, \dots, M`, with :math:`K^{(m-1)}` the joint policy of the previous iteration,
    each player i computes the value matrices (eq. (3.6))

    .. math::

        P_{t,i}^{K} = Q_t^i + (K_t^i)^\top R_t^i K_t^i
        + \Big(A_t - \sum_j B_t^jK_t^j\Big)^\top P_{t+1,i}^{K}\Big(A_t - \sum_j B_t^jK_t^j\Big),
        \qquad P_{T,i}^K = Q_T^i,

    the gradient factor :math:`E_{t,i}^{K}` (eq. (3.7)) and updates, simultaneously with the others,

    .. math::

        K_t^{i,(m)} = K_t^{i,(m-1)} - 2\eta_i E_{t,i}^{K^{(m-1)}}, \qquad t = 0, \dots, T-1
        \quad\text{(eq. (3.8))}.

    Parameters
    ----------
    game : LQGame
    K0 : tuple of N array_like, shapes (*batch, T, k_i, d)
        Initial policies :math:`K^{(0)}`. Each batch entry is an independent run; all runs advance
        together (the players' batch shapes broadcast).
    eta : float or sequence of N floats
        Step size :math:`\eta`, or one per player :math:`\eta_i` (the paper's Figure 5 uses
        :math:`\eta_1 \neq \eta_2`; Theorem 3.5 covers agent-dependent rates).
    iterations : int
        Number of iterations M >= 1.
    record_every : int, default 1
        Record exact costs (and policies) at iterations 0, ``record_every``, 2 ``record_every``, ...,
        and always at M. At the defaults, 10,000 iterations of 256 runs of the Section 5.1 game
        peak at about 200 MB (``make bench``).
    record_policies : {"t0", "all", "none"}, default "t0"
        Which policies to record: :math:`K_0^{i,(m)}` only (what Figures 3 and 8 plot), every
        :math:`K_t^{i,(m)}` (T times the memory), or none.
    divergence_factor : float, default 1e6
        The divergence rule below.
    nash : NashSolution, optional
        The equilibrium for ``normalized_error``; :func:`~lqg.equilibrium.solve_nash` by default.
    progress : bool or None, default None
        Show a tqdm progress bar on stderr; None shows it only when stderr is a terminal (so never in
        a notebook or the book).

    Returns
    -------
    PGResult
        ``costs`` are exact, eq. (3.14), computed from the same :math:`P_{t,i}` the update uses.

    Raises
    ------
    LQGameError
        (a ``ValueError``) naming the argument: policies whose shapes do not match the game or with
        non-finite entries, ``eta`` not positive or of the wrong length, ``iterations`` or
        ``record_every`` not positive integers, an unknown ``record_policies``.

    Notes
    -----
    *Divergence.* Run b is diverged at iteration m if :math:`K^{(m)}` has a non-finite entry, or if
    some player's cost :math:`C^i(K^{(m)})` is non-finite or exceeds ``divergence_factor`` times
    :math:`C^i(K^{(0)})`. From then on the run is frozen at :math:`K^{(m-1)}`, the last iterate that
    passed, which ``K`` returns; its record at m keeps the offending cost and later records are NaN.
    The other runs carry on. No floating-point warning or ``LinAlgError`` reaches the caller: a
    diverging run is a normal outcome (Figures 4 and 7), reported in ``diverged`` and ``message``.

    The update is the natural gradient step (3.5): :math:`2E_{t,i}^K = \nabla_{K_t^i}C^i(K)
    (\Sigma_t^K)^{-1}` (Lemma 3.7), so no covariance matrix is needed.
    """
    return _known_parameters_descent(game, K0, eta, iterations, False, record_every,
                                     record_policies, divergence_factor, nash, progress)


def policy_gradient_descent(game: LQGame, K0: Sequence, eta, iterations: int, *,
                            record_every: int = 1, record_policies: str = "t0",
                            divergence_factor: float = DIVERGENCE_FACTOR,
                            nash: NashSolution | None = None,
                            progress: bool | None = None) -> PGResult:
    r"""The vanilla policy gradient method with known parameters (beyond the paper).

    Each player i descends its own gradient, simultaneously with the others:

    .. math::

        K_t^{i,(m)} = K_t^{i,(m-1)} - \eta_i \nabla_{K_t^i}C^i(K^{(m-1)})
        = K_t^{i,(m-1)} - 2\eta_i E_{t,i}^{K^{(m-1)}}\Sigma_t^{K^{(m-1)}}
        \quad\text{(Lemma 3.7, eq. (3.16))},

    the method whose failures Mazumdar et al. (2019) report and which Section 3 contrasts with the
    natural gradient step (3.5), :math:`\nabla_{K_t^i}C^i(K)(\Sigma_t^K)^{-1}`. Unlike Algorithm 1,
    its iterates depend on the noise W and the law of :math:`x_0`, through :math:`\Sigma_t^K`.

    Parameters, returns, divergence rule and batching are those of :func:`natural_policy_gradient`;
    the step sizes suited to the two methods differ by the scale of :math:`\Sigma_t^K`.
    """
    return _known_parameters_descent(game, K0, eta, iterations, True, record_every,
                                     record_policies, divergence_factor, nash, progress)


def _known_parameters_descent(game, K0, eta, iterations, vanilla: bool, record_every,
                              record_policies, divergence_factor, nash, progress) -> PGResult:
    """The loop of Algorithm 1 (``vanilla=False``) and of :func:`policy_gradient_descent`."""
    algorithm = "vanilla policy gradient" if vanilla else "Algorithm 1"
    setup = setup_run(game, K0, eta, iterations, record_every, record_policies, divergence_factor,
                      nash, progress)
    recursions = Recursions(game)
    history = History(setup, game)
    monitor = RunMonitor(setup.n_runs, setup.divergence_factor)
    step = setup.eta_rows[:, None, None]                          # player i's rows carry eta_i
    Ks = np.ascontiguousarray(np.moveaxis(setup.K0, 0, -1))       # (T, sum k, d, runs)
    previous = Ks
    M = setup.iterations
    with np.errstate(all="ignore"), progress_bar(M, setup.progress, algorithm) as bar:
        for m in range(M + 1):
            costs, grad = recursions.run(Ks, gradient=m < M)
            costs = costs.T
            new = monitor.check_policies(m, Ks, run_axis=-1) | monitor.check_costs(m, costs)
            if history.due(m):
                history.record(costs, np.moveaxis(Ks, -1, 0), include=monitor.active | new)
            if new.any():
                Ks = np.where(new, previous, Ks)
            if m == M:
                break
            previous = Ks
            if vanilla:
                grad = batch_last_matmul(grad, recursions.state_covariances(Ks))   # eq. (3.16)
            Ks = Ks - step * grad                                       # eq. (3.8) / vanilla
            if monitor.any_diverged:
                Ks = np.where(monitor.active, Ks, previous)
            bar.update()
    return make_result(game, setup, history, monitor, np.moveaxis(Ks, -1, 0), algorithm)
