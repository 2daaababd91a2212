r"""The random numbers of Algorithm 2: one stream per run, drawn in a fixed order, optionally ahead.

Per iteration, each run draws from its own ``numpy.random.Generator``, in this order: the initial
states of its episodes, those of the separate unperturbed episodes (if any), then one block of
standard normals holding the perturbations :math:`U_t^{i,l}` of player 0, 1, ..., N-1 (scaled to
Frobenius norm :math:`r_i`, which makes them uniform on the sphere), the system noise (none when
W = 0), the agents' exploration noise (none without exploration) and the noise of the unperturbed
episodes. A run's numbers therefore do not depend on the other runs of its batch.

The draws do not depend on the policies, so the next iteration's block of normals can be drawn on a
second thread while the current iteration is simulated (:class:`DrawSource`); each run's block is
filled by one thread, from the run's own generator, after its initial states, so the numbers are the
same either way.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace

import numpy as np


@dataclass
class Draws:
    r"""The random numbers of one iteration for a batch of runs (internal).

    Shapes (runs first; an axis of length 1 is shared by the episodes along it):

    * ``x0``: (runs, N|1, E|1, L, d), the initial states of the episodes (E = T episodes per player
      and trajectory with one perturbed time step, 1 with all steps perturbed);
    * ``U``: N arrays (runs, T, L, k_i, d) on the Frobenius spheres of radius :math:`r_i`;
    * ``z``: (runs, T, N|1, d, E|1, L) standard normals, the noise at step s of each episode,
      or None when W = 0; with ``z_scaled`` already multiplied by the diagonal noise factor
      :math:`F_s` (``Layout.noise_scale``), so the noise :math:`w_s` itself;
    * ``e``: (runs, T, N, sum k, E, L), the agents' exploration noises :math:`\sigma_j\varepsilon^j`
      (stacked rows), or None;
    * ``x0_unperturbed``, ``z_unperturbed``: (runs, N, L, d) and (runs, T, N, d, L) for the separate
      unperturbed episodes, or None.
    """

    x0: np.ndarray
    U: list
    z: np.ndarray | None
    e: np.ndarray | None = None
    x0_unperturbed: np.ndarray | None = None
    z_unperturbed: np.ndarray | None = None
    z_scaled: bool = False

    def mirrored(self) -> Draws:
        """The same draws with every perturbation negated: the K - U half of a two-point pair."""
        return replace(self, U=[-Ui for Ui in self.U])

    def rows(self, index: np.ndarray) -> Draws:
        """The draws of some runs of the batch (``index`` into the run axis)."""
        def pick(a):
            return None if a is None else a[index]
        return Draws(x0=self.x0[index], U=[Ui[index] for Ui in self.U], z=pick(self.z),
                     e=pick(self.e), x0_unperturbed=pick(self.x0_unperturbed),
                     z_unperturbed=pick(self.z_unperturbed), z_scaled=self.z_scaled)

    def players(self, players: Sequence[int]) -> Draws:
        """The draws of the episodes of the players ``players`` only."""
        def pick(a, axis):
            return None if a is None or a.shape[axis] == 1 else a[(slice(None),) * axis + (players,)]
        return Draws(
            x0=self.x0 if self.x0.shape[1] == 1 else self.x0[:, players],
            U=[self.U[i] for i in players],
            z=self.z if self.z is None or self.z.shape[2] == 1 else self.z[:, :, players],
            e=self.e,                       # indexed by the episode's player in play()
            x0_unperturbed=pick(self.x0_unperturbed, 1),
            z_unperturbed=pick(self.z_unperturbed, 2),
            z_scaled=self.z_scaled,
        )


class Workspace:
    """Buffers reused from one iteration to the next (fresh large arrays would cost page faults)."""

    def __init__(self):
        self._arrays = {}

    def get(self, name: str, shape: tuple) -> np.ndarray:
        array = self._arrays.get(name)
        if array is None or array.shape != shape:
            array = self._arrays[name] = np.empty(shape)
        return array


@dataclass(frozen=True)
class Layout:
    """The shapes of one run's draws in an iteration (see :class:`Draws`), without the run axis."""

    x0: tuple                 # (N|1, E|1, L)
    U: tuple                  # per player (T, L, k_i * d)
    k: tuple
    d: int
    radius: np.ndarray        # (N,)
    z: tuple | None           # (T, N|1, d, E|1, L)
    e: tuple | None           # (T, N, sum k, E, L)
    exploration_rows: np.ndarray | None
    unperturbed: tuple | None  # (N, L): the separate unperturbed episodes
    noise_scale: np.ndarray | None = None  # (T, d): scale z by the diagonal F_s when drawn

    @property
    def sizes(self) -> list:
        """Sizes of the blocks of normals: the U^i, the noise, the exploration, the unperturbed noise."""
        blocks = [int(np.prod(u)) for u in self.U]
        blocks.append(int(np.prod(self.z)) if self.z else 0)
        blocks.append(int(np.prod(self.e)) if self.e else 0)
        T = self.U[0][0]
        blocks.append(T * int(np.prod(self.unperturbed)) * self.d if self.unperturbed else 0)
        return blocks


def same_layout(a: Layout, b: Layout) -> bool:
    """Whether two layouts draw the same random numbers from the same generators."""
    def same(x, y):
        return (x is None and y is None) or (x is not None and y is not None
                                             and np.array_equal(np.asarray(x), np.asarray(y)))
    return all(same(getattr(a, f.name), getattr(b, f.name)) for f in fields(Layout))


