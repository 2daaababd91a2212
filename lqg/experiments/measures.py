r"""Measurements with their uncertainty: the numbers a verdict reads, and how they print.

A verdict of this book reads an ensemble of runs, so what it reads is an estimate, and each
estimate here carries a 95 % interval:

* :class:`Proportion`: k of n runs; the Wilson score interval, which stays inside [0, 1] and is
  not degenerate at k = 0 or k = n (16 of 16 runs: 81-100 %);
* :class:`Median`: the median of per-run values with the distribution-free interval between two
  order statistics (the binomial interval of the median); it holds for any distribution, with
  infinite values (a diverged run's error) among them, and moves little when one run moves;
* :class:`Difference`: :math:`p_a - p_b` of two proportions, Newcombe's hybrid score interval
  (method 10 of Newcombe, 1998), built from the two Wilson intervals;
* :class:`Exceedance`: the probability that a run of one ensemble has a larger value than a run
  of another (ties count half; the area under the ROC curve, or Mann-Whitney's U / (n m)), with
  Hanley and McNeil's (1982) interval: "a run from the larger radius takes longer";
* :class:`Bound`: a quantity that is rounding noise (a best-response gap of 1e-16), which prints
  as the bound it meets ("below 1e-12"): its value differs from one CPU to the next.

Every measure has ``value``, ``low`` and ``high`` (an exact number is its own interval), prints
with the digits it has (:func:`significant`), and turns into plain JSON (its ``to_json``,
:func:`measure_json`) and back (:func:`from_json`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from statistics import NormalDist

import numpy as np

__all__ = ["Proportion", "Median", "Difference", "Exceedance", "Bound", "NOT_MEASURED",
           "proportion", "significant", "significants", "measure_json", "from_json"]

#: The level of every interval of the book.
LEVEL = 0.95
_Z = NormalDist().inv_cdf(0.5 + LEVEL / 2)             # 1.959963984540054


def significant(x: float, digits: int = 2) -> str:
    """``x`` with ``digits`` significant digits, without an exponent from 0.001 to 10^6, and
    integers as integers; ``inf`` and ``-inf`` as words."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if float(x).is_integer() and abs(x) < 1e6:
        return str(int(x))
    if x == 0:
        return "0"
    exponent = math.floor(math.log10(abs(x)))
    rounded = round(x, digits - 1 - exponent)
    if abs(rounded) >= 10.0 ** (exponent + 1):              # 0.0996 -> 0.10: one digit more
        exponent += 1
    if -3 <= exponent < 6:
        decimals = digits - 1 - exponent
        return str(int(round(x, decimals))) if decimals <= 0 else f"{round(x, decimals):.{decimals}f}"
    return f"{x:.{digits - 1}e}".replace("e-0", "e-").replace("e+0", "e")


def significants(values, digits: int = 2) -> str:
    """An array of estimates as ``[0.061, 0.17, 1.7]``: each with ``digits`` significant digits
    (:func:`significant`), the digits an estimate from a few hundred replications has."""
    return "[" + ", ".join(significant(float(v), digits) for v in np.ravel(values)) + "]"


def _percent_low(p: float) -> str:
    return f"{math.floor(100 * p + 1e-9):.0f}"


def _percent_high(p: float) -> str:
    return f"{math.ceil(100 * p - 1e-9):.0f}"


@dataclass(frozen=True)
class Proportion:
    """k of n runs, with the 95 % Wilson score interval ``(low, high)``."""

    k: int
    n: int

    def __post_init__(self):
        if not (0 <= self.k <= self.n) or self.n < 1:
            raise ValueError(f"a proportion needs 0 <= k <= n and n >= 1; got {self.k} of {self.n}")

    @property
    def value(self) -> float:
        return self.k / self.n

    @property
    def low(self) -> float:
        return _wilson(self.k, self.n)[0]

    @property
    def high(self) -> float:
        return _wilson(self.k, self.n)[1]

    def __format__(self, spec: str) -> str:
        """``"14/16 (64-97 %)"``; spec ``"k"`` gives ``"14/16"``, ``"%"`` the interval alone."""
        if spec == "k":
            return f"{self.k}/{self.n}"
        interval = f"{_percent_low(self.low)}-{_percent_high(self.high)} %"
        return interval if spec == "%" else f"{self.k}/{self.n} ({interval})"

    def __str__(self) -> str:
        return format(self)

    def to_json(self) -> dict:
        return {"k": self.k, "n": self.n}


