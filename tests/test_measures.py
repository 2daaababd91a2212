"""Measurements with their uncertainty, and verdict rules decided by intervals, against independent
facts: SciPy's Wilson interval and binomial law, Newcombe's published example, Mann-Whitney's U."""

import math

import numpy as np
import pytest
from scipy import stats

from lqg.experiments import outcomes
from lqg.experiments.measures import (
    NOT_MEASURED,
    Bound,
    Difference,
    Exceedance,
    Median,
    Proportion,
    _median_ranks,
    from_json,
    measure_json,
    significant,
)
from lqg.reproduction import catalog
from lqg.reproduction.claims import evaluate
from lqg.reproduction.rules import Truth, at_least, below, decide, every, exceeds, holds, some


@pytest.mark.parametrize("k, n", [(0, 16), (3, 16), (14, 16), (16, 16), (88, 100), (1, 1)])
def test_wilson_interval_is_scipys(k, n):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    p = Proportion(k, n)
    assert p.low == pytest.approx(ci.low, abs=1e-12) and p.high == pytest.approx(ci.high, abs=1e-12)
    assert f"{p:k}" == f"{k}/{n}"


@pytest.mark.parametrize("n", [6, 7, 16, 40, 64, 100, 101, 1000])
def test_median_interval_covers_at_least_95_percent_and_is_the_tightest(n):
    lo, hi = _median_ranks(n)
    assert hi == n - 1 - lo
    coverage = stats.binom.cdf(hi, n, 0.5) - stats.binom.cdf(lo, n, 0.5)
    assert coverage >= 0.95
    if lo + 1 < hi:                    # one rank further in would cover less than 95 %
        assert stats.binom.cdf(hi - 1, n, 0.5) - stats.binom.cdf(lo + 1, n, 0.5) < 0.95


def test_median_handles_diverged_runs_and_one_moving_run():
    values = np.r_[np.arange(15.0), np.inf]
    m = Median.of(values)
    assert m.value == 7.5 and m.high < np.inf
    moved = values.copy()
    moved[14] = 14.5                  # a run outside the interval moves: the median does not
    assert format(Median.of(moved)) == format(m)
    assert Median.of([np.inf] * 5).value == np.inf
    with pytest.raises(ValueError, match="no NaN"):
        Median.of([1.0, np.nan])


def test_newcombe_difference_matches_the_published_example():
    """Newcombe (1998), Statistics in Medicine 17, 873-890, Table II, example (a): 56/70 - 48/80,
    method 10 (hybrid score): 0.0524 to 0.3339."""
    d = Difference(Proportion(56, 70), Proportion(48, 80))
    assert d.value == pytest.approx(0.2)
    assert d.low == pytest.approx(0.0524, abs=5e-5) and d.high == pytest.approx(0.3339, abs=5e-5)


def test_exceedance_is_mann_whitney_u_over_nm():
    rng = np.random.default_rng(3)
    a, b = rng.normal(0.5, 1, 60), rng.integers(0, 3, 40).astype(float)
    u = stats.mannwhitneyu(a, b).statistic
    e = Exceedance.of(a, b)
    assert e.value == pytest.approx(u / (60 * 40))
    assert e.low < e.value < e.high
    assert Exceedance.of([np.inf, np.inf], [1.0, 2.0]).value == 1.0


def test_numbers_print_with_the_digits_they_have():
    assert [significant(x) for x in (0.0828, 0.0996, 286.3, 120.0, 1.2345e-5, np.inf)] == \
        ["0.083", "0.10", "290", "120", "1.2e-5", "inf"]
    assert format(Bound(1.1e-16, 1e-12)) == format(Bound(3.0e-15, 1e-12)) == "below 1e-12"
    assert format(Bound(2e-12, 1e-12)) == "2.0e-12 (above 1e-12)"
    assert format(Proportion(14, 16)) == "14/16 (63-97 %)"


