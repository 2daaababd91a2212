"""The notebooks' results against the committed reference (tests/reference), and proof that the
comparison sees a change of the science: a changed game, a changed threshold.

The comparison of a run's results needs the run: ``make test`` executes the notebooks, then runs
this file with ``--results outputs``. Without ``--results`` those tests are skipped (and say so);
the others always run, on the committed reference.
"""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

import lqg
from lqg import paper
from lqg.experiments.measures import from_json, measure_json
from lqg.reproduction import catalog
from lqg.reproduction.claims import evaluate
from lqg.reproduction.rules import at_least

from results_reference import REFERENCE, compare, compare_all, compare_results, reference_of

NOTEBOOKS = sorted(p.stem for p in REFERENCE.glob("*.json"))


def reference(name: str) -> dict:
    return json.loads((REFERENCE / f"{name}.json").read_text())


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_results_match_the_reference(name, request):
    folder = request.config.getoption("--results")
    if folder is None:
        pytest.skip("no run to compare: pass --results DIR (make test does)")
    path = Path(folder) / name / "results.json"
    assert path.exists(), f"{path} is missing: the notebook did not run, or not to its end"
    data = json.loads(path.read_text())
    assert data["at_paper_settings"], f"{name} did not run at the paper's settings"
    problems = compare_results(data, reference(name))
    assert not problems, f"{name} differs from tests/reference:\n" + "\n".join(problems)


def test_every_notebook_with_claims_has_a_reference():
    with_claims = set(catalog.BY_NOTEBOOK) | {"07_readings"}
    assert with_claims <= set(NOTEBOOKS)


def test_the_comparison_reads_counts_exactly_and_numbers_with_tolerance():
    ref = {"p": {"k": 14, "n": 16}, "x": 1.0, "noise": {"value": 1e-16, "below": 1e-12}}
    assert compare(ref, ref, {}) == []
    assert compare({**ref, "x": 1.0 + 1e-9}, ref, {}) == []               # last bits
    [line] = compare({**ref, "p": {"k": 15, "n": 16}}, ref, {})
    assert line == "p.k: 15 against 14 (compared exactly)"
    [line] = compare({**ref, "x": 1.001}, ref, {})
    assert line.startswith("x: 1.001 against 1.0 (rtol 1e-06, atol 1e-12; default)")
    assert compare({**ref, "x": 1.001}, ref, {"x": {"rtol": 0.01, "why": "an estimate"}}) == []
    # rounding noise: another CPU's value passes, as long as it meets the bound
    assert compare({**ref, "noise": {"value": 3e-15, "below": 1e-12}}, ref, {}) == []
    assert compare({**ref, "noise": {"value": 2e-12, "below": 1e-12}}, ref, {})


def test_a_notebook_that_did_not_run_is_a_difference(tmp_path):
    outputs, folder = tmp_path / "outputs", tmp_path / "reference"
    (outputs / "a").mkdir(parents=True)
    folder.mkdir()
    data = {"notebook": "a", "at_paper_settings": True, "x": 1.0}
    (outputs / "a" / "results.json").write_text(json.dumps(data))
    for name in ("a", "b"):
        (folder / f"{name}.json").write_text(json.dumps(reference_of({**data, "notebook": name})))
    found = compare_all(outputs, folder)
    assert found["a"] == []
    [line] = found["b"]
    assert line.startswith("no b/results.json") and "did not run" in line


def test_a_changed_game_fails_the_comparison():
    """Notebook 06 records the equilibrium of the Section 5.2 game; with A changed by 1e-3 the
    comparison names the quantity, the two values and the tolerance."""
    expected = reference("06_section_5_2_noise")["results"]

    def recorded(game):
        nash = lqg.solve_nash(game)
        return measure_json(dict(nash_costs=nash.costs, nash_K0=[K[0, 0] for K in nash.K]))

    game = paper.section_5_2(0.1)
    assert compare(recorded(game), expected, {}, "results") == []
    changed = lqg.LQGame(game.A + 1e-3, game.B, game.Q, game.R, game.W, game.x0)
    problems = compare(recorded(changed), expected, {}, "results")
    assert problems and any(p.startswith("results.nash_costs[0]: ") and "rtol 1e-06" in p
                            for p in problems)


def test_a_changed_threshold_fails_the_comparison():
    """The same measured values of notebook 06, judged with one threshold changed (the share of
    runs 'most' runs must reach), give a verdict the reference does not have."""
    data = reference("06_section_5_2_noise")
    values = {**from_json(data["measured"]), "accuracy": 0.05, "within": 300, "iterations": 500}
    claims = list(catalog.FIGURES_7_8)
    assert {v.key: v.label for v in evaluate(claims, values)} == {
        c.key: data["verdicts"][c.key] for c in claims}
    figure_8 = claims[-1]
    changed = dataclasses.replace(figure_8, partly=at_least("closer_hi", 0.95))
    verdicts = {v.key: v.label for v in evaluate([*claims[:-1], changed], values)}
    actual = {"notebook": "06", "claims": [], "verdicts": {}}
    problems = compare(verdicts, data["verdicts"], {}, "verdicts")
    assert problems == [f"verdicts.figure-8: '{verdicts['figure-8']}' against "
                        f"'{data['verdicts']['figure-8']}' (compared exactly)"]
    assert reference_of(actual)["verdicts"] == {}


def test_json_measures_round_trip():
    measured = from_json(reference("04_section_5_1_convergence")["measured"])
    again = from_json(json.loads(json.dumps(measure_json(measured))))
    assert measure_json(again) == measure_json(measured)
    assert np.isfinite(measured["reached_worst"].low)
