r"""The readings of Sections 4-5 the readings notebook runs: every choice the text leaves open.

Each :class:`~lqg.experiments.reading_runs.Reading` quotes the paper's words it interprets, exactly
(one contiguous sentence, part of one, or a formula), with their place. The first of each list is
the text as printed (the library's defaults, notebooks 04-06); each other one changes a single
choice. A *reading* resolves a choice the text leaves open; a *sensitivity check* contradicts the
text (or adds what the text does not have) and is kept apart: it shows what a verdict rests on,
and it never counts as a reading that reproduces a claim.
"""

from ...experiments.reading_runs import Reading

__all__ = ["ROWS_5_1", "ROWS_5_2", "COMBINED_5_2"]

AS_PRINTED = Reading("literal", "as printed", "", "",
                     "The most literal reading of every open choice (the library's defaults): the "
                     "notebooks of Sections 5.1 and 5.2.", kind="as printed")

_ACCURACY_1 = ("The natural policy gradient algorithm shows a reasonable level of accuracy within "
               "1000 iterations (i.e., the normalized error is less than 0.5%)")
_SIGNED = Reading(
    "signed", "signed error", "§5, Performance Measure",
    r"Normalized error (of player $i$) $= \frac{C^i(\mathbf K^1, \mathbf K^2) - C^i(\mathbf K^{1*}, "
    r"\mathbf K^{2*})}{C^i(\mathbf K^{1*}, \mathbf K^{2*})}$",
    "The error as defined, with its sign, below the level (a player's cost can fall below its "
    "equilibrium cost); the default reads its magnitude.", measure=dict(signed=True))
_BY = Reading(
    "reached-by", "reached by m", "§5.1, Convergence (§5.2 alike)", _ACCURACY_1,
    "'Within 1000 iterations' (300 in Section 5.2): below the level at some record up to then; "
    "the default reads below at every record from then to the end of the run.",
    measure=dict(rule="by"))
_AT = Reading(
    "at-m", "at m only", "§5.1, Convergence (§5.2 alike)", _ACCURACY_1,
    "'Within 1000 iterations' (300 in Section 5.2): below the level at that record alone (the "
    "previous round's reading).", measure=dict(rule="at"))
_FROM_1 = Reading(
    "from-1", "matrices from t = 1", "§5.1 and §5.2, Set-up", r"Parameters: for $t = 1, \dots, T-1$",
    "Nothing happens at t = 0, so the game has T - 1 transitions (the policies then have T - 1 "
    "gains).", game=dict(matrices_from=1))

_BALL = (r"We initialize both players' policies $K_t^{i,(0)} = (K_{t0}^{i,(0)}, K_{t1}^{i,(0)})$ "
         r"such that $(K_{t0}^{i,(0)} - K_{t0}^{i*})^2 + (K_{t1}^{i,(0)} - K_{t1}^{i*})^2 \leq r^2$, "
         r"where $K_t^{i*} = (K_{t0}^{i*}, K_{t1}^{i*})$ denotes the Nash equilibrium, and r is the "
         r"radius of the ball centered at $K_t^{i*}$ in which we initialize the policies.")

ROWS_5_1 = [
    AS_PRINTED,
    Reading("shared-over-t", "one offset for every t", "§5.1, Set-up, Initialization", _BALL,
            "The sentence constrains each $K_t^{i,(0)}$ alone and does not say whether the offsets "
            "of different t are drawn independently: here one offset per player is drawn in the "
            "ball and used at every t (default: one per t).",
            policies=dict(shared_over_time=True)),
    _FROM_1,
    _SIGNED,
    _BY,
    _AT,
    Reading("sphere", "initial policies on the sphere", "§5.1, Set-up, Initialization", _BALL,
            r"Uniform on the sphere of radius r: the sentence says $\leq r^2$ and 'the ball', so "
            "this contradicts it; it checks how much the verdicts rest on the runs started near the "
            "equilibrium.", kind="sensitivity check", policies=dict(distribution="sphere")),
    Reading("gaussian-x0", "Gaussian x_0", "§5.1, Set-up, Initialization",
            r"we assume the initial state distribution to be $[1,1]^\top$ or $[1,1.1]^\top$ with "
            "probability 0.5 each",
            "The Gaussian with that mean and covariance instead of the two-point law the sentence "
            "states (Assumption 2.2 asks for a Gaussian $x_0$).", kind="sensitivity check",
            game=dict(x0="gaussian")),
]

