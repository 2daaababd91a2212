"""A notebook's record: its parameters, output folder, figures and ``results.json``, with provenance.

:class:`NotebookRecord` is what a notebook creates in its (hidden) set-up cell,
``record = NotebookRecord(name, globals())``: it reads the notebook's own parameters cell
(:mod:`lqg.reproduction.parameters`), checks the values the notebook runs with, knows whether they
are the paper's settings (the cell's literals), and starts the clock. ``record.show`` and
``record.conclude`` write the figures and ``results.json``,
each stamped with :func:`provenance`.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import time
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

from .._checks import LQGameError
from .._provenance import code_fingerprint
from ..experiments.measures import measure_json
from .claims import Claim, claims_table, evaluate
from .parameters import check_values, read_parameters

#: parameters that change where results go or how fast they come, never the results
NOT_SETTINGS = ("output_dir", "n_jobs")

__all__ = ["NotebookRecord", "provenance", "verdict_labels"]


def checkout_root() -> Path | None:
    """The repository root when lqg is imported from a checkout (it holds ``_toc.yml``)."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "_toc.yml").is_file() else None


def output_root() -> Path:
    """Where notebooks write by default: ``$LQG_OUTPUT_DIR`` if set, else ``<repository>/outputs``
    when lqg runs from a checkout, else ``./outputs``."""
    if os.environ.get("LQG_OUTPUT_DIR"):
        return Path(os.environ["LQG_OUTPUT_DIR"])
    return (checkout_root() or Path.cwd()) / "outputs"


def _git_commit() -> str:
    root = checkout_root()
    if root is None or not (root / ".git").exists():
        return "not a git checkout"
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "lqg"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    return out + (" (lqg/ modified)" if dirty else "")


def provenance(parameters: Mapping | None = None, started: float | None = None) -> dict:
    """What made a result: lqg's version, git commit and code fingerprint, the versions of NumPy,
    SciPy and Matplotlib, the parameters and seeds, the date and the wall time so far."""
    from .. import __version__

    def version(package):
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    parameters = dict(parameters or {})
    return {
        "lqg": __version__, "git_commit": _git_commit(), "code": code_fingerprint(),
        "python": platform.python_version(), "numpy": version("numpy"),
        "scipy": version("scipy"), "matplotlib": version("matplotlib"),
        "parameters": measure_json(parameters),
        "seeds": measure_json({k: v for k, v in parameters.items() if "seed" in k}),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "wall_time_s": None if started is None else round(time.perf_counter() - started, 2),
    }


class NotebookRecord:
    """A notebook's parameters, output folder and record (module docstring).

    Parameters
    ----------
    name : str
        The notebook's file name without ``.ipynb``, in ``notebooks/``.
    namespace : dict
        The notebook's ``globals()``, which hold the parameters' current values.
    notebook : path, optional
        The notebook file whose ``parameters`` cell declares them (default
        ``<checkout>/notebooks/<name>.ipynb``).
    """

    def __init__(self, name: str, namespace: Mapping, *, notebook: str | Path | None = None):
        self.name = name
        if notebook is None:
            root = checkout_root() or Path.cwd().parent
            notebook = root / "notebooks" / f"{name}.ipynb"
        self.declared = read_parameters(notebook)
        self.parameters = check_values(self.declared, namespace)
        self.at_paper_settings = all(self.parameters[p.name] == p.default for p in self.declared
                                     if p.name not in NOT_SETTINGS)
        folder = self.parameters.get("output_dir", "")
        self.folder = Path(folder) if folder else output_root() / name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            probe = self.folder / ".writable"
            probe.write_text("")
            probe.unlink()
        except OSError as exc:
            what = f"output_dir = {folder!r}" if folder else f"the default output folder {self.folder}"
            raise LQGameError(f"{what} is not a writable folder ({exc.strerror or exc}); pass "
                              "output_dir, a folder this notebook can write to") from None
        self.started = time.perf_counter()
        self.figures = []
        self.verdicts = []

    def save_figure(self, fig, name: str, formats: Iterable[str] | None = None) -> list[Path]:
        """Save ``fig`` as ``<folder>/<name>.<format>``, its provenance in the file's metadata.

        The formats are ``formats``, else ``$LQG_FIGURE_FORMATS`` (comma-separated, e.g.
        ``png,svg``), else PNG.
        """
        if formats is None:
            formats = os.environ.get("LQG_FIGURE_FORMATS", "png").split(",")
        stamp = json.dumps(provenance(self.parameters, self.started), sort_keys=True)
        paths = []
        for fmt in (f.strip() for f in formats):
            path = self.folder / f"{name}.{fmt}"
            meta = {"Description": stamp, "Source": f"lqg notebook {self.name}"}
            if fmt == "svg":
                meta["Date"] = None
            fig.savefig(path, dpi=150, metadata=meta)
            paths.append(path)
        self.figures.append(name)
        return paths

    def show(self, fig, name: str) -> None:
        """Save ``fig`` (:meth:`save_figure`) and show the saved PNG in the notebook: the figure is
        drawn once."""
        import matplotlib.pyplot as plt
        from IPython.display import Image, display

        paths = self.save_figure(fig, name, formats=None)
        png = next((p for p in paths if p.suffix == ".png"), None) or self.save_figure(
            fig, name, formats=["png"])[0]
        width = int(round(fig.get_figwidth() * 100))
        plt.close(fig)
        display(Image(filename=str(png), width=width))

    def conclude(self, claims: list[Claim], measured: Mapping, *,
                 results: Mapping | None = None) -> None:
        """A notebook's closing cell: evaluate and print the claims and write ``results.json``.

        The claims read the ``measured`` values and the notebook's parameters; the verdicts are
        kept in ``run.verdicts``. The expected verdicts and numbers are not here: the tests compare
        ``results.json`` with the committed reference (``tests/reference``)."""
        verdicts = self.verdicts = evaluate(claims, {**self.parameters, **measured})
        print(claims_table(verdicts))
        self.write_results(measured=measure_json(dict(measured)),
                           results=measure_json(dict(results or {})),
                           claims=[v.as_dict() for v in verdicts])
        if not self.at_paper_settings:
            print("\nParameters differ from the paper's settings: the tests do not compare these "
                  "results with the reference.")

    def write_results(self, **content) -> None:
        """``results.json``: the notebook, whether it ran at the paper's settings, provenance,
        parameters, figures, and ``content``."""
        payload = {"notebook": self.name, "at_paper_settings": self.at_paper_settings,
                   "provenance": provenance(self.parameters, self.started),
                   "parameters": measure_json(self.parameters), "figures": self.figures, **content}
        (self.folder / "results.json").write_text(json.dumps(payload, indent=1) + "\n")


def verdict_labels(results: Mapping) -> dict:
    """Every verdict of a ``results.json`` as its label (``"partly"``, ``"borderline (reproduced or
    partly)"``): claim key -> label, and for the readings study also ``"<section>/<reading>/<key>"``
    -> label for every reading's verdict."""
    def label(verdict):
        candidates = verdict.get("candidates") or []
        return verdict["verdict"] + (f" ({' or '.join(candidates)})" if candidates else "")

    found = {c["key"]: label(c) for c in results.get("claims", [])}
    for section, table in results.get("verdicts", {}).items():
        for reading, row in table.items():
            for key, verdict in row.items():
                found[f"{section}/{reading}/{key}"] = label(verdict)
    return found
