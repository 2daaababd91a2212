"""The notebooks' bookkeeping: parameters read from a notebook's own cell and checked, claims as
data with their verdicts, results files with provenance, the readings study's tables, and the
book's report; plus the catalog's consistency with the notebooks it describes."""

import importlib.util
import json
import re
import shutil
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from PIL import Image

import lqg
from lqg.experiments.measures import NOT_MEASURED, Proportion
from lqg.reproduction import NotebookRecord, catalog, report, study
from lqg.reproduction.claims import Claim, evaluate, fill, plain
from lqg.reproduction.parameters import check_values, read_parameters
from lqg.reproduction.rules import Condition, above, at_least, below, holds

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def notebook(path, parameters: str, *, extra=()):
    cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(c) for c in extra]
    nb = nbformat.v4.new_notebook(cells=cells)
    nbformat.write(nb, path)
    return path


PARAMETERS = """\
iterations: int = 100  # iterations (positive)
every: int = 10  # record every (positive)
within: int = 50  # accuracy by (a multiple of every, at most iterations)
eta: float = 0.1  # step (positive)
sigma2: list = [0.0, 0.1]  # noise levels (non-negative)
shown: list = [0.1]  # shown levels (in sigma2)
p: float = 0.5  # a probability (a probability)
seed: int = 0  # root seed (a seed)
n_jobs: int = -1  # processes (a process count)
flag: bool = True  # a switch
output_dir: str = ""  # where (a path)
"""


def test_parameters_are_read_from_the_cell_with_their_rules(tmp_path):
    found = read_parameters(notebook(tmp_path / "nb.ipynb", PARAMETERS))
    assert [p.name for p in found] == ["iterations", "every", "within", "eta", "sigma2", "shown",
                                       "p", "seed", "n_jobs", "flag", "output_dir"]
    within = found[2]
    assert within.default == 50 and within.type == "int"
    assert within.rules == ("a multiple of every", "at most iterations")
    defaults = {p.name: p.default for p in found}
    assert check_values(found, defaults) == defaults


@pytest.mark.parametrize("change, message", [
    (dict(iterations=0), r"'iterations' must be positive; got 0"),
    (dict(iterations=10.0), r"'iterations' must be of type int"),
    (dict(within=55), r"'within' must be a multiple of every \(10\); got 55"),
    (dict(within=200), r"'within' must be at most iterations \(100\)"),
    (dict(eta=float("nan")), r"'eta' must be positive; got nan"),
    (dict(sigma2=[0.0, -1.0]), r"'sigma2' must be non-negative; got -1.0 in \[0.0, -1.0\]"),
    (dict(sigma2=[]), r"'sigma2' must not be an empty list"),
    (dict(shown=[0.2]), r"'shown' must be one of sigma2"),
    (dict(p=1.5), r"'p' must be in \[0, 1\]"),
    (dict(seed=-3), r"'seed' must be a non-negative integer seed"),
    (dict(n_jobs=0), r"'n_jobs' must be a positive number of processes, or -1"),
    (dict(flag=1), r"'flag' must be of type bool"),
    (dict(output_dir=3), r"'output_dir' must be of type str"),
])
def test_bad_parameters_are_named(tmp_path, change, message):
    found = read_parameters(notebook(tmp_path / "nb.ipynb", PARAMETERS))
    values = {p.name: p.default for p in found}
    values.update(change)
    with pytest.raises(ValueError, match=message):
        check_values(found, values)


@pytest.mark.parametrize("line, message", [
    ("eta = 0.1  # no type", "is not 'name: type = literal"),
    ("eta: float = 0.1", "is not 'name: type = literal"),
    ("eta: complex = 0.1  # (positive)", "has type 'complex'"),
    ("eta: float = 2 * 0.05  # derived (positive)", "malformed|literal"),
])
def test_parameter_lines_must_be_literals(tmp_path, line, message):
    with pytest.raises(ValueError, match=message):
        read_parameters(notebook(tmp_path / "nb.ipynb", line))


def test_fill_formats_values_and_lists_and_leaves_latex_alone():
    values = dict(x=0.12345, xs=[0.5, 1.0], n=3, e=1.6, p=Proportion(14, 16))
    assert fill("{x:.2f}", values) == "0.12"
    assert fill("{xs:.0%|/} of {n}", values) == "50%/100% of 3"
    assert fill("{p} and {p:k}", values) == "14/16 (63-97 %) and 14/16"
    assert fill(r"$\eta_{\max}$ and $N^{{e:.1f}}$ and {missing}", values) == \
        r"$\eta_{\max}$ and $N^{1.6}$ and {missing}"