def _start(state_law, generators: Sequence, layout: Layout, work: Workspace) -> tuple:
    """Draw each run's initial states and return them with an unfilled block for its normals."""
    runs = len(generators)
    count = int(np.prod(layout.x0))
    x0 = work.get("x0", (runs, count, layout.d))
    x0u = None
    if layout.unperturbed:
        x0u = work.get("x0u", (runs, int(np.prod(layout.unperturbed)), layout.d))
    for b, generator in enumerate(generators):
        x0[b] = state_law.sample(count, generator)
        if x0u is not None:
            x0u[b] = state_law.sample(x0u.shape[1], generator)
    return x0, x0u, work.get("normals", (runs, sum(layout.sizes)))


def _fill(generators: Sequence, normals: np.ndarray, claim=None) -> None:
    """Each run's standard normals of the iteration. With ``claim`` (a callable returning the next
    run to fill, or None when none is left) only the runs it hands out are filled, so that two
    threads can share the work."""
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


def _assemble(layout: Layout, x0: np.ndarray, x0u: np.ndarray | None, normals: np.ndarray) -> Draws:
    r"""Cut the normals into the perturbations, scaled in place to Frobenius norm :math:`r_i` (a
    scaled standard Gaussian matrix is uniform on the sphere), the noise (scaled in place by a
    diagonal noise factor, if the layout has one) and the exploration noise, scaled in place by
    each agent's :math:`\sigma_j`. With a prefetching :class:`DrawSource` this runs on the thread
    that draws."""
    runs = x0.shape[0]
    blocks = np.split(normals, np.cumsum(layout.sizes[:-1]), axis=1)
    U = []
    for i, (block, shape) in enumerate(zip(blocks, layout.U)):
        Ui = block.reshape((runs,) + shape)
        entries = [Ui[..., j] for j in range(Ui.shape[-1])]        # entry by entry: fast loops
        norm2 = np.square(entries[0])
        for entry in entries[1:]:
            norm2 += np.square(entry)
        scale = layout.radius[i] / np.sqrt(norm2)
        for entry in entries:
            entry *= scale
        U.append(Ui.reshape((runs,) + shape[:2] + (layout.k[i], layout.d)))
    N = len(layout.U)
    z = blocks[N].reshape((runs,) + layout.z) if layout.z else None
    if z is not None and layout.noise_scale is not None:
        z *= layout.noise_scale[None, :, None, :, None, None]           # w_s = F_s z, F_s diagonal
    e = None
    if layout.e:
        e = blocks[N + 1].reshape((runs,) + layout.e)
        e *= layout.exploration_rows[:, None, None]
    x0 = x0.reshape((runs,) + layout.x0 + (layout.d,))
    draws = Draws(x0, U, z, e, z_scaled=z is not None and layout.noise_scale is not None)
    if layout.unperturbed:
        T = layout.U[0][0]
        draws.x0_unperturbed = x0u.reshape((runs,) + layout.unperturbed + (layout.d,))
        draws.z_unperturbed = blocks[N + 2].reshape((runs, T, layout.unperturbed[0], layout.d,
                                                     layout.unperturbed[1]))
    return draws


def draw(state_law, generators: Sequence, layout: Layout, work: Workspace | None = None) -> Draws:
    """The random numbers of one iteration, run by run from its own generator, always in the same
    order (module docstring)."""
    x0, x0u, normals = _start(state_law, generators, layout, Workspace() if work is None else work)
    _fill(generators, normals)
    return _assemble(layout, x0, x0u, normals)


class DrawSource:
    """The random numbers of successive iterations of Algorithm 2 (internal).

    With ``prefetch``, the bulk of the next iteration's draws (the standard normals) is made on a
    second thread while the current iteration is simulated; the main thread fills whatever runs are
    left when it needs them. Two buffers alternate: one is read while the other is filled.
    """

    def __init__(self, state_law, generators, layout: Layout, prefetch: bool):
        self._law, self._generators, self._layout = state_law, generators, layout
        self._buffers = (Workspace(), Workspace())
        self._turn = 0
        self._pool = ThreadPoolExecutor(max_workers=1) if prefetch else None
        self._pending = None

    def _start(self, runs: np.ndarray) -> tuple:
        work = self._buffers[self._turn]
        self._turn = 1 - self._turn
        generators = [self._generators[b] for b in runs]
        return (generators,) + _start(self._law, generators, self._layout, work)

    def take(self, runs: np.ndarray, more: bool) -> Draws:
        """The draws for ``runs`` (flat run indices) in this iteration; ``more`` if another follows."""
        if self._pending is None:
            generators, x0, x0u, normals = self._start(runs)
            _fill(generators, normals)
        else:
            drawn, generators, x0, x0u, normals, claims, future = self._pending
            self._pending = None
            _fill(generators, normals, claims.back)
            future.result()
            if not np.array_equal(drawn, runs):                  # some runs diverged meanwhile
                keep = np.searchsorted(drawn, runs)
                x0, normals = x0[keep], normals[keep]
                x0u = None if x0u is None else x0u[keep]
        draws = _assemble(self._layout, x0, x0u, normals)
        if more and self._pool is not None:
            generators, x0_next, x0u_next, normals_next = self._start(runs)
            claims = _Claims(len(runs))
            future = self._pool.submit(_fill, generators, normals_next, claims.front)
            self._pending = (runs, generators, x0_next, x0u_next, normals_next, claims, future)
        return draws

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
