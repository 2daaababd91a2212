r"""The constants of Section 3 and the checks behind Theorem 3.5, computed for a game.

* :func:`report` collects every constant of Assumption 3.3 and Theorem 3.5 in a
  :class:`~lqg.diagnostics.TheoryReport` (eqs. (3.1)-(3.4), (3.9)-(3.12), the
  iteration count of Theorem 3.5 and the condition of Remark 2.4);
* :func:`gradient_dominance` evaluates the two bounds of Lemma 3.9 at any policy;
* :func:`nash_gap` is the quantity Theorem 3.5 drives to zero,
  :math:`\sum_i [C^i(K^i, K^{-i*}) - C^i(K^*)]`;
* :func:`deviation_curves` gives the costs of unilateral deviations from the equilibrium.

The constants need Assumption 2.1 (positive definite weights); :func:`report` and
:func:`gradient_dominance` say so when it fails. The gaps need only a unique equilibrium.
"""

from .constants import TheoryReport, report
from .dominance import GradientDominance, deviation_curves, gradient_dominance, nash_gap

__all__ = ["report", "TheoryReport", "nash_gap", "gradient_dominance", "GradientDominance",
           "deviation_curves"]
