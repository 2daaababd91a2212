"""The notebooks' numbers against a committed reference, compared for what they mean.

Each notebook writes ``outputs/<notebook>/results.json`` (:class:`lqg.reproduction.NotebookRecord`). The
reference, ``tests/reference/<notebook>.json``, holds the same numbers from a run at the paper's
settings, the verdicts, and a tolerance per quantity:

* counts (a share's k and n, integers), booleans and strings: exactly;
* a rounding-noise quantity (a :class:`~lqg.experiments.measures.Bound`): its bound exactly, and
  the value must meet it;
* every other number: ``rtol`` and ``atol`` (defaults :data:`RTOL`, :data:`ATOL`: far above the
  last bits in which CPUs differ, far below any change of the science), overridden per quantity in
  the reference's ``tolerances`` (a glob over the quantity's dotted path, with the reason).

:func:`compare` returns one line per difference, naming the quantity, the two values and the
tolerance. ``python tests/results_reference.py update [outputs] [tests/reference]`` writes the
reference from a run (``make reference``), keeping the tolerances already there; ``compare``
prints the differences of every notebook (used to check a run on another CPU).
"""

from __future__ import annotations

import fnmatch
import json
import math
import sys
from pathlib import Path

from lqg.reproduction.record import verdict_labels

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference"
#: The default tolerance of a number: relative, and absolute for numbers near zero.
RTOL, ATOL = 1e-6, 1e-12
#: What of results.json is compared: the numbers and the verdicts, not the texts (nbval compares
#: those) or the provenance (date, commit, timings).
COMPARED = ("measured", "results", "verdicts")


def reference_of(data: dict, tolerances: dict | None = None) -> dict:
    """The reference content of a ``results.json``."""
    return {"notebook": data["notebook"], "measured": data.get("measured", {}),
            "results": data.get("results", {}), "verdicts": verdict_labels(data),
            "tolerances": dict(tolerances or {})}


def _tolerance(path: str, tolerances: dict) -> tuple[float, float, str]:
    for pattern, rule in tolerances.items():
        if fnmatch.fnmatchcase(path, pattern):
            return rule.get("rtol", RTOL), rule.get("atol", ATOL), f"{pattern}: {rule.get('why', '')}"
    return RTOL, ATOL, "default"


def _number(x):
    if isinstance(x, str) and x in ("inf", "-inf", "nan"):
        return float(x)
    return x


def compare(actual, expected, tolerances: dict, path: str = "") -> list[str]:
    """The differences between ``actual`` and ``expected`` (JSON values), one line each."""
    actual, expected = _number(actual), _number(expected)
    where = path or "(top)"
    if isinstance(expected, dict) and isinstance(actual, dict):
        if set(expected) == {"value", "below"}:                  # rounding noise: the bound
            problems = compare(actual.get("below"), expected["below"], {}, f"{path}.below")
            value = _number(actual.get("value"))
            if not (isinstance(value, float | int) and abs(value) < actual.get("below", 0)):
                problems.append(f"{where}: {value!r} does not meet its bound {actual.get('below')!r}")
            return problems
        problems = [f"{where}.{key}: missing (reference {expected[key]!r})"
                    for key in expected if key not in actual]
        problems += [f"{where}.{key}: new quantity {actual[key]!r} (not in the reference)"
                     for key in actual if key not in expected]
        for key in expected:
            if key in actual:
                problems += compare(actual[key], expected[key], tolerances,
                                    f"{path}.{key}" if path else str(key))
        return problems
    if isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            return [f"{where}: {len(actual)} entries against {len(expected)} in the reference"]
        return [p for j, (a, e) in enumerate(zip(actual, expected))
                for p in compare(a, e, tolerances, f"{path}[{j}]")]
    exact = (isinstance(expected, bool | str) or expected is None
             or (isinstance(expected, int) and isinstance(actual, int)))
    if exact or not isinstance(expected, int | float) or not isinstance(actual, int | float):
        if actual != expected or type(actual) is not type(expected) and not (
                isinstance(actual, int | float) and isinstance(expected, int | float)):
            return [f"{where}: {actual!r} against {expected!r} (compared exactly)"]
        return []
    rtol, atol, why = _tolerance(path, tolerances)
    a, e = float(actual), float(expected)
    if math.isnan(a) and math.isnan(e) or a == e:
        return []
    if math.isfinite(a) and math.isfinite(e) and abs(a - e) <= atol + rtol * abs(e):
        return []
    return [f"{where}: {a!r} against {e!r} (rtol {rtol:g}, atol {atol:g}; {why})"]


def compare_results(data: dict, reference: dict) -> list[str]:
    """A notebook's ``results.json`` against its reference."""
    actual = reference_of(data)
    problems = []
    for part in COMPARED:
        problems += compare(actual[part], reference[part], reference.get("tolerances", {}), part)
    return problems


def update(outputs: Path, folder: Path) -> list[Path]:
    """Write the reference of every notebook in ``outputs`` that ran at the paper's settings."""
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(outputs.glob("*/results.json")):
        data = json.loads(path.read_text())
        if not data.get("at_paper_settings"):
            continue
        target = folder / f"{data['notebook']}.json"
        old = json.loads(target.read_text()) if target.exists() else {}
        target.write_text(json.dumps(reference_of(data, old.get("tolerances")), indent=1,
                                     sort_keys=True) + "\n")
        written.append(target)
    return written


def compare_all(outputs: Path, folder: Path) -> dict[str, list[str]]:
    """Every notebook's ``results.json`` in ``outputs`` against its reference in ``folder``:
    notebook -> differences (the notebooks without a reference, or run at other settings, are
    left out; a reference without a run is a difference: the notebook did not run to its end)."""
    found = {}
    for path in sorted(outputs.glob("*/results.json")):
        data = json.loads(path.read_text())
        target = folder / f"{data['notebook']}.json"
        if data.get("at_paper_settings") and target.exists():
            found[data["notebook"]] = compare_results(data, json.loads(target.read_text()))
    for target in sorted(folder.glob("*.json")):
        if not (outputs / target.stem / "results.json").exists():
            found[target.stem] = [f"no {target.stem}/results.json in {outputs}: the notebook did "
                                  "not run, or not to its end"]
    return dict(sorted(found.items()))


if __name__ == "__main__":
    usage = "usage: python tests/results_reference.py update|compare [outputs] [tests/reference]"
    if len(sys.argv) < 2 or sys.argv[1] not in ("update", "compare"):
        sys.exit(usage)
    outputs = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "outputs"
    folder = Path(sys.argv[3]) if len(sys.argv) > 3 else REFERENCE
    if sys.argv[1] == "compare":
        differences = compare_all(outputs, folder)
        for notebook, lines in differences.items():
            print(f"{notebook}: {'the same' if not lines else f'{len(lines)} difference(s)'}")
            for line in lines:
                print(f"  {line}")
        sys.exit(1 if any(differences.values()) else 0)
    for target in update(outputs, folder):
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
