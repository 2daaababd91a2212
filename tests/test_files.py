"""The project's own files: the citation file against the Citation File Format's schema, the GitHub
workflows (which cannot run here) against what they must do, and the README's commands against
the Makefile and CI."""

import json
import re
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_citation_file_validates_against_the_cff_schema():
    """CITATION.cff, checked with the official CFF 1.2.0 JSON schema (tests/data, from the
    Citation File Format project, as cffconvert ships it)."""
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "tests/data/citation-file-format-1.2.0.schema.json").read_text())
    jsonschema.validate(citation, schema)
    import lqg

    assert citation["version"] == lqg.__version__
    assert citation["preferred-citation"]["title"].startswith("Policy Gradient Methods")
    titles = [r["title"] for r in citation["references"]]
    assert any("Nash Equilibrium in N-player" in t for t in titles), "the paper is a reference"


def test_citation_schema_check_catches_a_broken_file():
    schema = json.loads((ROOT / "tests/data/citation-file-format-1.2.0.schema.json").read_text())
    broken = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    del broken["authors"]
    try:
        jsonschema.validate(broken, schema)
    except jsonschema.ValidationError:
        return
    raise AssertionError("a citation file without authors passed the schema")


def workflow(name):
    text = (ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["on"] = data.pop(True, data.get("on"))           # YAML 1.1 reads the key `on` as True
    return data


def steps(data):
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def test_book_workflow_builds_with_the_readme_command_and_publishes_pages():
    data = workflow("book.yml")
    assert "push" in data["on"]
    runs = [step.get("run", "") for step in steps(data)]
    assert "make book" in runs
    uses = [step.get("uses", "") for step in steps(data)]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert any(u.startswith("actions/deploy-pages") for u in uses)
    upload = next(s for s in steps(data) if s.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "_build/html"
    assert data["permissions"]["pages"] == "write" and data["permissions"]["id-token"] == "write"
    python = next(s for s in steps(data) if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"


def test_tests_workflow_runs_the_readme_test_command_on_pushes_and_pull_requests():
    data = workflow("tests.yml")
    assert "push" in data["on"] and "pull_request" in data["on"]
    assert "make test" in [step.get("run", "") for step in steps(data)]


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands[:2] == ["make book", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("book", "test"):
        assert re.search(rf"^{target}:", makefile, re.M), f"the Makefile has no target {target}"
    assert re.search(r"^make test$", (ROOT / ".ci/run").read_text(encoding="utf-8"), re.M)
    assert re.search(r"Measured.*make test.*\d+ min", readme, re.S | re.I), \
        "the README gives the measured time of make test"


def test_ruff_is_configured_and_run_by_the_test_command():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "[tool.ruff" in pyproject
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    test_recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check" in test_recipe
