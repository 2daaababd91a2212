r"""The claims of Sections 2-4: the equilibrium, the theory of Algorithm 1, Algorithm 2's estimates."""

from ..claims import Claim

__all__ = ["SECTION_2", "SECTION_3", "SECTION_4"]

SECTION_2 = [
    Claim(
        "unique-nash", "§5.1, set-up",
        "Under the following set of parameters, there exists a unique Nash equilibrium since the "
        "sufficient condition in Remark 2.4 is satisfied.",
        r"$\Phi_t$ is invertible at every $t$; condition numbers {condition_min:.1f} to "
        "{condition_max:.1f}.",
        reproduced="invertible", section="The Nash equilibrium"),
    Claim(
        "best-response", "§2, eqs. (2.4)-(2.6)",
        r"The Nash equilibrium strategy for player $i$ is $u_t^{i*} = -K_t^{i*} x_t$ with $K_t^{i*}$ "
        "from (2.4).",
        r"each $K^{i*}$ equals the single-agent LQR best response to $K^{-i*}$ to within "
        "{tolerance:g} (largest gap {gain_gap:.1e}); no unilateral deviation along {directions} "
        "random directions per player lowers the deviator's cost.",
        reproduced="gain_gap < tolerance and min_at_zero",
        section="Check 1: each equilibrium policy is a best response"),
    Claim(
        "nash-cost", "§2, Lemma 2.5, eqs. (2.7)-(2.8)",
        r"The Nash equilibrium cost for player $i$ is $\mathbb E[x_0^\top P_0^{i*} x_0] + N_0^{i*}$.",
        "Monte Carlo with {mc_trajectories} trajectories agrees within {z_max:.1f} standard errors.",
        reproduced="z_max < 4", section="Check 2: exact costs match Monte Carlo"),
]

SECTION_3 = [
    Claim(
        "remark-3-4", "§3, Remark 3.4",
        "An example where Assumption 3.3 is satisfied: [the Remark 3.4 parameters, $T = 1$, "
        r"$K^{1,(0)} = K^{2,(0)} = (0.2, 0.01)$].",
        r"(3.11) fails: LHS {lhs:.3e} < RHS {rhs:.3e} ($\hat\alpha$ = {alpha_hat:.3f}) with the "
        r"policy-free $\underline\sigma_X$ = {sigma_x:.3g} of Lemma 3.1; with $\underline\sigma_X$ "
        "at $K^{(0)}$ still LHS {lhs_initial:.3e} < RHS {rhs_initial:.3e}.",
        reproduced="holds", section="1. Remark 3.4: does Assumption 3.3 hold?"),
    Claim(
        "noise-helps-3-11", "§3, after (3.11)",
        r"When $\underline\sigma_X$ increases, the LHS of (3.11) increases while the RHS decreases, "
        r"so Assumption 3.3 requires $\underline\sigma_X$ large enough: the system needs a certain "
        "level of noise.",
        r"true of $\underline\sigma_X$ alone, but $\underline\sigma_X$ can only grow through $W$, "
        r"which also raises $C^i(K^*)$ and $\|\Sigma_{K^*}\|$: raising $W = wI$ from {w_first:g} "
        "to {w_last:g} moves the LHS from {lhs_first:.2e} (peak {lhs_peak:.2e} at $w$ = "
        "{w_peak:g}) to {lhs_last:.2e} and the RHS from {rhs_first:.2e} to {rhs_last:.2e}; (3.11) "
        r"holds for {holding} of {noise_levels} noise levels (best $\hat\alpha$ {alpha_best:.3f}).",
        reproduced="holding > 0", partly="True", section="1. Remark 3.4: does Assumption 3.3 hold?"),
    Claim(
        "linear-rate", "§3, Theorem 3.5",
        r"The natural policy gradient converges linearly: the Nash gap decreases by a factor $r$ in "
        "(0, 1) per iteration.",
        r"on Remark 3.4 with $\eta$ = {eta:g}: the gap falls from {gap_start:.2e} at a constant "
        "rate {observed_rate:.4f} per iteration; linear convergence holds although (3.11) fails, "
        "so it is not explained by Theorem 3.5.",
        reproduced="observed_rate < 1 and not diverged",
        section="2. Algorithm 1 on the Remark 3.4 example"),
    Claim(
        "lemma-3-9", "§3.1, Lemma 3.9",
        r"Gradient dominance: $C^i(K^i, K^{-i*}) - C^i(K^*)$ lies between the two bounds of "
        "Lemma 3.9.",
        "both bounds hold at all {resolved} (iterate, player) pairs whose gap exceeds the rounding "
        r"level $10^{-12} C^i(K^*)$: {within_bounds}.",
        reproduced="within_bounds", section="2. Algorithm 1 on the Remark 3.4 example"),
    Claim(
        "section-5-2-violated", "§5.2",
        r"Although Assumption 3.3 is violated when $\sigma^2 = 0.1$, the natural policy gradient "
        "algorithm converges [violation part].",
        r"LHS {lhs_5_2:.1e|, } against RHS {rhs_5_2:.1e|, } for $\sigma^2$ = {sigma2_5_2:g|, }.",
        reproduced="violated_5_2", section="3. Assumption 3.3 on the games of Section 5"),
]

