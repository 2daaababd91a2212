"""The one validation layer: every public function checks its arguments here.

Each check either returns the argument in a canonical form or raises :class:`LQGameError` (a
``ValueError``) whose message names the argument and, where it applies, the player and the time
index at fault. Randomness has one convention everywhere: a ``seed`` is a non-negative int, a
``numpy.random.SeedSequence`` or a ``numpy.random.Generator`` (:func:`generator`); where a batch of
runs each need their own stream, a sequence of such seeds, one per run, is accepted too
(:func:`run_generators`).
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Sequence

import numpy as np

__all__ = ["LQGameError"]


class LQGameError(ValueError):
    """Invalid input: the message names the argument, the player and the time index at fault."""


class NotAnEquilibriumError(LQGameError):
    r"""A player's second-order condition fails: the solution of the first-order conditions is not a
    Nash equilibrium, and there is nothing to measure against.

    Player ``player``'s problem is not convex in its own control at time ``t``: the smallest
    eigenvalue ``margin`` of :math:`R_t^i + (B_t^i)^\top P_{t+1}^{i} B_t^i` is not positive, so
    that player's cost is unbounded below (or flat) along some control. ``t`` is None for the
    stationary (infinite-horizon) game.

    The functions that measure against the equilibrium (the algorithms without ``nash``,
    ``normalized_error``, ``best_response``, the stationary solver) raise it; each takes
    ``require_equilibrium=False`` to go on anyway, and then says so in what it returns.
    """

    def __init__(self, player: int, t: int | None, margin: float, what: str = ""):
        self.player, self.t, self.margin = player, t, margin
        at = f"at t={t}" if t is not None else "in the stationary game"
        super().__init__(
            f"player {player}'s second-order condition fails {at}: the smallest eigenvalue of "
            f"R_t^i + B_t^i' P_t+1^i B_t^i is {margin:.3g} <= 0, so player {player}'s cost is "
            "unbounded below in its own control and the solution of (2.4) is not a Nash "
            f"equilibrium{what}; pass require_equilibrium=False to go on anyway")


def where(name: str, player: int | None = None, t: int | None = None) -> str:
    """``"Q[1][3] (player 1, t=3)"``: an argument's label with the player and time at fault."""
    label = name + (f"[{player}]" if player is not None else "") + (f"[{t}]" if t is not None else "")
    details = ([f"player {player}"] if player is not None else []) + ([f"t={t}"] if t is not None else [])
    return label + (f" ({', '.join(details)})" if details else "")


# ---------------------------------------------------------------------------
# scalars


def is_integer(value) -> bool:
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_real(value) -> bool:
    return isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(
        value, (bool, np.bool_))


def positive_int(value, name: str, minimum: int = 1) -> int:
    """``value`` as an int ``>= minimum``."""
    if not is_integer(value) or value < minimum:
        wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise LQGameError(f"{name} must be {wanted}; got {value!r}")
    return int(value)


def horizon(value, d: int, N: int) -> int:
    """``value`` as a horizon T >= 1 whose game (state dimension d, N players) fits in this machine's
    memory, refused before anything is allocated (NumPy would raise a bare MemoryError)."""
    T = positive_int(value, "T")
    need = 8 * (T + 1) * d * d * (N + 2)             # bytes of A_t, W_t and every Q_t^i alone
    try:
        have = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):     # no sysconf (Windows): left to NumPy
        return T
    if need > have:
        raise LQGameError(f"T = {T} is too long for d = {d} and N = {N}: the game's matrices A_t, W_t "
                          f"and Q_t^i alone would need {need / 1e9:.3g} GB of memory, and this "
                          f"machine has {have / 1e9:.3g} GB")
    return T


def number(value, name: str, low: float = -np.inf, high: float = np.inf, *,
           open_low: bool = False, open_high: bool = False) -> float:
    """``value`` as a finite float in the interval ``(low|[low, high)|high]``."""
    if not is_real(value):
        raise LQGameError(f"{name} must be a number; got {value!r}")
    value = float(value)
    above = value > low if open_low else value >= low
    below = value < high if open_high else value <= high
    if not (np.isfinite(value) and above and below):
        raise LQGameError(f"{name} must be {_interval(low, high, open_low, open_high)}; got {value!r}")
    return value


def _interval(low: float, high: float, open_low: bool, open_high: bool) -> str:
    """The set of finite numbers (low|[low, high)|high] in words."""
    if high == np.inf:
        if low == -np.inf:
            return "a finite number"
        if low == 0:
            return "a positive number" if open_low else "a non-negative number"
        return f"a number greater than {low:g}" if open_low else f"a number of at least {low:g}"
    if low == -np.inf:
        return f"a number less than {high:g}" if open_high else f"a number of at most {high:g}"
    lo, hi = ("(" if open_low else "["), (")" if open_high else "]")
    return f"a number in {lo}{low:g}, {high:g}{hi}"


