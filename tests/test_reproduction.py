"""The notebooks' bookkeeping: parameter checks, output folders, results files, verdicts."""

import json

import numpy as np
import pytest

from lqg import reproduction as rp


def claims():
    return [rp.Claim("a", "§5.1, Fig. 1", "error < 0.5%", "0.1%", "reproduced"),
            rp.Claim("b", "§5.2, Fig. 7", "diverges", "converges", "not reproduced")]


@pytest.mark.parametrize("rules, message", [
    (dict(iterations=(0, "positive int")), r"'iterations' must be a positive integer; got 0"),
    (dict(iterations=(10.0, "positive int")), r"'iterations' must be a positive integer"),
    (dict(flag=(1, "bool")), r"'flag' must be True or False"),
    (dict(eta=(-0.1, "positive")), r"'eta' must be a positive finite number; got -0.1"),
    (dict(sigma2=([0.0, -1.0], "non-negative")), r"'sigma2' must be a non-negative finite number; "
                                                 r"got -1.0 in \[0.0, -1.0\]"),
    (dict(sigma2=([], "non-negative")), r"'sigma2' must not be an empty list"),
    (dict(seed=(-3, "seed")), r"'seed' must be a non-negative integer seed"),
    (dict(eta=(float("nan"), "positive")), r"'eta' must be a positive finite number"),
    (dict(out=(3, "path")), r"'out' must be a path"),
])
def test_bad_parameters_are_named(rules, message):
    with pytest.raises(ValueError, match=message):
        rp.check_parameters(**rules)


def test_good_parameters_pass():
    rp.check_parameters(iterations=(5, "positive int"), eta=([0.1, 0.01], "positive"),
                        sigma2=(0, "non-negative"), seed=(0, "seed"), out=("", "path"),
                        flag=(True, "bool"), p=(0.5, "probability"))


def test_output_dir_default_and_override(tmp_path, monkeypatch):
    monkeypatch.setenv("LQG_OUTPUT_DIR", str(tmp_path / "env"))
    assert rp.output_dir("", "nb") == tmp_path / "env" / "nb"
    assert (tmp_path / "env" / "nb").is_dir()
    assert rp.output_dir(tmp_path / "given", "nb") == tmp_path / "given"
    monkeypatch.delenv("LQG_OUTPUT_DIR")
    monkeypatch.chdir(tmp_path)
    # from a checkout the default sits beside _toc.yml, wherever the caller runs
    root = rp.output_root()
    assert root.name == "outputs" and (root.parent / "_toc.yml").is_file()


def test_results_round_trip(tmp_path):
    folder = rp.output_dir(tmp_path / "x")
    path = rp.write_results(folder, "01_x", {"eta": np.float64(0.1), "grid": np.arange(3)},
                            {"err": np.array([1.0, np.inf]), "ok": np.bool_(True)}, claims())
    data = json.loads(path.read_text())
    assert data["parameters"] == {"eta": 0.1, "grid": [0, 1, 2]}
    assert data["results"] == {"err": [1.0, "inf"], "ok": True}
    assert [c["key"] for c in data["claims"]] == ["a", "b"]
    assert rp.load_results(tmp_path)[0]["notebook"] == "01_x"


def test_claims_table_and_verdicts(capsys):
    text = rp.claims_table(claims())
    assert "[REPRODUCED] a (§5.1, Fig. 1)" in text and "[NOT REPRODUCED] b" in text
    settings = {"eta": 0.1}
    assert rp.assert_verdicts(claims(), {"a": "reproduced", "b": "not reproduced"}, {"eta": 0.1},
                              settings)
    with pytest.raises(AssertionError, match="b: expected 'partly', found 'not reproduced'"):
        rp.assert_verdicts(claims(), {"a": "reproduced", "b": "partly"}, {"eta": 0.1}, settings)
    with pytest.raises(AssertionError, match="b: found 'not reproduced' but no verdict"):
        rp.assert_verdicts(claims(), {"a": "reproduced"}, {"eta": 0.1}, settings)
    assert not rp.assert_verdicts(claims(), {"a": "partly"}, {"eta": 0.2}, settings)
    assert "verdicts are reported, not asserted" in capsys.readouterr().out
    with pytest.raises(ValueError, match="verdict of claim 'c' must be one of"):
        rp.Claim("c", "", "", "", "maybe")


def test_conclude_writes_flag_and_asserts(tmp_path, capsys):
    expected = {"a": "reproduced", "b": "not reproduced"}
    rp.conclude(tmp_path, "nb", {"eta": 0.1}, {}, claims(), expected=expected,
                paper_settings={"eta": 0.1})
    assert json.loads((tmp_path / "results.json").read_text())["at_paper_settings"] is True
    rp.conclude(tmp_path, "nb", {"eta": 0.5}, {}, claims(), expected={"a": "partly"},
                paper_settings={"eta": 0.1})
    data = rp.load_results(tmp_path.parent)
    assert data[0]["at_paper_settings"] is False
    assert "custom parameters" in rp.report_markdown(data)
    with pytest.raises(AssertionError):
        rp.conclude(tmp_path, "nb", {"eta": 0.1}, {}, claims(), expected={"a": "partly"},
                    paper_settings={"eta": 0.1})
