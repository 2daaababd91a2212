"""run_sweep: one row per run, the same table whatever the workers, resumption after a stop."""

import functools

import numpy as np
import pandas as pd
import pytest

import lqg
from lqg.experiments.sweep import run_sweep, summarize

GRID = {"radius": [0.05, 0.4], "sigma2": [0.0, 1.0]}
SEEDS = 5


@functools.cache
def _game_and_nash(sigma2):
    game = lqg.paper.section_5_1(sigma2, T=4)
    return game, lqg.solve_nash(game)


def _initial_policies(radius, sigma2, seeds):
    """Seed s's policy is the first draw of default_rng(s), whatever the other seeds."""
    game, nash = _game_and_nash(sigma2)
    draws = [lqg.sample_policies_near(nash.K, radius, 1, np.random.default_rng(s)) for s in seeds]
    return game, nash, tuple(np.concatenate(Ki) for Ki in zip(*draws))


def cost_experiment(params, seeds):
    """Costs of initial policies near the Nash equilibrium, one batched call for all seeds."""
    game, nash, K = _initial_policies(params["radius"], params["sigma2"], seeds)
    costs = lqg.cost(game, K)
    excess = costs - nash.costs
    return [
        {"cost_0": c[0], "cost_1": c[1], "near": bool(np.all(e < 0.01 * nash.costs)),
         "worst": int(np.argmax(e))}
        for c, e in zip(costs, excess)
    ]


def assert_same_table(a, b):
    pd.testing.assert_frame_equal(a, b, check_exact=True)


class Recorder:
    """Runs cost_experiment in this process, records its calls and can fail at a given call."""

    def __init__(self, fail_at=None):
        self.calls = []
        self.fail_at = fail_at

    def __call__(self, params, seeds):
        if len(self.calls) == self.fail_at:
            raise RuntimeError("interrupted")
        self.calls.append((params["radius"], params["sigma2"], tuple(seeds)))
        return cost_experiment(params, seeds)

    def runs(self):
        return [(r, s2, seed) for r, s2, seeds in self.calls for seed in seeds]


@pytest.fixture
def reference(tmp_path):
    return run_sweep(cost_experiment, GRID, SEEDS, tmp_path / "reference.csv", n_jobs=1)


def test_rows_hold_parameters_seed_and_the_runs_own_outcome(reference):
    assert list(reference.columns) == ["cell", "radius", "sigma2", "seed",
                                       "cost_0", "cost_1", "near", "worst"]
    cells = [(r, s2) for r in GRID["radius"] for s2 in GRID["sigma2"]]
    assert list(zip(reference.radius, reference.sigma2)) == [c for c in cells for _ in range(SEEDS)]
    assert list(reference.seed) == list(range(SEEDS)) * len(cells)
    assert reference.cell.nunique() == len(cells)
    for row in reference.itertuples():
        # each run recomputed alone, outside the sweep and its batch
        game, nash, K = _initial_policies(row.radius, row.sigma2, [row.seed])
        cost = lqg.cost(game, tuple(Ki[0] for Ki in K))
        np.testing.assert_allclose([row.cost_0, row.cost_1], cost, rtol=1e-12)
        assert row.near == bool(np.all(cost - nash.costs < 0.01 * nash.costs))
    assert reference.near.any() and not reference.near.all()
    # the file gives back exactly what the experiment returned, types included
    for _, runs in reference.groupby("cell", sort=False):
        params = {"radius": runs.radius.iloc[0], "sigma2": runs.sigma2.iloc[0]}
        expected = pd.DataFrame(cost_experiment(params, list(runs.seed)), index=runs.index)
        assert_same_table(runs[expected.columns], expected)


def test_local_processes_give_the_same_table(tmp_path, reference):
    table = run_sweep(cost_experiment, GRID, SEEDS, tmp_path / "loky.csv", n_jobs=2,
                      seeds_per_task=2)
    assert_same_table(table, reference)


def test_backend_without_streaming_runs_in_rounds(tmp_path, reference):
    table = run_sweep(cost_experiment, GRID, SEEDS, tmp_path / "mp.csv", n_jobs=2,
                      backend="multiprocessing", seeds_per_task=3)
    assert_same_table(table, reference)


