r"""The claims of Section 5 (Figures 1-8), as data; measured by :mod:`lqg.experiments.outcomes`.

Notebooks 04-06 evaluate them at the paper's settings under the literal reading of the text; the
readings notebook evaluates the same claims under every other reading.

Each claim quotes the paper's sentence (or a contiguous part of it) exactly and tests all of it.
The rules follow the book's convention (:mod:`lqg.reproduction.rules`): the paper shows one run per
setting, so a claim about what the algorithm does there is *reproduced* when it happens in at least
80 % of the runs and *partly* when in at least 10 %, decided by the 95 % interval of the share.
"""

from ...experiments.outcomes import FLUCTUATION_FACTOR
from ..claims import Claim
from ..rules import MOST, SOME, at_least, every, exceeds, more_likely, some

__all__ = ["FIGURES_1_3", "FIGURES_4_6", "FIGURES_7_8"]

#: What changed in every rule of Section 5 when the verdicts started to read intervals.
CONVENTION_CHANGE = (
    "Before: point values against per-claim thresholds (from 'any run' to 99 % of runs), so a "
    "verdict could change with the seed batch. Now: the share's 95 % interval against the book's "
    "one convention, at least 80 % of runs for reproduced and 10 % for partly; undecided intervals "
    "are borderline. These thresholds were set after the previous round's numbers were known. A "
    "comparison is an effect of at least 10 points, present or absent by one threshold: a first "
    "version read 'present' above no effect and 'absent' below 10 points, and a rerun with "
    "another seed found a verdict that flipped between the two.")

_RUNS = "of the runs"

FIGURES_1_3 = [
    Claim(
        "accuracy-1000", "§5.1, Figs. 1-2",
        "The natural policy gradient algorithm shows a reasonable level of accuracy within 1000 "
        "iterations (i.e., the normalized error is less than 0.5%) for both players under different "
        r"levels of system noise $\sigma^2$, which ranges from 0 (deterministic dynamics) to 10.",
        "below {accuracy:.1%} from $m = {within}$ to the end ($M = {m_end}$), per setting "
        r"($r$ = {radii:g|, } $\times$ $\sigma^2$ = {sigma2:g|, }): {reached:k|, } runs; the "
        "worst setting {reached_worst}; diverged per setting: {diverged:k|, }.",
        reproduced=every(lambda x: at_least(x, MOST), "reached", "share below the accuracy"),
        partly=every(lambda x: at_least(x, SOME), "reached", "share below the accuracy"),
        headline="{reached_worst:k}",
        section="The claims of Figures 1 and 2, measured over all initial policies", figure="1, 2",
        rule_change="'Within 1000 iterations' now reads a window: below the accuracy at every "
        "record from m = 1000 to the end of the run (before: at m = 1000 alone). "
        + CONVENTION_CHANGE),
    Claim(
        "larger-radius-slower", "§5.1, Figs. 1-2",
        "We observe that when we initialize the policies in a larger neighborhood of the Nash "
        "equilibrium, it takes the natural policy gradient algorithm (with the same step size) more "
        "iterations to converge.",
        r"median iterations until a run stays below {accuracy:.1%} (inf: never), $r = "
        r"{radius_0:g}$: {settle_0:|; }; $r = {radius_1:g}$: {settle_1:|; } (for $\sigma^2$ = "
        "{sigma2:g|, }); the probability that a run from the larger radius takes longer than "
        "one from the smaller: {slower:|; }.",
        **more_likely("slower", "probability that the larger radius takes longer"),
        headline="{slower:value|, }",
        section="The claims of Figures 1 and 2, measured over all initial policies", figure="1, 2",
        rule_change="Before: the share of noise levels at which the point median at the larger "
        "radius was larger. Now: the larger radius is slower at a noise level when a run from it "
        "takes longer than a run from the smaller one with probability at least 0.6, an effect "
        "of 10 points (Hanley and McNeil's interval), the time being the first record from which the run "
        "stays below the accuracy (infinite if it never does; before: the first record below)."),
    Claim(
        "peak-shrinks", "§5.1, Figs. 1-2",
        "There is a sharp peak in the normalized error for player 2 and this peak diminishes when "
        "the noise level increases.",
        r"at $r = {radius_1:g}$, player 2's error rises above its initial value (a peak) in "
        r"{peaked:k|, } runs for $\sigma^2$ = {sigma2:g|, }; from the lowest to the highest "
        r"noise level the share falls by {peak_diminishes}.",
        reproduced=at_least("peaked_first", MOST, "share with a peak at the lowest noise")
        & exceeds("peak_diminishes", what="fall of that share to the highest noise"),
        partly=at_least("peaked_first", SOME, "share with a peak at the lowest noise")
        & exceeds("peak_diminishes", what="fall of that share to the highest noise"),
        headline="{peaked:k|, }",
        section="The claims of Figures 1 and 2, measured over all initial policies", figure="1, 2",
        rule_change="Before, reproduced also required the iterates to depend on the noise, which "
        "Algorithm 1's never do (notebook 04 checks it), so reproduced was impossible by "
        "construction, and partly was relaxed to accept ties at zero after the numbers were seen. "
        "Now the rule judges the sentence as written: a peak in most runs at the lowest noise and "
        "a share of runs with a peak that falls decidedly as the noise grows.",
        note="Algorithm 1's iterates are the same for every noise level: what diminishes is the "
        r"normalized error's peak, through the noise terms of $C^2(K)$ and $C^2(K^*)$."),
    Claim(
        "overshoot-recovery", "§5.1, Fig. 3",
        "The natural policy gradient algorithm overshoots in the first few iterations but detects "
        "the right direction after about 500 iterations and eventually converges to the Nash "
        "equilibrium (see the blue star in Figures 3b-3c).",
        r"Figure 3's setting ($\sigma^2 = 0$, $r = 0.3$, $M = 10000$): of {fig3_converged:k} runs "
        r"converged, {overshoot:k} overshoot before $m = {peak_start}$, "
        "{peak_in_window:k} have player 2's peak inside {peak_start}-{peak_end}; all three "
        "together (the sentence): {like_paper}; diverged {fig3_diverged:k}.",
        reproduced=at_least("like_paper", MOST, "share that overshoots, peaks in the window and "
                            "converges"),
        partly=at_least("like_paper", SOME, "share that overshoots, peaks in the window and "
                        "converges"),
        headline="{like_paper:k}", section="Figure 3: overshoot and recovery", figure="3",
        rule_change="Before: reproduced when half the runs overshot and converged and half "
        "peaked in the window, partly when any run overshot and converged. Now one event per run, "
        "the whole sentence (overshoot, turn in 300-900, convergence). " + CONVENTION_CHANGE),
]