def test_measures_round_trip_through_json():
    values = {"p": Proportion(3, 7), "m": Median.of([1.0, 2.0, np.inf]), "x": [Proportion(0, 4)],
              "d": Difference(Proportion(1, 2), Proportion(0, 2)), "b": Bound(1e-17, 1e-12),
              "e": Exceedance.of([1.0, 2.0], [0.5]), "n": NOT_MEASURED, "f": float("inf")}
    again = from_json(measure_json(values))
    assert measure_json(again) == measure_json(values)


def test_three_valued_logic_and_the_verdicts_it_gives():
    t, f, u = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN
    assert (t & u) is u and (f & u) is f and (t | u) is t and (f | u) is u and ~u is u
    with pytest.raises(TypeError, match="three-valued"):
        bool(u)
    most, few = at_least("p", 0.8), at_least("p", 0.1)
    assert decide(most, few, {"p": Proportion(40, 40)}) == ("reproduced", ())
    assert decide(most, few, {"p": Proportion(20, 40)}) == ("partly", ())
    assert decide(most, few, {"p": Proportion(0, 40)}) == ("not reproduced", ())
    assert decide(most, few, {"p": Proportion(15, 16)}) == ("borderline", ("reproduced", "partly"))
    assert decide(most, few, {"p": Proportion(1, 16)}) == ("borderline", ("partly", "not reproduced"))
    # an exact value is its own interval
    assert decide(below("x", 1), holds("y"), {"x": 0.5, "y": False})[0] == "reproduced"


def test_an_effect_is_absent_below_its_margin():
    none_at_all = Difference(Proportion(0, 40), Proportion(0, 40))     # interval -9 to +9 points
    too_few = Difference(Proportion(0, 16), Proportion(0, 16))         # -19 to +19 points
    assert exceeds("d").evaluate({"d": none_at_all}) is Truth.FALSE
    assert exceeds("d").evaluate({"d": too_few}) is Truth.UNKNOWN
    assert exceeds("d").evaluate({"d": Difference(Proportion(12, 40), Proportion(0, 40))}) \
        is Truth.TRUE


def test_an_effect_has_one_threshold_so_two_runs_cannot_flip():
    """Two intervals that both hold the true effect can never give true and false: an effect
    below the margin is absent, however sure (a stability rerun found a flip when 'present' was
    read above no effect and 'absent' below the margin)."""
    def Interval(low, high):
        return Median((low + high) / 2, low, high, 100)

    small_but_sure = Interval(0.52, 0.58)                       # a probability of superiority
    assert exceeds("p", 0.5).evaluate({"p": small_but_sure}) is Truth.FALSE
    grid = np.linspace(0.3, 0.9, 25)
    for theta in grid:
        outcomes = {exceeds("p", 0.5).evaluate({"p": Interval(lo, hi)})
                    for lo in grid[grid <= theta] for hi in grid[grid >= theta]}
        assert not {Truth.TRUE, Truth.FALSE} <= outcomes, theta


def test_every_and_some_over_lists():
    values = {"ps": [Proportion(40, 40), Proportion(30, 40)]}
    assert every(lambda x: at_least(x, 0.8), "ps").evaluate(values) is Truth.UNKNOWN
    assert some(lambda x: at_least(x, 0.8), "ps").evaluate(values) is Truth.TRUE
    assert "every" in every(lambda x: at_least(x, 0.8), "ps", "share").describe()


def test_a_setting_not_run_gets_no_verdict():
    """Notebook 06 rerun without sigma^2 = 0.01: that claim is 'not measured', the others are
    judged (issue: a verdict computed from NaNs)."""
    class Run:
        def __init__(self, diverged):
            self.diverged = np.array(diverged)

    measured = outcomes._flat_7_8({0.0: {"diverged": Proportion(40, 40),
                                         "alive": Proportion(0, 40),
                                         "reached": Proportion(0, 40)}}, [0.0], [])
    values = {**measured, "accuracy": 0.05, "within": 300, "iterations": 500}
    verdicts = {v.key: v.verdict for v in evaluate(catalog.FIGURES_7_8, values)}
    assert verdicts["diverges-low-noise"] == "reproduced"
    assert verdicts["converges-0.01"] == verdicts["accuracy-0.1"] == "not measured"
    assert verdicts["figure-8"] == "not measured"
    assert math.isfinite(Proportion(40, 40).low)
