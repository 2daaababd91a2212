r"""The claims of Section 5 (Figures 1-8), as data; measured by :mod:`lqg.experiments.outcomes`.

Notebooks 04-06 evaluate them at the paper's settings under the literal reading of the text; the
readings notebook evaluates the same claims under every other reading.
"""

from ..claims import Claim

__all__ = ["FIGURES_1_3", "FIGURES_4_6", "FIGURES_7_8"]

FIGURES_1_3 = [
    Claim(
        "accuracy-1000", "§5.1, Figs. 1-2",
        "The natural policy gradient algorithm shows a reasonable level of accuracy within 1000 "
        "iterations (i.e., the normalized error is less than 0.5%) for both players under different "
        r"levels of system noise $\sigma^2$, which ranges from 0 to 10 ($r = 0.25$ and $r = 0.3$).",
        "over {runs} random initial policies per radius: {fraction_min:.0%} to {fraction_max:.0%} "
        "of runs are below {accuracy:.1%} at $m = {within}$, across $r$ = {radii:g|, } and "
        r"$\sigma^2$ = {sigma2:g|, }; {diverged_min} to {diverged_max} runs per setting diverge.",
        reproduced="fraction_min >= 0.99", partly="fraction_min >= 0.5",
        headline="{fraction_min:.0%}",
        section="The claims of Figures 1 and 2, measured over all initial policies", figure="1, 2"),
    Claim(
        "larger-radius-slower", "§5.1, Figs. 1-2",
        "When we initialize the policies in a larger neighborhood of the Nash equilibrium, it takes "
        "the natural policy gradient algorithm (with the same step size) more iterations to converge.",
        "median first iteration below the accuracy: $r = {radius_0:g}$: {first_0:.0f|, }; "
        r"$r = {radius_1:g}$: {first_1:.0f|, } (for $\sigma^2$ = {sigma2:g|, }); slower at the "
        r"larger radius for {slower:.0%} of the $\sigma^2$.",
        reproduced="slower >= 0.99", partly="slower >= 0.5",
        headline="{slower:.0%}",
        section="The claims of Figures 1 and 2, measured over all initial policies", figure="1, 2"),
    Claim(
        "peak-shrinks", "§5.1, Figs. 1-2",
        "There is a sharp peak in the normalized error for player 2 and this peak diminishes when "
        "the noise level increases.",
        "at $r = {radius_1:g}$, player 2's error rises above its initial value in {rising:.0%|, } "
        r"of runs, by a median of {rises:.3g|, } for $\sigma^2$ = {sigma2:g|, }; the iterates are "
        r"the same for every $\sigma^2$ (Algorithm 1 never reads $W$), so any change with "
        r"$\sigma^2$ is the measure's, not the algorithm's.",
        reproduced="shrinks and iterates_depend_on_noise", partly="shrinks",
        headline="{rising:.0%|/}",
        section="The claims of Figures 1 and 2, measured over all initial policies", figure="1, 2"),
    Claim(
        "overshoot-recovery", "§5.1, Fig. 3",
        "The natural policy gradient algorithm overshoots in the first few iterations but detects "
        "the right direction after about 500 iterations and eventually converges to the Nash "
        r"equilibrium ($\sigma^2 = 0$, $r = 0.3$, 10000 iterations).",
        "over {runs} initial policies: {overshoot:.0%} overshoot before $m = {peak_start}$, "
        "{peak_in_window:.0%} have player 2's peak inside {peak_start}-{peak_end}, "
        "{fig3_converged:.0%} converge, {fig3_diverged} diverge.",
        reproduced="overshoot_converged >= 0.5 and peak_in_window >= 0.5",
        partly="overshoot_converged > 0",
        headline="{overshoot_converged:.0%}",
        section="Figure 3: overshoot and recovery", figure="3"),
]

