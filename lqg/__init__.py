"""lqg: the reproducible companion to Hambly, Xu & Yang (2021),
*Policy Gradient Methods Find the Nash Equilibrium in N-player General-sum Linear-quadratic Games*.

The package follows the paper's structure:

- :mod:`lqg.model` -- the game of Section 2.1 (:class:`LQGame`) and its initial-state laws;
- :mod:`lqg.equilibrium` -- the Nash equilibrium via the coupled Riccati equations (2.4)-(2.5);
- :mod:`lqg.evaluation` -- exact costs, covariances and gradients of a joint policy (Section 3.1).
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
]
