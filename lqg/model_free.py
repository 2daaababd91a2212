r"""Natural policy gradient with unknown parameters: Algorithm 2 of Section 4, eqs. (4.1)-(4.2).

The players never see :math:`A_t, B_t^i, Q_t^i, R_t^i` or :math:`W`. At iteration m, for each
player i, trajectory :math:`l = 1, \dots, L` and time t, player i perturbs only its gain at time t,
:math:`\widehat K_t^{i,l} = K_t^{i,(m-1)} + U_t^{i,l}` with :math:`U_t^{i,l}` uniform on the sphere
:math:`\|U\|_F = r_i`, plays one episode of the game from :math:`x_0^l` while the others keep
:math:`K^{-i,(m-1)}`, and observes its cost :math:`\widehat c_t^{i,l}` and the state
:math:`x_t^{i,l}` (Algorithm 2, lines 3-11). The estimates (4.1) are

.. math::

    \widehat{\nabla_{K_t^i} C^i}(K^{(m-1)}) = \frac1L\sum_{l=1}^L \frac{D_i}{r_i^2}\,
    \widehat c_t^{i,l}\, U_t^{i,l}, \qquad
    \widehat\Sigma_t^i = \frac1L \sum_{l=1}^L x_t^{i,l}(x_t^{i,l})^\top, \qquad D_i = k_i d,

and the update (4.2) is :math:`K_t^{i,(m)} = K_t^{i,(m-1)} - \eta_i\,
\widehat{\nabla_{K_t^i} C^i}\,(\widehat\Sigma_t^i)^{-1}`.

Two facts make these estimates sharp. :math:`C^i` is a quadratic function of :math:`K_t^i` alone
(eq. (3.13): :math:`x_t` does not depend on :math:`K_t^i`), so the sphere-smoothed cost has exactly
the gradient of :math:`C^i` and the gradient estimate is unbiased: it has no smoothing bias. And the
perturbation at time t acts only after :math:`x_t`, so :math:`x_t^{i,l}` is a draw of the state
under :math:`K^{(m-1)}` and :math:`\widehat\Sigma_t^i` is unbiased for :math:`\Sigma_t^{K^{(m-1)}}`.

Simulation plays the environment: :func:`perturbed_rollouts` reads the game to produce the episodes,
and the algorithm uses only what it returns (perturbations, observed costs and states).

Beyond the paper
----------------
Two options, off by default, change the algorithm; with their defaults it is Algorithm 2 as printed,
number for number.

* ``estimator="two-point"``: every perturbation is played twice, as :math:`K_t^i + U` and
  :math:`K_t^i - U`, with common random numbers (the same :math:`x_0` and the same noise for the
  pair), and the gradient estimate is :func:`two_point_gradient`,
  :math:`\frac1L\sum_l \frac{D_i}{2r_i^2}(\widehat c_+^{\,l} - \widehat c_-^{\,l})\,U^l`.
  An episode's cost is a quadratic function of :math:`U` for fixed :math:`x_0` and noise, so the
  difference of the pair is exactly twice the linear term: the estimate is unbiased, does not
  depend on :math:`r_i` at all for a given direction of :math:`U`, and loses the
  :math:`D_i\,\widehat c/r_i` term that dominates the variance of (4.1). It costs 2L episodes
  per player and time instead of L.
* ``exploration``: every agent adds Gaussian noise to its action, :math:`u_t^j = -K_t^j x_t +
  \sigma_j \varepsilon_t^j`, :math:`\varepsilon_t^j \sim \mathcal N(0, I_{k_j})`, as Section 5.2
  suggests for raising the level of noise. The players then observe the costs of a different game:
  the expected cost is that of the game with noise :math:`W + \sum_j \sigma_j^2 B_t^j (B_t^j)^\top`
  (:func:`game_with_exploration`) plus the constant :math:`\sigma_i^2\sum_t \operatorname{Tr}R_t^i`,
  and :math:`\widehat\Sigma_t^i` estimates that game's state covariance. The gradient is biased
  (it is that game's gradient), but the natural gradient :math:`2E_{t,i}^K` and the Nash
  equilibrium do not involve the noise (eqs. (2.4)-(2.5), (3.15)), so the point Algorithm 2 is
  drawn to is unchanged; what changes is the cost each player pays while learning.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .algorithms import (
    DIVERGENCE_FACTOR,
    History,
    PGResult,
    Recursions,
    RunMonitor,
    choice,
    make_result,
    per_player,
    positive_int,
    progress_bar,
    setup_run,
)
from .equilibrium import NashSolution
from .evaluation import stack_policy
from .model import LQGame, LQGameError

__all__ = [
    "Rollouts",
    "perturbed_rollouts",
    "zeroth_order_gradient",
    "empirical_covariance",
    "two_point_gradient",
    "natural_gradient_estimate",
    "game_with_exploration",
    "model_free_natural_policy_gradient",
]

_INITIAL_STATES = ("shared", "independent")
_COVARIANCE = ("player", "pooled")
_ESTIMATORS = ("one-point", "two-point")


# ---------------------------------------------------------------------------
# random streams


def run_generators(seed, n_runs: int) -> list:
    """One independent ``numpy.random.Generator`` per run.

    ``seed`` may be an int or a ``SeedSequence`` (run j draws from child j, the same child
    ``SeedSequence(seed).spawn(n_runs)[j]`` would give; the ``SeedSequence`` passed in is not
    mutated, so the same seed always gives the same numbers), a ``Generator`` (its ``spawn`` method
    gives the children, advancing it), or a sequence of ``n_runs`` such seeds, one used as is per run.
    """
    if isinstance(seed, (list, tuple, np.ndarray)):
        if len(seed) != n_runs:
            raise LQGameError(f"seed is a sequence of {len(seed)} seeds but there are {n_runs} runs "
                              "(one seed per batch entry is needed)")
        return [_generator(s, f"seed[{j}]") for j, s in enumerate(seed)]
    if isinstance(seed, np.random.Generator):
        return seed.spawn(n_runs)
    sequence = _seed_sequence(seed, "seed")
    return [np.random.default_rng(np.random.SeedSequence(
        sequence.entropy, spawn_key=sequence.spawn_key + (j,), pool_size=sequence.pool_size))
        for j in range(n_runs)]


def _seed_sequence(seed, name: str) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    raise LQGameError(f"{name} must be a non-negative int, a numpy.random.SeedSequence, a "
                      f"numpy.random.Generator or a sequence of these (one per run); got {seed!r}")


def _generator(seed, name: str) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_seed_sequence(seed, name))


# ---------------------------------------------------------------------------
# the environment: perturbed episodes of the game


@dataclass
class _Draws:
    r"""The random numbers of one iteration for a batch of runs (internal).

    ``x0``: (runs, L, d) with shared initial states, else (runs, N, T, L, d); ``U``: N arrays
    (runs, T, L, k_i, d) on the Frobenius spheres; ``z``: (runs, T, N, d, T L) standard normals,
    the noise at step s of player i's episode (t, l) in ``z[:, s, i, :, t * L + l]``; None when W = 0;
    ``e``: (runs, T, N, sum k, T L), the agents' exploration noises :math:`\sigma_j\varepsilon^j`
    (stacked rows) laid out like ``z``; None without exploration.
    """

    x0: np.ndarray
    U: list
    z: np.ndarray | None
    e: np.ndarray | None = None

    def mirrored(self) -> "_Draws":
        """The same draws with every perturbation negated: the K - U half of a two-point pair."""
        return _Draws(self.x0, [-Ui for Ui in self.U], self.z, self.e)


class _Workspace:
    """Buffers reused from one iteration to the next (fresh large arrays would cost page faults)."""

    def __init__(self):
        self._arrays = {}

    def get(self, name: str, shape: tuple) -> np.ndarray:
        array = self._arrays.get(name)
        if array is None or array.shape != shape:
            array = self._arrays[name] = np.empty(shape)
        return array


def _normal_sizes(game: LQGame, L: int, exploration: np.ndarray) -> list:
    """Sizes of a run's blocks of standard normals: each player's U, the noise, the exploration."""
    N, T, d = game.N, game.T, game.d
    return ([T * L * k * d for k in game.k] + [T * N * d * T * L if np.any(game.W) else 0]
            + [T * N * sum(game.k) * T * L if np.any(exploration) else 0])


def _start_draws(game: LQGame, generators: Sequence, L: int, initial_states: str,
                 exploration: np.ndarray, work: _Workspace) -> tuple:
    """Draw each run's initial states and return them with an unfilled block for its normals."""
    N, T, d = game.N, game.T, game.d
    runs = len(generators)
    x0 = work.get("x0", (runs, L if initial_states == "shared" else N * T * L, d))
    for b, generator in enumerate(generators):
        x0[b] = game.x0.sample(x0.shape[1], generator)
    return x0, work.get("normals", (runs, sum(_normal_sizes(game, L, exploration))))