def flag(value, name: str, *, allow_none: bool = False) -> bool | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, (bool, np.bool_)):
        raise LQGameError(f"{name} must be True{', False or None' if allow_none else ' or False'}; "
                          f"got {value!r}")
    return bool(value)


def choice(value, options: Sequence[str], name: str) -> str:
    if not isinstance(value, str) or value not in options:
        raise LQGameError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def per_player(value, N: int, name: str, *, allow_zero: bool = False) -> np.ndarray:
    """A positive (or non-negative) finite scalar or one per player, as an array of shape (N,)."""
    kind = "non-negative" if allow_zero else "positive"
    array = real_array(value, name, scalar_or_vector=True)

    def ok(v):
        return np.isfinite(v) and (v >= 0 if allow_zero else v > 0)

    if array.ndim == 0:
        if not ok(array):
            raise LQGameError(f"{name} must be {kind} and finite; got {float(array)!r}")
        return np.full(N, float(array))
    if array.shape != (N,):
        raise LQGameError(f"{name} must be a scalar or a sequence with one value per player "
                          f"(N = {N}); got shape {array.shape}")
    for i, v in enumerate(array):
        if not ok(v):
            raise LQGameError(f"{where(name, i)} must be {kind} and finite; got {float(v)!r}")
    return array


# ---------------------------------------------------------------------------
# arrays


def real_array(value, name: str, player: int | None = None, *,
               scalar_or_vector: bool = False, copy: bool = False) -> np.ndarray:
    """``value`` as a float array (a copy with ``copy``); refuses strings, booleans, complex and
    object arrays."""
    if isinstance(value, (str, bytes)) or (scalar_or_vector and isinstance(value, (bool, np.bool_))):
        raise LQGameError(f"{where(name, player)} must be numeric; got {value!r}")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise LQGameError(f"{where(name, player)} is not a numeric array: {exc}") from None
    if raw.dtype.kind == "c":
        raise LQGameError(f"{where(name, player)} is complex; the game's data must be real")
    if raw.dtype.kind not in "biuf":
        raise LQGameError(f"{where(name, player)} must be a real numeric array; got dtype "
                          f"{raw.dtype} ({type(value).__name__})")
    return raw.astype(float, copy=copy)


def check_shape(array: np.ndarray, shape: tuple, name: str, player: int | None = None,
                meaning: str = "") -> None:
    if array.shape != shape:
        hint = f" {meaning}" if meaning else ""
        raise LQGameError(f"{where(name, player)} must have shape {shape}{hint}; got {array.shape}")


def check_finite(array: np.ndarray, name: str, player: int | None = None, timed: bool = False) -> None:
    bad = ~np.isfinite(array)
    if bad.any():
        t = int(np.argwhere(bad)[0][0]) if timed else None
        raise LQGameError(f"{where(name, player, t)} has non-finite entries")


def scale(array: np.ndarray) -> np.ndarray:
    """Per-matrix magnitude used for relative tolerances, shape ``array.shape[:-2]``."""
    return np.maximum(np.abs(array).max(axis=(-1, -2), initial=0.0), 1.0)


def check_symmetric(array: np.ndarray, name: str, player: int | None = None,
                    timed: bool = False) -> None:
    asym = np.abs(array - np.swapaxes(array, -1, -2)).max(axis=(-1, -2), initial=0.0)
    bad = np.atleast_1d(asym > 1e-10 * scale(array))
    if np.any(bad):
        t = int(np.argmax(bad)) if timed else None
        raise LQGameError(f"{where(name, player, t)} is not symmetric "
                          f"(largest asymmetry {float(np.max(asym)):.3g})")


def smallest_eigenvalues(array: np.ndarray) -> np.ndarray:
    """The smallest eigenvalue of each symmetric matrix in a stack, shape ``array.shape[:-2]``."""
    return np.linalg.eigvalsh(array)[..., 0]


def check_psd(array: np.ndarray, name: str, player: int | None = None, timed: bool = False,
              why: str = "") -> None:
    """Positive semi-definite up to rounding (a covariance cannot be negative)."""
    eig = np.atleast_1d(smallest_eigenvalues(array))
    bad = eig < -1e-12 * np.atleast_1d(scale(array))
    if np.any(bad):
        index = int(np.argmax(bad))
        t = index if timed else None
        raise LQGameError(f"{where(name, player, t)} is not positive semi-definite (smallest "
                          f"eigenvalue {float(eig[index]):.3g})" + (f"; {why}" if why else ""))


