"""The linearization of Algorithm 1 and vanilla policy gradient at the equilibrium against central
differences of the public gradients (block triangular in t, diagonal blocks 2 Phi_t X Sigma_t), the
saddle criterion against finite-difference spectra over the census games, and the step-size bound
against runs of the algorithms."""

import numpy as np
import pytest

import lqg
from lqg import linearization, paper
from lqg.experiments import convergence, saddles

from conftest import random_game


def fd_jacobian(game, nash, gradient, h=1e-6):
    """The Jacobian of 2E (natural) or 2E Sigma (vanilla) at K*, by central differences of
    lqg.natural_gradient / lqg.policy_gradient over all stacked gains (T, sum k, d), t-major."""
    star = np.concatenate(nash.K, axis=-2)
    n = star.size
    K = np.concatenate([star + h * np.eye(n).reshape((n,) + star.shape),
                        star - h * np.eye(n).reshape((n,) + star.shape)])
    f = lqg.natural_gradient if gradient == "natural" else lqg.policy_gradient
    g = np.concatenate(f(game, tuple(K[..., s, :] for s in game.slices)), axis=-2).reshape(2 * n, n)
    return ((g[:n] - g[n:]) / (2 * h)).T                                 # column j: along j


GAMES = {
    "section 5.1, no noise": lambda: paper.section_5_1(0.0, T=4),
    "section 5.1, sigma^2 = 0.1": lambda: paper.section_5_1(0.1, T=4),
    "random, noise": lambda: random_game(np.random.default_rng(5), N=3, d=3, k=(1, 2, 1), T=3),
    "random, no noise": lambda: random_game(np.random.default_rng(6), N=2, d=2, k=(2, 1), T=3,
                                            noise=0.0),
}


@pytest.mark.parametrize("gradient", ["natural", "vanilla"])
@pytest.mark.parametrize("name", list(GAMES))
def test_the_jacobian_is_block_triangular_with_blocks_2_phi_x_sigma(name, gradient):
    game = GAMES[name]()
    nash = lqg.solve_nash(game)
    J = fd_jacobian(game, nash, gradient)
    lin = linearization.linearize(game, nash, gradient=gradient)
    m = sum(game.k) * game.d                                             # one block per t
    scale = np.abs(J).max()
    for t in range(game.T):
        rows = slice(t * m, (t + 1) * m)
        # E_t reads K_t, ..., K_{T-1} only; Sigma_t multiplies E_t = 0
        np.testing.assert_allclose(J[rows, :t * m], 0.0, atol=1e-7 * scale)
        # vec_row(Phi X Sigma) = (Phi kron Sigma) vec_row(X)
        expected = 2 * np.kron(lin.phi[t], lin.covariances[t])
        np.testing.assert_allclose(J[rows, rows], expected, rtol=1e-6, atol=1e-7 * scale)
        found = np.sort_complex(np.linalg.eigvals(J[rows, rows]))
        np.testing.assert_allclose(found, np.sort_complex(lin.spectrum[rows]), rtol=1e-5,
                                   atol=1e-7 * scale)


@pytest.mark.parametrize("gradient", ["natural", "vanilla"])
def test_the_spectrum_is_that_of_the_finite_difference_jacobian(gradient):
    """On a time-varying game (distinct eigenvalues over t), the whole spectrum, and the
    experiments' linearized_spectrum, which now reads it."""
    game = random_game(np.random.default_rng(7), N=2, d=3, k=(1, 2), T=3)
    nash = lqg.solve_nash(game)
    expected = np.sort_complex(np.linalg.eigvals(fd_jacobian(game, nash, gradient)))
    found = np.sort_complex(linearization.linearize(game, nash, gradient=gradient).spectrum)
    np.testing.assert_allclose(found, expected, rtol=1e-5, atol=1e-8)
    np.testing.assert_array_equal(
        np.sort_complex(convergence.linearized_spectrum(game, nash, gradient=gradient)), found)


