"""Every claim the book measures, declared as data (see :class:`lqg.reproduction.claims.Claim`)."""

from . import readings
from .beyond import ALGORITHM_2_N, COUNTEREXAMPLE, ESTIMATOR, MAPS, N_PLAYERS
from .section_5 import FIGURES_1_3, FIGURES_4_6, FIGURES_7_8
from .theory import SECTION_2, SECTION_3, SECTION_4

__all__ = ["SECTION_2", "SECTION_3", "SECTION_4", "FIGURES_1_3", "FIGURES_4_6", "FIGURES_7_8",
           "COUNTEREXAMPLE", "N_PLAYERS", "ALGORITHM_2_N", "MAPS", "ESTIMATOR", "readings"]
