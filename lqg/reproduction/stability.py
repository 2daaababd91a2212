"""Do the verdicts hold on another batch of seeds? Rerun the notebooks with other root seeds.

``python -m lqg.reproduction.stability --seeds 101 202`` (``make stability``) runs notebooks
04-07, 10 and 11 with papermill, each with ``-p seed S`` and its own output folder, and compares
every verdict (the claims', and every reading's in the readings study) with the verdicts of the
committed reference (``tests/reference``, seed 0). A verdict *flips* when both runs decide it (it is
not *borderline* in either) and they differ; a flip is what the intervals are there to prevent, so
the command fails when there is one. It prints, per notebook and seed, the verdicts compared, the
flips and the verdicts borderline in one run and decided in the other.

Not imported by ``import lqg``; needs papermill (installed with the project's test and book
extras). The seeds should be far from 0 (notebook 11 runs seeds ``seed, seed + 1, ...``, so seeds
1 and 2 would share most runs with seed 0).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .record import checkout_root, verdict_labels

NOTEBOOKS = ("04_section_5_1_convergence", "05_section_5_1_deterministic", "06_section_5_2_noise",
             "07_readings", "10_counterexample", "11_sensitivity_maps")


def verdicts(labels: dict) -> dict:
    """key -> (verdict, label) from key -> label (:func:`~.record.verdict_labels`, or the
    ``verdicts`` of a reference)."""
    return {k: (label.split(" (")[0], label) for k, label in labels.items()}


def compare(reference: dict, other: dict) -> dict:
    """The verdicts of two runs: ``compared``, ``flips`` (key, ours, theirs) where both decide and
    differ, and ``undecided`` where one is borderline and the other is not."""
    flips, undecided = [], []
    for key, (mine, label) in reference.items():
        if key not in other:
            continue
        theirs, their_label = other[key]
        if mine == theirs:
            continue
        if "borderline" in (mine, theirs):
            undecided.append((key, label, their_label))
        else:
            flips.append((key, label, their_label))
    return dict(compared=len(set(reference) & set(other)), flips=flips, undecided=undecided)


def _reference_verdicts(name: str, root: Path) -> dict:
    data = json.loads((root / "tests" / "reference" / f"{name}.json").read_text())
    return verdicts(data["verdicts"])


def run(seeds, notebooks=NOTEBOOKS, folder: Path | None = None) -> int:
    """Rerun ``notebooks`` at each of ``seeds`` and compare; returns the number of flips."""
    import papermill

    root = checkout_root()
    if root is None:
        raise SystemExit("run from a checkout of the project (it needs notebooks/ and tests/)")
    folder = Path(folder or root / "outputs" / "stability")
    flips = 0
    for seed in seeds:
        for name in notebooks:
            out = folder / f"seed-{seed}" / name
            out.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            papermill.execute_notebook(str(root / "notebooks" / f"{name}.ipynb"),
                                       str(out / f"{name}.ipynb"),
                                       parameters=dict(seed=int(seed), output_dir=str(out)),
                                       cwd=str(root / "notebooks"), progress_bar=False)
            other = verdicts(verdict_labels(json.loads((out / "results.json").read_text())))
            found = compare(_reference_verdicts(name, root), other)
            flips += len(found["flips"])
            print(f"seed {seed}, {name}: {found['compared']} verdicts, {len(found['flips'])} "
                  f"flips, {len(found['undecided'])} borderline in one run only "
                  f"({time.perf_counter() - started:.0f} s)")
            for key, mine, theirs in found["flips"]:
                print(f"  FLIP {key}: seed 0 {mine}, seed {seed} {theirs}")
            for key, mine, theirs in found["undecided"]:
                print(f"  borderline in one: {key}: seed 0 {mine}, seed {seed} {theirs}")
    return flips


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 202])
    parser.add_argument("--notebooks", nargs="+", default=list(NOTEBOOKS))
    parser.add_argument("--folder", default=None, help="where the reruns go (outputs/stability)")
    args = parser.parse_args(argv)
    flips = run(args.seeds, args.notebooks, args.folder)
    print(f"{flips} verdict(s) flipped")
    return 1 if flips else 0


if __name__ == "__main__":
    sys.exit(main())