def proportion(mask) -> Proportion:
    """The share of True entries of a boolean array (runs)."""
    mask = np.asarray(mask, dtype=bool).ravel()
    return Proportion(int(mask.sum()), int(mask.size))


def _wilson(k: int, n: int) -> tuple[float, float]:
    p, z2 = k / n, _Z * _Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def _median_ranks(n: int) -> tuple[int, int]:
    """0-based ranks (j, n - 1 - j) of the order statistics that bracket the median with coverage
    at least ``LEVEL``: the interval misses the median only when at most j of the n values lie on
    one side of it, so j is the largest with P(Binomial(n, 1/2) <= j - 1) <= (1 - LEVEL) / 2. For
    n <= 5 none exists and the interval is the range (coverage 1 - 2^(1-n))."""
    tail, below = 0.0, 0                     # tail = P(Binomial(n, 1/2) < below)
    while below < (n - 1) // 2:
        tail += math.comb(n, below) / 2.0 ** n
        if tail > (1 - LEVEL) / 2:
            break
        below += 1
    j = max(below - 1, 0)
    return j, n - 1 - j


@dataclass(frozen=True)
class Median:
    """The median of n per-run values and its 95 % interval between two order statistics."""

    value: float
    low: float
    high: float
    n: int
    integer: bool = False

    @classmethod
    def of(cls, values) -> Median:
        """From the per-run values (NaN not allowed: a diverged run's error is ``inf``)."""
        x = np.sort(np.asarray(values, dtype=float).ravel())
        if x.size == 0 or np.isnan(x).any():
            raise ValueError("a median needs at least one value and no NaN")
        lo, hi = _median_ranks(x.size)
        integer = bool(np.all(np.isinf(x) | (x == np.round(x))))
        return cls(float(np.median(x)), float(x[lo]), float(x[hi]), int(x.size), integer)

    def __format__(self, spec: str) -> str:
        """``"0.083 (0.071-0.10)"``: two significant digits (spec ``"3"`` for three); spec
        ``"value"`` gives the median alone."""
        digits = int(spec) if spec.isdigit() else 2
        value = significant(self.value, digits)
        if spec == "value":
            return value
        return f"{value} ({significant(self.low, digits)}-{significant(self.high, digits)})"

    def __str__(self) -> str:
        return format(self)

    def to_json(self) -> dict:
        return {"median": self.value, "low": self.low, "high": self.high, "n": self.n}


@dataclass(frozen=True)
class Difference:
    r""":math:`p_a - p_b` of two proportions with Newcombe's hybrid score interval."""

    a: Proportion
    b: Proportion

    @property
    def value(self) -> float:
        return self.a.value - self.b.value

    @property
    def low(self) -> float:
        return self.value - math.hypot(self.a.value - self.a.low, self.b.high - self.b.value)

    @property
    def high(self) -> float:
        return self.value + math.hypot(self.a.high - self.a.value, self.b.value - self.b.low)

    def __format__(self, spec: str) -> str:
        return (f"{self.a:k} - {self.b:k} = {100 * self.value:+.0f} points "
                f"({100 * self.low:+.0f} to {100 * self.high:+.0f})")

    def __str__(self) -> str:
        return format(self)

    def to_json(self) -> dict:
        return {"a": self.a.to_json(), "b": self.b.to_json()}


