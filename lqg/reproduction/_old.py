"""Bookkeeping for the companion notebooks: parameters, output folders, claims and results files.

Every notebook checks its parameters with :func:`check_parameters`, writes figures and a
``results.json`` into :func:`output_dir`, and ends with a list of :class:`Claim`: the paper's words,
what we measured and a verdict. :func:`assert_verdicts` turns the verdicts found at the paper's
settings into assertions, so a change in what the code finds fails the notebook tests.
The book's reproduction report collects every notebook's claims with :func:`load_results`.
"""

from __future__ import annotations

import json
import math
import os
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "VERDICTS",
    "Claim",
    "check_parameters",
    "output_root",
    "output_dir",
    "save_figure",
    "write_results",
    "load_results",
    "claims_table",
    "report_markdown",
    "assert_verdicts",
    "conclude",
]

#: The three verdicts a claim can get.
VERDICTS = ("reproduced", "partly", "not reproduced")


@dataclass(frozen=True)
class Claim:
    """One statement of the paper, what we measured and whether it reproduces.

    Attributes
    ----------
    key : str
        Short identifier, unique within a notebook (used by :func:`assert_verdicts`).
    where : str
        Where the paper says it, e.g. ``"§5.1, Fig. 1"``.
    paper : str
        The paper's words (quoted or closely paraphrased).
    measured : str
        What we found, with the numbers.
    verdict : str
        One of :data:`VERDICTS`.
    """

    key: str
    where: str
    paper: str
    measured: str
    verdict: str

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict of claim {self.key!r} must be one of {VERDICTS}; "
                             f"got {self.verdict!r}")


# ---------------------------------------------------------------------------
# parameters


def check_parameters(**rules: tuple) -> None:
    """Validate notebook parameters, raising a ``ValueError`` that names the first bad one.

    Each keyword is a parameter name mapped to ``(value, rule)``, where ``rule`` is one of
    ``"positive int"``, ``"positive"``, ``"non-negative"``, ``"probability"``, ``"seed"``
    (a non-negative int), ``"path"`` (a str) or ``"bool"``. A list or tuple value is checked
    entry by entry and must not be empty.

    Examples
    --------
    >>> check_parameters(iterations=(1000, "positive int"), eta=(0.1, "positive"))
    """
    for name, (value, rule) in rules.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        if isinstance(value, (list, tuple)) and len(value) == 0:
            raise ValueError(f"parameter {name!r} must not be an empty list")
        for v in values:
            problem = _parameter_problem(v, rule)
            if problem:
                shown = f"{value!r}" if v is value else f"{v!r} in {value!r}"
                raise ValueError(f"parameter {name!r} must be {problem}; got {shown}")


def _parameter_problem(v, rule: str) -> str:
    is_int = isinstance(v, (int, np.integer)) and not isinstance(v, bool)
    is_real = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
    finite = is_real and math.isfinite(v)
    checks = {
        "positive int": (is_int and v > 0, "a positive integer"),
        "seed": (is_int and v >= 0, "a non-negative integer seed"),
        "positive": (finite and v > 0, "a positive finite number"),
        "non-negative": (finite and v >= 0, "a non-negative finite number"),
        "probability": (finite and 0 <= v <= 1, "a number in [0, 1]"),
        "path": (isinstance(v, (str, os.PathLike)), "a path (string)"),
        "bool": (isinstance(v, bool), "True or False"),
    }
    if rule not in checks:
        raise ValueError(f"unknown parameter rule {rule!r}")
    ok, description = checks[rule]
    return "" if ok else description


# ---------------------------------------------------------------------------
# files


def _checkout_root() -> Path | None:
    """The repository root when lqg is imported from a checkout (it holds ``_toc.yml``)."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "_toc.yml").is_file() else None


def output_root() -> Path:
    """Where notebooks write by default: ``$LQG_OUTPUT_DIR`` if set, else ``<repository>/outputs``
    when lqg runs from a checkout, else ``./outputs``.

    The default does not depend on the directory a notebook is executed from, so papermill, nbval
    and the book write to the same place.
    """
    if os.environ.get("LQG_OUTPUT_DIR"):
        return Path(os.environ["LQG_OUTPUT_DIR"])
    return (_checkout_root() or Path.cwd()) / "outputs"


def output_dir(path: str | os.PathLike = "", name: str = "") -> Path:
    """The folder where a notebook writes its figures and results; created if needed.

    Parameters
    ----------
    path : str or path-like
        Where to write; relative paths are taken from the current directory. The empty string
        selects ``output_root() / name`` (see :func:`output_root`).
    name : str
        The notebook's short name, used by the default.
    """
    folder = Path(path) if str(path) else output_root() / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_figure(fig, folder: Path, name: str, formats: Iterable[str] = ("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``folder/name.<format>`` for each format (PNG and a vector format)."""
    paths = []
    for fmt in formats:
        path = Path(folder) / f"{name}.{fmt}"
        # a fixed date keeps the vector files identical between runs
        metadata = {"Date": None} if fmt == "svg" else {}
        fig.savefig(path, dpi=150, bbox_inches="tight", metadata=metadata)
        paths.append(path)
    return paths