def frozen(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array


# ---------------------------------------------------------------------------
# randomness: one seed convention


_SEED_FORMS = "a non-negative int, a numpy.random.SeedSequence or a numpy.random.Generator"


def seed_sequence(seed, name: str = "seed") -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if is_integer(seed) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    raise LQGameError(f"{name} must be {_SEED_FORMS}; got {seed!r}")


def generator(seed, name: str = "seed") -> np.random.Generator:
    """One random stream from ``seed`` (int, SeedSequence or Generator; a Generator is used as is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed_sequence(seed, name))


def run_generators(seed, n_runs: int, name: str = "seed") -> list:
    """One independent Generator per run of a batch.

    From an int or ``SeedSequence``, run j draws from child j, the stream
    ``SeedSequence(seed).spawn(n_runs)[j]`` would give (the ``SeedSequence`` is not mutated, so the
    same seed always gives the same numbers); from a ``Generator``, from the children of its
    ``spawn`` (advancing it); from a sequence of ``n_runs`` seeds, run j uses element j as is.
    A run's stream therefore does not depend on the batch around it.
    """
    if isinstance(seed, (list, tuple, np.ndarray)):
        if len(seed) != n_runs:
            raise LQGameError(f"{name} is a sequence of {len(seed)} seeds but there are {n_runs} "
                              "runs (one seed per batch entry is needed)")
        return [generator(s, f"{name}[{j}]") for j, s in enumerate(seed)]
    if isinstance(seed, np.random.Generator):
        return seed.spawn(n_runs)
    root = seed_sequence(seed, name)
    return [np.random.default_rng(np.random.SeedSequence(
        root.entropy, spawn_key=root.spawn_key + (j,), pool_size=root.pool_size))
        for j in range(n_runs)]


# ---------------------------------------------------------------------------
# the game's own objects


class GameData:
    """Base class of :class:`~lqg.model.LQGame`: lets this layer recognise a game without importing
    the model (which imports this layer)."""


def game(value, name: str = "game"):
    if not isinstance(value, GameData):
        raise LQGameError(f"{name} must be an LQGame; got {type(value).__name__}")
    return value


def nash_of(game, nash, name: str = "nash"):
    """``nash`` if it was solved for ``game`` (or for a game with the same data); None stays None."""
    if nash is None:
        return None
    fingerprint = getattr(nash, "game_fingerprint", None)
    if fingerprint is None:
        raise LQGameError(f"{name} must be a NashSolution or None; got {type(nash).__name__}")
    if fingerprint != game.fingerprint:
        raise LQGameError(f"{name} was solved for another game ({nash.game_repr}); this game is "
                          f"{game!r}: solve it with lqg.solve_nash(game)")
    return nash


def policy(game, K, name: str = "K", *, batch: bool = True) -> np.ndarray:
    """Validate a joint policy and stack it by rows: shape ``(*batch, T, sum(k), d)``.

    ``K`` holds one array per player of shape ``(*batch, T, k_i, d)``; the players' batch shapes
    must broadcast. With ``batch=False`` no batch dimensions are allowed.
    """
    if isinstance(K, np.ndarray) or not isinstance(K, Sequence) or isinstance(K, str):
        raise LQGameError(f"{name} must be a tuple of {game.N} arrays (one per player) of shapes "
                          f"(*batch, T, k_i, d); got {type(K).__name__}")
    if len(K) != game.N:
        raise LQGameError(f"{name} has {len(K)} players' policies but the game has N = {game.N}")
    arrays = []
    for i, Ki in enumerate(K):
        Ki = real_array(Ki, name, i)
        want = (game.T, game.k[i], game.d)
        if Ki.ndim < 3 or Ki.shape[-3:] != want:
            raise LQGameError(f"{where(name, i)} must have shape (*batch, T, k_{i}, d) = "
                              f"(*batch, {want[0]}, {want[1]}, {want[2]}); got {Ki.shape}")
        bad = ~np.isfinite(Ki)
        if bad.any():
            t = int(np.argwhere(bad)[0][-3])
            raise LQGameError(f"{where(name, i, t)} has non-finite entries")
        if not batch and Ki.ndim != 3:
            raise LQGameError(f"{where(name, i)} must be a single policy of shape (T, k_{i}, d) = "
                              f"{want}, without batch dimensions; got {Ki.shape}")
        arrays.append(Ki)
    try:
        shape = np.broadcast_shapes(*(a.shape[:-3] for a in arrays))
    except ValueError:
        shapes = ", ".join(str(a.shape[:-3]) for a in arrays)
        raise LQGameError(f"{name}: the players' batch shapes {shapes} do not broadcast") from None
    return np.concatenate([np.broadcast_to(a, shape + a.shape[-3:]) for a in arrays], axis=-2)


def player_index(value, N: int, name: str = "player") -> int:
    if not is_integer(value) or not 0 <= value < N:
        raise LQGameError(f"{name} must be an integer in 0..{N - 1} (players are indexed from 0); "
                          f"got {value!r}")
    return int(value)