FIGURES_4_6 = [
    Claim(
        "fig4-diverges", "§5.1, Fig. 4",
        "We first show the case when the natural policy gradient algorithm diverges with "
        r"$r = 0.42$ and $\eta_1 = \eta_2 = 0.001$ in Figure 4 (a trajectory of 10000 iterations "
        "is indicated in red).",
        "{f4_diverged} blow up (diverge), {f4_drift:k} drift away (end with a larger error than "
        "they started with): together {f4_away}; {f4_converged:k} converge; median final error "
        "{f4_median_final}.",
        reproduced=at_least("f4_away", MOST, "share that blows up or drifts away"),
        partly=at_least("f4_away", SOME, "share that blows up or drifts away"),
        headline="{f4_away:k}", section="Outcomes over all initial policies", figure="4",
        rule_change=CONVENTION_CHANGE),
    Claim(
        "fig5-step-size", "§5.1, Fig. 5",
        r"However, either by adjusting the step size to $\eta_2 = 0.01$ (see Figure 5), or by "
        "initializing the policies from a smaller neighbourhood around the Nash equilibrium (see "
        "Figure 6), the natural policy gradient method converges to the Nash equilibrium.",
        r"with $\eta_2 = 0.01$ (Figure 5): {f5_converged} converge, {f5_diverged:k} diverge "
        r"(with $\eta_2 = 0.001$, Figure 4: {f4_converged:k} converge).",
        reproduced=at_least("f5_converged", MOST, "share converged with the larger step"),
        partly=at_least("f5_converged", SOME, "share converged with the larger step"),
        headline="{f5_converged:k}", section="Outcomes over all initial policies", figure="5",
        rule_change="Before: partly when more runs converged than in Figure 4's setting. "
        + CONVENTION_CHANGE),
    Claim(
        "fig6-radius", "§5.1, Fig. 6",
        r"However, either by adjusting the step size to $\eta_2 = 0.01$ (see Figure 5), or by "
        "initializing the policies from a smaller neighbourhood around the Nash equilibrium (see "
        "Figure 6), the natural policy gradient method converges to the Nash equilibrium.",
        r"from $r = 0.16$ (Figure 6): {f6_converged} converge within {iterations} iterations, "
        "{f6_diverged:k} diverge; median final error {f6_median_final}.",
        reproduced=at_least("f6_converged", MOST, "share converged from the smaller radius"),
        partly=at_least("f6_converged", SOME, "share converged from the smaller radius"),
        headline="{f6_converged:k}", section="Outcomes over all initial policies", figure="6",
        rule_change="Before: partly when more runs converged than in Figure 4's setting. "
        + CONVENTION_CHANGE),
]

_JITTER = (f"a run fluctuates when its jitter is at least {FLUCTUATION_FACTOR:g} times exact "
           "Algorithm 1's from the same start")

