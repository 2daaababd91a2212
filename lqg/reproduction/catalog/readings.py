"""The readings of Sections 4-5 the readings notebook runs: every choice the text leaves open.

Each :class:`~lqg.experiments.readings.Reading` quotes the sentence it interprets. The first of
each list is the literal reading (the library's defaults, notebooks 04-06); each other one changes a
single choice; the combinations at the end join the readings that changed the most verdicts in the
one-at-a-time study.
"""

from ...experiments.readings import Reading

__all__ = ["SECTION_5_1", "SECTION_5_2", "COMBINATIONS_5_2", "MEASURE_ONLY"]

LITERAL = Reading("literal", "as printed", "The most literal reading of every open choice (the "
                  "library's defaults): the notebooks of Sections 5.1 and 5.2.")

_SIGNED = Reading("signed", "signed error",
                  '"the normalized error is less than 0.5%" (5% in Section 5.2): the error '
                  "(C^i(K) - C^i(K*))/C^i(K*) itself below the level, not its magnitude (a player's "
                  "cost can fall below its equilibrium cost).", measure=dict(signed=True))
_BY = Reading("reached-by", "reached by m",
              '"within 1000 iterations" ("within 300 iterations" in Section 5.2): below the level '
              "at some recorded iteration up to then, not at that iteration.", measure=dict(rule="by"))
_FROM_1 = dict(matrices_from=1)
_FROM_1_QUOTE = ('"Parameters: for t = 1, ..., T-1": nothing happens at t = 0, so the game has '
                 "T - 1 transitions (the policies then have T - 1 gains).")

SECTION_5_1 = [
    LITERAL,
    Reading("sphere", "initial policies on the sphere",
            '"such that (K_t0 - K*_t0)^2 + (K_t1 - K*_t1)^2 <= r^2, ... r is the radius of the ball '
            'centered at K_t^{i*}": uniform on the sphere of radius r instead of in the ball.',
            policies=dict(distribution="sphere")),
    Reading("shared-over-t", "one offset for every t",
            '"We initialize both players\' policies K_t^{i,(0)} ... in the ball centered at K_t^{i*}":'
            " one offset drawn per player and used at every t, instead of one per t.",
            policies=dict(shared_over_time=True)),
    Reading("from-1", "matrices from t = 1", _FROM_1_QUOTE, game=_FROM_1),
    Reading("gaussian-x0", "Gaussian x_0",
            '"we assume the initial state distribution to be [1,1] or [1,1.1] with probability 0.5 '
            'each": the Gaussian with that mean and covariance (Assumption 2.2 asks for a Gaussian '
            "x_0).", game=dict(x0="gaussian")),
    _SIGNED,
    _BY,
]

SECTION_5_2 = [
    LITERAL,
    Reading("after-step", "cost from x_1",
            '"Denote c_t^{i,l} as the single trajectory cost" with "Parameters: for t = 1, ..., '
            'T-1": the stage costs a simulation charges after each step, x_1, ..., x_T with the '
            "controls u_0, ..., u_{T-1}; x_0'Q x_0 is never charged.",
            algorithm=dict(trajectory_cost="after-step")),
    Reading("after-step-no-terminal", "cost from x_1, no terminal",
            "As above, without the terminal cost x_T'Q_T x_T.",
            algorithm=dict(trajectory_cost="after-step", terminal_cost=False)),
    Reading("cost-to-go", "cost-to-go from t",
            '"the single trajectory cost of player i with policy (K_0, ..., K_t + U_t, ..., K_{T-1})": '
            "the cost from the perturbed time t on (the cost before t does not depend on U_t).",
            algorithm=dict(trajectory_cost="cost-to-go")),
    Reading("cost-to-go-no-terminal", "cost-to-go, no terminal",
            "As above, without the terminal cost.",
            algorithm=dict(trajectory_cost="cost-to-go", terminal_cost=False)),
    Reading("no-terminal", "no terminal cost",
            '"the single trajectory cost": the stage costs c_t^i, t = 0, ..., T-1, of (2.3) only.',
            algorithm=dict(terminal_cost=False)),
    Reading("D/r", "smoothing D/r",
            'Eq. (4.1), "D_i / r_i^2": read as D_i / r_i (the unit-sphere convention U = r u).',
            algorithm=dict(smoothing="D/r")),
    Reading("all-steps", "all steps perturbed",
            '"for t in {0, ..., T-1} do: Sample the (sub)-policy at time t" inside the loop over l: '
            "every time step perturbed in one episode, L episodes per player (not T L).",
            algorithm=dict(perturbation="all-steps")),
    Reading("cov-all", "Sigma from all episodes",
            '"Denote Sigma_t^{i,l} as the state covariance matrix with Sigma_t^{i,l} = x_t^{i,l} '
            '(x_t^{i,l})^T": the states at t of all of player i\'s episodes.',
            algorithm=dict(covariance="all-episodes")),
    Reading("cov-unperturbed", "Sigma from unperturbed episodes",
            "The same sentence: from L separate episodes of the unperturbed policy per player.",
            algorithm=dict(covariance="unperturbed")),
    Reading("x0-fresh", "fresh x_0 per episode",
            '"starting from x_0^l": x_0 drawn afresh for every episode (every player and t), not '
            "shared by the episodes of trajectory l.", algorithm=dict(initial_states="fresh")),
    Reading("noise-shared", "shared noise",
            "The episodes of trajectory l share one noise sequence (across players and t), as "
            "they share x_0^l.", algorithm=dict(noise="shared")),
    Reading("std", "N(mu, s) with s a std",
            '"x_0^1, x_0^2 independent and sampled from N(10, 2) and N(12, 3)": 2 and 3 as '
            "standard deviations, not variances.", game=dict(x0_scale="std")),
    Reading("from-1", "matrices from t = 1", _FROM_1_QUOTE, game=_FROM_1),
    Reading("sequential", "sequential updates",
            "Lines 12-13 inside the loop over players: player 2 plays its episodes at the policy "
            "player 1 has just updated (Algorithm 1 says 'simultaneously'; Algorithm 2 does not).",
            algorithm=dict(updates="sequential")),
    Reading("monte-carlo", "Monte Carlo error",
            '"Normalized error (of player i)" with unknown parameters: from Monte Carlo costs, '
            "L = 200 unperturbed episodes per evaluation, not the exact costs.",
            measure=dict(monte_carlo=200)),
    _SIGNED,
    _BY,
]

#: readings of the measure: they need no runs of their own (the literal runs are measured again)
MEASURE_ONLY = ("signed", "reached-by")

_BY_KEY = {r.key: r for r in SECTION_5_2}
#: the reading that changes the most verdicts on its own ("after-step", 4 of the 5 claims of
#: Figures 7-8) joined with each other reading of the algorithm that changes a verdict on its own
#: and sets another option (cost-to-go sets the same one)
COMBINATIONS_5_2 = [_BY_KEY["after-step"].combined(_BY_KEY[other])
                    for other in ("D/r", "all-steps", "cov-all")]