FIGURES_4_6 = [
    Claim(
        "fig4-diverges", "§5.1, Fig. 4",
        r"The natural policy gradient algorithm diverges with $r = 0.42$ and $\eta_1 = \eta_2 = 0.001$ "
        r"(10000 iterations, $\sigma = 0$).",
        "over {runs} initial policies: {f4_diverged:.0%} blow up, {f4_drift:.0%} drift away (end with "
        "a larger error than they started with), {f4_converged:.0%} converge, the rest approach "
        "slowly; median final error {f4_median_final:.2g}.",
        reproduced="f4_diverged + f4_drift >= 0.5", partly="f4_diverged + f4_drift > 0",
        headline="{f4_diverged:.0%}+{f4_drift:.0%}",
        section="Outcomes over all initial policies", figure="4"),
    Claim(
        "fig5-step-size", "§5.1, Fig. 5",
        r"By adjusting the step size to $\eta_2 = 0.01$, the natural policy gradient method converges "
        "to the Nash equilibrium.",
        r"{f5_converged:.0%} converge (vs {f4_converged:.0%} with $\eta_2 = {eta:g}$), "
        "{f5_diverged:.0%} diverge.",
        reproduced="f5_converged >= 0.9", partly="f5_converged > f4_converged",
        headline="{f5_converged:.0%}",
        section="Outcomes over all initial policies", figure="5"),
    Claim(
        "fig6-radius", "§5.1, Fig. 6",
        "By initializing the policies from a smaller neighbourhood ($r = 0.16$), the natural policy "
        "gradient method converges to the Nash equilibrium.",
        "{f6_converged:.0%} converge within {iterations} iterations, {f6_diverged:.0%} diverge, "
        "median final error {f6_median_final:.2g}.",
        reproduced="f6_converged >= 0.9", partly="f6_converged > f4_converged",
        headline="{f6_converged:.0%}",
        section="Outcomes over all initial policies", figure="6"),
]

FIGURES_7_8 = [
    Claim(
        "diverges-low-noise", "§5.2, Fig. 7",
        r"The natural policy gradient algorithm diverges when $\sigma^2 \le 0.0001$ for both players.",
        r"{low_diverged:.0%|, } of {seeds} seeds diverge at $\sigma^2$ = {low_sigma2:g|, }.",
        reproduced="len(low_diverged) > 0 and all(d == 1 for d in low_diverged)",
        partly="any(d > 0 for d in low_diverged)",
        headline="{low_diverged:.0%|/}",
        section="Outcomes per noise level", figure="7"),
    Claim(
        "converges-0.01", "§5.2, Fig. 7",
        r"It starts to converge with large fluctuations when $\sigma^2 = 0.01$.",
        r"$\sigma^2 = 0.01$: {d01:.0%} of seeds diverge (first at $m = {first01}$); {end01:.0%} end "
        "below {accuracy:.0%}.",
        reproduced="d01 == 0", partly="d01 < 0.5",
        headline="{d01:.0%} div.",
        section="Outcomes per noise level", figure="7"),
    Claim(
        "accuracy-0.1", "§5.2, Fig. 7",
        r"When $\sigma^2 = 0.1$, the algorithm shows a reasonable accuracy within 300 iterations "
        "(that is the normalized error is less than 5%) for both players without fluctuations.",
        r"$\sigma^2 = 0.1$: {within1:.0%} of seeds below {accuracy:.0%} at $m = {within}$ (median "
        "errors {median1:.3g|, }), {end1:.0%} at $m = {iterations}$; {div1:.0%} diverge; median "
        "largest relative rise {fluct1:.2g}.",
        reproduced="within1 >= 0.9", partly="within1 > 0",
        headline="{within1:.0%}",
        section="Outcomes per noise level", figure="7"),
    Claim(
        "noise-helps", "§5.2",
        "(Even a low level of) the system noise can indeed help the natural policy gradient "
        "algorithm to find the Nash equilibrium.",
        r"fraction of seeds not diverging: {alive:.0%|, } for $\sigma^2$ = {sigma2:g|, }.",
        reproduced="alive[-1] > alive[0] and all(np.diff(alive) >= 0)",
        partly="alive[-1] > alive[0]",
        headline="{alive:.0%|/}",
        section="Outcomes per noise level", figure="7"),
    Claim(
        "figure-8", "§5.2, Fig. 8",
        r"At $\sigma^2 = 0.001$ the natural policy gradient does not detect the right direction "
        r"towards the Nash equilibrium, whereas at $\sigma^2 = 0.1$ the learned policy approaches "
        "the target within 500 iterations.",
        r"$\sigma^2 = {fig8_lo:g}$: $K_0^1$ ends closer to $K_0^{1*}$ in {closer_lo:.0%} of seeds "
        r"(halves its distance in {halved_lo:.0%}), {div_lo:.0%} diverge; $\sigma^2 = {fig8_hi:g}$: "
        "closer in {closer_hi:.0%} (halves it in {halved_hi:.0%}), {div_hi:.0%} diverge.",
        reproduced="closer_lo == 0 and closer_hi >= 0.9", partly="closer_hi > closer_lo",
        headline="{closer_lo:.0%}/{closer_hi:.0%}",
        section="Figure 8: the path of $K_0^1$", figure="8"),
]