#: Algorithm 2, line 7, as printed (the policy is garbled in the text conversion; reconstructed
#: from the definition beside it).
LINE_7 = (r"Denote $\hat c_t^{i,l}$ as the single trajectory cost of player $i$ with policy "
          r"$(\widehat{\mathbf K}_{l,t}^{i,(m-1)}, \mathbf K^{-i,(m-1)})$ where "
          r"$\widehat{\mathbf K}_{l,t}^{i,(m-1)} := (K_0^{i,(m-1)}, \cdots, K_{t-1}^{i,(m-1)}, "
          r"\hat K_t^{i,l}, K_{t+1}^{i,(m-1)}, \cdots, K_{T-1}^{i,(m-1)})$ starting from $x_0^l$.")
_LINE_8 = (r"Denote $\hat\Sigma_t^{i,l}$ as the state covariance matrix with "
           r"$\hat\Sigma_t^{i,l} = x_t^{i,l}(x_t^{i,l})^\top$.")
_LINE_7_WHERE = "§4, Algorithm 2, line 7"

ROWS_5_2 = [
    AS_PRINTED,
    Reading("after-step", "cost from x_1", _LINE_7_WHERE, LINE_7,
            "'The single trajectory cost' as a simulator charges it: the stages after each step, "
            "$x_1, \\dots, x_T$ with the controls $u_0, \\dots, u_{T-1}$, so $x_0^\\top Q_0 x_0$ is "
            "never charged (it does not depend on the policy).",
            algorithm=dict(trajectory_cost="after-step")),
    Reading("after-step-no-terminal", "cost from x_1, no terminal", _LINE_7_WHERE, LINE_7,
            "As 'cost from x_1', without the terminal cost $x_T^\\top Q_T x_T$.",
            algorithm=dict(trajectory_cost="after-step", terminal_cost=False)),
    Reading("cost-to-go", "cost-to-go from t", _LINE_7_WHERE, LINE_7,
            "$\\hat c_t^{i,l}$ carries the index t of the perturbed step: the cost from t on of "
            "the trajectory started from $x_0^l$ (the stages before t do not depend on "
            "$U_t^{i,l}$).", algorithm=dict(trajectory_cost="cost-to-go")),
    Reading("cost-to-go-no-terminal", "cost-to-go, no terminal", _LINE_7_WHERE, LINE_7,
            "As 'cost-to-go from t', without the terminal cost.",
            algorithm=dict(trajectory_cost="cost-to-go", terminal_cost=False)),
    Reading("no-terminal", "no terminal cost", _LINE_7_WHERE, LINE_7,
            "'The single trajectory cost' as the stage costs $c_t^i$, $t = 0, \\dots, T-1$, of "
            "(2.3), without the terminal cost.", algorithm=dict(terminal_cost=False)),
    Reading("cov-all", "Sigma from all episodes", "§4, Algorithm 2, line 8", _LINE_8,
            "$x_t^{i,l}$ as the state at t of any of player i's episodes of trajectory l: until "
            "their perturbed step they all follow $K^{(m-1)}$ (default: the episode perturbed at "
            "t).", algorithm=dict(covariance="all-episodes")),
    Reading("std", "N(mu, s) with s a std", "§5.2, Set-up, Initialization",
            r"sampled from $\mathcal{N}(10, 2)$ and $\mathcal{N}(12,3)$ respectively",
            "2 and 3 as standard deviations (default: variances, the usual "
            "$\\mathcal N(\\mu, \\Sigma)$).", game=dict(x0_scale="std")),
    _FROM_1,
    Reading("monte-carlo", "Monte Carlo error", "§5, Performance Measure",
            "We use the following *normalized error* to quantify the performance of a given pair "
            r"of policies $(\mathbf{K}^1, \mathbf{K}^2)$",
            "With unknown parameters, the costs of the error from Monte Carlo: L = 200 unperturbed "
            "episodes per evaluation (default: the exact costs).", measure=dict(monte_carlo=200)),
    _SIGNED,
    _BY,
    _AT,
    Reading("D/r", "smoothing D/r", "§4, eq. (4.1)",
            r"$\frac{1}{L} \sum_{l=1}^L \frac{D_i}{r_i^2} \widehat{c}_t^{i,l} U_t^{i,l}$",
            "$D_i/r_i$ instead of the printed $D_i/r_i^2$: every step scaled by $r_i$ (0.5 here). "
            "Not a reading: the factor is printed, and with the unit-sphere convention "
            "$U = r u$ the printed estimate is $(D/r)\\,\\hat c\\,u$, not $(D/r)\\,\\hat c\\,U$.",
            kind="sensitivity check", algorithm=dict(smoothing="D/r")),
    Reading("all-steps", "all steps perturbed", "§4, Algorithm 2, line 7", LINE_7,
            "Every time step perturbed in one episode, L episodes per player: line 7's policy "
            "perturbs only $K_t$, so this contradicts it.", kind="sensitivity check",
            algorithm=dict(perturbation="all-steps")),
    Reading("cov-unperturbed", "Sigma from unperturbed episodes", "§4, Algorithm 2, line 8",
            _LINE_8,
            "From L extra unperturbed episodes per player: the algorithm plays no such episodes.",
            kind="sensitivity check", algorithm=dict(covariance="unperturbed")),
    Reading("x0-fresh", "fresh x_0 per episode", _LINE_7_WHERE, "starting from $x_0^l$",
            "$x_0$ drawn afresh for every episode (every player and t): $x_0^l$ carries only l, "
            "so the episodes of trajectory l share it.", kind="sensitivity check",
            algorithm=dict(initial_states="fresh")),
    Reading("noise-shared", "shared noise", _LINE_7_WHERE, "starting from $x_0^l$",
            "The episodes of trajectory l share one noise sequence too, as they share $x_0^l$: "
            "the algorithm says nothing of the noise, which a simulator draws afresh.",
            kind="sensitivity check", algorithm=dict(noise="shared")),
    Reading("sequential", "sequential updates", "§4, Algorithm 2, line 12 (after line 11's end for)",
            r"Obtain the estimates of $\nabla_{K_t^i} C^i(\mathbf{K}^{(m-1)})$ and "
            r"$\Sigma_t^{\mathbf{K}^{(m-1)}}$ for each i and t",
            "Player 2 plays at the policy player 1 has just updated: lines 12-13 follow the loop "
            "over players (line 11, 'end for') and use $K^{(m-1)}$ for each i, so this "
            "contradicts the printed loop.", kind="sensitivity check",
            algorithm=dict(updates="sequential")),
    Reading("noise-x10", "noise 10x the stated", "§5.2, Set-up, Parameters",
            r"$W = \begin{bmatrix} \sigma^2 & 0 \\ 0 & \sigma^2 \end{bmatrix}$",
            "The alternative explanation 'the stated $\\sigma^2$ is 10 times too small': the text "
            "as printed with $W = 10\\sigma^2 I$ at every stated $\\sigma^2$.",
            kind="sensitivity check", game=dict(noise_factor=10.0)),
]

#: readings of the measure: they need no runs of their own (the literal runs are measured again)
MEASURE_ONLY = ("signed", "reached-by", "at-m")

_BY_KEY = {r.key: r for r in ROWS_5_2}
#: the reading that changes the most verdicts on its own in the previous round ("after-step")
#: joined with each other option of the algorithm that changed a verdict on its own
COMBINED_5_2 = [_BY_KEY["after-step"].combined(_BY_KEY[other])
                    for other in ("cov-all", "D/r", "all-steps")]