@dataclass(frozen=True)
class Exceedance:
    """The probability that a value of ``a`` exceeds a value of ``b`` (ties count half), from
    ``n_a`` and ``n_b`` per-run values, with Hanley and McNeil's 95 % interval (clipped to [0, 1]).
    Infinite values (runs that never get there) take part as the largest."""

    value: float
    n_a: int
    n_b: int

    @classmethod
    def of(cls, a, b) -> Exceedance:
        a = np.sort(np.asarray(a, dtype=float).ravel())
        b = np.sort(np.asarray(b, dtype=float).ravel())
        if not (a.size and b.size) or np.isnan(a).any() or np.isnan(b).any():
            raise ValueError("an exceedance needs values on both sides and no NaN")
        below = np.searchsorted(b, a, side="left")              # b values below each a value
        equal = np.searchsorted(b, a, side="right") - below
        return cls(float((below.sum() + 0.5 * equal.sum()) / (a.size * b.size)), a.size, b.size)

    @property
    def _half(self) -> float:
        p = self.value
        q1, q2 = p / (2 - p), 2 * p * p / (1 + p)
        var = (p * (1 - p) + (self.n_a - 1) * (q1 - p * p) + (self.n_b - 1) * (q2 - p * p))
        return _Z * math.sqrt(max(var, 0.0) / (self.n_a * self.n_b))

    @property
    def low(self) -> float:
        return max(0.0, self.value - self._half)

    @property
    def high(self) -> float:
        return min(1.0, self.value + self._half)

    def __format__(self, spec: str) -> str:
        """``"0.65 (0.58-0.73)"``; spec ``"value"`` gives the probability alone."""
        if spec == "value":
            return significant(self.value)
        return (f"{significant(self.value)} ({significant(self.low)}-"
                f"{significant(self.high)})")

    def __str__(self) -> str:
        return format(self)

    def to_json(self) -> dict:
        return {"exceeds": self.value, "n_a": self.n_a, "n_b": self.n_b}


class _NotMeasured:
    """The value of a quantity whose setting was not run at the notebook's parameters."""

    def __format__(self, spec: str) -> str:
        return "not measured"

    def __repr__(self) -> str:
        return "NOT_MEASURED"

    def to_json(self) -> str:
        return "not measured"


#: Stands for a quantity the notebook's parameters did not measure (its setting was not run). A
#: rule that reads it gives no verdict but "not measured at these parameters".
NOT_MEASURED = _NotMeasured()


@dataclass(frozen=True)
class Bound:
    """A rounding-noise quantity: ``value`` (what this CPU computed) and the ``bound`` it is
    expected to meet. Below the bound it prints as the bound ("below 1e-12"), the same text on
    every CPU, and its interval is (-bound, bound); above it, it prints (and compares) as the
    value itself, so that a rule reading it fails."""

    value: float
    bound: float

    @property
    def met(self) -> bool:
        return bool(abs(self.value) < self.bound)

    @property
    def low(self) -> float:
        return -self.bound if self.met else self.value

    @property
    def high(self) -> float:
        return self.bound if self.met else self.value

    def __format__(self, spec: str) -> str:
        if self.met:
            return f"below {significant(self.bound, 1)}"
        return f"{significant(self.value)} (above {significant(self.bound, 1)})"

    def __str__(self) -> str:
        return format(self)

    def to_json(self) -> dict:
        return {"value": self.value, "below": self.bound}


def interval_of(x) -> tuple[float, float]:
    """``(low, high)`` of a measure; an exact number is its own interval."""
    if isinstance(x, (Proportion, Median, Difference, Exceedance, Bound)):
        return x.low, x.high
    value = float(x)
    return value, value


def measure_json(value):
    """A measured value (a measure, a number, a path, or lists and dicts of them) as plain JSON:
    NumPy scalars and arrays as JSON types, non-finite floats as strings."""
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, Mapping):
        return {str(k): measure_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [measure_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return measure_json(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else str(float(value))
    if isinstance(value, PurePath):
        return str(value)
    return value


def from_json(value):
    """The inverse of :func:`measure_json` for the measures (plain values are returned as they
    are, with ``"inf"``, ``"-inf"`` and ``"nan"`` as floats)."""
    if isinstance(value, dict):
        keys = set(value)
        if keys == {"k", "n"}:
            return Proportion(value["k"], value["n"])
        if keys == {"median", "low", "high", "n"}:
            parts = [_number(value[k]) for k in ("median", "low", "high")]
            return Median(*parts, value["n"], all(math.isinf(p) or p == round(p) for p in parts))
        if keys == {"a", "b"}:
            return Difference(from_json(value["a"]), from_json(value["b"]))
        if keys == {"exceeds", "n_a", "n_b"}:
            return Exceedance(value["exceeds"], value["n_a"], value["n_b"])
        if keys == {"value", "below"}:
            return Bound(_number(value["value"]), _number(value["below"]))
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if value == "not measured":
        return NOT_MEASURED
    return _number(value) if value in ("inf", "-inf", "nan") else value


def _number(x) -> float:
    return float(x)


def flatten(values: Iterable) -> list:
    """Nested lists of measures as one list."""
    out = []
    for v in values:
        out.extend(flatten(v) if isinstance(v, (list, tuple)) else [v])
    return out
