"""The convergence definition on hand-made results, observed and linearized rates against hand
calculations and against Algorithm 1's own iterates, and the sweep experiments: rows that depend
only on (parameters, seed)."""

import numpy as np
import pytest

import lqg
from lqg import LQGameError, experiments, paper
from lqg.experiments import convergence, maps
from lqg.experiments.sweep import run_sweep
from lqg.linearization import step_size_bound
from lqg.runs import PGResult

from conftest import random_game


def hand_made(errors, diverged=None, iterations=None):
    """A PGResult holding the given normalized errors, shape (n_records, runs, N)."""
    errors = np.asarray(errors, dtype=float)
    n, runs, N = errors.shape
    diverged = np.zeros(runs, bool) if diverged is None else np.asarray(diverged)
    iterations = np.arange(n) * 10 if iterations is None else np.asarray(iterations)
    return PGResult(K=tuple(np.zeros((runs, 1, 1, 1)) for _ in range(N)), costs=1 + errors,
                    normalized_error=errors, iterations=iterations, policies=None,
                    policy_times=np.arange(0), diverged=diverged,
                    diverged_at=np.where(diverged, 1, -1), nit=int(iterations[-1]), nash=None,
                    message="hand made", game=None)


def test_converged_is_the_final_magnitude_below_tol_for_every_player():
    final = [[0.004, 0.0049], [0.004, 0.005], [-0.0049, 0.001], [0.001, 0.02], [0.0, 0.0]]
    errors = np.stack([np.full((5, 2), 0.5), final])
    result = hand_made(errors, diverged=[False, False, False, False, True])
    np.testing.assert_array_equal(experiments.converged(result, 0.005),
                                  [True, False, True, False, False])
    np.testing.assert_array_equal(experiments.converged(result, 0.05),
                                  [True, True, True, True, False])
    np.testing.assert_array_equal(experiments.final_error(result),
                                  [0.0049, 0.005, 0.0049, 0.02, np.inf])


def test_converged_agrees_with_iterations_to():
    # run 0 dips below and comes back up; run 1 settles at m = 20; run 2 never; run 3 NaN at the end
    errors = np.array([[0.1, 0.1, 0.1, 0.1],
                       [0.001, 0.2, 0.1, 0.1],
                       [0.1, 0.001, 0.1, 0.001],
                       [0.1, 0.001, 0.1, np.nan]])[:, :, None]
    result = hand_made(errors)
    np.testing.assert_array_equal(result.iterations_to(0.005), [-1, 20, -1, -1])
    np.testing.assert_array_equal(experiments.converged(result, 0.005),
                                  result.iterations_to(0.005) >= 0)


@pytest.mark.parametrize("tol", [0, -1.0, np.inf, np.nan, True, "0.1"])
def test_converged_rejects_bad_tolerances(tol):
    with pytest.raises(LQGameError, match="tol"):
        experiments.converged(hand_made(np.zeros((2, 1, 1))), tol)
    with pytest.raises(LQGameError, match="result"):
        experiments.converged("not a result", 0.1)


def test_linear_rate_of_geometric_sequences():
    m = np.arange(0, 200, 5)
    q = np.array([0.8, 0.9, 0.95])
    values = 3.0 * q[None, :] ** m[:, None]
    np.testing.assert_allclose(experiments.linear_rate(m, values), q, rtol=1e-10)
    # a fast transient on top of the slow mode: the window after two decades finds the slow one
    mixed = 100 * 0.5 ** m + 0.9 ** m
    assert abs(experiments.linear_rate(m, mixed) - 0.9) < 1e-3
    # a sequence that never leaves the window's top has no rate
    assert np.isnan(experiments.linear_rate(m, np.ones_like(m, dtype=float)))
    # rounding-level zeros and NaN records are ignored
    padded = np.concatenate([0.8 ** m, [0.0, np.nan]])
    assert abs(experiments.linear_rate(np.append(m, [200, 205]), padded) - 0.8) < 1e-10
    with pytest.raises(LQGameError, match="n_records"):
        experiments.linear_rate(m, values[:-1])
    with pytest.raises(LQGameError, match="lower"):
        experiments.linear_rate(m, values, lower=0.1, upper=0.01)


def scalar_game(a, b, q, r):
    """N scalar players (d = k_i = 1), T = 1: Q_0^i = Q_T^i = q_i, R^i = r_i."""
    return lqg.LQGame.time_invariant(
        A=[[a]], B=[[[bi]] for bi in b], Q=[[[qi]] for qi in q], R=[[[ri]] for ri in r],
        W=[[0.1]], x0=lqg.GaussianState([1.0], [[1.0]]), T=1)


