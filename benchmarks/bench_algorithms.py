"""Algorithms 1 and 2: batched runs against the paper's pseudocode transcribed loop by loop.

Throughput of one call of the vectorised code on a batch of runs, against the plain transcription
(``baseline_algorithms.py``) running one run at a time, both at the paper's sizes and in this process;
then the peak memory of the paper-scale runs, each measured in a fresh subprocess.
"""

import json
import os
import pathlib
import subprocess
import sys
import time

import numpy as np

import lqg
from lqg import paper
from lqg.known_parameters import natural_policy_gradient
from lqg.unknown_parameters import model_free_natural_policy_gradient

from baseline_algorithms import model_free_natural_policy_gradient_loop, natural_policy_gradient_loop
from common import best_time, table

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run_fresh(code: str, env: dict | None = None) -> dict:
    """Run ``code`` in a new interpreter with the checkout importable; it prints one JSON object."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=environment)
    return json.loads(out.stdout.strip().splitlines()[-1])


def single_core_dgemm_gflops() -> float:
    """Practical double-precision peak of one core: a large single-threaded DGEMM."""
    code = """
import json, time, numpy as np
a = np.random.default_rng(0).standard_normal((2000, 2000))
best = float("inf")
for _ in range(4):
    start = time.perf_counter()
    a @ a
    best = min(best, time.perf_counter() - start)