def test_noise_changes_the_covariances_only():
    game = paper.section_5_1(0.0)
    quiet, noisy = (linearization.linearize(g, gradient="vanilla")
                    for g in (game, game.with_noise(0.1)))
    np.testing.assert_allclose(quiet.phi, noisy.phi, rtol=1e-12)
    assert np.all(noisy.covariance_eigenvalues > 0)
    # without noise Sigma_t decays along the horizon, so the later blocks are zero to rounding
    assert quiet.neutral.any() and not noisy.neutral.any()
    # the natural gradient has no Sigma_t: its spectrum is 2 lambda(Phi_t), each d times
    natural = linearization.linearize(game)
    np.testing.assert_allclose(np.sort_complex(natural.spectrum),
                               np.sort_complex(np.repeat(2 * natural.phi_eigenvalues, game.d)),
                               rtol=1e-12)


@pytest.fixture(scope="module")
def census_games():
    games = []
    for family, seed in (("ours", 1), ("section-5.1", 4)):
        games += saddles.random_two_player_games(40, seed=seed, T=5, family=family)
    return games


def test_a_saddle_exactly_when_some_phi_t_has_a_negative_eigenvalue(census_games):
    """Over random games of both families: the finite-difference spectrum of Algorithm 1, and of
    vanilla policy gradient with noise, has an eigenvalue with negative real part iff some Phi_t
    has one (noise cannot flip a sign); both kinds of game occur."""
    verdicts = []
    for game in census_games:
        nash = lqg.solve_nash(game)
        lin = linearization.linearize(game, nash)
        phi_negative = bool((lin.phi_eigenvalues.real < 0).any())
        assert lin.saddle() == phi_negative
        for played, gradient in ((game, "natural"), (game.with_noise(0.1), "vanilla")):
            lam = np.linalg.eigvals(fd_jacobian(played, lqg.solve_nash(played), gradient))
            exact = linearization.linearize(played, gradient=gradient).spectrum
            nearest = np.abs(lam[:, None] - exact[None, :]).min(axis=0)
            assert nearest.max() < 1e-8 * np.abs(lam).max()
            assert (lam.real.min() < 0) == phi_negative
        verdicts.append(phi_negative)
    assert 0 < sum(verdicts) < len(verdicts)


def test_the_census_counts_per_family():
    games, found, summary = saddles.family_census("section-5.1", 30, seed=2, T=5)
    assert summary["family"] == "section-5.1" and summary["games"] == 30
    assert summary["solved"] == int(found["solved"].sum()) > 0
    solved = found["solved"]
    for key in saddles.METHODS:
        assert summary[f"{key}_saddles"] == int(found[f"{key}_saddle"][solved].sum())
    # the finite-horizon methods' verdicts are Phi_t's, with or without noise
    phi_negative = found["phi_min_real"][solved] < 0
    for key in ("finite_vanilla", "finite_vanilla_noise", "finite_natural"):
        np.testing.assert_array_equal(found[f"{key}_saddle"][solved], phi_negative)
    assert "as a secondary source describes [11]" in saddles.census_report(summary)
    for game in games:                                                   # only A is random
        np.testing.assert_array_equal(game.B_stacked[0], [[1.0, 0.0], [1.0, 1.0]])
        np.testing.assert_array_equal(game.Q_stacked[:, 0], [np.diag([0.01, 1.0]),
                                                              np.diag([1.0, 0.147])])


def test_the_census_screen_agrees_with_the_stationary_solver(census_games):
    """The batched Riccati screen skips only games on which solve_stationary_nash fails within the
    same number of steps (the games it lets through, the solver decides)."""
    from lqg import stationary
    from lqg.experiments.saddles import _still_moving

    moving = _still_moving(census_games, 200)
    for game, skip in zip(census_games, moving):
        try:
            stationary.solve_stationary_nash(game, max_iter=200)
            solved = True
        except stationary.NoStationaryNashError:
            solved = False
        assert not (solved and skip)
    assert moving.any() and not moving.all()


# ---------------------------------------------------------------------------
# the step-size bound


