r"""The finite-horizon N-player linear-quadratic game of Section 2.1.

The state evolves as (eq. (2.1))

.. math::

    x_{t+1} = A_t x_t + \sum_{i=1}^N B_t^i u_t^i + w_t, \qquad t = 0, \dots, T-1,

and player :math:`i` minimises (eqs. (2.2)-(2.3))

.. math::

    \mathbb{E}\Big[\sum_{t=0}^{T-1} \big(x_t^\top Q_t^i x_t + (u_t^i)^\top R_t^i u_t^i\big)
    + x_T^\top Q_T^i x_T\Big].

Players are indexed from 0 in Python (player ``i`` here is player ``i+1`` in the paper);
time runs from 0 to T as in the paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np

__all__ = [
    "LQGameError",
    "GaussianState",
    "DiscreteState",
    "LQGame",
    "AssumptionReport",
]


class LQGameError(ValueError):
    """Invalid game data: the message names the argument, the player and the time index."""


# ---------------------------------------------------------------------------
# validation helpers shared by the model and the initial-state distributions


def _where(name: str, player: int | None = None, t: int | None = None) -> str:
    label = name
    if player is not None:
        label += f"[{player}]"
    if t is not None:
        label += f"[{t}]"
    details = [f"player {player}"] if player is not None else []
    if t is not None:
        details.append(f"t={t}")
    return label + (f" ({', '.join(details)})" if details else "")


def _as_float_array(value, name: str, player: int | None = None) -> np.ndarray:
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise LQGameError(f"{_where(name, player)} is not a numeric array: {exc}") from None
    return array


def _check_shape(array: np.ndarray, shape: tuple, name: str, player: int | None = None,
                 meaning: str = "") -> None:
    if array.shape != shape:
        hint = f" {meaning}" if meaning else ""
        raise LQGameError(
            f"{_where(name, player)} must have shape {shape}{hint}; got {array.shape}"
        )


def _check_finite(array: np.ndarray, name: str, player: int | None = None,
                  timed: bool = False) -> None:
    bad = ~np.isfinite(array)
    if bad.any():
        t = int(np.argwhere(bad)[0][0]) if timed else None
        raise LQGameError(f"{_where(name, player, t)} has non-finite entries")


def _scale(array: np.ndarray) -> np.ndarray:
    """Per-matrix magnitude used for relative tolerances, shape ``array.shape[:-2]``."""
    return np.maximum(np.abs(array).max(axis=(-1, -2), initial=0.0), 1.0)


def _check_symmetric(array: np.ndarray, name: str, player: int | None = None,
                     timed: bool = False) -> None:
    asym = np.abs(array - np.swapaxes(array, -1, -2)).max(axis=(-1, -2), initial=0.0)
    bad = asym > 1e-10 * _scale(array)
    if np.any(bad):
        t = int(np.argwhere(np.atleast_1d(bad))[0][0]) if timed else None
        raise LQGameError(
            f"{_where(name, player, t)} is not symmetric "
            f"(largest asymmetry {float(np.max(asym)):.3g})"
        )


def _check_definite(array: np.ndarray, name: str, player: int | None = None,
                    timed: bool = False, strict: bool = True, why: str = "") -> None:
    """Positive definite (``strict``) or positive semi-definite, checked by eigenvalues."""
    eig_min = np.linalg.eigvalsh(array)[..., 0]
    tol = 1e-12 * _scale(array)
    bad = eig_min <= 0.0 if strict else eig_min < -tol
    if np.any(bad):
        index = int(np.argwhere(np.atleast_1d(bad))[0][0])
        t = index if timed else None
        kind = "positive definite" if strict else "positive semi-definite"
        value = float(np.atleast_1d(eig_min)[index])
        raise LQGameError(
            f"{_where(name, player, t)} is not {kind} (smallest eigenvalue {value:.3g})"
            + (f"; {why}" if why else "")
        )


def _freeze(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array


def psd_factor(matrix: np.ndarray) -> np.ndarray:
    """A factor ``F`` with ``F @ F.T == matrix`` for a symmetric PSD matrix (via ``eigh``)."""
    eigval, eigvec = np.linalg.eigh(matrix)
    return eigvec * np.sqrt(np.clip(eigval, 0.0, None))


# ---------------------------------------------------------------------------
# initial-state distributions


@dataclass(frozen=True, eq=False)
class GaussianState:
    r"""Gaussian initial state :math:`x_0 \sim \mathcal N(\text{mean}, \text{cov})`.

    Parameters
    ----------
    mean : array_like, shape=(d,)
    cov : array_like, shape=(d, d)
        Symmetric positive semi-definite covariance.
    """

    mean: np.ndarray
    cov: np.ndarray

    def __post_init__(self):
        mean = _as_float_array(self.mean, "x0.mean")
        if mean.ndim != 1 or mean.size == 0:
            raise LQGameError(f"x0.mean must be a non-empty vector of shape (d,); got {mean.shape}")
        d = mean.shape[0]
        cov = _as_float_array(self.cov, "x0.cov")
        _check_shape(cov, (d, d), "x0.cov", meaning="(d, d) with d = len(mean)")
        _check_finite(mean, "x0.mean")
        _check_finite(cov, "x0.cov")
        _check_symmetric(cov, "x0.cov")
        _check_definite(cov, "x0.cov", strict=False)
        object.__setattr__(self, "mean", _freeze(mean))
        object.__setattr__(self, "cov", _freeze(cov))

    @property
    def d(self) -> int:
        return self.mean.shape[0]

    @cached_property
    def second_moment(self) -> np.ndarray:
        r""":math:`\mathbb E[x_0 x_0^\top] = \text{cov} + \text{mean}\,\text{mean}^\top`, shape (d, d)."""
        return _freeze(self.cov + np.outer(self.mean, self.mean))

    @cached_property
    def _factor(self) -> np.ndarray:
        return psd_factor(self.cov)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent draws, shape (n, d)."""
        z = rng.standard_normal((n, self.d))
        return self.mean + z @ self._factor.T


