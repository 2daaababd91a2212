"""The core: Nash solve on a large game, its growth in T, batched cost and natural gradient."""

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


def main(quick=False):
    N, d, k = (4, 16, 2) if quick else (10, 64, 4)
    T = 32 if quick else 256
    game = large_game(N, d, T, k)
    # check the two implementations agree before timing them
    K_loop, _ = solve_nash_loop(game)
    nash, mem = peak_memory(lambda: lqg.solve_nash(game))
    assert np.allclose(np.array(K_loop[0]), nash.K[0])
    _, mem_loop = peak_memory(lambda: solve_nash_loop(game))
    t_vec = best_time(lambda: lqg.solve_nash(game), repeat=3, min_time=0.1)
    t_loop = best_time(lambda: solve_nash_loop(game), repeat=3, min_time=0.1)
    print(f"solve_nash, N={N}, d={d}, T={T}, k_i={k}:")
    print(table([["lqg.solve_nash", f"{t_vec * 1e3:.1f}", f"{mem:.1f}", f"{t_loop / t_vec:.1f}x"],
                 ["loop transcription", f"{t_loop * 1e3:.1f}", f"{mem_loop:.1f}", "1.0x"]],
                ["", "time [ms]", "peak memory [MB]", "speed-up"]))

    rows = []
    horizons = [T // 8, T // 4, T // 2, T]
    for h in horizons:
        g = large_game(N, d, h, k)
        t = best_time(lambda g=g: lqg.solve_nash(g), repeat=3, min_time=0.1)
        rows.append([h, f"{t * 1e3:.1f}", f"{t / h * 1e6:.0f}"])
    print("\nsolve_nash growth with T (time per step should stay flat: linear in T):")
    print(table(rows, ["T", "time [ms]", "per step [us]"]))

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
