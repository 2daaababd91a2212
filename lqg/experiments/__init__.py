r"""Experiments beyond the paper's single runs.

* :mod:`lqg.experiments.convergence` -- the one definition of convergence, observed and linearised
  rates;
* :mod:`lqg.experiments.maps` -- the sweep experiments of the sensitivity maps;
* :mod:`lqg.experiments.sweep` -- grids of experiments over joblib workers, one resumable CSV
  (import it explicitly: it loads pandas).
"""

from .convergence import (
                          converged,
                          final_error,
                          largest_stable_step,
                          linear_rate,
                          linearized_rate,
                          linearized_spectrum,
                          nash_gap_history,
)
from .maps import recorded_errors, section_5_1_runs, section_5_2_runs

__all__ = ["converged", "final_error", "nash_gap_history", "linear_rate", "linearized_spectrum",
           "largest_stable_step", "linearized_rate", "section_5_1_runs", "section_5_2_runs",
           "recorded_errors"]
