"""lqg: the reproducible companion to Hambly, Xu & Yang (2021),
*Policy Gradient Methods Find the Nash Equilibrium in N-player General-sum Linear-quadratic Games*.

The package follows the paper's structure:

- :mod:`lqg.model` -- the game of Section 2.1 (:class:`LQGame`) and its initial-state laws;
- :mod:`lqg.equilibrium` -- the Nash equilibrium via the coupled Riccati equations (2.4)-(2.5);
- :mod:`lqg.evaluation` -- exact costs, covariances and gradients of a joint policy (Section 3.1);
- :mod:`lqg.algorithms` -- Algorithm 1 (natural policy gradient, known parameters), :class:`PGResult`,
  and the vanilla policy gradient for comparison;
- :mod:`lqg.model_free` -- Algorithm 2 (unknown parameters): simulated episodes and the estimators (4.1),
  with a two-point estimator and Gaussian exploration as options beyond the paper;
- :mod:`lqg.accuracy` -- bias, spread and direction of replicated estimates against exact values;
- :mod:`lqg.diagnostics` -- the constants of Section 3: Assumption 3.3, Theorem 3.5, Lemma 3.9;
- :mod:`lqg.paper` -- the paper's examples (Remark 3.4, Sections 5.1-5.2);
- :mod:`lqg.games` -- N-player games beyond the paper's: random games and a consensus network;
- :mod:`lqg.experiments` -- the definition of convergence, observed and linearized rates, and the
  sweep experiments of the sensitivity maps;
- :mod:`lqg.sampling` -- initial policies near an equilibrium (Section 5.1);
- :mod:`lqg.verification` -- independent checks: best responses and Monte Carlo costs;
- :mod:`lqg.reproduction` -- the notebooks' parameters, claims and results files;
- :mod:`lqg.plotting` -- the figures (import it explicitly: it loads Matplotlib);
- :mod:`lqg.sweep` -- grids of experiments over joblib workers (import it explicitly: it loads pandas).
"""

from .model import AssumptionReport, DiscreteState, GaussianState, LQGame, LQGameError
from .equilibrium import NashSolution, NoUniqueNashError, solve_nash
from .evaluation import (
    cost,
    natural_gradient,
    normalized_error,
    policy_gradient,
    state_covariances,
    value_matrices,
)
from .verification import best_response, monte_carlo_cost, simulate
from . import reproduction
from .sampling import sample_policies_near
from . import diagnostics, paper
from .algorithms import PGResult, natural_policy_gradient, policy_gradient_descent
from .accuracy import Accuracy, estimate_accuracy
from .model_free import (
    Rollouts,
    empirical_covariance,
    game_with_exploration,
    model_free_natural_policy_gradient,
    natural_gradient_estimate,
    perturbed_rollouts,
    two_point_gradient,
    zeroth_order_gradient,
)

__version__ = "0.1.0"

__all__ = [
    "AssumptionReport",
    "DiscreteState",
    "GaussianState",
    "LQGame",
    "LQGameError",
    "NashSolution",
    "NoUniqueNashError",
    "solve_nash",
    "cost",
    "natural_gradient",
    "normalized_error",
    "policy_gradient",
    "state_covariances",
    "value_matrices",
    "best_response",
    "monte_carlo_cost",
    "simulate",
    "reproduction",
    "sample_policies_near",
    "diagnostics",
    "paper",
    "PGResult",
    "natural_policy_gradient",
    "policy_gradient_descent",
    "Accuracy",
    "estimate_accuracy",
    "Rollouts",
    "empirical_covariance",
    "game_with_exploration",
    "model_free_natural_policy_gradient",
    "natural_gradient_estimate",
    "perturbed_rollouts",
    "two_point_gradient",
    "zeroth_order_gradient",
]