def _plain(value):
    """Convert NumPy scalars and arrays (recursively) to JSON types; non-finite floats to strings."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else str(float(value))
    if isinstance(value, Path):
        return str(value)
    return value


def write_results(folder: Path, notebook: str, parameters: Mapping, results: Mapping,
                  claims: Iterable[Claim], at_paper_settings: bool = True) -> Path:
    """Write ``folder/results.json``: the notebook's name, parameters, results and claims."""
    path = Path(folder) / "results.json"
    payload = {
        "notebook": notebook,
        "at_paper_settings": bool(at_paper_settings),
        "parameters": _plain(dict(parameters)),
        "results": _plain(dict(results)),
        "claims": [asdict(c) for c in claims],
    }
    path.write_text(json.dumps(payload, indent=1, sort_keys=False) + "\n")
    return path


def load_results(root: str | os.PathLike = "") -> list[dict]:
    """Every ``results.json`` below ``root`` (default: the default output root), sorted by notebook."""
    root = Path(root) if str(root) else output_root()
    found = [json.loads(p.read_text()) for p in sorted(root.glob("*/results.json"))]
    return sorted(found, key=lambda r: r["notebook"])


# ---------------------------------------------------------------------------
# claims


def claims_table(claims: Iterable[Claim], width: int = 100) -> str:
    """The claims as a plain-text table (stable across runs, so nbval can compare it)."""
    blocks = []
    for c in claims:
        wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="    ")
        blocks.append("\n".join([
            f"[{c.verdict.upper()}] {c.key} ({c.where})",
            wrap.fill("paper:    " + c.paper),
            wrap.fill("measured: " + c.measured),
        ]))
    return "\n\n".join(blocks)


def _differences(parameters: Mapping, paper_settings: Mapping) -> dict:
    return {k: parameters.get(k) for k, v in paper_settings.items() if parameters.get(k) != v}


def assert_verdicts(claims: Iterable[Claim], expected: Mapping[str, str], parameters: Mapping,
                    paper_settings: Mapping) -> bool:
    """Assert the verdicts found at the paper's settings; returns whether they were asserted.

    When every entry of ``paper_settings`` equals the notebook's ``parameters``, each claim's verdict
    must equal ``expected[claim.key]`` (and every expected key must be present), otherwise an
    ``AssertionError`` lists the differences. With other parameters nothing is asserted: the
    verdicts recorded for the paper's settings need not hold for them.
    """
    changed = _differences(parameters, paper_settings)
    if changed:
        print(f"Parameters differ from the paper's settings ({changed}): verdicts are reported, "
              "not asserted.")
        return False
    found = {c.key: c.verdict for c in claims}
    problems = [f"{k}: expected {v!r}, found {found.get(k, 'no such claim')!r}"
                for k, v in expected.items() if found.get(k) != v]
    problems += [f"{k}: found {v!r} but no verdict is expected" for k, v in found.items()
                 if k not in expected]
    assert not problems, "verdicts changed:\n" + "\n".join(problems)
    return True


def conclude(folder: Path, notebook: str, parameters: Mapping, results: Mapping,
             claims: list[Claim], *, expected: Mapping[str, str], paper_settings: Mapping) -> None:
    """A notebook's closing cell: print the claims, write ``results.json``, assert the verdicts.

    See :func:`claims_table`, :func:`write_results` and :func:`assert_verdicts`.
    """
    print(claims_table(claims))
    at_paper = not _differences(parameters, paper_settings)
    write_results(folder, notebook, parameters, results, claims, at_paper_settings=at_paper)
    print()
    assert_verdicts(claims, expected, parameters, paper_settings)


def report_markdown(results: Iterable[Mapping]) -> str:
    """One Markdown table of every notebook's claims (the book's reproduction report).

    ``results`` are the parsed ``results.json`` files, e.g. from :func:`load_results`.
    """
    marks = {v: f"**{v}**" for v in VERDICTS}

    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("*", "\\*").replace("\n", " ")

    rows = ["| where | the paper says | we measured | verdict | nb |",
            "|---|---|---|---|---|"]
    for r in results:
        number = r["notebook"].split("_")[0]
        source = number if r.get("at_paper_settings", True) else \
            f"{number} (custom parameters: not the paper's settings)"
        for c in r["claims"]:
            rows.append(f"| {cell(c['where'])} | {cell(c['paper'])} | {cell(c['measured'])} | "
                        f"{marks[c['verdict']]} | {cell(source)} |")
    return "\n".join(rows)
