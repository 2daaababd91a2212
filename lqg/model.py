r"""The finite-horizon N-player linear-quadratic game of Section 2.1.

The state evolves as (eq. (2.1))

.. math::

    x_{t+1} = A_t x_t + \sum_{i=1}^N B_t^i u_t^i + w_t, \qquad t = 0, \dots, T-1,

and player :math:`i` minimises (eqs. (2.2)-(2.3))

.. math::

    \mathbb{E}\Big[\sum_{t=0}^{T-1} \Big(x_t^\top Q_t^i x_t + (u_t^i)^\top R_t^i u_t^i
    + \sum_{j \ne i} (u_t^j)^\top R_t^{ij} u_t^j\Big) + x_T^\top Q_T^i x_T\Big].

The cross-player control costs :math:`R_t^{ij}` (as in QuantEcon's ``nnash`` and ilqgames) are
zero in the paper; so is the noise's time dependence, :math:`\mathbb E[w_tw_t^\top] = W_t`.

:class:`LQGame` checks *structure* only: shapes, real and finite entries, symmetric weights,
positive semi-definite covariances. The paper's Assumptions 2.1-2.3 (positive definite weights
and noise, a unique equilibrium) are reported by :func:`~lqg.equilibrium.check_assumptions` and required only
where the mathematics needs them. Players are indexed from 0 in Python (player ``i`` here is
player ``i+1`` in the paper); time runs from 0 to T as in the paper.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from functools import cached_property

import numpy as np

from . import _checks as check
from ._checks import LQGameError
from .states import DiscreteState, GaussianState, psd_factor

__all__ = ["LQGame"]


def _initial_state(x0, d: int):
    if isinstance(x0, (GaussianState, DiscreteState)):
        state = x0
    elif isinstance(x0, (list, tuple, np.ndarray)):
        mean = check.real_array(x0, "x0", copy=True)
        if mean.shape != (d,):
            raise LQGameError(f"x0 given as a vector must have shape (d,) = ({d},) (a deterministic "
                              f"initial state); got {mean.shape}")
        state = GaussianState(mean, np.zeros((d, d)))
    else:
        raise LQGameError(f"x0 must be a GaussianState, a DiscreteState or a vector of shape "
                          f"(d,); got {type(x0).__name__}")
    if state.d != d:
        raise LQGameError(f"x0 has dimension {state.d} but the state has d = {d}")
    return state


# ---------------------------------------------------------------------------
# the game


def _player_list(value, name: str) -> list:
    if isinstance(value, np.ndarray) and value.dtype != object:
        # a single array stacks the players along axis 0 (only possible for equal k_i)
        return list(value) if value.ndim == 4 else [value]
    if isinstance(value, (str, bytes)):
        raise LQGameError(f"{name} must be a sequence with one array per player; got {value!r}")
    try:
        return list(value)
    except TypeError:
        raise LQGameError(f"{name} must be a sequence with one array per player; got "
                          f"{type(value).__name__}") from None


def _weights(value, shape: tuple, name: str, player: int | None, meaning: str) -> np.ndarray:
    array = check.real_array(value, name, player, copy=True)
    check.check_shape(array, shape, name, player, meaning)
    check.check_finite(array, name, player, timed=True)
    check.check_symmetric(array, name, player, timed=True)
    return check.frozen(array)


def _cross_items(R_cross, N: int) -> list:
    """The entries of an ``R_cross`` mapping, with keys checked to be pairs of distinct players."""
    if not isinstance(R_cross, Mapping):
        raise LQGameError("R_cross must be a mapping {(i, j): array of shape (T, k_j, k_j)}; got "
                          f"{type(R_cross).__name__}")
    items = []
    for key, value in R_cross.items():
        if (not isinstance(key, tuple) or len(key) != 2 or not all(map(check.is_integer, key))
                or not all(0 <= p < N for p in key) or key[0] == key[1]):
            raise LQGameError(f"R_cross keys must be pairs (i, j) of distinct players in 0..{N - 1}; "
                              f"got {key!r}")
        items.append(((int(key[0]), int(key[1])), value))
    return items


def _noise(W, T: int, d: int) -> np.ndarray:
    """W as (T, d, d): a scalar w means w I, a (d, d) matrix is the same at every t."""
    W = check.real_array(W, "W", copy=True)
    if W.ndim == 0:
        W = W * np.eye(d)
    if W.shape == (d, d):
        W = np.broadcast_to(W, (T, d, d))
    if W.shape != (T, d, d):
        raise LQGameError(f"W must be a scalar w (for w I), a (d, d) = {(d, d)} matrix or (T, d, d) "
                          f"= {(T, d, d)} matrices, one per t; got shape {W.shape}")
    check.check_finite(W, "W", timed=True)
    check.check_symmetric(W, "W", timed=True)
    check.check_psd(W, "W", timed=True, why="W is a covariance")
    return check.frozen(W)


class LQGame(check.GameData):
    r"""An N-player general-sum linear-quadratic game over a finite horizon (Section 2.1).

    Parameters
    ----------
    A : array_like, shape=(T, d, d)
        Transition matrices :math:`A_t`, eq. (2.1).
    B : sequence of N array_like, shapes (T, d, k_i)
        Control matrices :math:`B_t^i`.
    Q : sequence of N array_like, shapes (T+1, d, d)
        State weights :math:`Q_t^i`; index T is the terminal weight :math:`Q_T^i`, eq. (2.3).
        Symmetric; semi-definite or indefinite weights are allowed (Assumption 2.1 asks for
        positive definite ones: see :func:`~lqg.equilibrium.check_assumptions`).
    R : sequence of N array_like, shapes (T, k_i, k_i)
        Control weights :math:`R_t^i`, symmetric.
    W : array_like, shape=(d, d) or (T, d, d), or a scalar
        Covariance of the noise :math:`w_t`: the same at every t, one per t, or a scalar w for
        :math:`wI` (0 gives deterministic dynamics). Positive semi-definite.
    x0 : GaussianState, DiscreteState or array_like of shape (d,)
        The law of the initial state; a vector is a deterministic initial state.
    R_cross : mapping from (i, j) to array_like of shape (T, k_j, k_j), optional
        Player i's weight :math:`R_t^{ij}` on player j's control, i != j (zero when absent).

    Raises
    ------
    LQGameError
        (a ``ValueError``) naming the argument, the player and the time index of the first bad
        entry: wrong shapes, complex or non-finite entries, non-symmetric weights, a noise or
        initial covariance that is not positive semi-definite.

    Notes
    -----
    The object is immutable; its arrays are read-only. Players are indexed from 0.
    """

    def __init__(self, A, B: Sequence, Q: Sequence, R: Sequence, W, x0, *,
                 R_cross: Mapping | None = None):
        A = check.real_array(A, "A", copy=True)
        if A.ndim != 3 or A.shape[1] != A.shape[2] or 0 in A.shape:
            raise LQGameError(f"A must have shape (T, d, d) with T, d >= 1; got {A.shape}")
        T, d = A.shape[0], A.shape[1]
        check.check_finite(A, "A", timed=True)

        B, Q, R = (_player_list(v, name) for v, name in ((B, "B"), (Q, "Q"), (R, "R")))
        N = len(B)
        if N == 0:
            raise LQGameError("B must hold at least one player's control matrices")
        for name, seq in (("Q", Q), ("R", R)):
            if len(seq) != N:
                raise LQGameError(f"{name} has {len(seq)} players but B has {N}")
        Bs, Qs, Rs = [], [], []
        for i in range(N):
            b = check.real_array(B[i], "B", i, copy=True)
            if b.ndim != 3 or b.shape[:2] != (T, d) or b.shape[2] < 1:
                raise LQGameError(f"{check.where('B', i)} must have shape (T, d, k_{i}) = ({T}, {d}, "
                                  f"k) with k >= 1; got {b.shape}")
            check.check_finite(b, "B", i, timed=True)
            Bs.append(check.frozen(b))
            Qs.append(_weights(Q[i], (T + 1, d, d), "Q", i, "(T+1, d, d): index T is the terminal cost"))
            k = b.shape[2]
            Rs.append(_weights(R[i], (T, k, k), "R", i, f"(T, k_{i}, k_{i})"))
        self._k = None
        self._A, self._B, self._Q, self._R = check.frozen(A), tuple(Bs), tuple(Qs), tuple(Rs)
        self._W = _noise(W, T, d)
        self._x0 = _initial_state(x0, d)
        self._R_cross = self._cross_costs(R_cross, N, T, tuple(b.shape[2] for b in Bs))
        self._k = tuple(b.shape[2] for b in Bs)

    @staticmethod
    def _cross_costs(R_cross, N: int, T: int, k: tuple) -> tuple:
        if R_cross is None:
            return ()
        items = []
        for (i, j), value in _cross_items(R_cross, N):
            items.append(((i, j), _weights(value, (T, k[j], k[j]), f"R_cross[{i}, {j}]", None,
                                           f"(T, k_{j}, k_{j}): player {i}'s weight on u^{j}")))
        return tuple(sorted(items))

    @classmethod
    def time_invariant(cls, A, B: Sequence, Q: Sequence, R: Sequence, W, x0, T: int,
                       Q_T: Sequence | None = None, *, R_cross: Mapping | None = None) -> LQGame:
        """A game whose matrices do not depend on t.

        Parameters
        ----------
        A : array_like, shape=(d, d)
        B : sequence of N array_like, shapes (d, k_i), or (d,) for one input
        Q : sequence of N array_like, shapes (d, d), or scalars q for q I
            Running state weights; also the terminal weights unless ``Q_T`` is given.
        R : sequence of N array_like, shapes (k_i, k_i), or scalars r for r I
        W : array_like, shape=(d, d), or a scalar w for w I
        x0 : GaussianState, DiscreteState or array_like of shape (d,)
        T : int
            Horizon, at least 1.
        Q_T : sequence of N array_like, shapes (d, d), or scalars, optional
            Terminal weights :math:`Q_T^i` (e.g. ``[0, 0]``).
        R_cross : mapping from (i, j) to array_like of shape (k_j, k_j) or a scalar, optional
            Cross-player control weights, as in :class:`LQGame`.
        """
        A = check.real_array(A, "A")
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise LQGameError(f"A must be a square matrix (d, d); got shape {A.shape}")
        d = A.shape[0]
        Q_T = Q if Q_T is None else Q_T
        B, Q, R, Q_T = (_player_list(v, n) for v, n in ((B, "B"), (Q, "Q"), (R, "R"), (Q_T, "Q_T")))
        T = check.horizon(T, d, len(B))
        if len(Q_T) != len(Q):
            raise LQGameError(f"Q_T has {len(Q_T)} players but Q has {len(Q)}")

        def matrix(m, size, name, i=None):
            m = check.real_array(m, name, i)
            if m.ndim == 0:
                m = m * np.eye(size)
            if m.ndim != 2:
                raise LQGameError(f"{check.where(name, i)} must be a matrix or a scalar; got shape {m.shape}")
            return m

        def columns(b, i):
            b = check.real_array(b, "B", i)
            return b[:, None] if b.ndim == 1 else b

        B = [columns(b, i) for i, b in enumerate(B)]
        k = [b.shape[-1] if b.ndim == 2 else 1 for b in B]

        def repeat(m, n):
            return np.broadcast_to(m, (n, *m.shape))

        cross = None if R_cross is None else {
            (i, j): repeat(matrix(v, k[j], f"R_cross[{i}, {j}]"), T)
            for (i, j), v in _cross_items(R_cross, len(k))}
        return cls(
            repeat(A, T),
            [repeat(b, T) for b in B],
            [np.concatenate([repeat(matrix(q, d, "Q", i), T), repeat(matrix(qT, d, "Q_T", i), 1)])
             for i, (q, qT) in enumerate(zip(Q, Q_T))],
            [repeat(matrix(r, ki, "R", i), T) for i, (r, ki) in enumerate(zip(R, k))],
            W, x0, R_cross=cross,
        )

    # -- read-only views -------------------------------------------------
    A = property(lambda self: self._A, doc="Transition matrices, shape (T, d, d).")
    B = property(lambda self: self._B, doc="Control matrices, tuple of N arrays (T, d, k_i).")
    Q = property(lambda self: self._Q, doc="State weights, tuple of N arrays (T+1, d, d).")
    R = property(lambda self: self._R, doc="Own control weights, tuple of N arrays (T, k_i, k_i).")
    R_cross = property(lambda self: dict(self._R_cross),
                       doc="Cross-player control weights, a dict (i, j) -> (T, k_j, k_j); empty in "
                           "the paper.")
    W = property(lambda self: self._W, doc="Noise covariances W_t, shape (T, d, d).")
    x0 = property(lambda self: self._x0, doc="Initial-state distribution.")
    k = property(lambda self: self._k, doc="Control dimensions (k_1, ..., k_N).")

    @property
    def T(self) -> int:
        """Horizon T."""
        return self._A.shape[0]

    @property
    def d(self) -> int:
        """State dimension d."""
        return self._A.shape[1]

    @property
    def N(self) -> int:
        """Number of players N."""
        return len(self._B)

    def __repr__(self) -> str:
        return f"LQGame(N={self.N}, T={self.T}, d={self.d}, k={self.k})"

    def __setattr__(self, name, value):
        if getattr(self, "_k", None) is not None:
            raise AttributeError("LQGame is immutable")
        object.__setattr__(self, name, value)

    def _replace(self, **changes) -> LQGame:
        data = dict(A=self._A, B=self._B, Q=self._Q, R=self._R, W=self._W, x0=self._x0,
                    R_cross=self.R_cross or None)
        data.update(changes)
        return LQGame(data.pop("A"), data.pop("B"), data.pop("Q"), data.pop("R"), data.pop("W"),
                      data.pop("x0"), **data)

    def with_noise(self, W) -> LQGame:
        """The same game with noise covariance ``W`` (any form the constructor takes)."""
        return self._replace(W=W)

    def with_horizon(self, T: int) -> LQGame:
        """The same time-invariant game over horizon ``T``: its matrices at t = 0 (and its terminal
        weights) for every t. Raises if some matrix depends on t."""
        T = check.horizon(T, self.d, self.N)
        varying = [name for name, M in (("A", self._A), ("W", self._W),
                                        *((f"B[{i}]", b) for i, b in enumerate(self._B)),
                                        *((f"Q[{i}]", q[:-1]) for i, q in enumerate(self._Q)),
                                        *((f"R[{i}]", r) for i, r in enumerate(self._R)),
                                        *((f"R_cross{key}", r) for key, r in self._R_cross))
                   if np.any(M != M[:1])]
        if varying:
            raise LQGameError(f"with_horizon needs a time-invariant game; {', '.join(varying)} "
                              "depend(s) on t")

        def over(M, n):
            return np.broadcast_to(M[:1], (n,) + M.shape[1:])
        return self._replace(A=over(self._A, T), B=[over(b, T) for b in self._B],
                             Q=[np.concatenate([over(q, T), q[-1:]]) for q in self._Q],
                             R=[over(r, T) for r in self._R], W=over(self._W, T),
                             R_cross={key: over(r, T) for key, r in self._R_cross} or None)

    def discounted(self, beta: float) -> LQGame:
        r"""The game with costs :math:`\mathbb E\sum_t \beta^t c_t^i`, folded exactly into the weights:
        :math:`Q_t^i, R_t^i, R_t^{ij}` become :math:`\beta^t Q_t^i, \beta^t R_t^i, \beta^t R_t^{ij}`
        (and :math:`Q_T^i` becomes :math:`\beta^T Q_T^i`).

        Parameters
        ----------
        beta : float
            Discount factor in (0, 1].
        """
        beta = check.number(beta, "beta", 0.0, 1.0, open_low=True)
        powers = beta ** np.arange(self.T + 1)
        weigh = lambda M, n: M * powers[:n, None, None]  # noqa: E731
        return self._replace(Q=[weigh(q, self.T + 1) for q in self._Q],
                             R=[weigh(r, self.T) for r in self._R],
                             R_cross={key: weigh(r, self.T) for key, r in self._R_cross} or None)

    # -- derived views used by the computations -----------------------------
    @cached_property
    def slices(self) -> tuple[slice, ...]:
        """Row ranges of each player's block in the stacked control of size sum(k)."""
        ends = np.cumsum(self._k)
        return tuple(slice(int(e - k), int(e)) for e, k in zip(ends, self._k))

    @cached_property
    def B_stacked(self) -> np.ndarray:
        r""":math:`[B_t^1, \dots, B_t^N]`, shape (T, d, sum(k))."""
        return check.frozen(np.concatenate(self._B, axis=-1))

    @cached_property
    def R_block(self) -> np.ndarray:
        r"""Block-diagonal :math:`\operatorname{diag}(R_t^1, \dots, R_t^N)`, shape (T, sum(k), sum(k))."""
        k = sum(self._k)
        out = np.zeros((self.T, k, k))
        for s, r in zip(self.slices, self._R):
            out[:, s, s] = r
        return check.frozen(out)

    @cached_property
    def Q_stacked(self) -> np.ndarray:
        """Players' state weights stacked, shape (N, T+1, d, d)."""
        return check.frozen(np.stack(self._Q))

    @cached_property
    def W_factor(self) -> np.ndarray:
        """``F_t`` with ``F_t F_t^T = W_t``, for sampling the noise; shape (T, d, d)."""
        return check.frozen(psd_factor(self._W))

    @cached_property
    def noise_scales(self) -> np.ndarray | None:
        """The diagonals of ``W_factor``, shape (T, d), when every ``F_t`` is diagonal; else None."""
        F = self.W_factor
        diagonals = np.diagonal(F, axis1=-2, axis2=-1)
        if np.any(F - diagonals[..., None] * np.eye(self.d)):
            return None
        return check.frozen(np.ascontiguousarray(diagonals))

    @cached_property
    def weights_psd(self) -> bool:
        """Whether every :math:`Q_t^i`, :math:`R_t^i` and :math:`R_t^{ij}` is positive semi-definite
        (then every cost is non-negative)."""
        eig = [check.smallest_eigenvalues(M).min()
               for M in (*self._Q, *self._R, *(r for _, r in self._R_cross))]
        return bool(min(eig) >= -1e-12 * max(1.0, max(abs(e) for e in eig)))

    @cached_property
    def noise_is_constant(self) -> bool:
        """Whether every :math:`W_t` is the same matrix."""
        return bool(np.all(self._W == self._W[0]))

    @cached_property
    def fingerprint(self) -> str:
        """A digest of the game's data (two games with equal data have equal fingerprints)."""
        digest = hashlib.sha1()
        for array in (self._A, *self._B, *self._Q, *self._R, self._W,
                      *(r for _, r in self._R_cross), self._x0.second_moment):
            digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(repr((self._k, [key for key, _ in self._R_cross], self._x0)).encode())
        return digest.hexdigest()