def _fill_normals(generators: Sequence, normals: np.ndarray, claim=None) -> None:
    """Each run's standard normals of the iteration: the U^i in player order, then the noise.

    With ``claim`` (a callable returning the next run to fill, or None when none is left) only the
    runs it hands out are filled, so that two threads can share the work.
    """
    if claim is None:
        for b, generator in enumerate(generators):
            generator.standard_normal(out=normals[b])
        return
    while (b := claim()) is not None:
        generators[b].standard_normal(out=normals[b])


class _Claims:
    """Runs still to be filled, handed out from the front to one thread and from the back to the
    other, each exactly once."""

    def __init__(self, n: int):
        self._lock = threading.Lock()
        self._front, self._back = 0, n

    def front(self) -> int | None:
        with self._lock:
            if self._front == self._back:
                return None
            self._front += 1
            return self._front - 1

    def back(self) -> int | None:
        with self._lock:
            if self._front == self._back:
                return None
            self._back -= 1
            return self._back


def _assemble(game: LQGame, x0: np.ndarray, normals: np.ndarray, L: int,
              radius: np.ndarray, exploration: np.ndarray) -> _Draws:
    r"""Cut the normals into the perturbations, scaled in place to Frobenius norm :math:`r_i`
    (a scaled standard Gaussian matrix is uniform on the sphere), the noise and the exploration
    noise, scaled in place by each agent's :math:`\sigma_j`."""
    N, T, d = game.N, game.T, game.d
    runs = x0.shape[0]
    sizes = _normal_sizes(game, L, exploration)
    blocks = np.split(normals, np.cumsum(sizes[:-1]), axis=1)
    U = []
    for i, block in enumerate(blocks[:N]):
        Ui = block.reshape((runs, T, L, game.k[i] * d))
        entries = [Ui[..., j] for j in range(Ui.shape[-1])]        # entry by entry: fast loops
        norm2 = np.square(entries[0])
        for entry in entries[1:]:
            norm2 += np.square(entry)
        scale = radius[i] / np.sqrt(norm2)
        for entry in entries:
            entry *= scale
        U.append(Ui.reshape((runs, T, L, game.k[i], d)))
    z = blocks[N].reshape((runs, T, N, d, T * L)) if blocks[N].size else None
    e = None
    if blocks[N + 1].size:
        e = blocks[N + 1].reshape((runs, T, N, sum(game.k), T * L))
        e *= np.repeat(exploration, game.k)[:, None]
    if x0.shape[1] != L:
        x0 = x0.reshape((runs, N, T, L, d))
    return _Draws(x0, U, z, e)


