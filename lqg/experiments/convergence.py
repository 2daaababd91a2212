r"""Experiments beyond the paper's single runs: when a run has converged, how fast, and sweeps.

One definition of convergence serves every notebook (:func:`converged`): a run has **converged
at tolerance** :math:`\tau` when it did not diverge and every player's normalized error

.. math::

    e_i^{(m)} = \frac{C^i(K^{(m)}) - C^i(K^*)}{C^i(K^*)} \qquad\text{(Section 5)}

satisfies :math:`|e_i^{(m)}| < \tau` at the last recorded iteration m = M. Equivalently,
``result.iterations_to(tau) >= 0``: the run is within :math:`\tau` from some recorded
iteration on, to the end. The magnitude is taken because in a general-sum game a player's cost
can be below its equilibrium cost. The paper's tolerances are :math:`\tau = 0.005` for
Algorithm 1 (Section 5.1: "less than 0.5%") and :math:`\tau = 0.05` for Algorithm 2 (Section 5.2:
"less than 5%").

Rates (Theorem 3.5's linear convergence):

* :func:`nash_gap_history` evaluates the quantity Theorem 3.5 drives to zero along a run;
* :func:`linear_rate` fits the observed per-iteration factor of a decreasing sequence such as the
  Nash gap :math:`\sum_i [C^i(K^{i,(m)}, K^{-i*}) - C^i(K^*)]`;
* :func:`linearized_rate` predicts it: the spectral radius of the Jacobian of Algorithm 1's update
  at the equilibrium, from the eigenvalues of the natural gradient's Jacobian
  (``linearized_spectrum``), which also give the largest step size for which the equilibrium
  attracts the iteration (:func:`lqg.linearization.step_size_bound`, the bound of a given
  spectrum; for a game, :func:`lqg.linearization.largest_stable_step`). Both are exact, from the blocks of
  :mod:`lqg.linearization`.

"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import _checks as check
from .._checks import LQGameError
from ..diagnostics import nash_gap
from ..equilibrium import NashSolution
from ..linearization import linearize
from ..runs import PGResult

if TYPE_CHECKING:
    from ..model import LQGame

__all__ = ["converged", "final_error", "nash_gap_history", "linear_rate", "linearized_rate"]


# ---------------------------------------------------------------------------
# the definition of convergence


def _tolerance(tol) -> float:
    return check.number(tol, "tol", 0.0, open_low=True)


def _result(result) -> PGResult:
    if not isinstance(result, PGResult):
        raise LQGameError(f"result must be a PGResult; got {type(result).__name__}")
    return result


def converged(result: PGResult, tol: float) -> np.ndarray:
    r"""Which runs have converged at tolerance ``tol``: not diverged, and every player's
    :math:`|e_i^{(M)}| <` ``tol`` at the last recorded iteration (module docstring).

    Parameters
    ----------
    result : PGResult
        From Algorithm 1 or 2 (any batch shape); or a
        :class:`~lqg.experiments.counterexample.StationaryPlay`, which records the same errors.
    tol : float
        :math:`\tau > 0`; the paper's are 0.005 (Section 5.1) and 0.05 (Section 5.2).

    Returns
    -------
    numpy.ndarray of bool, shape=batch
        Equal to ``result.iterations_to(tol) >= 0``. False throughout when the game has no unique
        equilibrium (the errors are NaN).
    """
    if not (hasattr(result, "normalized_error") and hasattr(result, "diverged")):
        raise LQGameError(f"result must be a StationaryPlay or a PGResult; got {type(result).__name__}")
    tol = _tolerance(tol)
    last = np.abs(result.normalized_error[-1])
    with np.errstate(invalid="ignore"):
        within = (last < tol).all(axis=-1)              # NaN compares False
    return within & ~result.diverged


def final_error(result: PGResult) -> np.ndarray:
    r"""The worst player's :math:`\max_i |e_i^{(M)}|` at the last record; ``inf`` for a diverged
    run (its last records are NaN). Shape ``batch``."""
    result = _result(result)
    worst = np.abs(result.normalized_error[-1]).max(axis=-1)
    return np.where(result.diverged, np.inf, worst)


# ---------------------------------------------------------------------------
# rates


def nash_gap_history(game: LQGame, result: PGResult, *, chunk: int = 256) -> np.ndarray:
    r"""The Nash gap :math:`\sum_i [C^i(K^{i,(m)}, K^{-i*}) - C^i(K^*)]` (Theorem 3.5) at every
    recorded iteration of every run.

    Parameters
    ----------
    game : LQGame
        The game the result was computed on.
    result : PGResult
        Run with ``record_policies="all"``.
    chunk : int
        Recorded joint policies evaluated per call of :func:`lqg.diagnostics.nash_gap` (each
        needs N value recursions, so memory grows like ``chunk`` N^2 T d^2).

    Returns
    -------
    numpy.ndarray, shape=(n_records, *batch)
        NaN where a run had diverged (its recorded policies are NaN).
    """
    game, result = check.game(game), _result(result)
    chunk = check.positive_int(chunk, "chunk")
    if result.game.fingerprint != game.fingerprint:
        raise LQGameError(f"result was computed on another game ({result.game!r}); this game is {game!r}")
    if result.policies is None or len(result.policy_times) != game.T:
        raise LQGameError("result must record every policy: run with record_policies='all'")
    if result.nash is None:
        raise LQGameError("result has no Nash equilibrium to measure the gap from")
    policies = [P.reshape((-1,) + P.shape[-3:]) for P in result.policies]
    finite = np.all([np.isfinite(P).all(axis=(1, 2, 3)) for P in policies], axis=0)
    gaps = np.full(finite.shape, np.nan)
    rows = np.flatnonzero(finite)
    for start in range(0, rows.size, chunk):
        take = rows[start:start + chunk]
        gaps[take] = nash_gap(game, tuple(P[take] for P in policies), result.nash)
    return gaps.reshape(result.policies[0].shape[:-3])


def linear_rate(iterations, values, *, upper: float = 1e-2, lower: float = 1e-10) -> np.ndarray:
    r"""The per-iteration factor q of a linearly converging sequence, :math:`v_m \approx c\,q^m`.

    Fits :math:`\log v_m = \log c + m \log q` by least squares on the records of the asymptotic
    phase, where ``lower`` :math:`\le v_m / v_0 \le` ``upper``: after the first decades of decrease
    (a transient of faster modes) and before the values reach rounding level.

    Parameters
    ----------
    iterations : array_like of int, shape=(n_records,)
        Increasing iteration numbers m.
    values : array_like, shape=(n_records, *batch)
        Positive values :math:`v_m` (e.g. Nash gaps); NaN or non-positive entries are left out.
    upper, lower : float
        The window of :math:`v_m/v_0`, ``0 < lower < upper <= 1``.

    Returns
    -------
    numpy.ndarray, shape=batch
        q = exp(slope); NaN for a run with fewer than two records in its window.
    """
    m = np.asarray(iterations, dtype=float)
    v = np.asarray(values, dtype=float)
    if m.ndim != 1 or v.shape[:1] != m.shape:
        raise LQGameError(f"values must have shape (n_records, *batch) with n_records = "
                          f"len(iterations) = {m.shape}; got {v.shape}")
    if not (0 < lower < upper <= 1):
        raise LQGameError(f"need 0 < lower < upper <= 1; got lower = {lower!r}, upper = {upper!r}")
    flat = v.reshape(v.shape[0], -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = flat / flat[:1]
        logs = np.log(flat)
    window = np.isfinite(logs) & (ratio >= lower) & (ratio <= upper)
    rates = np.full(flat.shape[1], np.nan)
    for b in range(flat.shape[1]):
        keep = window[:, b]
        if np.count_nonzero(keep) >= 2:
            slope = np.polyfit(m[keep], logs[keep, b], 1)[0]
            rates[b] = np.exp(slope)
    return rates.reshape(v.shape[1:])


def linearized_spectrum(game: LQGame, nash: NashSolution | None = None, *,
                        gradient: str = "natural") -> np.ndarray:
    r"""The eigenvalues :math:`\lambda` of the Jacobian of the natural gradient
    :math:`K \mapsto 2E^K` (eq. (3.7), all players and times stacked) at the equilibrium, or with
    ``gradient="vanilla"`` of the policy gradient :math:`K \mapsto 2E^K\Sigma^K` (eq. (3.16)),
    whose iteration is :func:`~lqg.known_parameters.policy_gradient_descent`.

    With one step size :math:`\eta` for every player, Algorithm 1's update
    :math:`F(K) = K - 2\eta E^K` (eq. (3.8)) has Jacobian :math:`I - \eta\,D(2E)(K^*)` at
    :math:`K^*`, with eigenvalues :math:`1 - \eta\lambda`; see :func:`linearized_rate` and
    :func:`lqg.linearization.step_size_bound`. Computed exactly from the blocks :math:`2\Phi_t` (natural) and
    :math:`2\Phi_t \cdot \Sigma_t` (vanilla) of :func:`lqg.linearization.linearize`.

    Parameters
    ----------
    game : LQGame
    nash : NashSolution, optional
        The equilibrium; :func:`~lqg.equilibrium.solve_nash` by default.
    gradient : {"natural", "vanilla"}
        Which method's update the spectrum linearises.

    Returns
    -------
    numpy.ndarray of complex, shape=(T sum(k) d,)
    """
    return linearize(game, nash, gradient=gradient).spectrum


def linearized_rate(game: LQGame, eta, nash: NashSolution | None = None, *,
                    spectrum=None) -> float:
    r"""The local linear rate of Algorithm 1 at the equilibrium: the spectral radius of the Jacobian
    of its update map at :math:`K^*`.

    Algorithm 1 iterates :math:`F(K) = K - 2\eta E^K` (eq. (3.8), all players and times
    stacked), and :math:`E^{K^*} = 0`. Near :math:`K^*`,
    :math:`K^{(m)} - K^* \approx J^m (K^{(0)} - K^*)` with
    :math:`J = DF(K^*) = I - \mathrm{diag}(\eta)\,D(2E)(K^*)`, so the iterates converge locally
    iff :math:`\rho(J) < 1`, and then :math:`\|K^{(m)} - K^*\|` shrinks by about
    :math:`\rho(J)` per iteration and the Nash gap, quadratic in :math:`K - K^*` near
    :math:`K^*`, by about :math:`\rho(J)^2`. Theorem 3.5 instead bounds the Nash gap's factor by
    :math:`1 - \eta\widehat\alpha` (eq. (3.12)).

    Parameters
    ----------
    game : LQGame
    eta : float or sequence of N floats
        Step size(s) :math:`\eta_i` (player i's rows of J are scaled by its own).
    nash : NashSolution, optional
    spectrum : array_like of complex, optional
        This game's ``linearized_spectrum``. With one step size for every player,
        :math:`\rho(J) = \max_\lambda |1 - \eta\lambda|` follows from it directly.

    Returns
    -------
    float
        :math:`\rho(J)` (:meth:`lqg.linearization.Linearization.rate`).
    """
    game = check.game(game)
    eta = check.per_player(eta, game.N, "eta")
    if spectrum is not None and np.all(eta == eta[0]):
        lam = np.asarray(spectrum, dtype=complex).ravel()
        if lam.size != game.T * sum(game.k) * game.d:
            raise LQGameError(f"spectrum must hold T sum(k) d = {game.T * sum(game.k) * game.d} "
                              f"eigenvalues for this game; got {lam.size}")
        return float(np.abs(1 - eta[0] * lam).max())
    return linearize(game, nash).rate(eta)
