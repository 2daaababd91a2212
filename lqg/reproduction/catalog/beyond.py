r"""The claims of the notebooks beyond the paper: statements of the paper (or of its reference
[11]) that its own experiments do not test, put to the test."""

from ..claims import Claim

__all__ = ["COUNTEREXAMPLE", "N_PLAYERS", "ALGORITHM_2_N"]

COUNTEREXAMPLE = [
    Claim(
        "mazumdar-subset", "§5.1, on [11]",
        "Mazumdar et al. [11] show by a counterexample that in the setting of infinite time horizon "
        "and deterministic dynamics, the (vanilla) policy gradient method avoids the Nash "
        "equilibria for a non-negligible subset of problems.",
        "{vanilla_saddles} of {solved} random two-player games of [11]'s shape "
        "({vanilla_saddle:.1%}) have a stationary equilibrium that is a saddle of gradient play "
        r"(an eigenvalue of $J$ with negative real part), which gradient play avoids from almost "
        "every start (non-negligible: at least 1 %).",
        reproduced="vanilla_saddle >= 0.01", partly="vanilla_saddles > 0",
        headline="{vanilla_saddle:.1%}", section="How common are the games [11] describes?"),
    Claim(
        "example-avoids", "§5.1, set-up",
        "[The game of Section 5.1 is 'a modified example given in [11]', the set-up in which "
        "vanilla policy gradient can avoid the Nash equilibrium.]",
        r"at the stationary equilibrium every eigenvalue of $J$ has a positive real part (from "
        r"{vanilla_min:.2g} to {vanilla_max:.3g}): it attracts gradient play for "
        r"$\eta < {vanilla_eta_max:.3g}$, slowly along the direction of the smallest; from {runs} "
        r"starts within $r = {radius:g}$, {mazumdar_converged:.0%|/} converge (diverge "
        r"{mazumdar_diverged:.0%|/}) at $\eta$ = {step_sizes:g|/}.",
        reproduced="vanilla_min < 0", partly="mazumdar_best < 0.5",
        headline="{mazumdar_best:.0%} conv.", section="[11]'s setting on the Section 5.1 game"),
    Claim(
        "paper-finds", "§5.1",
        "In our setting with finite time horizon and stochastic dynamics, the natural policy "
        "gradient algorithm (with known parameters) finds the (unique) Nash equilibrium under the "
        "same experimental set-up.",
        r"$T = {horizon}$, $\sigma^2 = {sigma2:g}$, Algorithm 1 from the same starts copied over "
        r"$t$: {paper_converged:.0%|/} converge (diverge {paper_diverged:.0%|/}) at $\eta$ = "
        "{step_sizes:g|/}; in [11]'s setting {mazumdar_converged:.0%|/}.",
        reproduced="paper_best >= 0.95", partly="paper_best >= 0.5",
        headline="{paper_best:.0%} conv.", section="The ingredients one at a time"),
    Claim(
        "noise-avoids", "§1, 'System noise'",
        "We show in Section 5 that the circulating and divergence phenomenon described in [11] can "
        "be avoided with the addition of system noise.",
        r"of the {vanilla_saddles} games whose equilibrium is a saddle of gradient play, noise "
        r"($W = {sigma2:g} I$, $T = {horizon}$) removes the saddle in "
        "{finite_vanilla_noise_removes:.0%}, the finite horizon alone in "
        "{finite_vanilla_removes:.0%}, the natural gradient in {natural_removes:.0%}, all three "
        r"(Algorithm 1) in {finite_natural_removes:.0%}; on the first, {saddle_paper_away:.0%} of "
        r"Algorithm 1's runs ($\sigma^2 = {sigma2:g}$) end farther from $K_0^*$ than they started.",
        reproduced="finite_vanilla_noise_removes >= 0.95",
        partly="finite_vanilla_noise_removes > 0",
        headline="{finite_vanilla_noise_removes:.0%} removed",
        section="A game [11] describes, and the paper's remedies"),
]

N_PLAYERS = [
    Claim(
        "n-players", "Title; §3, Theorem 3.5",
        "Policy gradient methods find the Nash equilibrium in N-player general-sum linear-quadratic "
        "games (Algorithm 1 converges to the Nash equilibrium).",
        r"Algorithm 1 with $\eta = {eta:g}$ from within $r = {radius:g}$ of $K^*$: fraction of "
        "{runs} runs converged at {tol:.1%}: {converged_by_game}.",
        reproduced="converged_min >= 0.95", partly="converged_min > 0",
        headline="{converged_min:.0%}", section="Algorithm 1 from near the equilibrium"),
    Claim(
        "linear-rate-n", "§3, Theorem 3.5",
        r"The convergence is linear: the Nash gap shrinks by a factor $r \in (0, 1)$ per iteration.",
        "median fitted factor per game: {rates_by_game}; largest relative difference "
        "{agreement:.1%}.",
        reproduced="rates_below_one", headline="{agreement:.1%} from $\\rho(J)^2$",
        section="Algorithm 1 from near the equilibrium"),
    Claim(
        "theorem-3-5-rate", "§3, Theorem 3.5, eq. (3.12)",
        r"Under Assumption 3.3, the gap decreases at least like $(1 - \eta\hat\alpha)^m$, "
        r"$\hat\alpha > 0$.",
        r"Assumption 3.3 fails in every game: $\hat\alpha$ from {alpha_min:.1e} to {alpha_max:.1e} "
        "(largest LHS/RHS of (3.11): {lhs_rhs_max:.1e}), so the theorem guarantees no rate; the "
        "observed rates follow the linearisation instead.",
        reproduced="alpha_min > 0", headline=r"$\hat\alpha \le$ {alpha_max:.0e}",
        section="Algorithm 1 from near the equilibrium"),
    Claim(
        "violated-assumption", "§3, after Remark 3.4; §5",
        "At least in some circumstances, the natural gradient method leads to the Nash equilibrium "
        "even when Assumption 3.3 is violated.",
        "Assumption 3.3 is violated in all {games} games, and Algorithm 1 converges in at least "
        "{converged_min:.0%} of the runs of each.",
        reproduced="converged_min >= 0.95 and not assumption_3_3_any", partly="converged_min > 0",
        headline="{converged_min:.0%}", section="Algorithm 1 from near the equilibrium"),
]

ALGORITHM_2_N = [
    Claim(
        "model-free-n", "Title; §4",
        "[Algorithm 2, the natural policy gradient with unknown parameters, finds the Nash "
        "equilibrium in N-player games:] high-probability convergence guarantees (linear "
        "convergence rate and polynomial sample complexity) for the model-free counterpart can be "
        "established in the same way as for the Linear Quadratic Regulator setting.",
        r"$\eta = {eta:g}$, $L = {trajectories}$, $r = {radius:g}$, {seeds} seeds: below "
        r"{level:.0%} within {iterations} iterations for $N$ = {players:d|/}: as printed "
        "{literal_reached:.0%|/} (diverged {literal_diverged:.0%|/}); with the cost-to-go reading "
        "{reading_reached:.0%|/}, after {reading_episodes:.3g|/} episodes (median), growing as "
        r"$N^{{exponent:.2f}}$ (fit over the $N$ that reach it).",
        reproduced="min(literal_reached) >= 0.9", partly="min(reading_reached) >= 0.9",
        headline="{literal_reached:.0%|/}",
        section="Episodes to an accuracy, as N grows"),
]