def test_interrupted_sweep_resumes_without_rerunning_finished_runs(tmp_path, reference):
    path = tmp_path / "sweep.csv"
    first = Recorder(fail_at=3)
    with pytest.raises(RuntimeError, match="interrupted"):
        run_sweep(first, GRID, SEEDS, path, n_jobs=1, seeds_per_task=2)
    # the first cell's seeds went in three tasks of 2, 2 and 1 seeds
    assert len(first.calls) == 3
    assert len(pd.read_csv(path)) == SEEDS

    second = Recorder()
    table = run_sweep(second, GRID, SEEDS, path, n_jobs=1, seeds_per_task=2)
    assert not set(first.runs()) & set(second.runs())
    assert len(first.runs()) + len(second.runs()) == 4 * SEEDS
    assert_same_table(table, reference)

    third = Recorder()
    assert_same_table(run_sweep(third, GRID, SEEDS, path, n_jobs=1), reference)
    assert third.calls == []


def test_a_cut_last_line_is_run_again(tmp_path, reference):
    path = tmp_path / "sweep.csv"
    run_sweep(cost_experiment, GRID, SEEDS, path, n_jobs=1)
    text = path.read_text()
    path.write_text(text[:-10])

    again = Recorder()
    table = run_sweep(again, GRID, SEEDS, path, n_jobs=1)
    assert again.runs() == [(0.4, 1.0, SEEDS - 1)]
    assert_same_table(table, reference)
    assert path.read_text() == text


def test_a_cut_header_starts_afresh(tmp_path, reference):
    path = tmp_path / "sweep.csv"
    path.write_text("cell,rad")
    again = Recorder()
    table = run_sweep(again, GRID, SEEDS, path, n_jobs=1)
    assert len(again.runs()) == 4 * SEEDS
    assert_same_table(table, reference)


def test_more_seeds_and_cells_only_run_what_is_new(tmp_path, reference):
    path = tmp_path / "sweep.csv"
    run_sweep(cost_experiment, {"radius": [0.05], "sigma2": [0.0, 1.0]}, 3, path, n_jobs=1)
    more = Recorder()
    table = run_sweep(more, GRID, SEEDS, path, n_jobs=1)
    assert sorted(more.calls) == [(0.05, 0.0, (3, 4)), (0.05, 1.0, (3, 4)),
                                  (0.4, 0.0, tuple(range(SEEDS))), (0.4, 1.0, tuple(range(SEEDS)))]
    assert_same_table(table, reference)
    # a smaller sweep on the same file returns only its own runs
    small = run_sweep(more, {"radius": [0.4], "sigma2": [1.0]}, [1, 3], path, n_jobs=1)
    assert_same_table(
        small.reset_index(drop=True),
        reference[(reference.radius == 0.4) & (reference.sigma2 == 1.0)
                  & reference.seed.isin([1, 3])].reset_index(drop=True),
    )


def test_explicit_cells_and_numpy_values_give_the_same_cells(tmp_path, reference):
    cells = [{"radius": np.float64(r), "sigma2": s2}
             for r in GRID["radius"] for s2 in GRID["sigma2"]]
    table = run_sweep(cost_experiment, cells, np.arange(SEEDS), tmp_path / "s.csv", n_jobs=1)
    assert_same_table(table, reference)


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def test_dask_cluster_gives_the_same_table(tmp_path, reference, dask_client):
    from dask.distributed import get_task_stream

    with get_task_stream(client=dask_client) as stream:
        table = run_sweep(cost_experiment, GRID, SEEDS, tmp_path / "dask.csv", backend="dask",
                          seeds_per_task=2)
    assert_same_table(table, reference)
    # the runs happened on the cluster's workers
    assert {task["worker"] for task in stream.data} <= set(dask_client.scheduler_info()["workers"])
    assert stream.data


def _rows(n, **row):
    return lambda params, seeds: [dict(row) for _ in range(n or len(seeds))]


@pytest.mark.parametrize("grid, seeds, match", [
    ({}, 2, "grid is empty"),
    ([], 2, "grid is empty"),
    ({"r": []}, 2, r"grid\['r'\] is empty"),
    ({"r": 0.1}, 2, "must be a list of values"),
    ([{"r": 1}, {"eta": 2}], 2, "same parameters"),
    ({"seed": [1]}, 2, "reserved"),
    ({"r": [[1, 2]]}, 2, "must be a scalar"),
    ({"r": [1, 1]}, 2, "repeats the cell"),
    ({"r": [1]}, 0, "positive number"),
    ({"r": [1]}, [1, -1], "non-negative"),
    ({"r": [1]}, [1, 1], "repeated"),
    ({"r": [1]}, True, "int or a list"),
])
def test_bad_grid_or_seeds(tmp_path, grid, seeds, match):
    with pytest.raises(ValueError, match=match):
        run_sweep(_rows(0, x=1), grid, seeds, tmp_path / "s.csv", n_jobs=1)
    assert not (tmp_path / "s.csv").exists()