print(json.dumps({"gflops": 2 * 2000**3 / best / 1e9}))
"""
    return run_fresh(code, {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                            "MKL_NUM_THREADS": "1"})["gflops"]


PEAK_MEMORY = """
import json, tracemalloc, numpy as np, lqg
from lqg import paper
from lqg.known_parameters import natural_policy_gradient
from lqg.unknown_parameters import model_free_natural_policy_gradient
rng = np.random.default_rng(0)
{setup}
tracemalloc.start()
result = {call}
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({{'mb': peak / 2**20, 'diverged': int(result.diverged.sum())}}))
"""


def algorithm_1(quick):
    game = paper.section_5_1(sigma2=0.1)
    nash = lqg.solve_nash(game)
    runs = 256
    K0 = lqg.sample_policies_near(nash.K, 0.25, runs, np.random.default_rng(0))
    first = tuple(Ki[0] for Ki in K0)
    # the two implementations agree before they are timed
    loop = natural_policy_gradient_loop(game, first, 0.1, 20)
    vectorised = natural_policy_gradient(game, first, 0.1, 20, progress=False)
    assert all(np.allclose(a, b, rtol=1e-10, atol=1e-12) for a, b in zip(loop, vectorised.K))
    M_loop, M_vec = (10, 20) if quick else (200, 1000)
    t_loop = best_time(lambda: natural_policy_gradient_loop(game, first, 0.1, M_loop), 3, 0.0) / M_loop
    t_vec = best_time(lambda: natural_policy_gradient(game, K0, 0.1, M_vec, progress=False), 3, 0.0) / M_vec
    rate_loop, rate_vec = 1 / t_loop, runs / t_vec
    print(f"Algorithm 1 on the Section 5.1 game (T = {game.T}, sigma^2 = 0.1), eta = 0.1, "
          f"costs recorded every iteration:")
    print(table([[f"lqg.natural_policy_gradient, {runs} runs", f"{rate_vec:,.0f}",
                  f"{rate_vec / rate_loop:.0f}x"],
                 ["loop transcription, 1 run", f"{rate_loop:,.0f}", "1x"]],
                ["", "run-iterations / s", "speed-up"]))


def algorithm_2(quick):
    game = paper.section_5_2(sigma2=0.1)
    K0 = paper.section_5_2_policies()
    runs, L, r, eta = 16, (20 if quick else 200), 0.5, 0.0005
    N, T, d = game.N, game.T, game.d
    steps_per_run = N * T * L * T             # N T L episodes of T steps per iteration
    batch = tuple(np.broadcast_to(Ki, (runs,) + Ki.shape) for Ki in K0)
    t_loop = best_time(lambda: model_free_natural_policy_gradient_loop(
        game, K0, eta, 1, L, r, np.random.default_rng(0)), 3, 0.0)
    M = 3 if quick else 30
    rows, rates = [], {}
    for prefetch in (True, False):
        t = best_time(lambda prefetch=prefetch: model_free_natural_policy_gradient(
            game, batch, eta, M, trajectories=L, radius=r, seed=1, prefetch=prefetch,
            progress=False), 3, 0.0) / M
        rates[prefetch] = runs * steps_per_run / t
    rate_loop = steps_per_run / t_loop
    flops = 4 * d * d + 2 * d                 # per state-step: G x, x.(G x), (A - BK) x, + F z
    peak = single_core_dgemm_gflops()
    print(f"\nAlgorithm 2 on the Section 5.2 game (T = {T}, sigma^2 = 0.1), L = {L}, r = {r}, "
          f"costs recorded every iteration:")
    for prefetch, label in ((True, "random draws on a 2nd thread"), (False, "one thread")):
        rows.append([f"lqg, {runs} runs, {label}", f"{rates[prefetch] / 1e6:.1f}",
                     f"{rates[prefetch] / rate_loop:.0f}x",
                     f"{flops * rates[prefetch] / 1e9:.2f}",
                     f"{100 * flops * rates[prefetch] / 1e9 / peak:.1f}%"])
    rows.append(["loop transcription, 1 run", f"{rate_loop / 1e6:.3f}", "1x",
                 f"{flops * rate_loop / 1e9:.4f}", f"{100 * flops * rate_loop / 1e9 / peak:.3f}%"])
    print(table(rows, ["", "M state-steps / s", "speed-up", "GFLOP/s", "of 1-core peak"]))
    rng_limit = 1 / (d * best_time(lambda: np.random.default_rng(0).standard_normal(10**6), 3, 0.0) / 1e6)
    print(f"({flops} flops per state-step; one core's DGEMM peak measured at {peak:.0f} GFLOP/s. "
          f"Drawing the noise alone, {d} normal draws per state-step, caps one thread at "
          f"{rng_limit / 1e6:.0f} M state-steps / s.)")


def memory(quick):
    M1, M2 = (1000, 50) if quick else (10_000, 500)
    runs = [
        (f"Algorithm 1, Section 5.1, 256 runs x {M1:,} iterations (defaults)",
         "game = paper.section_5_1(0.1)\nnash = lqg.solve_nash(game)\n"
         "K0 = tuple(K + 0.1 * rng.uniform(-1, 1, (256,) + K.shape) for K in nash.K)",
         f"natural_policy_gradient(game, K0, 0.1, {M1}, progress=False)"),
        ("Algorithm 1, same, record_policies='all'",
         "game = paper.section_5_1(0.1)\nnash = lqg.solve_nash(game)\n"
         "K0 = tuple(K + 0.1 * rng.uniform(-1, 1, (256,) + K.shape) for K in nash.K)",
         f"natural_policy_gradient(game, K0, 0.1, {M1}, record_policies='all', progress=False)"),
        (f"Algorithm 2, Section 5.2, 16 runs x {M2} iterations, L = 200",
         "game = paper.section_5_2(0.1)\n"
         "K0 = tuple(np.broadcast_to(K, (16,) + K.shape) for K in paper.section_5_2_policies())",
         f"model_free_natural_policy_gradient(game, K0, 0.0005, {M2}, trajectories=200, radius=0.5,"
         f" seed=0, progress=False)"),
    ]
    rows = []
    for label, setup, call in runs:
        start = time.perf_counter()
        out = run_fresh(PEAK_MEMORY.format(setup=setup, call=call))
        rows.append([label, f"{out['mb']:.0f}", f"{time.perf_counter() - start:.1f}",
                     out["diverged"]])
    print("\nPeak memory of paper-scale runs (tracemalloc: everything Python and NumPy allocate "
          "during the call; wall time includes tracemalloc's overhead):")
    print(table(rows, ["", "peak memory [MB]", "wall time [s]", "diverged runs"]))


def main(quick=False):
    algorithm_1(quick)
    algorithm_2(quick)
    memory(quick)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