def test_linearized_spectrum_by_hand_for_scalar_games():
    # one player: 2E = 2(r + b^2 q) K - 2 b q a, so D(2E) = 2(r + b^2 q)
    game = scalar_game(0.7, [0.5], [2.0], [0.3])
    lam = 2 * (0.3 + 0.25 * 2.0)
    np.testing.assert_allclose(convergence.linearized_spectrum(game), [lam], rtol=1e-8)
    assert experiments.linearized_rate(game, 0.2) == pytest.approx(abs(1 - 0.2 * lam), rel=1e-8)
    assert step_size_bound([lam]) == pytest.approx(2 / lam)
    # two players: 2E_i = 2(r_i K_i - b_i q_i (a - b_1 K_1 - b_2 K_2))
    a, b, q, r = 0.9, [1.0, -0.5], [1.5, 0.8], [0.2, 0.4]
    game = scalar_game(a, b, q, r)
    D = 2 * np.array([[r[0] + b[0] ** 2 * q[0], b[0] * q[0] * b[1]],
                      [b[1] * q[1] * b[0], r[1] + b[1] ** 2 * q[1]]])
    np.testing.assert_allclose(np.sort_complex(convergence.linearized_spectrum(game)),
                               np.sort_complex(np.linalg.eigvals(D)), rtol=1e-8)
    eta = [0.3, 0.1]
    J = np.eye(2) - np.diag(eta) @ D
    assert experiments.linearized_rate(game, eta) == pytest.approx(
        np.abs(np.linalg.eigvals(J)).max(), rel=1e-8)


def test_largest_stable_step_by_hand():
    assert step_size_bound([1.0, 2.0]) == pytest.approx(1.0)   # min(2/1, 4/4)
    assert step_size_bound([1 + 1j, 1 - 1j, 4.0]) == pytest.approx(0.5)
    assert step_size_bound([1.0, -0.1]) == 0.0
    assert step_size_bound([0.5j, 1.0]) == 0.0
    with pytest.raises(LQGameError, match="spectrum"):
        step_size_bound([])