FIGURES_7_8 = [
    Claim(
        "diverges-low-noise", "§5.2, Fig. 7",
        r"The natural policy gradient algorithm diverges when $\sigma^2 \leq 0.0001$ for both "
        "players",
        r"diverged at $\sigma^2$ = {low_sigma2:g|, }: {low_diverged:|; }.",
        reproduced=every(lambda x: at_least(x, MOST), "low_diverged", "share diverged"),
        partly=some(lambda x: at_least(x, SOME), "low_diverged", "share diverged"),
        headline="{low_diverged:k|, }", section="Outcomes per noise level", figure="7",
        rule_change="A diverged run is one the algorithm stopped (a blow-up). " + CONVENTION_CHANGE),
    Claim(
        "converges-0.01", "§5.2, Fig. 7",
        r"it starts to converge with large fluctuations when $\sigma^2 = 0.01$",
        r"$\sigma^2 = 0.01$: {d01:k} diverge; {falls01:k} end below their initial error (start "
        "to converge), {shaky01} of them with large fluctuations (median jitter {jitter01} "
        "points per record; exact Algorithm 1: {smooth01:.2g}).",
        reproduced=at_least("shaky01", MOST, "share that falls and fluctuates"),
        partly=at_least("falls01", SOME, "share that falls"),
        headline="{shaky01:k}", section="Outcomes per noise level", figure="7",
        rule_change="Before: reproduced when no seed diverged, so the rule dropped 'with large "
        f"fluctuations'. Now the fluctuations are measured ({_JITTER}); a run that falls "
        "smoothly gets partly. " + CONVENTION_CHANGE),
    Claim(
        "accuracy-0.1", "§5.2, Fig. 7",
        r"When $\sigma^2 = 0.1$, the algorithm shows a reasonable accuracy within 300 iterations "
        "(that is the normalized error is less than 5%) for both players without fluctuations.",
        r"$\sigma^2 = 0.1$: {reached1:k} runs below {accuracy:.0%} from $m = {within}$ to "
        r"$M = {iterations}$, {calm1} of them without fluctuations (median jitter {jitter1} "
        "points per record; exact Algorithm 1: {smooth1:.2g}); {div1:k} diverge.",
        reproduced=at_least("calm1", MOST, "share below the accuracy and not fluctuating"),
        partly=at_least("reached1", SOME, "share below the accuracy"),
        headline="{calm1:k}", section="Outcomes per noise level", figure="7",
        rule_change="Before: the share below 5 % at m = 300 alone, and the fluctuation measure "
        "was computed but not read. Now 'within 300 iterations' reads the window from m = 300 to "
        f"the end, and 'without fluctuations' is measured ({_JITTER}). " + CONVENTION_CHANGE),
    Claim(
        "noise-helps", "§5.2",
        "(even a low level of) the system noise can indeed help the natural policy gradient "
        "algorithm to find the Nash equilibrium",
        r"runs below {accuracy:.0%} from $m = {within}$ on, per $\sigma^2$ = {sigma2:g|, }: "
        r"{reached:k|, }; not diverged: {alive:k|, }; the largest rise over no noise of the "
        "share below: {helps_find_most}.",
        reproduced=some(lambda x: exceeds(x), "helps_find",
                        "rise over no noise of the share that finds the equilibrium"),
        partly=some(lambda x: exceeds(x), "helps_survive",
                    "rise over no noise of the share that does not diverge"),
        headline="{reached:k|, }", section="Outcomes per noise level", figure="7",
        rule_change="Before: the share of seeds not diverging rose from the lowest to the highest "
        "noise level and never fell. Now the sentence's 'find the Nash equilibrium' is read: "
        "reproduced when some noise level raises the share below the accuracy over the noise-free "
        "level by at least 10 points (Newcombe's interval of the difference), "
        "partly when it only raises the share that survives.",
        note="'Even a low level of' is not tested apart: the paper's own levels go up to 0.1."),
    Claim(
        "figure-8", "§5.2, Fig. 8",
        r"In the case of a lower level of system noise $(\sigma^2 = 0.001)$, the natural policy "
        r"gradient does not detect the right direction towards the Nash equilibrium with "
        r"$\eta_1 = \eta_2 = 0.0005$ in Figure 8a, whereas when the level of noise is increased "
        r"to $\sigma^2 = 0.1$, the learned policy approaches the target within 500 iterations with "
        "the same step size.",
        r"$\sigma^2 = {fig8_lo:g}$: {lost_lo} of the runs stay bounded for 500 iterations without "
        r"their $K_0^1$ coming closer to $K_0^{1*}$ (the paper's path); {div_lo:k} diverge "
        r"instead. $\sigma^2 = {fig8_hi:g}$: {closer_hi} come closer; {div_hi:k} diverge.",
        reproduced=at_least("lost_lo", MOST, "share bounded and not closer at the lower noise")
        & at_least("closer_hi", MOST, "share closer at the higher noise"),
        partly=at_least("lost_lo", SOME, "share bounded and not closer at the lower noise")
        | at_least("closer_hi", SOME, "share closer at the higher noise"),
        headline="{lost_lo:k}, {closer_hi:k}", section="Figure 8: the path of $K_0^1$", figure="8",
        rule_change="Before, a run that blew up counted as one that does not find the direction, "
        "though the paper plots a bounded 500-iteration path. Now a blow-up is a divergence and "
        "counts for neither half of the sentence. " + CONVENTION_CHANGE),
]
