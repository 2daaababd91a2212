r"""Verdict rules as data: conditions on measured values with their thresholds, decided by intervals.

A claim's rule is two :class:`Condition`\ s, one for *reproduced* and one for *partly*. A condition
compares a measured value with a threshold, and the measured value carries a 95 % interval
(:mod:`lqg.experiments.measures`), so a comparison has three outcomes:

* **true** when the whole interval lies on the true side of the threshold;
* **false** when the whole interval lies on the false side;
* **unknown** when the interval straddles the threshold.

Conditions combine with ``&``, ``|`` and ``~`` in Kleene's three-valued logic (false and anything
is false, true or anything is true). A verdict follows (:func:`decide`): ✔ *reproduced* when the
*reproduced* condition is true; ◐ *partly* when it is false and the *partly* condition true; ✘
*not reproduced* when both are false; and otherwise *borderline*, with the verdicts the interval
leaves possible. So a verdict that is not borderline cannot change on another batch of seeds unless
one of the two 95 % intervals misses its true value.

Every condition describes itself (:meth:`Condition.describe`), thresholds included, and the report
prints the rule next to each claim.

The book's convention for a claim about what the algorithm does at a setting, where the paper shows
one run (:data:`MOST`, :data:`SOME`): **reproduced** when it happens in at least 80 % of the runs (four
readers in five who rerun the setting see what the paper shows), **partly** when in at least 10 %
(one in ten) but not 80 %, **not reproduced** when in fewer than 10 %. A comparison ("noise helps",
"the peak diminishes", "the larger radius is slower") is an effect (:func:`exceeds`) of at least
10 points, the smallest change of a share that counts: present when the interval of the
difference lies at or above 10 points (0.6 for the probability that one run takes longer than
another), absent when it lies below, borderline when it straddles.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..experiments.measures import NOT_MEASURED, interval_of

__all__ = ["Condition", "MOST", "SOME", "at_least", "at_most", "above", "below", "exceeds", "less",
           "holds", "every", "some", "more_likely", "decide", "Truth"]

#: The share of runs that "most runs" means, at least (the threshold of *reproduced*).
MOST = 0.8
#: The share of runs that "some runs" means, at least (the threshold of *partly*); also the
#: smallest change of a share, in points, that counts as a change.
SOME = 0.1


class Truth(enum.Enum):
    """Kleene's three truth values."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    def __and__(self, other: Truth) -> Truth:
        if Truth.FALSE in (self, other):
            return Truth.FALSE
        return Truth.TRUE if self is other is Truth.TRUE else Truth.UNKNOWN

    def __or__(self, other: Truth) -> Truth:
        if Truth.TRUE in (self, other):
            return Truth.TRUE
        return Truth.FALSE if self is other is Truth.FALSE else Truth.UNKNOWN

    def __invert__(self) -> Truth:
        return {Truth.TRUE: Truth.FALSE, Truth.FALSE: Truth.TRUE}.get(self, Truth.UNKNOWN)

    def __bool__(self):
        raise TypeError("a Truth is three-valued: combine it with & | ~, not and/or/not")

    @classmethod
    def of(cls, flag: bool) -> Truth:
        return cls.TRUE if flag else cls.FALSE


@dataclass(frozen=True)
class Condition:
    """A condition on measured values: ``test(values) -> Truth`` and its description."""

    test: Callable[[Mapping], Truth]
    text: str

    def evaluate(self, values: Mapping) -> Truth:
        return self.test(values)

    def describe(self) -> str:
        """The condition in words, as the claims table prints it."""
        return self.text

    def __and__(self, other: Condition) -> Condition:
        return Condition(lambda v: self.test(v) & other.test(v), f"{self.text} and {other.text}")

    def __or__(self, other: Condition) -> Condition:
        return Condition(lambda v: self.test(v) | other.test(v), f"({self.text} or {other.text})")

    def __invert__(self) -> Condition:
        return Condition(lambda v: ~self.test(v), f"not ({self.text})")


ALWAYS = Condition(lambda v: Truth.TRUE, "always")
NEVER = Condition(lambda v: Truth.FALSE, "never")


def _shown(threshold: float, percent: bool) -> str:
    if percent:
        return f"{100 * threshold:g} %"
    return f"{threshold:g}"


class NotMeasured(Exception):
    """A rule read a quantity whose setting was not run at these parameters."""


def _get(values: Mapping, name: str):
    if name not in values:
        raise KeyError(f"the rule reads {name!r}, which was not measured")
    value = values[name]
    if value is NOT_MEASURED or (isinstance(value, (list, tuple))
                                 and any(v is NOT_MEASURED for v in value)):
        raise NotMeasured(name)
    return value


def _compare(name: str, threshold: float, what: str, symbol: str, decide_true, decide_false,
             percent: bool | None) -> Condition:
    def test(values):
        low, high = interval_of(_get(values, name))
        if decide_true(low, high):
            return Truth.TRUE
        if decide_false(low, high):
            return Truth.FALSE
        return Truth.UNKNOWN

    shown = _shown(threshold, percent if percent is not None else 0 <= threshold <= 1)
    return Condition(test, f"{what or name} {symbol} {shown}")


def at_least(name: str, threshold: float, what: str = "", percent: bool | None = None) -> Condition:
    """``values[name] >= threshold``: true when the interval's low end is, false when its high end
    is below."""
    return _compare(name, threshold, what, ">=", lambda lo, hi: lo >= threshold,
                    lambda lo, hi: hi < threshold, percent)


