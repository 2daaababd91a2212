"""lqg: the reproducible companion to Hambly, Xu & Yang (2021),
*Policy Gradient Methods Find the Nash Equilibrium in N-player General-sum Linear-quadratic Games*.

The package follows the paper:

- the game of Section 2.1: :class:`LQGame` (:mod:`lqg.model`) and the law of :math:`x_0`
  (:mod:`lqg.states`);
- the Nash equilibrium, eqs. (2.4)-(2.8), with its evidence: :func:`solve_nash`,
  :func:`check_assumptions` (:mod:`lqg.equilibrium`); the infinite-horizon game in
  :mod:`lqg.stationary`;
- exact costs, covariances and gradients of Section 3.1 (:mod:`lqg.evaluation`);
- Algorithm 1, :func:`natural_policy_gradient` (:mod:`lqg.known_parameters`), with the result
  :class:`PGResult` (:mod:`lqg.runs`);
- Algorithm 2, :func:`model_free_natural_policy_gradient` (:mod:`lqg.unknown_parameters`), from
  simulated episodes (:mod:`lqg.episodes`) and the estimates (4.1) (:mod:`lqg.estimators`);
- the constants of Section 3 (:mod:`lqg.diagnostics`); the paper's examples and other games
  (:mod:`lqg.examples`, also as ``lqg.paper`` and ``lqg.games``); independent checks
  (:mod:`lqg.verification`); experiments beyond the paper (:mod:`lqg.experiments`);
- figures (:mod:`lqg.plotting`, import it explicitly: it loads Matplotlib). The notebooks'
  bookkeeping, :mod:`lqg.reproduction`, is not imported by ``import lqg``.
"""

from . import diagnostics as diagnostics
from . import experiments as experiments
from . import stationary as stationary
from ._checks import LQGameError
from .episodes import perturbed_episodes
from .equilibrium import (
    NashSolution,
    NotAnEquilibriumError,
    NoUniqueNashError,
    check_assumptions,
    solve_nash,
)
from .estimators import natural_gradient_estimate
from .evaluation import (
                         cost,
                         natural_gradient,
                         normalized_error,
                         policy_gradient,
                         state_covariances,
                         value_matrices,
)
from .examples import games as games
from .examples import paper as paper
from .known_parameters import natural_policy_gradient, policy_gradient_descent
from .linearization import largest_stable_step
from .model import LQGame
from .runs import PGResult
from .sampling import sample_policies_near
from .states import DiscreteState, GaussianState
from .stationary import solve_stationary_nash
from .unknown_parameters import model_free_natural_policy_gradient
from .variants import model_free_variants
from .verification import best_response, monte_carlo_cost

__version__ = "0.2.0"

__all__ = [
    # the game (Section 2.1)
    "LQGame", "GaussianState", "DiscreteState", "LQGameError",
    # the equilibrium (Section 2.2) and the infinite-horizon game
    "solve_nash", "NashSolution", "NoUniqueNashError", "NotAnEquilibriumError", "check_assumptions",
    "solve_stationary_nash",
    # exact quantities (Section 3.1)
    "cost", "value_matrices", "state_covariances", "policy_gradient", "natural_gradient",
    "normalized_error",
    # the algorithms (Sections 3 and 4)
    "natural_policy_gradient", "policy_gradient_descent", "model_free_natural_policy_gradient",
    "model_free_variants", "PGResult", "perturbed_episodes", "natural_gradient_estimate",
    "sample_policies_near", "largest_stable_step",
    # independent checks
    "best_response", "monte_carlo_cost",
]
# and the subpackages lqg.diagnostics, lqg.experiments, lqg.stationary, lqg.games, lqg.paper
