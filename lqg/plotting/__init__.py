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
                     policy_path,
                     policy_path_panels,
                     policy_paths_figure,
                     readings_figure,
                     run_in_paper_layout,
                     shade_period,
)
from .estimates import (
                     conditioning_figure,
                     errors_against_L_figure,
                     estimates_figure,
                     threshold_figure,
                     variance_maps_figure,
)
from .maps import annotated_map, map_panels

__all__ = ["error_bands_figure", "error_curves", "normalized_error_figure", "policy_path",
           "policy_path_panels", "policy_paths_figure", "readings_figure", "run_in_paper_layout",
           "shade_period",
           "conditioning_figure", "errors_against_L_figure", "estimates_figure",
           "variance_maps_figure", "threshold_figure", "annotated_map", "map_panels"]