@dataclass(frozen=True, eq=False)
class DiscreteState:
    """Initial state taking value ``points[j]`` with probability ``probs[j]``.

    Parameters
    ----------
    points : array_like, shape=(m, d)
    probs : array_like, shape=(m,)
        Non-negative, summing to one.
    """

    points: np.ndarray
    probs: np.ndarray

    def __post_init__(self):
        points = _as_float_array(self.points, "x0.points")
        if points.ndim != 2 or points.shape[0] == 0 or points.shape[1] == 0:
            raise LQGameError(f"x0.points must have shape (m, d); got {points.shape}")
        probs = _as_float_array(self.probs, "x0.probs")
        _check_shape(probs, (points.shape[0],), "x0.probs", meaning="(m,), one per point")
        _check_finite(points, "x0.points")
        _check_finite(probs, "x0.probs")
        if np.any(probs < 0):
            j = int(np.argmax(probs < 0))
            raise LQGameError(f"x0.probs[{j}] is negative ({probs[j]:.3g})")
        if abs(probs.sum() - 1.0) > 1e-12 * len(probs):
            raise LQGameError(f"x0.probs must sum to one; they sum to {probs.sum():.15g}")
        object.__setattr__(self, "points", _freeze(points))
        object.__setattr__(self, "probs", _freeze(probs))

    @property
    def d(self) -> int:
        return self.points.shape[1]

    @cached_property
    def mean(self) -> np.ndarray:
        return _freeze(self.probs @ self.points)

    @cached_property
    def second_moment(self) -> np.ndarray:
        r""":math:`\mathbb E[x_0 x_0^\top] = \sum_j p_j\, x^{(j)} x^{(j)\top}`, shape (d, d)."""
        return _freeze((self.points.T * self.probs) @ self.points)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent draws, shape (n, d)."""
        return self.points[rng.choice(len(self.probs), size=n, p=self.probs)]


# ---------------------------------------------------------------------------
# the game


@dataclass(frozen=True)
class AssumptionReport:
    """Which of the paper's standing assumptions hold for a game (see :meth:`LQGame.check_assumptions`).

    Attributes
    ----------
    assumption_2_1 : bool
        Every :math:`Q_t^i` and :math:`R_t^i` is symmetric positive definite.
    assumption_2_2 : bool
        :math:`x_0` is Gaussian with :math:`\\mathbb E[x_0x_0^\\top] \\succ 0` and :math:`W \\succ 0`.
    x0_gaussian, x0_second_moment_pd, W_pd : bool
        The three parts of Assumption 2.2.
    remark_2_4 : bool
        Every block matrix :math:`\\Phi_t` of Remark 2.4 is invertible (so Assumption 2.3 holds).
    phi_condition : numpy.ndarray, shape=(T,)
        Condition numbers of :math:`\\Phi_t` (``inf`` where singular).
    """

    assumption_2_1: bool
    x0_gaussian: bool
    x0_second_moment_pd: bool
    W_pd: bool
    remark_2_4: bool
    phi_condition: np.ndarray

    @property
    def assumption_2_2(self) -> bool:
        return self.x0_gaussian and self.x0_second_moment_pd and self.W_pd

    def __str__(self) -> str:
        def mark(ok):
            return "holds" if ok else "fails"

        return "\n".join([
            f"Assumption 2.1 (Q, R positive definite): {mark(self.assumption_2_1)}",
            f"Assumption 2.2 (x0 Gaussian, E[x0 x0^T] > 0, W > 0): {mark(self.assumption_2_2)}"
            f"  [Gaussian: {self.x0_gaussian}, E[x0 x0^T] > 0: {self.x0_second_moment_pd},"
            f" W > 0: {self.W_pd}]",
            f"Remark 2.4 (Phi_t invertible, so Assumption 2.3): {mark(self.remark_2_4)}"
            f"  [max condition number {np.max(self.phi_condition):.3g}]",
        ])


class LQGame:
    r"""An N-player general-sum linear-quadratic game over a finite horizon (Section 2.1).

    Parameters
    ----------
    A : array_like, shape=(T, d, d)
        Transition matrices :math:`A_t`, eq. (2.1).
    B : sequence of N array_like, shapes (T, d, k_i)
        Control matrices :math:`B_t^i`.
    Q : sequence of N array_like, shapes (T+1, d, d)
        State-cost matrices :math:`Q_t^i`; index T is the terminal cost :math:`Q_T^i`, eq. (2.3).
    R : sequence of N array_like, shapes (T, k_i, k_i)
        Control-cost matrices :math:`R_t^i`.
    W : array_like, shape=(d, d)
        Covariance of the noise :math:`w_t` (PSD; ``0`` gives deterministic dynamics).
    x0 : GaussianState or DiscreteState
        Distribution of the initial state.

    Raises
    ------
    LQGameError
        (a ``ValueError``) naming the argument, player and time index of the first bad entry:
        wrong shapes, non-finite entries, non-symmetric or not positive definite Q or R
        (Assumption 2.1), W not positive semi-definite.

    Notes
    -----
    The object is immutable; its arrays are read-only. Players are indexed from 0.
    """

    def __init__(self, A, B: Sequence, Q: Sequence, R: Sequence, W, x0):
        A = _as_float_array(A, "A")
        if A.ndim != 3 or A.shape[1] != A.shape[2] or A.shape[0] < 1 or A.shape[1] < 1:
            raise LQGameError(f"A must have shape (T, d, d) with T, d >= 1; got {A.shape}")
        T, d = A.shape[0], A.shape[1]
        _check_finite(A, "A", timed=True)

        B, Q, R = (self._as_player_list(v, name) for v, name in ((B, "B"), (Q, "Q"), (R, "R")))
        N = len(B)
        if N == 0:
            raise LQGameError("B must hold at least one player's control matrices")
        for name, seq in (("Q", Q), ("R", R)):
            if len(seq) != N:
                raise LQGameError(f"{name} has {len(seq)} players but B has {N}")

        Bs, Qs, Rs, k = [], [], [], []
        for i in range(N):
            b = _as_float_array(B[i], "B", i)
            if b.ndim != 3 or b.shape[:2] != (T, d) or b.shape[2] < 1:
                raise LQGameError(
                    f"{_where('B', i)} must have shape (T, d, k_{i}) = ({T}, {d}, k) with k >= 1;"
                    f" got {b.shape}"
                )
            k.append(b.shape[2])
            q = _as_float_array(Q[i], "Q", i)
            _check_shape(q, (T + 1, d, d), "Q", i, "(T+1, d, d): index T is the terminal cost")
            r = _as_float_array(R[i], "R", i)
            _check_shape(r, (T, k[i], k[i]), "R", i, f"(T, k_{i}, k_{i})")
            for name, arr in (("B", b), ("Q", q), ("R", r)):
                _check_finite(arr, name, i, timed=True)
            for name, arr in (("Q", q), ("R", r)):
                _check_symmetric(arr, name, i, timed=True)
                _check_definite(arr, name, i, timed=True, why="Assumption 2.1")
            Bs.append(_freeze(b))
            Qs.append(_freeze(q))
            Rs.append(_freeze(r))

        W = _as_float_array(W, "W")
        _check_shape(W, (d, d), "W")
        _check_finite(W, "W")
        _check_symmetric(W, "W")
        _check_definite(W, "W", strict=False)

        if not isinstance(x0, (GaussianState, DiscreteState)):
            raise LQGameError(
                f"x0 must be a GaussianState or DiscreteState; got {type(x0).__name__}"
            )
        if x0.d != d:
            raise LQGameError(f"x0 has dimension {x0.d} but the state has d = {d}")

        self._A = _freeze(A)
        self._B = tuple(Bs)
        self._Q = tuple(Qs)
        self._R = tuple(Rs)
        self._W = _freeze(W)
        self._x0 = x0
        self._k = tuple(k)

    @staticmethod
    def _as_player_list(value, name: str) -> list:
        if isinstance(value, np.ndarray) and value.dtype != object:
            # a single array stacks the players along axis 0 (only possible for equal k_i)
            return list(value) if value.ndim == 4 else [value]
        try:
            return list(value)
        except TypeError:
            raise LQGameError(f"{name} must be a sequence with one array per player") from None

    @classmethod
    def time_invariant(cls, A, B: Sequence, Q: Sequence, R: Sequence, W, x0, T: int,
                       Q_T: Sequence | None = None) -> "LQGame":
        """A game whose matrices do not depend on t.

        Parameters
        ----------
        A : array_like, shape=(d, d)
        B : sequence of N array_like, shapes (d, k_i)
        Q : sequence of N array_like, shapes (d, d)
            Running state costs; also the terminal costs unless ``Q_T`` is given.
        R : sequence of N array_like, shapes (k_i, k_i)
        W : array_like, shape=(d, d)
        x0 : GaussianState or DiscreteState
        T : int
            Horizon, at least 1.
        Q_T : sequence of N array_like, shapes (d, d), optional
            Terminal costs :math:`Q_T^i`.
        """
        if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
            raise LQGameError(f"T must be a positive integer; got {T!r}")
        T = int(T)
        Q_T = Q if Q_T is None else Q_T

        def repeat(m, n, name, i=None):
            m = _as_float_array(m, name, i)
            if m.ndim != 2:
                raise LQGameError(f"{_where(name, i)} must be a matrix; got shape {m.shape}")
            return np.broadcast_to(m, (n, *m.shape))

        B, Q, R, Q_T = (cls._as_player_list(v, n) for v, n in
                        ((B, "B"), (Q, "Q"), (R, "R"), (Q_T, "Q_T")))
        if len(Q_T) != len(Q):
            raise LQGameError(f"Q_T has {len(Q_T)} players but Q has {len(Q)}")
        return cls(
            repeat(A, T, "A"),
            [repeat(b, T, "B", i) for i, b in enumerate(B)],
            [np.concatenate([repeat(q, T, "Q", i), repeat(qT, 1, "Q_T", i)])
             for i, (q, qT) in enumerate(zip(Q, Q_T))],
            [repeat(r, T, "R", i) for i, r in enumerate(R)],
            W, x0,
        )

    # -- read-only views -------------------------------------------------
    A = property(lambda self: self._A, doc="Transition matrices, shape (T, d, d).")
    B = property(lambda self: self._B, doc="Control matrices, tuple of N arrays (T, d, k_i).")
    Q = property(lambda self: self._Q, doc="State costs, tuple of N arrays (T+1, d, d).")
    R = property(lambda self: self._R, doc="Control costs, tuple of N arrays (T, k_i, k_i).")
    W = property(lambda self: self._W, doc="Noise covariance, shape (d, d).")
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
        if hasattr(self, "_k"):
            raise AttributeError("LQGame is immutable")
        object.__setattr__(self, name, value)

    def with_noise(self, W) -> "LQGame":
        """The same game with noise covariance ``W`` (validated like the constructor's)."""
        return LQGame(self._A, self._B, self._Q, self._R, W, self._x0)

    # -- stacked views used by the vectorised algorithms -----------------------
    @cached_property
    def slices(self) -> tuple[slice, ...]:
        """Row ranges of each player's block in the stacked control of size sum(k)."""
        ends = np.cumsum(self._k)
        return tuple(slice(int(e - k), int(e)) for e, k in zip(ends, self._k))

    @cached_property
    def B_stacked(self) -> np.ndarray:
        r""":math:`[B_t^1, \dots, B_t^N]`, shape (T, d, sum(k))."""
        return _freeze(np.concatenate(self._B, axis=-1))

    @cached_property
    def R_block(self) -> np.ndarray:
        r"""Block-diagonal :math:`\operatorname{diag}(R_t^1, \dots, R_t^N)`, shape (T, sum(k), sum(k))."""
        k = sum(self._k)
        out = np.zeros((self.T, k, k))
        for s, r in zip(self.slices, self._R):
            out[:, s, s] = r
        return _freeze(out)

    @cached_property
    def Q_stacked(self) -> np.ndarray:
        """Players' state costs stacked, shape (N, T+1, d, d)."""
        return _freeze(np.stack(self._Q))

    @cached_property
    def player_mask(self) -> np.ndarray:
        """``mask[i, j]`` is 1 where row ``j`` of the stacked control belongs to player ``i``; (N, sum(k))."""
        mask = np.zeros((self.N, sum(self._k)))
        for i, s in enumerate(self.slices):
            mask[i, s] = 1.0
        return _freeze(mask)

    @cached_property
    def W_factor(self) -> np.ndarray:
        """``F`` with ``F F^T = W``, for sampling the noise; shape (d, d)."""
        return _freeze(psd_factor(self._W))

    # -- assumptions -----------------------------------------------------
    def check_assumptions(self) -> AssumptionReport:
        """Report which of Assumptions 2.1, 2.2 and the condition of Remark 2.4 hold; never raises.

        Assumption 2.1 is enforced at construction, so it always holds for an ``LQGame``;
        it is reported for completeness. Remark 2.4 is checked on the block matrices
        :math:`\\Phi_t` built along the backward recursion (2.4)-(2.5).
        """
        from .equilibrium import phi_condition_numbers

        def pd(m):
            return bool(np.linalg.eigvalsh(m)[0] > 1e-12 * _scale(m))

        cond = phi_condition_numbers(self)
        return AssumptionReport(
            assumption_2_1=True,
            x0_gaussian=isinstance(self._x0, GaussianState),
            x0_second_moment_pd=pd(self._x0.second_moment),
            W_pd=pd(self._W),
            remark_2_4=bool(np.all(np.isfinite(cond))),
            phi_condition=cond,
        )
