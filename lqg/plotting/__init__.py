"""Figures: normalized errors and learned-policy paths in the style of the paper's Section 5
(:mod:`lqg.plotting.curves`), the Section 4 estimates (:mod:`lqg.plotting.estimates`) and annotated
heat maps (:mod:`lqg.plotting.maps`).

Functions take plain arrays or :class:`~lqg.runs.PGResult` objects and return Matplotlib figures;
import this package explicitly (it loads Matplotlib).
"""

from .curves import (
                     error_bands_figure,
                     error_curves,
                     normalized_error_figure,
                     policy_path_panels,
                     readings_figure,
                     run_in_paper_layout,
)
from .estimates import (
                     conditioning_figure,
                     errors_against_L_figure,
                     estimates_figure,
                     threshold_figure,
                     variance_maps_figure,
)
from .maps import map_panels

__all__ = ["normalized_error_figure", "error_curves", "error_bands_figure", "policy_path_panels",
           "run_in_paper_layout", "readings_figure", "map_panels", "estimates_figure",
           "conditioning_figure", "errors_against_L_figure", "variance_maps_figure",
           "threshold_figure"]
