"""Every claim the book measures, declared as data (see :class:`lqg.reproduction.claims.Claim`)."""

from . import readings
from .beyond import ALGORITHM_2_N, COUNTEREXAMPLE, ESTIMATOR, MAPS, N_PLAYERS
from .section_5 import FIGURES_1_3, FIGURES_4_6, FIGURES_7_8
from .theory import SECTION_2, SECTION_3, SECTION_4

__all__ = ["SECTION_2", "SECTION_3", "SECTION_4", "FIGURES_1_3", "FIGURES_4_6", "FIGURES_7_8",
           "COUNTEREXAMPLE", "N_PLAYERS", "ALGORITHM_2_N", "MAPS", "ESTIMATOR", "readings", "BY_NOTEBOOK"]

#: which notebook measures which list of claims
BY_NOTEBOOK = {
    "01_game_and_equilibrium": SECTION_2, "02_known_parameters": SECTION_3,
    "03_unknown_parameters": SECTION_4, "04_section_5_1_convergence": FIGURES_1_3,
    "05_section_5_1_deterministic": FIGURES_4_6, "06_section_5_2_noise": FIGURES_7_8,
    "08_n_players": N_PLAYERS, "09_model_free_n_players": ALGORITHM_2_N,
    "10_counterexample": COUNTEREXAMPLE, "11_sensitivity_maps": MAPS,
    "12_gradient_estimator": ESTIMATOR,
}