SECTION_4 = [
    Claim(
        "zeroth-order-gradient", "§4, eq. (4.1)",
        "We propose to use a zeroth-order optimization method to estimate the gradient [...] "
        "(see (4.1)).",
        "unbiased within Monte Carlo error at every setting: largest z-score {grad_z_max:.2f} over "
        r"{settings} (policy, $\sigma^2$, player, $t$) settings, below the 1% Bonferroni bound "
        "{bound_grad:.2f}; no smoothing bias at $r$ = {radius_grid:g|, } (largest z "
        "{radius_z_max:.2f}). Its relative std at $L$ = {trajectories} and $K^{(0)}$ ranges from "
        "{grad_std_low:.2f} ($t = 0$) to {grad_std_high:.3g} ($t = {last_t}$).",
        reproduced="grad_z_max < bound_grad and radius_z_max < radius_bound",
        section="2. The estimates at a fixed policy"),
    Claim(
        "empirical-covariance", "§4, eq. (4.1)",
        "[...] and an empirical covariance matrix to estimate the covariance matrix (see (4.1)).",
        "unbiased within Monte Carlo error (largest z-score {cov_z_max:.2f}, bound {bound_cov:.2f}); "
        "relative std {cov_std_low:.3f} to {cov_std_high:.3f} at $L$ = {trajectories} over all "
        "settings.",
        reproduced="cov_z_max < bound_cov and cov_std_high < 0.25",
        section="2. The estimates at a fixed policy"),
    Claim(
        "model-free-natural-gradient", "§4, first paragraph",
        "Based on the update rule in (3.5), it is straightforward to develop a model-free version "
        "of the natural policy gradient algorithm using sampled data.",
        r"the step direction of (4.2) estimates the natural gradient $2E_t$ poorly at the paper's "
        r"$L$ = {trajectories}, $r$ = {radius:g}: at $K^{(0)}$ and $\sigma^2 = 0.1$ its median "
        r"relative error is up to {direction_worst:.3g} (never below {direction_best:.3g} for any "
        r"$\sigma^2$ or $t$), median cosines near 0; the estimates (4.1) themselves are unbiased. "
        "Algorithm 2 converges (when it does) by averaging many small noisy steps.",
        reproduced="direction_worst < 1", partly="True",
        section="2. The estimates at a fixed policy"),
    Claim(
        "noise-helps-estimates", "§5, introduction; §5.2",
        "We will show that the system noise helps the natural policy gradient algorithm with "
        "unknown parameters to converge to the Nash equilibrium.",
        r"the mechanism, measured: $\lambda_{\min}(\Sigma_t) \ge \sigma^2$ for $t \ge 1$ bounds "
        r"the amplification of the zeroth-order noise by $\widehat\Sigma^{-1}$; the largest random "
        "part of a step relative to the gain at $K^{(0)}$ is {worst_step:.3g|, } for $\\sigma^2$ "
        "= {sigma2_grid:g|, }, and the fraction of {runs} runs diverged within {run_iterations} "
        "iterations is {diverged:.2f|, }.",
        reproduced="steps_fall and divergence_falls and diverged[-1] == 0 and diverged[0] == 1",
        partly="True", section="5. What it does to a run"),
]