def above(name: str, threshold: float, what: str = "", percent: bool | None = None) -> Condition:
    """``values[name] > threshold``."""
    return _compare(name, threshold, what, ">", lambda lo, hi: lo > threshold,
                    lambda lo, hi: hi <= threshold, percent)


def at_most(name: str, threshold: float, what: str = "", percent: bool | None = None) -> Condition:
    """``values[name] <= threshold``."""
    return _compare(name, threshold, what, "<=", lambda lo, hi: hi <= threshold,
                    lambda lo, hi: lo > threshold, percent)


def below(name: str, threshold: float, what: str = "", percent: bool | None = None) -> Condition:
    """``values[name] < threshold``."""
    return _compare(name, threshold, what, "<", lambda lo, hi: hi < threshold,
                    lambda lo, hi: lo >= threshold, percent)


def exceeds(name: str, baseline: float = 0.0, margin: float = SOME, what: str = "") -> Condition:
    """An effect of at least ``margin`` over ``baseline``: true when the interval's low end is at
    or above ``baseline + margin``, false when its high end is below it, unknown otherwise. One
    threshold for both sides, so that two runs can decide differently only if one of their
    intervals misses the true value; an effect smaller than ``margin`` (the convention's smallest
    change that counts, :data:`SOME`) counts as absent."""
    threshold = baseline + margin

    def test(values):
        low, high = interval_of(_get(values, name))
        if low >= threshold:
            return Truth.TRUE
        if high < threshold:
            return Truth.FALSE
        return Truth.UNKNOWN

    return Condition(test, f"{what or name} >= {threshold:g} (an effect of at least {margin:g} "
                           f"over {baseline:g})")


def less(name: str, other: str, what: str = "") -> Condition:
    """``values[name] < values[other]`` for two measured values (a statistic below the bound the
    notebook computed for it, say): true when the intervals lie apart in that order, false when
    the first lies at or above the second throughout."""
    def test(values):
        a_low, a_high = interval_of(_get(values, name))
        b_low, b_high = interval_of(_get(values, other))
        if a_high < b_low:
            return Truth.TRUE
        if a_low >= b_high:
            return Truth.FALSE
        return Truth.UNKNOWN

    return Condition(test, what or f"{name} < {other}")


def holds(name: str, what: str = "") -> Condition:
    """An exact yes/no measurement (a computed fact, not an estimate)."""
    return Condition(lambda v: Truth.of(bool(_get(v, name))), what or name)


def every(condition: Callable[[str], Condition], name: str, what: str = "") -> Condition:
    """``condition`` holds for every entry of the list ``values[name]``.

    ``condition`` builds the condition of one entry from its name, e.g.
    ``every(lambda x: at_least(x, 0.9), "diverged")``."""
    return _over(condition, name, what, all_of=True)


def some(condition: Callable[[str], Condition], name: str, what: str = "") -> Condition:
    """``condition`` holds for some entry of the list ``values[name]``."""
    return _over(condition, name, what, all_of=False)


def more_likely(name: str, what: str = "") -> dict:
    """The rule of a comparison measured as one probability of superiority per level (the list
    ``values[name]`` of :class:`~lqg.experiments.measures.Exceedance`): *reproduced* when it
    :func:`exceeds` 0.5 at every level, *partly* at some. The keyword arguments of a
    :class:`~lqg.reproduction.claims.Claim`: ``Claim(..., **more_likely("slower", what))``."""
    return {"reproduced": every(lambda x: exceeds(x, 0.5), name, what),
            "partly": some(lambda x: exceeds(x, 0.5), name, what)}


def _over(condition, name: str, what: str, all_of: bool) -> Condition:
    inner = condition("_entry")

    def test(values):
        entries = _get(values, name)
        if not entries:
            return Truth.FALSE if not all_of else Truth.TRUE
        result = Truth.TRUE if all_of else Truth.FALSE
        for entry in entries:
            truth = inner.test({**values, "_entry": entry})
            result = (result & truth) if all_of else (result | truth)
        return result

    text = inner.describe().replace("_entry", what or name)
    return Condition(test, f"{'every' if all_of else 'some'} {text}")


#: The verdicts, best first; *borderline* is not a ranking (no interval decides), and *not measured*
#: is given where the notebook's parameters did not run the claim's setting.
VERDICTS = ("reproduced", "partly", "not reproduced", "borderline", "not measured")


def decide(reproduced: Condition, partly: Condition, values: Mapping) -> tuple[str, tuple]:
    """The verdict of a rule on measured ``values`` and, for *borderline*, the verdicts still
    possible (module docstring); *not measured* when the rule reads a quantity the notebook's
    parameters did not measure."""
    try:
        r = reproduced.evaluate(values)
        p = partly.evaluate(values)
    except NotMeasured:
        return "not measured", ()
    if r is Truth.TRUE:
        return "reproduced", ()
    if r is Truth.FALSE and p is Truth.TRUE:
        return "partly", ()
    if r is Truth.FALSE and p is Truth.FALSE:
        return "not reproduced", ()
    possible = tuple(v for v, ok in (("reproduced", r is not Truth.FALSE),
                                     ("partly", p is not Truth.FALSE),
                                     ("not reproduced", p is not Truth.TRUE)) if ok)
    return "borderline", possible

