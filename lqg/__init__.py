"""lqg (under reconstruction)."""
from ._checks import LQGameError
from .model import LQGame
from .states import DiscreteState, GaussianState
from .equilibrium import NashSolution, NoUniqueNashError, check_assumptions, solve_nash
from .evaluation import cost, natural_gradient, normalized_error, policy_gradient, state_covariances, value_matrices
from .runs import PGResult
from .known_parameters import natural_policy_gradient, policy_gradient_descent
from .sampling import sample_policies_near
from .verification import best_response, monte_carlo_cost, simulate
from .examples import paper, games
from .unknown_parameters import model_free_natural_policy_gradient
from .episodes import Episodes, perturbed_episodes, game_with_exploration
from .estimators import natural_gradient_estimate, zeroth_order_gradient, empirical_covariance, two_point_gradient
perturbed_rollouts = perturbed_episodes
