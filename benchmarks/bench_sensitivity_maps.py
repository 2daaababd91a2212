"""The sensitivity maps of notebook 11: wall time of lqg.experiments.sweep.run_sweep from empty CSVs, and
how it scales with the grid, the runs per cell and the workers; batched cells against one task per
seed (the same rows, computed one run at a time)."""

import tempfile
import time
from pathlib import Path

from lqg.experiments import maps, sweep

from common import table

RADII = [0.05, 0.1, 0.16, 0.25, 0.3, 0.42]
STEP_SIZES = [0.001, 0.01, 0.1, 0.3, 1.0]
NOISE = [0.0, 0.0001, 0.001, 0.01, 0.1]
EPISODES = [50, 100, 200, 400]


def map_1(radii, step_sizes, runs, iterations=1000, n_jobs=2, seeds_per_task=None):
    grid = dict(radius=radii, eta=step_sizes, iterations=[iterations], tol=[0.005],
                record_every=[10], sigma2=[0.0])
    return grid, maps.section_5_1_runs, runs, n_jobs, seeds_per_task


def map_2(noise, episodes, seeds, iterations=300, n_jobs=2, seeds_per_task=None):
    grid = dict(sigma2=sorted(noise, reverse=True), trajectories=sorted(episodes, reverse=True),
                radius=[0.5], eta=[0.0005], iterations=[iterations], tol=[0.05], record_every=[10])
    return grid, maps.section_5_2_runs, seeds, n_jobs, seeds_per_task


def wall_time(setting) -> float:
    grid, experiment, seeds, n_jobs, seeds_per_task = setting
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        sweep.run_sweep(experiment, grid, seeds, Path(folder) / "map.csv", n_jobs=n_jobs,
                        seeds_per_task=seeds_per_task)
        return time.perf_counter() - start


def main(quick: bool = False) -> None:
    if quick:
        settings = [
            ("map 1", "2 x 2", 20, 100, 2, map_1(RADII[:2], STEP_SIZES[2:4], 20, 100)),
            ("map 2", "2 x 1", 4, 50, 2, map_2(NOISE[-2:], [100], 4, 50)),
        ]
        per_seed = []
    else:
        settings = [
            ("map 1", "3 x 3", 100, 1000, 2, map_1(RADII[::2], STEP_SIZES[1::2], 100)),
            ("map 1", "6 x 5", 100, 1000, 2, map_1(RADII, STEP_SIZES, 100)),
            ("map 1", "6 x 5", 100, 1000, 1, map_1(RADII, STEP_SIZES, 100, n_jobs=1)),
            ("map 1", "6 x 5", 300, 1000, 2, map_1(RADII, STEP_SIZES, 300)),
            ("map 2", "5 x 2", 20, 300, 2, map_2(NOISE, [100, 200], 20)),
            ("map 2", "5 x 4", 10, 300, 2, map_2(NOISE, EPISODES, 10)),
            ("map 2", "5 x 4", 20, 300, 2, map_2(NOISE, EPISODES, 20)),
            ("map 2", "5 x 4", 20, 300, 1, map_2(NOISE, EPISODES, 20, n_jobs=1)),
            ("map 2", "5 x 4", 20, 500, 2, map_2(NOISE, EPISODES, 20, 500)),
        ]
        # one cell, one worker: all runs in one batched call, or one call per seed
        per_seed = [
            ("map 1, r = 0.3, eta = 0.1", 20,
             map_1([0.3], [0.1], 20, n_jobs=1), map_1([0.3], [0.1], 20, n_jobs=1, seeds_per_task=1)),
            ("map 2, sigma^2 = 0.1, L = 200", 10,
             map_2([0.1], [200], 10, n_jobs=1), map_2([0.1], [200], 10, n_jobs=1, seeds_per_task=1)),
        ]
    rows = [(name, cells, runs, iterations, jobs, f"{wall_time(setting):.1f}")
            for name, cells, runs, iterations, jobs, setting in settings]
    print(table(rows, ["sweep", "cells", "runs per cell", "iterations", "workers", "seconds"]))
    if per_seed:
        rows = []
        for name, runs, batched, single in per_seed:
            a, b = wall_time(batched), wall_time(single)
            rows.append((name, runs, f"{a:.2f}", f"{b:.2f}", f"{b / a:.1f}"))
        print()
        print(table(rows, ["cell", "runs", "batched s", "one call per seed s", "ratio"]))
