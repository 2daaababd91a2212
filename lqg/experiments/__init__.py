r"""Experiments beyond the paper's single runs.

* :mod:`lqg.experiments.convergence` -- the one definition of convergence, observed and linearised
  rates;
* :mod:`lqg.experiments.maps` -- the sweep experiments of the sensitivity maps;
* :mod:`lqg.experiments.sweep` -- grids of experiments over joblib workers, one resumable CSV
  (import it explicitly: it loads pandas).
"""

from .convergence import converged, final_error, linear_rate, linearized_rate, nash_gap_history

__all__ = ["converged", "final_error", "linear_rate", "nash_gap_history", "linearized_rate"]
