r"""The claims of the notebooks beyond the paper: statements of the paper (or of its reference
[11]) that its own experiments do not test, put to the test."""

from ..claims import Claim

__all__ = ["COUNTEREXAMPLE", "N_PLAYERS", "ALGORITHM_2_N", "MAPS", "ESTIMATOR"]

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

MAPS = [
    Claim(
        "larger-radius-slower-map", "§5.1, Figs. 1-2",
        "When we initialize the policies in a larger neighborhood of the Nash equilibrium, it takes "
        "the natural policy gradient algorithm (with the same step size) more iterations to "
        "converge.",
        r"map 1 at $\eta = 0.1$: median iterations to converge (runs that converged) "
        "{iterations_by_radius:.0f|, } at r = {radii_used:g|, }; fraction converged "
        "{converged_at_0_1:.0%|, }.",
        reproduced="radius_monotone", partly="radius_rises",
        headline="{iterations_by_radius:.0f|/}",
        section="Map 1: Algorithm 1 on the Section 5.1 game over $(r, \\eta)$"),
    Claim(
        "initial-policy-and-step", "§5.1, Figs. 4-6",
        "Either by adjusting the step size, or by initializing the policies from a smaller "
        "neighbourhood around the Nash equilibrium, the natural policy gradient method converges to "
        r"the Nash equilibrium (deterministic dynamics, $\sigma = 0$).",
        r"$\sigma^2 = 0$, $M = {iterations_1}$: the fraction converged falls with r for "
        r"{shrinking_steps} of {stable_steps} step sizes below $\eta_{\max} = {eta_max:.2f}$, from "
        "{best_smallest_radius:.0%} at the smallest radius to {best_largest_radius:.0%} at the "
        r"largest (best step size); of the {diverging} initial policies that diverge with some "
        r"step size below $\eta_{\max}$, {by_smaller} converge with a smaller one and {by_larger} "
        r"with a larger one; every step size above $\eta_{\max}$ diverges in "
        "{unstable_diverged_min:.0%} of runs or more.",
        reproduced="all_shrink and rescued_any", partly="all_shrink or rescued_any",
        headline="{by_smaller} of {diverging} rescued",
        section="Map 1: Algorithm 1 on the Section 5.1 game over $(r, \\eta)$"),
    Claim(
        "diverges-low-noise-map", "§5.2, Fig. 7",
        r"The natural policy gradient algorithm diverges when $\sigma^2 \le 0.0001$ for both players.",
        r"map 2, $\sigma^2 \le 10^{-4}$: fraction diverged {low_diverged:.0%|, } (every L).",
        reproduced="low_all", partly="low_any", headline="{low_diverged:.0%|/}",
        section="Map 2: Algorithm 2 on the Section 5.2 game over $(\\sigma^2, L)$"),
    Claim(
        "converges-0.01-map", "§5.2, Fig. 7",
        r"It starts to converge with large fluctuations when $\sigma^2 = 0.01$.",
        r"map 2, $\sigma^2 = 0.01$: diverged {diverged_0_01:.0%|, }, converged "
        "{converged_0_01:.0%|, } for L = {trajectories:d|, }.",
        reproduced="max(diverged_0_01) == 0", partly="min(diverged_0_01) < 0.5",
        headline="{diverged_0_01:.0%|/} div.",
        section="Map 2: Algorithm 2 on the Section 5.2 game over $(\\sigma^2, L)$"),
    Claim(
        "accuracy-0.1-map", "§5.2, Fig. 7",
        r"When $\sigma^2 = 0.1$, the algorithm shows a reasonable accuracy within 300 iterations "
        "(the normalized error is less than 5%) for both players.",
        r"$\sigma^2 = 0.1$, $L = 200$: {at_within:.0%} of seeds below {tol_2:.0%} at "
        r"$m = {within}$.",
        reproduced="at_within >= 0.9", partly="at_within > 0", headline="{at_within:.0%}",
        section="Figure 7, redrawn over seeds"),
    Claim(
        "noise-helps-map", "§5.2",
        "(Even a low level of) the system noise can indeed help the natural policy gradient "
        "algorithm to find the Nash equilibrium.",
        "fraction of runs that do not diverge at the lowest and the highest noise level: "
        "{alive_first:.0%|, } and {alive_last:.0%|, } for L = {trajectories:d|, }.",
        reproduced="noise_helps_all and noise_helps_200", partly="noise_helps_any",
        headline="{alive_last:.0%|/}",
        section="Map 2: Algorithm 2 on the Section 5.2 game over $(\\sigma^2, L)$"),
]

ESTIMATOR = [
    Claim(
        "natural-beats-vanilla", "§3, after (3.5)",
        "The natural policy gradient method performs better than the vanilla policy gradient "
        "method in practice since it takes the information geometry into consideration.",
        r"Section 5.1 game, known parameters, the best $\eta$ of {step_grid:g|/} for each, "
        r"{vanilla_policies} initial policies within $r = {vanilla_radius:g}$ of $K^*$, at "
        r"$\sigma^2$ = {vanilla_sigma2:g|/}: converged {natural_converged:.0%|/} (natural) against "
        "{vanilla_converged:.0%|/} (vanilla), median iterations to 0.5 % {natural_iterations:g|/} "
        "against {vanilla_iterations:g|/}.",
        reproduced="never_worse and somewhere_better", partly="somewhere_better",
        headline="{natural_iterations:g|/} vs {vanilla_iterations:g|/} it.",
        section="6. Beyond the paper: natural against vanilla policy gradient (Section 5.1)"),
    Claim(
        "exploration-adds-noise", "§5.2, last paragraph of Convergence",
        "In practice we may not be able to change the variance of $w_t$ directly, however the level "
        "of system noise can also be increased by adding (Gaussian) explorations to the agents' "
        "policies.",
        r"within 5 % after {threshold_iterations} iterations at $\sigma^2$ = "
        "{threshold_sigma2:g|/}: {paper_converged:.0%|/} of {threshold_seeds} runs as printed, "
        r"{explored_converged:.0%|/} with exploration $\sigma_u = {exploration_levels:g|/}$; the "
        "explored game has the same Nash equilibrium, and exploring raises the players' costs at "
        r"$K^*$ by {price:.1f|, } %.",
        reproduced="explore_all and same_nash", partly="explore_any",
        headline="{explored_converged:.0%|/}",
        section="5. The $\\sigma^2$ threshold of Figure 7"),
]