def test_step_size_bound_matches_the_finite_difference_spectrum():
    for game in (paper.section_5_1(0.1, T=4), GAMES["random, noise"]()):
        nash = lqg.solve_nash(game)
        for gradient in ("natural", "vanilla"):
            lam = np.linalg.eigvals(fd_jacobian(game, nash, gradient))
            expected = np.min(2 * lam.real / np.abs(lam) ** 2)
            assert lqg.largest_stable_step(game, nash, gradient=gradient) == \
                pytest.approx(expected, rel=1e-6)
    assert linearization.step_size_bound([1.0, -0.1]) == 0.0
    with pytest.raises(lqg.LQGameError, match="gradient"):
        lqg.largest_stable_step(paper.section_5_1(0.1), gradient="exact")


def distance_to_equilibrium(result, nash):
    return np.sqrt(sum(np.sum((P - K) ** 2, axis=(-3, -2, -1))
                       for P, K in zip(result.policies, nash.K)))


@pytest.mark.parametrize("game", [paper.section_5_1(0.1),
                                  random_game(np.random.default_rng(3), N=3, d=3, k=(1, 2, 1), T=3)],
                         ids=["section 5.1", "random"])
def test_algorithm_1_converges_below_the_bound_and_diverges_above(game):
    nash = lqg.solve_nash(game)
    lin = linearization.linearize(game, nash)
    eta_max = lqg.largest_stable_step(game, nash)
    assert eta_max == lin.eta_max > 0
    rng = np.random.default_rng(11)
    start = tuple(K + 1e-6 * rng.standard_normal(K.shape) for K in nash.K)
    below = lqg.natural_policy_gradient(game, start, 0.9 * eta_max, 600, record_policies="all",
                                        nash=nash)
    d = distance_to_equilibrium(below, nash)
    assert not below.diverged and d[-1] < 1e-3 * d[0]
    assert lin.rate(0.9 * eta_max) < 1 < lin.rate(1.1 * eta_max)
    above = lqg.natural_policy_gradient(game, start, 1.1 * eta_max, 600, record_policies="all",
                                        nash=nash)
    assert above.diverged or distance_to_equilibrium(above, nash)[-1] > 1e3 * d[0]


def test_vanilla_policy_gradient_is_stable_below_its_bound_and_not_above():
    game = paper.section_5_1(0.1)
    nash = lqg.solve_nash(game)
    eta_max = lqg.largest_stable_step(game, nash, gradient="vanilla")
    assert eta_max == pytest.approx(0.407, abs=1e-3)
    start = tuple(K + 1e-6 for K in nash.K)
    runs = {f: lqg.policy_gradient_descent(game, start, f * eta_max, 300, record_policies="all",
                                           nash=nash) for f in (0.9, 1.1)}
    d = {f: distance_to_equilibrium(r, nash) for f, r in runs.items()}
    assert not runs[0.9].diverged and d[0.9][-1] <= d[0.9][0]          # its slow modes crawl
    assert runs[1.1].diverged or d[1.1][-1] > 1e3 * d[1.1][0]


def test_the_rate_with_one_step_per_player():
    """rho(I - diag(eta) J) from the blocks 2 H Phi_t equals the finite-difference Jacobian's."""
    game = GAMES["random, noise"]()
    nash = lqg.solve_nash(game)
    eta = [0.3, 0.1, 0.2]
    rows = np.repeat(eta, game.k)
    H = np.tile(np.repeat(rows, game.d), game.T)
    J = np.eye(H.size) - H[:, None] * fd_jacobian(game, nash, "natural")
    assert linearization.linearize(game, nash).rate(eta) == pytest.approx(
        np.abs(np.linalg.eigvals(J)).max(), rel=1e-6)


def test_a_game_without_an_equilibrium_is_refused():
    game = lqg.LQGame.time_invariant(A=[[1.0]], B=[[[1.0]]], Q=[[[1.0]]], R=[[[-2.0]]], W=[[0.1]],
                                     x0=lqg.GaussianState([1.0], [[1.0]]), T=2)
    with pytest.raises(lqg.NotAnEquilibriumError):
        lqg.largest_stable_step(game)
    assert linearization.linearize(game, require_equilibrium=False).phi.shape == (2, 1, 1)
