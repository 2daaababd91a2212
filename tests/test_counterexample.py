"""The counterexample of Mazumdar et al. beside the paper's setting: the spectra of gradient play
against finite differences, the saddle games, and gradient play on them."""

import numpy as np
import pytest

import lqg
from lqg import paper, stationary
from lqg.experiments import convergence, saddles
from lqg.experiments import counterexample as cx


def numeric_jacobian(function, star, h=1e-6):
    n = star.size
    J = np.zeros((n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        e = e.reshape(star.shape)
        J[:, j] = ((function(star + e) - function(star - e)) / (2 * h)).ravel()
    return J


def test_stationary_spectrum_is_the_jacobian_of_the_simultaneous_gradient():
    game = paper.section_5_1(0.0)
    star = lqg.solve_stationary_nash(game)

    def simultaneous(K, natural=False):
        gains = (K[0:1], K[1:2])
        f = stationary.stationary_natural_gradient if natural else stationary.stationary_policy_gradient
        return np.concatenate(f(game, gains), axis=-2)

    stacked = np.concatenate(star.K, axis=0)
    for natural, gradient in [(False, "vanilla"), (True, "natural")]:
        expected = np.sort_complex(np.linalg.eigvals(numeric_jacobian(
            lambda K, natural=natural: simultaneous(K, natural), stacked)))
        found = np.sort_complex(saddles.stationary_spectrum(game, star, gradient=gradient))
        np.testing.assert_allclose(found, expected, rtol=1e-5, atol=1e-8)
    values = saddles.spectrum_values(game, star)
    assert values["vanilla_min"] > 0 and values["natural_min"] > 0     # the equilibrium attracts
    assert values["vanilla_condition"] > 1e4 > values["natural_condition"]


def test_vanilla_linearized_spectrum_is_the_jacobian_of_the_policy_gradient():
    game = paper.section_5_1(0.1, T=3)
    nash = lqg.solve_nash(game)
    stacked = np.concatenate(nash.K, axis=-2)                          # (T, sum k, d)

    def gradient(K):
        return np.concatenate(lqg.policy_gradient(game, (K[:, 0:1], K[:, 1:2])), axis=-2)

    expected = np.sort_complex(np.linalg.eigvals(numeric_jacobian(gradient, stacked)))
    found = np.sort_complex(convergence.linearized_spectrum(game, nash, gradient="vanilla"))
    np.testing.assert_allclose(found, expected, rtol=1e-5, atol=1e-8)


@pytest.fixture(scope="module")
def saddle():
    games = saddles.random_two_player_games(60, seed=1)
    census = saddles.saddle_census(games)
    index = np.flatnonzero(census["vanilla_saddle"])
    assert index.size, "the census finds games whose equilibrium is a saddle of gradient play"
    return games, census, int(index[0])


def test_the_finite_horizon_saddles_are_those_of_phi_t(saddle):
    """The finite-horizon Jacobians are block triangular in t with blocks X -> 2 Phi_t X Sigma_t
    (vanilla) and X -> 2 Phi_t X (Algorithm 1), lqg.linearization: noise changes Sigma_t only and
    cannot flip a sign, so every finite-horizon method has a saddle exactly where some Phi_t has
    an eigenvalue with negative real part. On the first saddle game, Algorithm 1's
    finite-difference spectrum reaches 2 min Re lambda(Phi_t)."""
    games, census, g = saddle
    solved = census["solved"]
    for key in ("finite_vanilla", "finite_vanilla_noise", "finite_natural"):
        np.testing.assert_array_equal(census[f"{key}_saddle"][solved], census["phi_saddle"][solved])
    assert census["phi_saddle"][g] and census["phi_min_real"][g] < 0
    game = games[g]
    nash = lqg.solve_nash(game)
    stacked = np.concatenate(nash.K, axis=-2)

    def natural(K):
        return np.concatenate(lqg.natural_gradient(game, (K[:, 0:1], K[:, 1:2])), axis=-2)

    lam = np.linalg.eigvals(numeric_jacobian(natural, stacked))
    assert lam.real.min() == pytest.approx(2 * census["phi_min_real"][g], rel=1e-5)
    summary = saddles.census_summary(census)
    assert summary["vanilla_saddles"] == int((census["vanilla_saddle"] & census["solved"]).sum())
    assert summary["phi_saddles"] == int(census["phi_saddle"].sum()) >= summary["finite_natural_saddles"]
    assert 0 <= summary["finite_vanilla_noise_removes"].value <= 1


def test_gradient_play_leaves_a_saddle_equilibrium(saddle):
    games, _, g = saddle
    game = games[g]
    star = lqg.solve_stationary_nash(game)
    near = lqg.sample_policies_near(tuple(K[None] for K in star.K), 0.02, 8, seed=3)
    near = np.concatenate([K[:, 0] for K in near], axis=-2)
    play = cx.stationary_gradient_play(game, near, 0.01, 4000, nash=star, record_every=100)
    moved = cx.distances(play)
    assert np.median(moved[-1] / moved[0]) > 1.5                       # repelled along the saddle


def test_outcomes_classify_runs():
    game = paper.section_5_1(0.0)
    star = lqg.solve_stationary_nash(game)
    K = np.concatenate(star.K, axis=-2)
    starts = np.stack([K, K + 0.01, K + 5.0])                         # at K*, near, unstable
    play = cx.stationary_gradient_play(game, starts, 0.1, 200, nash=star)
    found = cx.shares(play, tol=0.005)
    assert play.diverged.tolist() == [False, False, True]
    assert (found["diverged"].k, found["diverged"].n) == (1, 3) and found["converged"].k >= 1
    assert sum(p.k for p in found.values()) == 3
    with pytest.raises(lqg.LQGameError, match="result must be a StationaryPlay or a PGResult"):
        cx.shares("runs", tol=0.1)


def test_the_paper_setting_shares_the_natural_runs():
    game = paper.section_5_1(0.0, T=4)
    star = lqg.solve_stationary_nash(game)
    starts = np.concatenate([K[None] for K in star.K], axis=-2) + np.array([[[0.05, 0.0], [0.0, 0.05]]])
    found = cx.run_settings(game, starts, [0.1], 30, sigma2=0.1, tol=0.005, record_every=10,
                            settings=[cx.SETTINGS[5], cx.SETTINGS[6]])
    natural, paper_setting = found["finite-natural"][0], found["paper"][0]
    for a, b in zip(natural.K, paper_setting.K):
        np.testing.assert_array_equal(a, b)                            # Algorithm 1 never reads W
    assert not np.allclose(natural.normalized_error, paper_setting.normalized_error)
