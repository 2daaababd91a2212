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
from ._checks import LQGameError
from .equilibrium import NashSolution, NotAnEquilibriumError, NoUniqueNashError, solve_nash
from .evaluation import NORMALIZATIONS, Evaluation, error_normalization, in_kernel_memory

__all__ = ["PGResult", "DIVERGENCE_FACTOR", "NEARLY_SINGULAR"]

#: The default divergence rule. A run is diverged once some player's gross cost exceeds this
#: multiple of its gross cost at the initial policies (or once a policy or cost stops being finite).
DIVERGENCE_FACTOR = 1e6

#: Condition number of a covariance estimate above which a diverged run's message names it:
#: inverting it in (4.2) amplifies an error of the estimate by more than this.
NEARLY_SINGULAR = 1e8

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
        :math:`(C^i(K^{(m)}) - C^i(K^*)) / s_i`, the performance measure of Section 5 with
        :math:`s_i = C^i(K^*)` when it is positive (the paper's), :math:`|C^i(K^*)|` when it is
        negative, and another scale when it vanishes (``normalization`` says which,
        :func:`~lqg.evaluation.error_normalization`); NaN throughout if the game has no unique
        Nash equilibrium.
    iterations : numpy.ndarray of int, shape=(n_records,)
        The recorded iteration numbers ``0, record_every, 2 record_every, ...`` and always the last.
    policies : tuple of N numpy.ndarray, shapes (n_records, *batch, T_rec, k_i, d), or None
        The recorded iterates :math:`K_t^{i,(m)}` for ``t`` in ``policy_times`` (NaN after a
        run diverged); None with ``record_policies="none"``.
    policy_times : numpy.ndarray of int, shape=(T_rec,)
        The time indices ``t`` held by ``policies``.
    diverged : numpy.ndarray of bool, shape=batch
        Which runs diverged, by the rule below.
    diverged_at : numpy.ndarray of int, shape=batch
        The first iteration ``m`` whose iterate :math:`K^{(m)}` failed the divergence test;
        -1 where none.
    nit : int
        Number of iterations M performed.
    nash : NashSolution or None
        The equilibrium the normalized errors refer to (None if it is not unique).
    message : str
        A one-line summary; it names what is not the paper's: a normalization other than
        :math:`C^i(K^*)`, an equilibrium whose second-order condition fails (with
        ``require_equilibrium=False``), a nearly singular covariance estimate behind a divergence.
    game : LQGame
        The game the runs were played on.
    normalization : tuple of str, or None
        How each player's ``normalized_error`` is scaled, one entry per player: ``"C*"`` (the
        paper's), ``"|C*|"``, ``"G*"`` or ``"none"`` (:data:`~lqg.evaluation.NORMALIZATIONS`);
        None without a unique equilibrium.

    Notes
    -----
    *The divergence rule*, for costs of any sign. A run is monitored through each player's
    **gross cost** :math:`G^i`: the cost (3.14) with every weight :math:`Q_t^i, R_t^i, R_t^{ij}`
    replaced by its matrix absolute value :math:`|M| = V|\Lambda|V^\top` (same eigenvectors,
    absolute eigenvalues). A positive semi-definite weight is its own absolute value, so on games
    whose weights all are (the paper's) :math:`G^i = C^i`, bit for bit; in general
    :math:`G^i \ge |C^i| \ge 0` whatever the sign of the costs, and scaling the weights leaves the
    rule unchanged. Algorithm 1 monitors :math:`G^i(K^{(m)})`; Algorithm 2 what its players
    observe, the mean gross cost of player i's episodes at :math:`K^{(m)}` (in iteration m+1).

    Run b is diverged at m when :math:`K^{(m)}` has a non-finite entry, or when some player's
    monitored value at :math:`K^{(m)}` is non-finite or exceeds ``divergence_factor`` times its
    scale :math:`s_i^b`: the same player's monitored value at :math:`K^{(0)}`, or, where that is
    zero (a player whose weights see nothing at the start), the largest over the players. If every
    player's is zero (e.g. :math:`x_0 = 0` and W = 0, where the state and every cost stay zero),
    only non-finite values diverge. Algorithm 2 adds a numerically singular covariance estimate
    :math:`\widehat\Sigma_t^i` (see its Notes); the message of a diverged run of Algorithm 2
    whose estimates had a condition number above :data:`NEARLY_SINGULAR` names the smallest
    eigenvalue, the player and t.
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
    normalization: tuple | None = None

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
            nit=self.nit, nash=self.nash, message=message, game=self.game,
            normalization=self.normalization)

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

    Policies are held batch-first with the batch flattened, ``(R, T, sum(k), d)``, in the
    kernel's memory layout (:func:`~lqg.evaluation.in_kernel_memory`). An algorithm calls
    :meth:`update` once per iteration, m = 0 (the initial policies) to M, and :meth:`result` at
    the end; the rule is :class:`PGResult`'s.
    """

    def __init__(self, game, K0, eta, iterations, *, record_every, record_policies,
                 divergence_factor, nash, require_equilibrium, progress, algorithm: str):
        self.game = check.game(game)
        stacked = check.policy(game, K0, "K0")
        self.batch = stacked.shape[:-3]
        rows = np.repeat(step_sizes(eta, game.N, self.batch), game.k, axis=-1)
        self.M = check.positive_int(iterations, "iterations")
        every = check.positive_int(record_every, "record_every")
        record_policies = check.choice(record_policies, _RECORD_POLICIES, "record_policies")
        self.factor = check.number(divergence_factor, "divergence_factor", 1.0, open_low=True)
        require_equilibrium = check.flag(require_equilibrium, "require_equilibrium")
        check.flag(progress, "progress", allow_none=True)
        self.nash = check.nash_of(game, nash)
        # the policies, and the step sizes laid out like them (player i's rows holding eta_i)
        rows = rows.reshape(len(rows) if rows.ndim == 2 else 1, 1, rows.shape[-1], 1)
        self.K0, self.eta = (in_kernel_memory(a) for a in (stacked, np.broadcast_to(
            rows, rows.shape[:1] + stacked.shape[-3:])))
        runs = self.K0.shape[0]
        self.notes, self.normalization = "", None           # what the errors are measured against
        if self.nash is None:
            try:
                self.nash = solve_nash(game)
            except NoUniqueNashError:
                self.notes = "; the game has no unique Nash equilibrium, so normalized_error is NaN"
        if self.nash is not None:
            try:
                self.nash.require_equilibrium(" to measure normalized errors against")
            except NotAnEquilibriumError as error:
                if require_equilibrium:
                    raise
                self.notes += ("; normalized_error is measured against a point that is not a Nash "
                               f"equilibrium (player {error.player}'s second-order condition fails "
                               f"at t={error.t})")
            self.error_scale, self.normalization = error_normalization(game, self.nash)
            for key, meaning in NORMALIZATIONS.items():
                players = [i for i, name in enumerate(self.normalization) if name == key]
                if players and key != "C*":
                    self.notes += f"; normalized_error of player(s) {players} is relative to {meaning}"
        self.algorithm = algorithm
        self.iterations = np.unique(np.append(np.arange(0, self.M + 1, every), self.M))
        self.costs = np.full((len(self.iterations), runs, game.N), np.nan)
        T_rec = {"none": 0, "t0": 1, "all": game.T}[record_policies]
        self.times = np.arange(T_rec)
        self.policies = (np.full((len(self.iterations), runs, T_rec, sum(game.k), game.d), np.nan)
                         if T_rec else None)
        self._next = 0
        self.diverged_at = np.full(runs, -1, dtype=np.int64)
        self.reasons = collections.Counter()
        self.reference = None
        self.previous = self.K0
        # each run's worst-conditioned covariance estimate: condition, smallest eigenvalue,
        # player, t, iteration
        self.worst = np.zeros((runs, 5))
        self.bar = tqdm(total=self.M, desc=algorithm, disable=None if progress is None else not progress,
                        leave=False, unit="it")

    # -- divergence ----------------------------------------------------------
    @property
    def live(self) -> np.ndarray:
        """Which runs have not diverged, shape (R,)."""
        return self.diverged_at < 0

    def eta_of(self, runs: np.ndarray) -> np.ndarray:
        """The step sizes of the runs ``runs``, laid out like their policies."""
        return self.eta if self.eta.shape[0] == 1 else self.eta[runs]

    def flag(self, m: int, bad: np.ndarray, reason: str) -> np.ndarray:
        """Mark the live runs in ``bad`` as diverged at ``m``; return them as a mask."""
        new = bad & self.live
        count = int(np.count_nonzero(new))
        if count:
            self.diverged_at[new] = m
            self.reasons[reason] += count
        return new

    def check_costs(self, m: int, gross: np.ndarray) -> np.ndarray:
        """The rule on the monitored gross costs (R, N); the first call sets the scales."""
        new = self.flag(m, ~np.isfinite(gross).all(axis=1), "non-finite cost")
        if self.reference is None:           # a player's own, else the largest player's (PGResult)
            self.reference = np.where(gross > 0, gross, gross.max(axis=1, keepdims=True))
        exploded = ((gross > self.factor * self.reference) & (self.reference > 0)).any(axis=1)
        what = "cost" if self.game.weights_psd else "gross cost"
        return new | self.flag(m, exploded, f"{what} above {self.factor:g} x initial")

    def track(self, m: int, runs: np.ndarray, spectrum) -> None:
        """Keep each live run's worst-conditioned covariance estimate for the message, from the
        ``spectrum`` (a :class:`~lqg.estimators.CovarianceSpectrum`) of the runs ``runs`` in
        iteration m; a run that diverged at the iterate of these estimates is left out (its
        estimates are an effect of the divergence, not a cause)."""
        runs, eig = runs[self.live[runs]], spectrum.eigenvalues[self.live[runs]]
        flat = (len(runs), eig.shape[1] * eig.shape[2])                # (run, player and t)
        low = eig[..., 0].reshape(flat)
        condition = np.where(low > 0, eig[..., -1].reshape(flat) / low, np.inf)
        worst = condition.argmax(axis=1) if runs.size else np.zeros(0, dtype=int)
        found = np.stack([condition[np.arange(len(runs)), worst], low[np.arange(len(runs)), worst],
                          *np.unravel_index(worst, eig.shape[1:3]), np.full(len(runs), m)], axis=1)
        worse = found[:, 0] > self.worst[runs, 0]
        self.worst[runs[worse]] = found[worse]

    # -- an iteration ------------------------------------------------------------
    def update(self, m: int, K: np.ndarray, K_next: np.ndarray, *, runs: np.ndarray | None = None,
               exact: Evaluation | None = None, observed: np.ndarray | None = None,
               covariances=None) -> np.ndarray:
        r"""Iteration m: judge, record and return the iterates :math:`K^{(m)}` of every run.

        ``K``: every run's :math:`K^{(m-1)}` as the previous call returned it (at m = 0, the initial
        policies); ``K_next``: the algorithm's :math:`K^{(m)}` of the runs ``runs`` (default all;
        diverged runs stay frozen). Algorithm 1 passes ``exact``, the
        :class:`~lqg.evaluation.Evaluation` of ``K_next``, whose gross costs judge :math:`K^{(m)}`
        and whose costs are recorded. Algorithm 2 passes what judges :math:`K^{(m-1)}`, seen in
        iteration m: ``observed`` (n, N), its players' mean gross costs, and ``covariances``, the
        spectra of its :math:`\widehat\Sigma_t^i`; a run that fails goes back to :math:`K^{(m-2)}`.
        Then :math:`K^{(m)}` must be finite; a run diverged at m is frozen at :math:`K^{(m-1)}`.
        """
        if runs is None:
            new = K_next if self.live.all() else np.where(self.live[:, None, None, None], K_next, K)
        else:
            new = K.copy()
            new[runs] = K_next
            seen = np.full((K.shape[0], self.game.N), np.nan)
            seen[runs] = observed
            singular = np.zeros(K.shape[0], dtype=bool)
            singular[runs] = covariances.singular.any(axis=(1, 2))
            failed = self.check_costs(m - 1, seen)
            failed |= self.flag(m - 1, singular, "singular covariance estimate")
            self.track(m, runs, covariances)
            new[failed] = self.previous[failed]
        self.previous = K
        failed = self.flag(m, ~np.isfinite(new).all(axis=(1, 2, 3)), "non-finite policy")
        if exact is not None:
            failed |= self.check_costs(m, exact.gross_costs)
        if self._next < len(self.iterations) and self.iterations[self._next] == m:
            self.record(new, exact, self.live | failed)
        if failed.any():
            new = np.where(failed[:, None, None, None], K, new)
        if m:
            self.bar.update()
        return new

    def record(self, K: np.ndarray, exact: Evaluation | None, include: np.ndarray) -> None:
        """Store the exact costs and the iterates ``K`` of the runs ``include`` at the next record."""
        j, include = self._next, slice(None) if include.all() else include   # a slice: no copies
        if exact is not None:
            self.costs[j, include] = exact.costs[include]
        elif np.any(include):
            self.costs[j, include] = Evaluation(self.game, K[include]).costs
        if self.policies is not None:
            self.policies[j, include] = K[include, : len(self.times)]
        self._next += 1

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
        nearly = ~self.live & (self.worst[:, 0] > NEARLY_SINGULAR)
        if nearly.any():                                  # the cause, when (4.2) inverted it
            b = int(np.flatnonzero(nearly)[np.argmax(self.worst[nearly, 0])])
            condition, smallest, player, t, m = self.worst[b]
            text += (f"; {int(nearly.sum())} of them inverted a nearly singular covariance estimate "
                     f"Sigma_hat_t^i (condition number above {NEARLY_SINGULAR:.0e}) in (4.2) before "
                     f"diverging, the worst in run {b}: smallest eigenvalue {smallest:.3g} "
                     f"(condition number {condition:.3g}) at t={t:.0f}, player {player:.0f}, "
                     f"iteration {m:.0f}")
        return text + self.notes

    def result(self, K_final: np.ndarray) -> PGResult:
        """Assemble the :class:`PGResult`, with the run axis back to the batch shape."""
        self.bar.close()
        game, batch = self.game, self.batch
        n = len(self.iterations)
        costs = self.costs.reshape((n,) + batch + (game.N,))
        normalized = (np.full_like(costs, np.nan) if self.nash is None
                      else (costs - self.nash.costs) / self.error_scale)
        policies = None
        if self.policies is not None:
            stacked = self.policies.reshape((n,) + batch + self.policies.shape[2:])
            policies = tuple(stacked[..., s, :] for s in game.slices)
        K = K_final.reshape(batch + K_final.shape[1:])
        return PGResult(
            K=tuple(np.ascontiguousarray(K[..., s, :]) for s in game.slices),
            costs=costs, normalized_error=normalized, iterations=self.iterations,
            policies=policies, policy_times=self.times,
            diverged=(self.diverged_at >= 0).reshape(batch),
            diverged_at=self.diverged_at.reshape(batch),
            nit=self.M, nash=self.nash, message=self.message(), game=game,
            normalization=self.normalization,
        )