def test_linearized_rate_is_algorithm_1_local_rate():
    """||K^(m) - K*|| of Algorithm 1 started very near K* shrinks by rho(J) per iteration, and a
    step just above the largest stable one makes it grow."""
    rng = np.random.default_rng(3)
    game = random_game(rng, N=3, d=3, k=(1, 2, 1), T=3)
    nash = lqg.solve_nash(game)
    eta_max = step_size_bound(convergence.linearized_spectrum(game, nash))
    assert eta_max > 0
    offset = tuple(1e-7 * rng.standard_normal(K.shape) for K in nash.K)
    start = tuple(K + o for K, o in zip(nash.K, offset))
    for eta, m in [(0.5 * eta_max, 60), (0.9 * eta_max, 300)]:
        rho = experiments.linearized_rate(game, eta, nash)
        result = lqg.natural_policy_gradient(game, start, eta, m, record_policies="all", nash=nash)
        distance = np.sqrt(sum(np.sum((P - K) ** 2, axis=(1, 2, 3))
                               for P, K in zip(result.policies, nash.K)))
        observed = (distance[-1] / distance[m // 2]) ** (1 / (m - m // 2))
        assert observed == pytest.approx(rho, rel=2e-2)
        assert rho < 1
    above = lqg.natural_policy_gradient(game, start, 1.1 * eta_max, 400, record_policies="none",
                                        nash=nash)
    assert above.diverged or np.abs(above.normalized_error[-1]).max() > 1e-3


def test_section_5_1_runs_rows_depend_only_on_params_and_seed():
    params = dict(radius=0.3, eta=0.1, iterations=60, tol=0.005, record_every=20)
    together = maps.section_5_1_runs(params, [0, 1, 2, 3, 4])
    alone = maps.section_5_1_runs(params, [3])
    pair = maps.section_5_1_runs(params, [4, 1])
    assert together[3] == alone[0]
    assert together[4] == pair[0] and together[1] == pair[1]
    assert together[0] != together[1]
    # seed s is Algorithm 1 from the policy sample_policies_near draws from default_rng(s)
    game = paper.section_5_1(0.0)
    nash = lqg.solve_nash(game)
    K0 = lqg.sample_policies_near(nash.K, 0.3, 1, np.random.default_rng(2))
    direct = lqg.natural_policy_gradient(game, K0, 0.1, 60, record_every=20)
    assert together[2]["error"] == float(np.abs(direct.normalized_error[-1, 0]).max())
    assert together[2]["converged"] == bool(experiments.converged(direct, 0.005)[0])
    assert set(together[0]) == {"converged", "diverged", "diverged_at", "iterations_to", "error"}


def test_section_5_1_runs_diverged_rows():
    rows = maps.section_5_1_runs(dict(radius=0.1, eta=2.0, iterations=50, tol=0.005), [0, 1])
    for row in rows:
        assert row["diverged"] and not row["converged"] and row["diverged_at"] > 0
        assert row["error"] == np.inf and row["iterations_to"] == -1


def test_section_5_2_runs_rows_depend_only_on_params_and_seed():
    params = dict(sigma2=0.1, trajectories=20, radius=0.5, eta=0.0005, iterations=4, tol=0.05,
                  record_every=2)
    together = maps.section_5_2_runs(params, [5, 6, 7])
    alone = maps.section_5_2_runs(params, [7])
    assert together[2] == alone[0]
    assert together[0] != together[1]
    direct = lqg.model_free_natural_policy_gradient(
        paper.section_5_2(0.1), paper.section_5_2_policies(), 0.0005, 4, trajectories=20,
        radius=0.5, seed=[6], record_every=2)   # a one-element list: the seed used as is
    assert together[1]["error2_m4"] == direct.normalized_error[-1, 1]
    assert together[1]["error1_m0"] == direct.normalized_error[0, 0]


def test_recorded_errors_layout():
    pd = pytest.importorskip("pandas")
    params = dict(sigma2=0.1, trajectories=10, radius=0.5, eta=0.0005, iterations=4, tol=0.05,
                  record_every=2)
    rows = maps.section_5_2_runs(params, [0, 1])
    iterations, errors = maps.recorded_errors(pd.DataFrame(rows))
    np.testing.assert_array_equal(iterations, [0, 2, 4])
    assert errors.shape == (3, 2, 2)
    assert errors[2, 1, 0] == rows[1]["error1_m4"]
    with pytest.raises(LQGameError, match="columns"):
        maps.recorded_errors(pd.DataFrame({"converged": [True]}))


def test_experiments_name_missing_parameters_and_bad_seeds():
    with pytest.raises(LQGameError, match="'eta'"):
        maps.section_5_1_runs(dict(radius=0.3, iterations=5, tol=0.005), [0])
    with pytest.raises(LQGameError, match="seeds"):
        maps.section_5_2_runs(dict(sigma2=0.1, trajectories=10, radius=0.5, eta=0.001,
                                          iterations=2, tol=0.05), [-1])


def test_run_sweep_with_section_5_1_runs(tmp_path):
    grid = dict(radius=[0.1, 0.3], eta=[0.1], iterations=[30], tol=[0.005])
    path = tmp_path / "map.csv"
    table = run_sweep(maps.section_5_1_runs, grid, 4, path, n_jobs=1)
    assert len(table) == 8
    again = run_sweep(maps.section_5_1_runs, grid, 6, path, n_jobs=1)   # resumes
    assert len(again) == 12
    cell = again[again.radius == 0.3].sort_values("seed")
    direct = maps.section_5_1_runs(dict(radius=0.3, eta=0.1, iterations=30, tol=0.005),
                                          range(6))
    np.testing.assert_array_equal(cell["error"].to_numpy(), [r["error"] for r in direct])


def test_nash_gap_history_matches_the_gap_of_each_record():
    rng = np.random.default_rng(4)
    game = random_game(rng, N=3, d=2, k=(1, 2, 1), T=3)
    nash = lqg.solve_nash(game)
    K0 = lqg.sample_policies_near(nash.K, 0.2, 3, rng)
    K0 = tuple(np.concatenate([K, 30 * K[:1]]) for K in K0)          # a fourth run that diverges
    result = lqg.natural_policy_gradient(game, K0, 0.1, 20, record_every=5, record_policies="all",
                                         nash=nash)
    assert result.diverged.tolist() == [False, False, False, True]
    gaps = experiments.nash_gap_history(game, result, chunk=4)
    assert gaps.shape == (5, 4)
    for j in range(5):
        direct = lqg.diagnostics.nash_gap(game, tuple(P[j, :3] for P in result.policies), nash)
        np.testing.assert_array_equal(gaps[j, :3], direct)
    assert np.isnan(gaps[-1, 3]) and np.isfinite(gaps[0, 3])
    t0_only = lqg.natural_policy_gradient(game, K0, 0.1, 2, nash=nash)
    with pytest.raises(LQGameError, match="record_policies='all'"):
        experiments.nash_gap_history(game, t0_only)


def test_linearized_rate_from_a_spectrum_equals_the_direct_one():
    game = random_game(np.random.default_rng(9), N=2, d=2, k=(1, 2), T=2)
    spectrum = convergence.linearized_spectrum(game)
    direct = experiments.linearized_rate(game, 0.2)
    from_spectrum = experiments.linearized_rate(game, 0.2, spectrum=spectrum)
    assert from_spectrum == pytest.approx(direct, rel=1e-9)
    assert experiments.linearized_rate(game, [0.2, 0.1], spectrum=spectrum) == \
        experiments.linearized_rate(game, [0.2, 0.1])          # per-player steps need the Jacobian
    with pytest.raises(LQGameError, match="spectrum"):
        experiments.linearized_rate(game, 0.2, spectrum=spectrum[:-1])
