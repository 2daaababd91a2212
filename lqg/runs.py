r"""What Algorithms 1 and 2 share: the result :class:`PGResult` and the ``Recorder`` of a run.

A call of an algorithm advances a batch of independent runs together. The recorder holds what is
not the paper's mathematics: the records of costs and policies, the divergence rule that freezes
a diverged run at its last good iterate while the others carry on, and the progress bar.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from . import _checks as check
from . import _kernel as kernel
from ._checks import LQGameError
from .equilibrium import NashSolution, NoUniqueNashError, solve_nash

__all__ = ["PGResult", "DIVERGENCE_FACTOR"]

#: The default divergence rule. A run is diverged once some player's cost exceeds this multiple of its
#: cost at the initial policies (or once a policy or cost stops being finite).
DIVERGENCE_FACTOR = 1e6

_RECORD_POLICIES = ("t0", "all", "none")


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
        Which runs diverged (see :func:`~lqg.known_parameters.natural_policy_gradient` for the rule).
    diverged_at : numpy.ndarray of int, shape=batch
        The first iteration ``m`` whose iterate :math:`K^{(m)}` failed the divergence test;
        -1 where none.
    nit : int
        Number of iterations M performed.
    nash : NashSolution or None
        The equilibrium the normalized errors refer to (None if it is not unique).
    message : str
        A one-line summary.
    game : LQGame
        The game the runs were played on.
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
    game: object

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
        threshold = check.number(threshold, "threshold", 0.0, open_low=True)
        within = (np.abs(self.normalized_error) < threshold).all(axis=-1)   # NaN compares False
        # records from which the run stays within: a reverse cumulative AND
        stays = np.flip(np.logical_and.accumulate(np.flip(within, axis=0), axis=0), axis=0)
        first = np.argmax(stays, axis=0)
        return np.where(stays.any(axis=0), self.iterations[first], -1)

    def select(self, runs) -> PGResult:
        """The result of some runs of the batch: ``runs`` indexes the flattened batch (a slice, an
        array of indices or a boolean mask). Runs do not depend on their batch, so this is what a
        call with those runs alone would have returned."""
        batch = self.diverged.shape
        n = int(np.prod(batch, dtype=int))
        index = np.arange(n)[runs]
        if index.ndim != 1:
            raise LQGameError(f"runs must select a one-dimensional set of runs; got shape {index.shape}")

        def pick(a, lead):                       # ``lead`` axes before the batch
            flat = a.reshape(a.shape[:lead] + (n,) + a.shape[lead + len(batch):])
            return np.take(flat, index, axis=lead)

        diverged = pick(self.diverged, 0)
        count = int(diverged.sum())
        message = (f"{self.message.split(':')[0]}: {index.size} run(s) completed {self.nit} "
                   "iterations without diverging" if not count else
                   f"{self.message.split(':')[0]}: {count} of {index.size} run(s) diverged (first at "
                   f"iteration {int(pick(self.diverged_at, 0)[diverged].min())})")
        return PGResult(
            K=tuple(pick(K, 0) for K in self.K), costs=pick(self.costs, 1),
            normalized_error=pick(self.normalized_error, 1), iterations=self.iterations,
            policies=None if self.policies is None else tuple(pick(P, 1) for P in self.policies),
            policy_times=self.policy_times, diverged=diverged, diverged_at=pick(self.diverged_at, 0),
            nit=self.nit, nash=self.nash, message=message, game=self.game)

    def __repr__(self) -> str:
        return (f"PGResult(nit={self.nit}, batch={self.diverged.shape}, records={len(self.iterations)}, "
                f"diverged={int(np.sum(self.diverged))}, message={self.message!r})")


def step_sizes(eta, N: int, batch: tuple) -> np.ndarray:
    """Step sizes as an array of shape (N,) (one per player) or (R, N) (one per run and player)."""
    array = check.real_array(eta, "eta", scalar_or_vector=True)
    if array.ndim <= 1:
        return check.per_player(eta, N, "eta")
    try:
        array = np.broadcast_to(array, batch + (N,))
    except ValueError:
        raise LQGameError(f"eta must be a scalar, one value per player (N = {N}) or an array of "
                          f"shape (*batch, N) = {batch + (N,)}; got shape {array.shape}") from None
    if not np.all(np.isfinite(array) & (array > 0)):
        raise LQGameError("eta must be positive and finite everywhere")
    return array.reshape(-1, N)


class Recorder:
    """The records, the divergence rule and the progress bar of a batch of runs (internal).

    Policies are held batch-last, ``(T, sum(k), d, R)`` (see ``lqg._kernel``).

    A run diverges at iteration m when its iterate :math:`K^{(m)}` has a non-finite entry, or when a
    monitored cost of :math:`K^{(m)}` is non-finite or exceeds ``divergence_factor`` times the same
    player's monitored cost at :math:`K^{(0)}`; Algorithm 2 adds a singular covariance estimate.
    It is then frozen at its last good iterate and the others carry on.
    """

    def __init__(self, game, K0, eta, iterations, *, record_every, record_policies,
                 divergence_factor, nash, progress, algorithm: str):
        self.game = check.game(game)
        stacked = check.policy(game, K0, "K0")
        self.batch = stacked.shape[:-3]
        self.K0 = kernel.batch_last(stacked)
        runs = self.K0.shape[-1]
        eta = step_sizes(eta, game.N, self.batch)
        rows = np.repeat(eta, game.k, axis=-1)
        # laid out like the policies, (1, sum k, 1, 1 or R): player i's rows carry eta_i
        self.eta = (rows[None, :, None, None] if eta.ndim == 1
                    else np.moveaxis(rows, 0, -1)[None, :, None, :])
        self.M = check.positive_int(iterations, "iterations")
        every = check.positive_int(record_every, "record_every")
        self.record_policies = check.choice(record_policies, _RECORD_POLICIES, "record_policies")
        self.factor = check.number(divergence_factor, "divergence_factor", 1.0, open_low=True)
        check.flag(progress, "progress", allow_none=True)
        self.nash = check.nash_of(game, nash)
        if self.nash is None:
            try:
                self.nash = solve_nash(game)
            except NoUniqueNashError:
                pass
        self.algorithm = algorithm
        self.iterations = np.unique(np.append(np.arange(0, self.M + 1, every), self.M))
        self.costs = np.full((len(self.iterations), runs, game.N), np.nan)
        T_rec = {"none": 0, "t0": 1, "all": game.T}[self.record_policies]
        self.times = np.arange(T_rec)
        self.policies = (np.full((len(self.iterations), runs, T_rec, sum(game.k), game.d), np.nan)
                         if T_rec else None)
        self._next = 0
        self.diverged_at = np.full(runs, -1, dtype=np.int64)
        self.reasons = collections.Counter()
        self.reference = None
        self.previous = self.K0
        self.bar = tqdm(total=self.M, desc=algorithm, disable=None if progress is None else not progress,
                        leave=False, unit="it")

    # -- divergence ----------------------------------------------------------
    @property
    def live(self) -> np.ndarray:
        """Which runs have not diverged, shape (R,)."""
        return self.diverged_at < 0

    def flag(self, m: int, bad: np.ndarray, reason: str) -> np.ndarray:
        """Mark the live runs in ``bad`` as diverged at ``m``; return them as a mask."""
        new = bad & self.live
        count = int(np.count_nonzero(new))
        if count:
            self.diverged_at[new] = m
            self.reasons[reason] += count
        return new

    def check_policies(self, m: int, K: np.ndarray) -> np.ndarray:
        return self.flag(m, ~np.isfinite(K).all(axis=(0, 1, 2)), "non-finite policy")

    def check_costs(self, m: int, costs: np.ndarray) -> np.ndarray:
        """``costs`` of shape (R, N); the first call sets the reference costs."""
        new = self.flag(m, ~np.isfinite(costs).all(axis=1), "non-finite cost")
        if self.reference is None:
            self.reference = costs.copy()
        exploded = (costs > self.factor * self.reference).any(axis=1)
        return new | self.flag(m, exploded, f"cost above {self.factor:g} x initial")

    # -- the two steps of an iteration ----------------------------------------
    def observe(self, m: int, K: np.ndarray, costs: np.ndarray) -> np.ndarray:
        """Check the iterate :math:`K^{(m)}` and its exact costs (N, R), record them if due, and
        return the iterates with the runs that just diverged put back to their last good one."""
        costs = costs.T
        new = self.check_policies(m, K) | self.check_costs(m, costs)
        self.record(m, K, costs, self.live | new)
        return np.where(new, self.previous, K) if new.any() else K

    def advance(self, K: np.ndarray, K_next: np.ndarray) -> np.ndarray:
        """The next iterates: ``K_next`` for live runs, ``K`` (frozen) for diverged ones."""
        self.previous = K
        self.bar.update()
        return K_next if self.live.all() else np.where(self.live, K_next, K)

    def estimated_step(self, m: int, K: np.ndarray, live: np.ndarray, K_live: np.ndarray | None,
                       observed: np.ndarray | None, singular: np.ndarray | None,
                       exact_costs) -> np.ndarray:
        r"""Algorithm 2's iteration m from its estimated update ``K_live`` of the live runs ``live``.

        The runs' iterates :math:`K^{(m-1)}` are judged by the mean costs the players observed in
        their episodes, ``observed`` (n_live, N), and by ``singular`` (n_live,), a singular
        :math:`\widehat\Sigma_t^i`; a run that fails is frozen at :math:`K^{(m-2)}`. Then the new
        iterates are checked for finiteness and, if m is recorded, their exact costs
        ``exact_costs(K)`` (N, n) are recorded.
        """
        R, N = K.shape[-1], self.game.N
        K_next = K.copy()
        if live.size:
            seen = np.full((R, N), np.nan)
            seen[live] = observed
            failed = self.check_costs(m - 1, seen)
            where = np.zeros(R, dtype=bool)
            where[live] = singular
            failed |= self.flag(m - 1, where, "singular covariance estimate")
            K_next[..., live] = K_live
            K_next[..., failed] = self.previous[..., failed]
        self.previous, K = K, K_next
        failed = self.check_policies(m, K)
        if self.due(m):
            include = self.live | failed
            costs = np.full((R, N), np.nan)
            costs[include] = exact_costs(K[..., include]).T
            self.record(m, K, costs, include)
        K[..., failed] = self.previous[..., failed]
        self.bar.update()
        return K

    def record(self, m: int, K: np.ndarray, costs: np.ndarray, include: np.ndarray) -> None:
        """Store ``costs`` (R, N) and the iterate ``K`` for the runs in ``include``, if m is recorded."""
        if self._next >= len(self.iterations) or self.iterations[self._next] != m:
            return
        j = self._next
        self.costs[j, include] = costs[include]
        if self.policies is not None:
            self.policies[j, include] = np.moveaxis(K[: len(self.times)], -1, 0)[include]
        self._next += 1

    def due(self, m: int) -> bool:
        return self._next < len(self.iterations) and self.iterations[self._next] == m

    # -- the result ------------------------------------------------------------
    def message(self) -> str:
        n = self.diverged_at.size
        diverged = int(np.count_nonzero(~self.live))
        if not diverged:
            text = f"{self.algorithm}: {n} run(s) completed {self.M} iterations without diverging"
        else:
            why = ", ".join(f"{reason}: {count}" for reason, count in sorted(self.reasons.items()))
            first = int(self.diverged_at[~self.live].min())
            text = (f"{self.algorithm}: {diverged} of {n} run(s) diverged (first at iteration {first}; "
                    f"{why}); the others completed {self.M} iterations")
        if self.nash is None:
            text += "; the game has no unique Nash equilibrium, so normalized_error is NaN"
        return text

    def result(self, K_final: np.ndarray) -> PGResult:
        """Assemble the :class:`PGResult`, with the run axis back to the batch shape."""
        self.bar.close()
        game, batch = self.game, self.batch
        n = len(self.iterations)
        costs = self.costs.reshape((n,) + batch + (game.N,))
        if self.nash is not None:
            normalized = (costs - self.nash.costs) / self.nash.costs
        else:
            normalized = np.full_like(costs, np.nan)
        policies = None
        if self.policies is not None:
            stacked = self.policies.reshape((n,) + batch + self.policies.shape[2:])
            policies = tuple(stacked[..., s, :] for s in game.slices)
        K = kernel.batch_first(K_final, batch)
        return PGResult(
            K=tuple(np.ascontiguousarray(K[..., s, :]) for s in game.slices),
            costs=costs, normalized_error=normalized, iterations=self.iterations,
            policies=policies, policy_times=self.times,
            diverged=(self.diverged_at >= 0).reshape(batch),
            diverged_at=self.diverged_at.reshape(batch),
            nit=self.M, nash=self.nash, message=self.message(), game=game,
        )