def test_verdicts_follow_the_rules():
    claims = [Claim("a", "§1", "x is small", "x = {x:g}", reproduced=below("x", 1),
                    partly=below("x", 2)),
              Claim("b", "§1", "y holds", "y = {y}", reproduced=holds("y")),
              Claim("c", "§1", "most runs", "{p}", reproduced=at_least("p", 0.8),
                    partly=at_least("p", 0.1))]
    verdicts = evaluate(claims, dict(x=1.5, y=True, p=Proportion(40, 40)))
    assert [v.verdict for v in verdicts] == ["partly", "reproduced", "reproduced"]
    assert verdicts[0].measured == "x = 1.5" and "x < 2" in verdicts[0].rule
    # 14 of 16 runs: the interval (63-97 %) straddles 80 %: borderline between the two verdicts
    borderline = evaluate(claims[2:], dict(p=Proportion(14, 16)))[0]
    assert borderline.verdict == "borderline"
    assert borderline.candidates == ("reproduced", "partly")
    assert borderline.label == "borderline (reproduced or partly)"
    assert evaluate(claims[2:], dict(p=Proportion(0, 40)))[0].verdict == "not reproduced"
    # a setting the parameters did not run gets no verdict
    assert evaluate(claims[2:], dict(p=NOT_MEASURED))[0].verdict == "not measured"
    with pytest.raises(ValueError, match="claim 'a': the rule reads 'x'"):
        evaluate(claims[:1], dict(y=True))


def test_plain_text_of_latex():
    assert plain(r"$\sigma^2 \le 10^{-4}$") == "sigma^2 <= 10^{-4}"
    assert plain(r"$\hat\alpha$, $\underline\sigma_X$") == "alpha_hat, sigma_X"


def test_catalog_claims_are_well_formed():
    lists = [catalog.SECTION_2, catalog.SECTION_3, catalog.SECTION_4, catalog.FIGURES_1_3,
             catalog.FIGURES_4_6, catalog.FIGURES_7_8, catalog.COUNTEREXAMPLE, catalog.N_PLAYERS,
             catalog.ALGORITHM_2_N, catalog.MAPS, catalog.ESTIMATOR]
    keys = [c.key for claims in lists for c in claims]
    assert len(keys) == len(set(keys)), "claim keys must be unique across the book"
    for claims in lists:
        for c in claims:
            assert isinstance(c.reproduced, Condition) and isinstance(c.partly, Condition)
            assert c.where and c.paper and c.measured and c.section and c.rule()
            # the rule states its thresholds in words, and says how it changed, if it did
            assert "reproduced if" in c.rule() and c.rule_change


