"""The core: Nash solve on a large game, its growth in T, batched cost and natural gradient.

``python benchmarks/bench_core.py --only solve_nash`` runs the Nash solve against the loop alone.
"""

import argparse
import statistics
import time

import numpy as np

import lqg
from lqg import paper

from baseline_core import cost_loop, natural_gradient_loop, solve_nash_loop
from common import best_time, peak_memory, table


def large_game(N, d, T, k, seed=0):
    rng = np.random.default_rng(seed)
    A = 0.5 * rng.standard_normal((T, d, d)) / np.sqrt(d)
    B = [rng.standard_normal((T, d, k)) / np.sqrt(d) for _ in range(N)]
    Q = [np.broadcast_to(np.eye(d), (T + 1, d, d)) for _ in range(N)]
    R = [np.broadcast_to(np.eye(k), (T, k, k)) for _ in range(N)]
    return lqg.LQGame(A, B, Q, R, 0.1 * np.eye(d), lqg.GaussianState(np.ones(d), np.eye(d)))


def paired_times(fast, slow, rounds: int = 15):
    """Wall times of ``fast()`` and ``slow()`` called alternately (A B A B ...) after a warm-up, so that
    a drift in the shared machine's speed hits both: their medians (s) and the median of the
    ratios slow / fast, pair by pair."""
    fast(), slow()
    pairs = []
    for _ in range(rounds):
        times = []
        for fn in (fast, slow):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        pairs.append(times)
    return (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(b / a for a, b in pairs))


def solve_nash_vs_loop(quick=False):
    """lqg.solve_nash (with its evidence) against the loop transcription of (2.4)-(2.5), and its
    growth with T."""
    N, d, k = (4, 16, 2) if quick else (10, 64, 4)
    rows = []
    for T in (32,) if quick else (64, 256):
        game = large_game(N, d, T, k)
        # check the two implementations agree before timing them
        K_loop, _ = solve_nash_loop(game)
        nash, mem = peak_memory(lambda game=game: lqg.solve_nash(game))
        assert np.allclose(np.array(K_loop[0]), nash.K[0])
        del K_loop, nash
        _, mem_loop = peak_memory(lambda game=game: solve_nash_loop(game))
        t_vec, t_loop, ratio = paired_times(lambda game=game: lqg.solve_nash(game),
                                            lambda game=game: solve_nash_loop(game))
        rows.append([T, f"{t_vec * 1e3:.1f}", f"{t_loop * 1e3:.1f}", f"{ratio:.2f}x",
                     f"{mem:.1f}", f"{mem_loop:.1f}"])
    print(f"solve_nash against the loop transcription, N={N}, d={d}, k_i={k} (medians of 15 "
          "alternating runs):")
    print(table(rows, ["T", "solve_nash [ms]", "loop [ms]", "speed-up", "peak memory [MB]",
                       "loop's [MB]"]))

    rows = []
    for h in [T // 8, T // 4, T // 2, T]:
        g = large_game(N, d, h, k)
        t = best_time(lambda g=g: lqg.solve_nash(g), repeat=3, min_time=0.1)
        rows.append([h, f"{t * 1e3:.1f}", f"{t / h * 1e6:.0f}"])
    print("\nsolve_nash growth with T (time per step should stay flat: linear in T):")
    print(table(rows, ["T", "time [ms]", "per step [us]"]))


def main(quick=False):
    solve_nash_vs_loop(quick)

    game = paper.section_5_1(sigma2=0.1)
    nash = lqg.solve_nash(game)
    n = 256
    rng = np.random.default_rng(1)
    K = tuple(Ki + 0.1 * rng.standard_normal((n,) + Ki.shape) for Ki in nash.K)
    singles = [tuple(Ki[b] for Ki in K) for b in range(n)]
    assert np.allclose(lqg.cost(game, K)[7], cost_loop(game, singles[7]))
    rows = []
    for name, vec, loop in [
        ("cost", lambda: lqg.cost(game, K), lambda: [cost_loop(game, s) for s in singles]),
        ("natural_gradient", lambda: lqg.natural_gradient(game, K),
         lambda: [natural_gradient_loop(game, s) for s in singles]),
    ]:
        t_vec = best_time(vec, min_time=0.1)
        t_loop = best_time(loop, repeat=2, min_time=0.1)
        rows.append([name, f"{n / t_vec:,.0f}", f"{n / t_loop:,.0f}", f"{t_loop / t_vec:.0f}x"])
    print(f"\nSection 5.1 game (T=10), {n} policies in one batch vs a loop over policies:")
    print(table(rows, ["", "batched [policies/s]", "loop [policies/s]", "speed-up"]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--only", choices=["solve_nash"], help="run only this part")
    args = parser.parse_args()
    (solve_nash_vs_loop if args.only else main)(quick=args.quick)
