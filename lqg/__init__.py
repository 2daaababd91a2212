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

from ._checks import LQGameError
from .model import LQGame
from .states import DiscreteState, GaussianState
from .equilibrium import NashSolution, NoUniqueNashError, check_assumptions, solve_nash
from .evaluation import (cost, natural_gradient, normalized_error, policy_gradient,
                         state_covariances, value_matrices)
from .runs import PGResult
from .known_parameters import natural_policy_gradient, policy_gradient_descent
from .unknown_parameters import model_free_natural_policy_gradient, model_free_variants
from .episodes import perturbed_episodes
from .estimators import natural_gradient_estimate
from .sampling import sample_policies_near
from .stationary import solve_stationary_nash
from .verification import best_response, monte_carlo_cost
from . import diagnostics, experiments, stationary
from .examples import games, paper

__version__ = "0.2.0"

__all__ = [
    "LQGame", "GaussianState", "DiscreteState", "LQGameError",
    "solve_nash", "NashSolution", "NoUniqueNashError", "check_assumptions",
    "cost", "value_matrices", "state_covariances", "policy_gradient", "natural_gradient",
    "normalized_error",
    "natural_policy_gradient", "policy_gradient_descent", "model_free_natural_policy_gradient",
    "model_free_variants",
    "PGResult", "perturbed_episodes", "natural_gradient_estimate", "sample_policies_near",
    "solve_stationary_nash", "best_response", "monte_carlo_cost",
]