def _headings(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return [m.group(1).strip() for m in re.finditer(r"^#{1,3} (.+)$", text, re.M)]


def test_every_claim_and_figure_links_to_a_heading_of_its_notebook():
    """The report links each claim to the section of the notebook that measures it: that heading
    must exist (the book build checks the anchors too, with -n)."""
    anchors = {path.stem: {report.heading_anchor(h) for h in _headings(path)} for path in NOTEBOOKS}
    assert set(catalog.BY_NOTEBOOK) <= set(anchors)
    for name, claims in catalog.BY_NOTEBOOK.items():
        for claim in claims:
            assert report.heading_anchor(claim.section) in anchors[name], \
                f"{name}: no heading {claim.section!r} for claim {claim.key!r}"
    assert report.heading_anchor("Verdicts per reading") in anchors["07_readings"]
    for figure in report.FIGURES:
        if figure.section:
            assert report.heading_anchor(figure.section) in anchors[figure.notebook], \
                f"{figure.notebook}: no heading {figure.section!r}"


def test_notebooks_hold_parameters_calls_and_claims_only():
    """No definitions in notebooks (algorithm code and bookkeeping live in lqg), one parameters
    cell of literals, and links between notebooks that point at files that exist."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        read_parameters(path)                          # parses, or raises naming the line
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not re.search(r"^\s*(def|class) ", cell.source, re.M), \
                    f"{path.name} defines a function or class"
            else:
                for target in re.findall(r"\]\(([0-9]{2}_[a-z0-9_]+\.ipynb)", cell.source):
                    assert (path.parent / target).exists(), f"{path.name} links to {target}"


def test_heading_anchor_is_mysts_slug():
    myst = pytest.importorskip("myst_parser.mdit_to_docutils.base")
    for heading in ["Figure 7", "Map 1: Algorithm 1 on the Section 5.1 game over $(r, \\eta)$",
                    "The claims of Figures 1 and 2, measured over all initial policies",
                    "5. The $\\sigma^2$ threshold of Figure 7"]:
        text = re.sub(r"\$[^$]*\$", "", heading)
        assert report.heading_anchor(heading) == myst.default_slugify(text)


def test_run_records_provenance_and_results(tmp_path, capsys):
    path = notebook(tmp_path / "demo.ipynb", "x: float = 0.5  # a value (positive)\n"
                    "seed: int = 1  # root seed (a seed)\n"
                    "output_dir: str = ''  # where (a path)")
    claims = [Claim("small", "§1", "x is small", "x = {x:g}, y = {y}",
                    reproduced=at_least("y", 0.8), partly=at_least("y", 0.1))]
    values = dict(x=0.5, seed=1, output_dir=str(tmp_path / "out"))
    record = NotebookRecord("demo", values, notebook=path)
    assert record.at_paper_settings and record.folder == tmp_path / "out"
    fig = plt.figure()
    record.save_figure(fig, "picture")
    meta = Image.open(record.folder / "picture.png").text
    stamp = json.loads(meta["Description"])
    assert stamp["parameters"]["x"] == 0.5 and stamp["seeds"] == {"seed": 1}
    record.conclude(claims, dict(y=Proportion(20, 20)))
    saved = json.loads((record.folder / "results.json").read_text())
    provenance = saved["provenance"]
    for key in ("lqg", "git_commit", "code", "numpy", "scipy", "matplotlib", "parameters", "seeds",
                "date", "wall_time_s"):
        assert key in provenance
    assert saved["claims"][0]["verdict"] == "reproduced" and saved["figures"] == ["picture"]
    assert saved["measured"]["y"] == {"k": 20, "n": 20}
    assert "[REPRODUCED] small" in capsys.readouterr().out
    # away from the paper's settings the results are not compared with the reference
    other = NotebookRecord("demo", dict(values, x=0.7), notebook=path)
    assert not other.at_paper_settings
    other.conclude(claims, dict(y=Proportion(1, 20)))
    assert "do not compare" in capsys.readouterr().out
    with pytest.raises(lqg.LQGameError, match="output_dir = .* is not a writable folder"):
        NotebookRecord("demo", dict(values, output_dir="/proc/no-such-folder"), notebook=path)


def test_code_fingerprint_changes_with_the_source(tmp_path):
    """Results are keyed by the code that made them: a copy of lqg with one byte changed has
    another fingerprint."""
    package = tmp_path / "lqg_copy"
    shutil.copytree(ROOT / "lqg", package, ignore=shutil.ignore_patterns("__pycache__"))

    def fingerprint():
        spec = importlib.util.spec_from_file_location("provenance_copy", package / "_provenance.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.code_fingerprint()

    first = fingerprint()
    assert first == fingerprint()
    (package / "model.py").write_text((package / "model.py").read_text() + "\n# changed\n")
    assert fingerprint() != first


def test_readings_table_best_reading_and_found():
    claims = [Claim("c1", "§5", "p", "{a}", reproduced=above("a", 1), partly=above("a", 0)),
              Claim("c2", "§5", "q", "{b}", reproduced=holds("b"), headline="{b}")]
    table = study.verdict_table(claims, {"literal": dict(a=0.5, b=False),
                                         "other": dict(a=2.0, b=True),
                                         "check": dict(a=3.0, b=True)})
    kinds = {"literal": "as printed", "other": "reading", "check": "sensitivity check"}
    # a sensitivity check is never the best reading, however much it reproduces
    assert study.best_reading(table, kinds) == ("other", 2)
    found = study.found_by_claim(table, kinds)
    assert found["c1"]["readings_reproduced"] == ["other"]
    assert found["c1"]["readings_partly"] == ["literal"]
    assert found["c1"]["checks_reproduced"] == ["check"]
    markdown = study.markdown_table(table, {"literal": "as printed"}, kinds)
    assert "✔" in markdown and "verdict-reproduced" in markdown and "| as printed |" in markdown
    assert "(check)" in markdown


def test_report_renders_verdicts_links_and_math_safely(tmp_path):
    data = {"notebook": "06_section_5_2_noise", "at_paper_settings": True,
            "provenance": {"lqg": "0.2.0", "git_commit": "abc", "code": "123", "numpy": "2",
                           "scipy": "1", "matplotlib": "3", "date": "2026-01-01T00:00:00",
                           "wall_time_s": 5.0},
            "claims": [{"key": "k", "where": "§5.2, Fig. 7", "paper": r"$\|K\|$ is small",
                        "measured": "a | b", "verdict": "partly", "section": "Figure 7",
                        "figure": "7", "headline": "", "rule": "reproduced if a", "candidates": [],
                        "rule_change": "", "note": ""}],
            "figures": [], "measured": {}, "parameters": {}}
    (tmp_path / "06_section_5_2_noise").mkdir()
    (tmp_path / "06_section_5_2_noise" / "results.json").write_text(json.dumps(data))
    results = report.load_results(tmp_path)
    table = report.claims_markdown(results, ["06_section_5_2_noise"], readings=False, fitted=False)
    assert report.claims_markdown(results, ["06_section_5_2_noise"]).startswith("```{table}")
    assert "[§5.2, Fig. 7](../notebooks/06_section_5_2_noise.ipynb#figure-7)" in table
    assert r"$\Vert K\Vert $" in table and r"a \| b" in table and "◐ partly" in table
    summary = report.summary_markdown(results)
    assert "§5.2" in summary and "◐ 1" in summary
    assert "abc" in report.provenance_markdown(results)
    np.testing.assert_equal(table.count("\n"), 2)