@pytest.mark.parametrize("experiment, match", [
    (_rows(1, x=1), "returned 1 rows for 2 seeds"),
    (lambda params, seeds: {"x": 1}, "list of dicts"),
    (_rows(0, r=1), "clash"),
    (_rows(0, seed=1), "clash"),
    (_rows(0), "no outcome columns"),
    (_rows(0, x=np.zeros(2)), "'x'.*scalar"),
    (_rows(0, x="a\nb"), "line break"),
    (lambda params, seeds: [{"x": 1}, {"y": 1}], r"outcomes \['y'\].*seed 1"),
])
def test_bad_experiment_rows(tmp_path, experiment, match):
    with pytest.raises(ValueError, match=match):
        run_sweep(experiment, {"r": [1]}, 2, tmp_path / "s.csv", n_jobs=1)


def test_outcomes_must_match_the_file(tmp_path):
    path = tmp_path / "s.csv"
    run_sweep(_rows(0, x=1), {"r": [1]}, 2, path, n_jobs=1)
    with pytest.raises(ValueError, match=r"outcome columns are \['x'\]"):
        run_sweep(_rows(0, y=1), {"r": [2]}, 2, path, n_jobs=1)
    with pytest.raises(ValueError, match="use another path"):
        run_sweep(_rows(0, x=1), {"eta": [1]}, 2, path, n_jobs=1)
    with pytest.raises(ValueError, match="seeds_per_task"):
        run_sweep(_rows(0, x=1), {"r": [1]}, 2, path, seeds_per_task=0)


def test_summarize_gives_fraction_count_and_standard_error():
    table = pd.DataFrame({
        "cell": ["a"] * 4 + ["b"] * 2, "r": [1, 1, 1, 1, 2, 2], "seed": [0, 1, 2, 3, 0, 1],
        "converged": [True, True, True, False, False, False],
    })
    out = summarize(table, "converged")
    assert list(out.r) == [1, 2]
    np.testing.assert_allclose(out["mean"], [0.75, 0.0])
    assert list(out["count"]) == [4, 2]
    # sample standard deviation of (1, 1, 1, 0) is 1/2, over sqrt(4)
    np.testing.assert_allclose(out["sem"], [0.25, 0.0])
    with pytest.raises(ValueError, match="no column 'x'"):
        summarize(table, "x")


def test_rows_are_reused_only_when_the_code_that_made_them_is_the_same(tmp_path):
    """The sweep file is a cache keyed by the parameters and by the code: after a change to lqg
    (another fingerprint) a rebuild recomputes every row instead of showing stale numbers."""
    calls = []

    def experiment(params, seeds):
        calls.append(len(seeds))
        return [{"value": params["x"] + s} for s in seeds]

    path = tmp_path / "sweep.csv"
    first = run_sweep(experiment, {"x": [1, 2]}, 3, path, n_jobs=1, code="version-a")
    again = run_sweep(experiment, {"x": [1, 2]}, 3, path, n_jobs=1, code="version-a")
    assert calls == [3, 3] and again.equals(first)                 # read back, not recomputed
    run_sweep(experiment, {"x": [1, 2]}, 3, path, n_jobs=1, code="version-b")
    assert calls == [3, 3, 3, 3]                                   # another code: computed afresh
    default = run_sweep(experiment, {"x": [1]}, 2, path, n_jobs=1)
    from lqg._provenance import code_fingerprint

    assert default["cell"].str.contains(code_fingerprint()).all()
    keyless = run_sweep(experiment, {"x": [1]}, 2, tmp_path / "plain.csv", n_jobs=1, code=None)
    assert not keyless["cell"].str.contains("__code__").any()
    with pytest.raises(ValueError, match="code must be a string or None"):
        run_sweep(experiment, {"x": [1]}, 2, path, n_jobs=1, code=3)