def _draw(game: LQGame, generators: Sequence, L: int, radius: np.ndarray,
          initial_states: str, exploration: np.ndarray, work: _Workspace | None = None) -> _Draws:
    """The random numbers of one iteration: run by run from its own generator, always in the same
    order, the initial states, the perturbations :math:`U_t^{i,l}`, the noise and the exploration."""
    x0, normals = _start_draws(game, generators, L, initial_states, exploration,
                               _Workspace() if work is None else work)
    _fill_normals(generators, normals)
    return _assemble(game, x0, normals, L, radius, exploration)


class _DrawSource:
    """The random numbers of successive iterations of Algorithm 2 (internal).

    With ``prefetch``, the bulk of the next iteration's draws (the standard normals) is made on a
    second thread while the current iteration is simulated; the main thread fills whatever runs are
    left when it needs them. The draws do not depend on the policies, and each run's block is filled
    by one thread, from the run's own generator, after its initial states: the numbers are the same
    either way. Two buffers alternate: one is read while the other is filled.
    """

    def __init__(self, game, generators, L, radius, initial_states, exploration, prefetch):
        self._game, self._L, self._radius, self._initial_states = game, L, radius, initial_states
        self._exploration = exploration
        self._generators = generators
        self._buffers = (_Workspace(), _Workspace())
        self._turn = 0
        self._pool = ThreadPoolExecutor(max_workers=1) if prefetch else None
        self._pending = None

    def _start(self, runs: np.ndarray) -> tuple:
        work = self._buffers[self._turn]
        self._turn = 1 - self._turn
        generators = [self._generators[b] for b in runs]
        return (generators,) + _start_draws(self._game, generators, self._L, self._initial_states,
                                            self._exploration, work)

    def take(self, runs: np.ndarray, more: bool) -> _Draws:
        """The draws for ``runs`` (flat run indices) in this iteration; ``more`` if another follows."""
        if self._pending is None:
            generators, x0, normals = self._start(runs)
            _fill_normals(generators, normals)
        else:
            drawn, generators, x0, normals, claims, future = self._pending
            self._pending = None
            _fill_normals(generators, normals, claims.back)
            future.result()
            if not np.array_equal(drawn, runs):                  # some runs diverged meanwhile
                keep = np.searchsorted(drawn, runs)
                x0, normals = x0[keep], normals[keep]
        draws = _assemble(self._game, x0, normals, self._L, self._radius, self._exploration)
        if more and self._pool is not None:
            generators, x0_next, normals_next = self._start(runs)
            claims = _Claims(len(runs))
            future = self._pool.submit(_fill_normals, generators, normals_next, claims.front)
            self._pending = (runs, generators, x0_next, normals_next, claims, future)
        return draws

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _matvec(M: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``y[a] = sum_f M[a, f] x[f]`` for vectors held by component, ``x`` of shape (f, ...), with
    the entries ``M[a, f]`` broadcasting against ``x[f]``; summed in a fixed order."""
    y = M[:, 0] * x[0]
    for f in range(1, x.shape[0]):
        y += M[:, f] * x[f]
    return y


def _simulate(game: LQGame, Ks: np.ndarray, draws: _Draws, work: _Workspace | None = None):
    r"""Play every perturbed episode of one iteration of Algorithm 2 (lines 3-11) at once.

    Parameters
    ----------
    Ks : numpy.ndarray, shape=(runs, T, sum(k), d)
        The joint policies :math:`K^{(m-1)}`, stacked.
    draws : _Draws
    work : _Workspace, optional
        Buffers to reuse; the returned arrays live in it until the next call.

    Returns
    -------
    costs : numpy.ndarray, shape=(runs, N, T, L)
        :math:`\widehat c_t^{i,l}`: player i's cost along the episode in which it perturbed its gain
        at time t, :math:`\sum_{s<T} (x_s^\top Q_s^i x_s + (u_s^i)^\top R_s^i u_s^i)
        + x_T^\top Q_T^i x_T`.
    states : numpy.ndarray, shape=(runs, N, T, L, d)
        :math:`x_t^{i,l}`: the state at time t of that episode (a strided view).

    Notes
    -----
    The N T L episodes of every run advance together, one time step at a time: the states of run b
    and player i's episodes form a (d, T L) matrix, so a step is one matrix product per run and
    player for the dynamics, one for the stage costs, and at step s a correction for the episodes
    perturbed at t = s, whose player i adds the control :math:`-U_s^{i,l} x_s`. With exploration,
    every agent j adds :math:`\sigma_j\varepsilon_s^j` to its control: the state receives
    :math:`\sum_j B_s^j\sigma_j\varepsilon_s^j` and player i's stage cost the terms of
    :func:`_exploration_stage_cost`. The game's matrices are read here only: this function is the
    environment.
    """
    work = _Workspace() if work is None else work
    N, T, d = game.N, game.T, game.d
    runs, L = Ks.shape[0], draws.U[0].shape[2]
    closed = (game.A - game.B_stacked @ Ks)[:, :, None]                # (runs, T, 1, d, d)
    stage = np.empty((runs, T, N, d, d))                                # Q_s^i + K^T R K
    for i, rows in enumerate(game.slices):
        Ki = Ks[:, :, rows, :]
        stage[:, :, i] = game.Q[i][:T] + np.swapaxes(Ki, -1, -2) @ game.R[i] @ Ki
    U_c = [np.moveaxis(Ui, (3, 4), (0, 1)) for Ui in draws.U]           # (k, d, runs, T, L)
    K_c = [np.moveaxis(Ks[:, :, rows, :], 0, -1)[..., None]             # (T, k, d, runs, 1)
           for rows in game.slices]
    R_c = [Ri[..., None, None] for Ri in game.R]                        # (T, k, k, 1, 1)
    B_c = [Bi[..., None, None] for Bi in game.B]                        # (T, d, k, 1, 1)
    F = game.W_factor
    F_diagonal = np.diag(F)[:, None] if not np.any(F - np.diag(np.diag(F))) else None

    X = work.get("X", (runs, N, d, T, L))
    X_next = work.get("X_next", X.shape)
    Y = work.get("Y", X.shape)
    costs = work.get("costs", (runs, N, T, L))
    states = work.get("states", (runs, N, T, d, L))
    if draws.x0.ndim == 3:
        X[...] = np.swapaxes(draws.x0, 1, 2)[:, None, :, None, :]
    else:
        X[...] = np.moveaxis(draws.x0, -1, 2)
    costs.fill(0.0)
    flat = (runs, N, d, T * L)
    for s in range(T):
        Xf, Yf = X.reshape(flat), Y.reshape(flat)
        np.matmul(stage[:, s], Xf, out=Yf)                               # x^T (Q + K^T R K) x
        Yf *= Xf
        for e in range(d):
            costs += Y[:, :, e]
        corrections = []
        for i in range(N):
            x = states[:, i, s] = X[:, i, :, s, :]                      # (runs, d, L)
            x = np.swapaxes(x, 0, 1)                                    # by component
            Ux, Kx = _matvec(U_c[i][:, :, :, s], x), _matvec(K_c[i][s], x)
            # (K + U)^T R (K + U) - K^T R K at x equals (Ux)^T R (2 Kx + Ux)
            Kx *= 2.0
            Kx += Ux
            RKx = _matvec(R_c[i][s], Kx)
            for a in range(Ux.shape[0]):
                costs[:, i, s, :] += Ux[a] * RKx[a]
            corrections.append(_matvec(B_c[i][s], Ux))                  # B_s^i U x
            if draws.e is not None:
                costs[:, i] += _exploration_stage_cost(
                    game.R[i][s], Ks[:, s, game.slices[i], :], Xf[:, i], np.moveaxis(Ux, 0, 1),
                    draws.e[:, s, i, game.slices[i]], s)
        X_nextf = X_next.reshape(flat)
        np.matmul(closed[:, s], Xf, out=X_nextf)                         # (A - B K) x
        if draws.z is not None:
            if F_diagonal is not None:
                np.multiply(draws.z[:, s], F_diagonal, out=Yf)
            else:
                np.matmul(F, draws.z[:, s], out=Yf)
            X_nextf += Yf                                               # + w
        if draws.e is not None:
            X_nextf += game.B_stacked[s] @ draws.e[:, s]                 # + sum_j B^j sigma_j eps^j
        for i, correction in enumerate(corrections):
            X_next[:, i, :, s, :] -= np.swapaxes(correction, 0, 1)       # - B^i U x
        X, X_next = X_next, X
    Xf, Yf = X.reshape(flat), Y.reshape(flat)
    np.matmul(game.Q_stacked[:, T], Xf, out=Yf)                          # x_T^T Q_T^i x_T
    Yf *= Xf
    for e in range(d):
        costs += Y[:, :, e]
    return costs, np.swapaxes(states, -1, -2)


def _exploration_stage_cost(R: np.ndarray, K: np.ndarray, x: np.ndarray, Ux: np.ndarray,
                            eps: np.ndarray, s: int) -> np.ndarray:
    r"""What exploration adds to player i's stage cost at step s in its T L episodes.

    With :math:`u = u_0 + \sigma\varepsilon`, :math:`u_0 = -K_s^i x_s` (minus :math:`U x_s` in the
    episodes perturbed at t = s), :math:`u^\top R u - u_0^\top R u_0 =
    (\sigma\varepsilon)^\top R\,(2u_0 + \sigma\varepsilon)`.

    Parameters
    ----------
    R : (k, k); K : (runs, k, d); x : (runs, d, T L) the states at step s;
    Ux : (runs, k, L) for the episodes perturbed at s; eps : (runs, k, T L), already scaled.

    Returns
    -------
    numpy.ndarray, shape=(runs, T, L)
    """
    runs, L = Ux.shape[0], Ux.shape[-1]
    u0 = -(K @ x)
    u0.reshape(u0.shape[:2] + (-1, L))[:, :, s, :] -= Ux
    u0 *= 2.0
    u0 += eps
    return ((R @ u0) * eps).sum(axis=1).reshape((runs, -1, L))


@dataclass(frozen=True, eq=False)
class Rollouts:
    r"""The episodes of one iteration of Algorithm 2 (lines 3-11), as the players observe them.

    Attributes
    ----------
    U : tuple of N numpy.ndarray, shapes (*batch, T, L, k_i, d)
        Perturbations :math:`U_t^{i,l}`, each of Frobenius norm :math:`r_i`.
    costs : numpy.ndarray, shape=(*batch, N, T, L)
        Observed costs :math:`\widehat c_t^{i,l}` of player i in the episode where it perturbed
        :math:`K_t^i` by :math:`U_t^{i,l}`.
    states : numpy.ndarray, shape=(*batch, N, T, L, d)
        The state :math:`x_t^{i,l}` at time t of that episode (Algorithm 2, line 8).
    x0 : numpy.ndarray, shape=(*batch, N, T, L, d)
        The initial state of that episode (:math:`x_0^l` for every i and t when shared).
    costs_minus : numpy.ndarray, shape=(*batch, N, T, L), or None
        Two-point estimator only (beyond the paper): the observed costs of the mirrored episodes,
        in which player i played :math:`K_t^i - U_t^{i,l}` with the same initial state and noise.
    """

    U: tuple
    costs: np.ndarray
    states: np.ndarray
    x0: np.ndarray
    costs_minus: np.ndarray | None = None


def _check_rollout_options(game, trajectories, radius, initial_states, estimator, exploration):
    return (positive_int(trajectories, "trajectories"), per_player(radius, game.N, "radius"),
            choice(initial_states, _INITIAL_STATES, "initial_states"),
            choice(estimator, _ESTIMATORS, "estimator"), per_player(exploration, game.N, "exploration", allow_zero=True))


def _play(game: LQGame, Ks: np.ndarray, draws: _Draws, two_point: bool, work: _Workspace,
          work_mirrored: _Workspace) -> tuple:
    """The observed costs, those of the mirrored episodes (None for one point) and the states."""
    costs, states = _simulate(game, Ks, draws, work)
    if not two_point:
        return costs, None, states
    costs_minus, _ = _simulate(game, Ks, draws.mirrored(), work_mirrored)
    return costs, costs_minus, states


def perturbed_rollouts(game: LQGame, K: Sequence, *, trajectories: int, radius, seed,
                       initial_states: str = "shared", estimator: str = "one-point",
                       exploration=0.0) -> Rollouts:
    r"""Play the N T L perturbed episodes of one iteration of Algorithm 2 (lines 3-11).

    These are exactly the episodes of the first iteration of :func:`model_free_natural_policy_gradient`
    started from ``K`` with the same ``seed``, ``trajectories``, ``radius``, ``initial_states``,
    ``estimator`` and ``exploration``.

    Parameters
    ----------
    game : LQGame
        The environment (it is read here, to simulate, and nowhere by the estimators).
    K : tuple of N array_like, shapes (*batch, T, k_i, d)
        The joint policy :math:`K^{(m-1)}` (each batch entry with its own random stream).
    trajectories : int
        L.
    radius : float or sequence of N floats
        Smoothing radii :math:`r_i`.
    seed : int, SeedSequence, Generator, or a sequence of these with one per batch entry
        See :func:`model_free_natural_policy_gradient`.
    initial_states : {"shared", "independent"}, default "shared"
        "shared": one draw :math:`x_0^l` per l, used by every player i and time t, as the
        paper's notation :math:`x_0^l` reads; "independent": a fresh :math:`x_0` for every episode.
    estimator : {"one-point", "two-point"}, default "one-point"
        Beyond the paper: "two-point" also plays each :math:`K_t^i - U_t^{i,l}` with the same
        initial state and noise as :math:`K_t^i + U_t^{i,l}` (``Rollouts.costs_minus``). The draws
        are those of the one-point episodes with the same seed.
    exploration : float or sequence of N floats, default 0.0
        Beyond the paper: the standard deviation :math:`\sigma_j \ge 0` of the Gaussian noise each
        agent j adds to its action in every episode (module docstring). At 0 the episodes are the
        paper's, with the same random numbers.

    Returns
    -------
    Rollouts
    """
    L, radius, initial_states, estimator, exploration = _check_rollout_options(
        game, trajectories, radius, initial_states, estimator, exploration)
    stacked = stack_policy(game, K)
    batch = stacked.shape[:-3]
    Ks = stacked.reshape((-1,) + stacked.shape[-3:])
    draws = _draw(game, run_generators(seed, Ks.shape[0]), L, radius, initial_states, exploration)
    with np.errstate(all="ignore"):
        costs, costs_minus, states = _play(game, Ks, draws, estimator == "two-point", _Workspace(),
                                           _Workspace())
    N, T, d = game.N, game.T, game.d
    x0 = draws.x0 if draws.x0.ndim == 5 else draws.x0[:, None, None]
    x0 = np.broadcast_to(x0, (Ks.shape[0], N, T, L, d))
    return Rollouts(
        U=tuple(Ui.reshape(batch + Ui.shape[1:]) for Ui in draws.U),
        costs=costs.reshape(batch + costs.shape[1:]),
        states=states.reshape(batch + states.shape[1:]),
        x0=x0.reshape(batch + x0.shape[1:]),
        costs_minus=None if costs_minus is None else costs_minus.reshape(batch + costs.shape[1:]),
    )


# ---------------------------------------------------------------------------
# the estimators of eq. (4.1)


def zeroth_order_gradient(costs, U, radius) -> np.ndarray:
    r"""The zeroth-order gradient estimate of eq. (4.1):
    :math:`\frac1L\sum_{l=1}^L \frac{D}{r^2}\, \widehat c_l\, U_l` with :math:`D = k d`.

    For :math:`U_l` uniform on the sphere :math:`\|U\|_F = r` and :math:`\widehat c_l` an unbiased
    observation of :math:`f(K + U_l)`, its mean is the gradient of the smoothed function
    :math:`\mathbb E_{V}[f(K + V)]`, :math:`V` uniform in the ball of radius r; for f quadratic in K,
    as :math:`C^i` is in :math:`K_t^i`, that is exactly :math:`\nabla f(K)`.

    Parameters
    ----------
    costs : array_like, shape=(..., L)
        Observed costs :math:`\widehat c_l`.
    U : array_like, shape=(..., L, k, d)
        The perturbations, each of Frobenius norm ``radius``.
    radius : float
        r > 0.

    Returns
    -------
    numpy.ndarray, shape=(..., k, d)
    """
    costs = np.asarray(costs, dtype=float)
    U = np.asarray(U, dtype=float)
    if U.ndim < 3 or costs.shape != U.shape[:-2]:
        raise LQGameError(f"costs must have shape U.shape[:-2]: U (..., L, k, d) has shape {U.shape}, "
                          f"costs has shape {costs.shape}")
    if np.ndim(radius) != 0:
        raise LQGameError(f"radius must be a positive number; got {radius!r}")
    radius = float(per_player(radius, 1, "radius")[0])
    k, d, L = U.shape[-2], U.shape[-1], U.shape[-3]
    gradient = np.empty(costs.shape[:-1] + (k, d))
    for a in range(k):
        for f in range(d):
            gradient[..., a, f] = (costs * U[..., a, f]).sum(axis=-1)
    gradient *= k * d / (radius ** 2 * L)
    return gradient


def empirical_covariance(states) -> np.ndarray:
    r"""The empirical second moment of eq. (4.1): :math:`\frac1L \sum_{l=1}^L x_l x_l^\top`.

    Parameters
    ----------
    states : array_like, shape=(..., L, d)

    Returns
    -------
    numpy.ndarray, shape=(..., d, d)
    """
    x = np.asarray(states, dtype=float)
    if x.ndim < 2:
        raise LQGameError(f"states must have shape (..., L, d); got {x.shape}")
    x = np.moveaxis(x, -1, 0)
    d = x.shape[0]
    sigma = np.empty(x.shape[1:-1] + (d, d))
    for e in range(d):
        for f in range(e, d):
            sigma[..., e, f] = sigma[..., f, e] = (x[e] * x[f]).mean(axis=-1)
    return sigma


def two_point_gradient(costs_plus, costs_minus, U, radius) -> np.ndarray:
    r"""The two-point zeroth-order gradient estimate (beyond the paper):
    :math:`\frac1L\sum_{l=1}^L \frac{D}{2r^2}\,(\widehat c_{+,l} - \widehat c_{-,l})\, U_l`,
    :math:`D = k d`.

    :math:`\widehat c_{\pm,l}` are observations of :math:`f(K \pm U_l)` made with common random
    numbers. If an observation is :math:`f_\omega(K + U)` with :math:`f_\omega` quadratic in
    :math:`U` (an episode's cost for a fixed initial state and noise :math:`\omega`), the difference
    is :math:`2\langle\nabla f_\omega(K), U_l\rangle`, so each term is
    :math:`D\langle\nabla f_\omega(K), u_l\rangle u_l` with :math:`u_l = U_l/r`: unbiased for
    :math:`\mathbb E\nabla f_\omega(K)` because :math:`\mathbb E[u u^\top] = I/D`, and
    independent of r.

    Parameters
    ----------
    costs_plus, costs_minus : array_like, shape=(..., L)
        Observed costs at :math:`K + U_l` and :math:`K - U_l`.
    U : array_like, shape=(..., L, k, d)
        The perturbations, each of Frobenius norm ``radius``.
    radius : float
        r > 0.

    Returns
    -------
    numpy.ndarray, shape=(..., k, d)
    """
    plus = np.asarray(costs_plus, dtype=float)
    minus = np.asarray(costs_minus, dtype=float)
    if plus.shape != minus.shape:
        raise LQGameError(f"costs_plus and costs_minus must have the same shape; got {plus.shape} "
                          f"and {minus.shape}")
    return zeroth_order_gradient(0.5 * (plus - minus), U, radius)


def _inverse_covariance(sigma: np.ndarray):
    r""":math:`\widehat\Sigma^{-1}` for a stack of empirical second moments (..., d, d).

    Returns the inverses and a mask (shape ``sigma.shape[:-2]``) of the matrices that are not finite
    or numerically singular (smallest eigenvalue at most d machine epsilons of the largest);
    their inverses are NaN.
    """
    d = sigma.shape[-1]
    eye = np.eye(d)
    finite = np.isfinite(sigma).all(axis=(-1, -2))
    safe = np.where(finite[..., None, None], sigma, eye)
    eig = np.linalg.eigvalsh(safe)
    singular = ~finite | (eig[..., 0] <= d * np.finfo(float).eps * np.abs(eig[..., -1]))
    inverse = np.linalg.inv(np.where(singular[..., None, None], eye, safe))
    inverse[singular] = np.nan
    return inverse, singular


def _natural_directions(costs, costs_minus, U, states, radius, covariance: str) -> tuple:
    r"""Eq. (4.1) and the step direction of (4.2) for every player, run and time.

    ``costs`` and ``costs_minus`` (None for one point) of shape (..., N, T, L), ``U`` N arrays
    (..., T, L, k_i, d), ``states`` (..., N, T, L, d). Returns the N directions
    :math:`\widehat{\nabla_{K_t^i} C^i}\,(\widehat\Sigma_t^i)^{-1}`, shapes (..., T, k_i, d), and
    the mask (..., N, T) of numerically singular :math:`\widehat\Sigma_t^i`, whose directions are
    NaN.
    """
    sigma = empirical_covariance(states)                                # (..., N, T, d, d)
    if covariance == "pooled":
        sigma = np.broadcast_to(sigma.mean(axis=-4, keepdims=True), sigma.shape)
    inverse, singular = _inverse_covariance(sigma)
    if costs_minus is None:
        gradients = [zeroth_order_gradient(costs[..., i, :, :], U[i], radius[i])
                     for i in range(len(U))]
    else:
        gradients = [two_point_gradient(costs[..., i, :, :], costs_minus[..., i, :, :], U[i],
                                        radius[i]) for i in range(len(U))]
    return [g @ inverse[..., i, :, :, :] for i, g in enumerate(gradients)], singular


def natural_gradient_estimate(rollouts: Rollouts, radius, *, covariance: str = "player") -> tuple:
    r"""The step direction of Algorithm 2, eq. (4.2), from one iteration's episodes:
    :math:`\widehat{\nabla_{K_t^i} C^i}\,(\widehat\Sigma_t^i)^{-1}`, an estimate of the natural
    gradient :math:`2E_{t,i}^K` (:func:`~lqg.evaluation.natural_gradient`).

    The gradient is :func:`zeroth_order_gradient`, or :func:`two_point_gradient` when ``rollouts``
    holds mirrored costs; :math:`\widehat\Sigma_t^i` is :func:`empirical_covariance` of the states
    :math:`x_t^{i,l}`. These are the numbers :func:`model_free_natural_policy_gradient` uses.

    Parameters
    ----------
    rollouts : Rollouts
        From :func:`perturbed_rollouts`.
    radius : float or sequence of N floats
        The radii :math:`r_i` the rollouts were played with.
    covariance : {"player", "pooled"}, default "player"
        As in :func:`model_free_natural_policy_gradient`.

    Returns
    -------
    tuple of N numpy.ndarray, shapes (*batch, T, k_i, d)
        NaN at (run, t) where :math:`\widehat\Sigma_t^i` is numerically singular.
    """
    if not isinstance(rollouts, Rollouts):
        raise LQGameError(f"rollouts must be a Rollouts (from perturbed_rollouts); got "
                          f"{type(rollouts).__name__}")
    radius = per_player(radius, len(rollouts.U), "radius")
    covariance = choice(covariance, _COVARIANCE, "covariance")
    with np.errstate(all="ignore"):
        directions, _ = _natural_directions(rollouts.costs, rollouts.costs_minus, rollouts.U,
                                            rollouts.states, radius, covariance)
    return tuple(directions)


def game_with_exploration(game: LQGame, exploration) -> LQGame:
    r"""The game whose costs Algorithm 2 estimates when the agents explore (beyond the paper).

    With :math:`u_t^j = -K_t^jx_t + \sigma_j\varepsilon_t^j`, :math:`\varepsilon_t^j\sim
    \mathcal N(0, I_{k_j})` independent of everything else, the state evolves as in the game with
    noise :math:`w_t + \sum_j \sigma_j B^j\varepsilon_t^j`, of covariance

    .. math::

        W_\sigma = W + \sum_j \sigma_j^2 B^j (B^j)^\top,

    and player i's expected cost is :math:`C^i_{W_\sigma}(K) + \sigma_i^2\sum_{t<T}
    \operatorname{Tr}R^i_t` (the cross terms :math:`\varepsilon^\top R^i K^i x` have mean zero).
    The constant does not move any gradient; the noise does, through :math:`\Sigma_t^K` in
    :math:`\nabla_{K_t^i}C^i = 2E_{t,i}^K\Sigma_t^K`, while :math:`E_{t,i}^K` and the Nash
    equilibrium do not depend on the noise.

    Parameters
    ----------
    game : LQGame
        Its :math:`B_t^j` must not depend on t (a game here has one noise covariance W).
    exploration : float or sequence of N floats
        The standard deviations :math:`\sigma_j \ge 0`.

    Returns
    -------
    LQGame
        ``game.with_noise(W_sigma)``.
    """
    if not isinstance(game, LQGame):
        raise LQGameError(f"game must be an LQGame; got {type(game).__name__}")
    sigma = per_player(exploration, game.N, "exploration", allow_zero=True)
    B = game.B_stacked
    if np.any(B != B[0]):
        raise LQGameError("game_with_exploration needs B_t^j constant in t: with time-varying B the "
                          "explored game has time-varying noise, which LQGame cannot hold")
    scaled = B[0] * np.repeat(sigma, game.k)
    return game.with_noise(game.W + scaled @ scaled.T)


# ---------------------------------------------------------------------------
# Algorithm 2


def model_free_natural_policy_gradient(game: LQGame, K0: Sequence, eta, iterations: int, *,
                                       trajectories: int, radius, seed,
                                       record_every: int = 1, record_policies: str = "t0",
                                       initial_states: str = "shared", covariance: str = "player",
                                       estimator: str = "one-point", exploration=0.0,
                                       divergence_factor: float = DIVERGENCE_FACTOR,
                                       nash: NashSolution | None = None,
                                       progress: bool | None = None,
                                       prefetch: bool = True) -> PGResult:
    r"""Algorithm 2: the natural policy gradient method with unknown parameters.

    At each iteration :math:`m = 1, \dots, M`, every player i, for each of L trajectories and each
    time t, perturbs only :math:`K_t^i` by :math:`U_t^{i,l}` (uniform on :math:`\|U\|_F = r_i`), plays
    one episode from :math:`x_0^l` with fresh noise and observes its cost :math:`\widehat c_t^{i,l}`
    and state :math:`x_t^{i,l}` (lines 3-11; :func:`perturbed_rollouts`); then (lines 12-13)

    .. math::

        K_t^{i,(m)} = K_t^{i,(m-1)} - \eta_i\, \widehat{\nabla_{K_t^i} C^i}\,(\widehat\Sigma_t^i)^{-1},
        \quad
        \widehat{\nabla_{K_t^i} C^i} = \frac1L\sum_l \frac{D_i}{r_i^2}\widehat c_t^{i,l}U_t^{i,l},
        \quad
        \widehat\Sigma_t^i = \frac1L\sum_l x_t^{i,l}(x_t^{i,l})^\top,

    eqs. (4.1)-(4.2), with :math:`D_i = k_i d`. All players update simultaneously from
    :math:`K^{(m-1)}`. The algorithm touches the game only through simulated episodes; the exact
    costs in the result are computed (from the model) for the recorded iterates only.

    Parameters
    ----------
    game : LQGame
    K0 : tuple of N array_like, shapes (*batch, T, k_i, d)
        Initial policies; each batch entry is an independent run with its own random stream.
    eta : float or sequence of N floats
        Step sizes :math:`\eta_i`.
    iterations : int
        M >= 1.
    trajectories : int
        L, the number of episodes per player and time (the paper uses 200).
    radius : float or sequence of N floats
        Smoothing radii :math:`r_i` (the paper uses 0.5).
    seed : int, SeedSequence, Generator, or a sequence of these with one per batch entry
        Run j (in C order over the batch) draws from its own ``Generator``: from an int or
        ``SeedSequence``, child j of ``SeedSequence(seed).spawn(n_runs)`` (the seed object is not
        mutated); from a ``Generator``, child j of its ``spawn``; from a sequence, its j-th element.
        A run's numbers therefore do not depend on the batch around it: the first n runs of a batch
        equal a batch of those n alone, and ``seed=[SeedSequence(s).spawn(n)[j]]`` reruns entry j
        of a batch seeded with ``s`` on its own.
    record_every, record_policies, divergence_factor, nash, progress
        As in :func:`~lqg.algorithms.natural_policy_gradient`.
    initial_states : {"shared", "independent"}, default "shared"
        Whether the initial state :math:`x_0^l` of trajectory l is shared by every player i and
        time t (the paper's notation, line 7) or drawn afresh for every episode. Either way the
        estimates are unbiased; sharing only correlates the estimates at different t.
    covariance : {"player", "pooled"}, default "player"
        :math:`\widehat\Sigma_t^i` from player i's own L episodes perturbed at t, as in (4.1); or
        one :math:`\widehat\Sigma_t` pooled over all players' N L episodes perturbed at t (also
        unbiased, lower variance).
    estimator : {"one-point", "two-point"}, default "one-point"
        Beyond the paper. "one-point" is eq. (4.1). "two-point" plays every perturbation as the
        pair :math:`K_t^i \pm U_t^{i,l}` with common random numbers and uses
        :func:`two_point_gradient` (2 N T L episodes per iteration); :math:`\widehat\Sigma_t^i`
        is unchanged (the pair has the same :math:`x_t`). It draws the same random numbers as
        "one-point" with the same seed.
    exploration : float or sequence of N floats, default 0.0
        Beyond the paper: each agent j adds :math:`\sigma_j\varepsilon` to its action in every
        episode. Its random numbers are drawn after all the others, so at 0 the run is the
        paper's algorithm, bit for bit. See :func:`game_with_exploration` for the cost it changes.
    prefetch : bool, default True
        Draw the next iteration's random numbers on a second thread while this iteration's episodes
        are simulated (the main thread draws what is left when it gets there). The draws do not
        depend on the policies and each run keeps its own stream, so the results are identical with
        ``prefetch=False``; it pays off on a machine with two or more cores.

    Returns
    -------
    PGResult

    Raises
    ------
    LQGameError
        (a ``ValueError``) naming the argument: as for Algorithm 1, and ``trajectories`` not a
        positive integer, ``radius`` not positive or of the wrong length, a bad ``seed``, unknown
        ``initial_states``, ``covariance`` or ``estimator``, a negative ``exploration``,
        ``prefetch`` not a bool.

    Notes
    -----
    *Random numbers.* Per iteration, each run draws from its generator, in this order: the initial
    states (L of them, or N T L if independent), the perturbations of player 0, 1, ..., N-1 as
    standard normal matrices scaled to norm :math:`r_i`, then the noise of all N T L episodes
    (none when W = 0), then the exploration noises (none without exploration).

    *Which states feed* :math:`\widehat\Sigma_t`. Line 8 uses :math:`x_t^{i,l}`, the state at time t
    of the episode perturbed at t: the perturbation acts only after :math:`x_t`, so these are draws
    of the unperturbed state and the estimate is unbiased. States at t of episodes perturbed
    earlier are not used: their law differs from that of :math:`x_t` under :math:`K^{(m-1)}`.

    *Divergence.* Run b is diverged at m when :math:`K^{(m)}` is not finite, when the mean of some
    player's observed costs at :math:`K^{(m)}` (over its T L episodes of the next iteration, or 2 T L
    with the two-point estimator) is not
    finite or exceeds ``divergence_factor`` times the same mean at :math:`K^{(0)}`, or when some
    :math:`\widehat\Sigma_t^i` at :math:`K^{(m)}` is numerically singular (smallest eigenvalue at
    most d machine epsilons of the largest; e.g. W = 0 with a degenerate initial state). The run is
    then frozen at :math:`K^{(m-1)}` as in Algorithm 1 and stops drawing random numbers; the others
    carry on. The final iterate :math:`K^{(M)}` is only checked for finiteness (no episodes are
    played at it).
    """
    setup = setup_run(game, K0, eta, iterations, record_every, record_policies, divergence_factor,
                      nash, progress)
    L, radius, initial_states, estimator, exploration = _check_rollout_options(
        game, trajectories, radius, initial_states, estimator, exploration)
    covariance = choice(covariance, _COVARIANCE, "covariance")
    if not isinstance(prefetch, (bool, np.bool_)):
        raise LQGameError(f"prefetch must be True or False; got {prefetch!r}")
    source = _DrawSource(game, run_generators(seed, setup.n_runs), L, radius, initial_states,
                         exploration, prefetch)
    two_point = estimator == "two-point"
    exact = Recursions(game)
    work, work_mirrored = _Workspace(), _Workspace()
    history = History(setup, game)
    monitor = RunMonitor(setup.n_runs, setup.divergence_factor)
    step = setup.eta_rows[:, None]
    N, M = game.N, setup.iterations
    Ks = setup.K0.copy()                                                # (runs, T, sum k, d)
    previous = Ks
    try:
        with np.errstate(all="ignore"), progress_bar(M, setup.progress, "Algorithm 2") as bar:
            history.record(exact.costs(Ks), Ks, include=monitor.active)
            for m in range(1, M + 1):
                active = np.flatnonzero(monitor.active)
                updated = Ks.copy()
                if active.size:
                    current = Ks[active]
                    draws = source.take(active, more=m < M)
                    costs, costs_minus, states = _play(game, current, draws, two_point, work,
                                                       work_mirrored)           # lines 3-11
                    observed = np.full((setup.n_runs, N), np.nan)
                    observed[active] = costs.mean(axis=(2, 3))
                    if two_point:
                        observed[active] = 0.5 * (observed[active] + costs_minus.mean(axis=(2, 3)))
                    failed = monitor.check_costs(m - 1, observed)
                    directions, singular = _natural_directions(                 # line 12
                        costs, costs_minus, draws.U, states, radius, covariance)
                    where_singular = np.zeros(setup.n_runs, dtype=bool)
                    where_singular[active] = singular.any(axis=(1, 2))
                    failed |= monitor.flag(m - 1, where_singular, "singular covariance estimate")
                    updated[active] = current - step * np.concatenate(directions, axis=-2)  # (4.2)
                    updated[failed] = previous[failed]
                previous, Ks = Ks, updated
                failed = monitor.check_policies(m, Ks, run_axis=0)
                if history.due(m):
                    include = monitor.active | failed
                    recorded = np.full((setup.n_runs, N), np.nan)
                    recorded[include] = exact.costs(Ks[include])
                    history.record(recorded, Ks, include)
                Ks[failed] = previous[failed]
                bar.update()
    finally:
        source.close()
    return make_result(game, setup, history, monitor, Ks, "Algorithm 2")
