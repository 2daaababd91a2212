r"""The constants of Section 3 and the checks behind Theorem 3.5, computed for a game.

Theorem 3.5 guarantees linear convergence of the natural policy gradient (Algorithm 1) when
the system noise satisfies Assumption 3.3, inequality (3.11). Every constant that inequality
uses is computed here from the game and an initial joint policy :math:`K^{(0)}` by :func:`report`.

Which :math:`\underline\sigma_X`
--------------------------------
Eq. (3.1) defines :math:`\underline\sigma_X = \min_t \sigma_{\min}(\mathbb E[x_t x_t^\top])`, which
depends on the policy that generates :math:`x_t`. Theorem 3.5 applies it to every iterate, so
the proof needs a bound valid for all policies; the proof of Lemma 3.1 supplies one,
:math:`\min\{\sigma_{\min}(\mathbb E[x_0x_0^\top]), \sigma_{\min}(W)\}`, because
:math:`\Sigma_{t+1}^K \succeq W` for every :math:`K`. That policy-free bound is the default
throughout; the policy-dependent value is reported beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

from .. import _checks as check
from .._checks import LQGameError
from ..equilibrium import NashSolution, solve_nash
from ._common import (
    norm2,
    ratio,
    require_assumption_2_1,
    sigma_k_star,
    sigma_min,
    sigma_x_lemma_3_1,
    sigma_x_of_policy,
)
from .dominance import unilateral_gaps

if TYPE_CHECKING:
    from ..model import LQGame

__all__ = ["report"]


def _geometric_sum(rho: float, T: int) -> np.float64:
    r""":math:`(\rho^{2T} - 1)/(\rho^2 - 1) = \sum_{s=0}^{T-1} \rho^{2s}`, finite at :math:`\rho = 1`."""
    with np.errstate(over="ignore"):
        return np.sum(np.float64(rho) ** (2 * np.arange(T)))


def theorem_3_5_iterations(alpha_hat: float, eta: float, initial_gap: float,
                           epsilon: float) -> float:
    r"""The number of iterations after which Theorem 3.5 guarantees a Nash gap at most :math:`\epsilon`.

    .. math::

        M(\epsilon) = \frac{1}{\widehat\alpha\,\eta}
        \log\frac{\sum_{i=1}^N [C^i(K^{i,(0)}, K^{-i*}) - C^i(K^*)]}{\epsilon},

    floored at 0 (the initial policy may already be within :math:`\epsilon`). The theorem only
    holds for :math:`\eta < \eta_0` with :math:`\eta_0` not given explicitly, so :math:`\eta` is
    the caller's.

    Parameters
    ----------
    alpha_hat : float
        :math:`\widehat\alpha` of eq. (3.12).
    eta : float
        Step size, positive.
    initial_gap : float
        :math:`\sum_i [C^i(K^{i,(0)}, K^{-i*}) - C^i(K^*)]` (:func:`nash_gap` at :math:`K^{(0)}`).
    epsilon : float
        Target accuracy, positive.

    Returns
    -------
    float
        The real-valued bound (every integer :math:`M \ge` it works); NaN when
        :math:`\widehat\alpha \le 0`, where the theorem guarantees nothing.
    """
    eta = check.number(eta, "eta", 0.0, open_low=True)
    epsilon = check.number(epsilon, "epsilon", 0.0, open_low=True)
    if not alpha_hat > 0:
        return math.nan
    if initial_gap <= epsilon:
        return 0.0
    return math.log(initial_gap / epsilon) / (alpha_hat * eta)


@dataclass(frozen=True, eq=False)
class TheoryReport:
    r"""The constants of Section 3 for a game and an initial joint policy :math:`K^{(0)}`.

    Built by :func:`report`; ``print(report)`` shows a table, :meth:`to_dict` gives a plain dict
    (``float`` / ``int`` / ``bool`` values) with the attribute names below as keys.

    Attributes
    ----------
    N, T, d : int
        Players, horizon, state dimension.
    delta : float
        The :math:`\delta > 0` of eq. (3.9).
    remark_2_4 : bool
        Every block matrix :math:`\Phi_t` of Remark 2.4 is invertible (so the Nash equilibrium
        of Assumption 2.3 exists and is unique). Always true in a returned report:
        :func:`report` needs :math:`K^*` and raises ``NoUniqueNashError`` otherwise.
    phi_condition_max : float
        :math:`\max_t` condition number of :math:`\Phi_t` (per-t values in ``phi_condition``,
        not in the dict); large values mean :math:`K^*` is sensitive to the game's data.
    sigma_x_lemma_3_1 : float
        Policy-free :math:`\min\{\sigma_{\min}(\mathbb E[x_0x_0^\top]), \sigma_{\min}(W)\}`,
        proof of Lemma 3.1.
    sigma_x_initial_policy : float
        Eq. (3.1) at :math:`K^{(0)}`: :math:`\min_{0\le t\le T}\sigma_{\min}(\Sigma_t^{K^{(0)}})`.
    sigma_x : float
        The value used in (3.10)-(3.12): one of the two above.
    sigma_x_policy_free : bool
        Whether ``sigma_x`` is the policy-free bound (as Theorem 3.5 requires along the run).
    sigma_r, sigma_q : float
        :math:`\underline\sigma_R = \min_{i,t}\sigma_{\min}(R_t^i)` (t < T) and
        :math:`\underline\sigma_Q = \min_{i,t}\sigma_{\min}(Q_t^i)` (t ≤ T), eq. (3.2).
    gamma_a, gamma_b, gamma_r : float
        :math:`\gamma_A = \max_t\|A_t\|`, :math:`\gamma_B = \max_{i,t}\|B_t^i\|`,
        :math:`\gamma_R = \max_{i,t}\|R_t^i\|`, eq. (3.3).
    sigma_k_star_norm : float
        :math:`\|\Sigma_{K^*}\|`, spectral norm of :math:`\sum_{t=0}^T\Sigma_t^{K^*}`, eq. (3.4).
    closed_loop_norm_star : float
        :math:`\max_{t<T}\|A_t - \sum_i B_t^iK_t^{i*}\|`.
    rho_star : float
        :math:`\rho^* = \max\{\text{closed\_loop\_norm\_star}, 1 + \delta\}`, eq. (3.9).
    nash_cost_max : float
        :math:`\max_i C^i(K^*)`.
    psi : float
        :math:`\psi = \max_i\{C^i(K^{i,(0)}, K^{-i*}) - C^i(K^*)\}` (after eq. (3.9)).
    initial_gap : float
        :math:`\sum_i [C^i(K^{i,(0)}, K^{-i*}) - C^i(K^*)]`, the numerator of :math:`M(\epsilon)`.
    rho_bar : float
        :math:`\bar\rho = \rho^* + N\gamma_B\sqrt{T\psi/(\underline\sigma_X\underline\sigma_R)}
        + 1/(20T^2)`, eq. (3.10); ``inf`` when :math:`\underline\sigma_X = 0 < \psi`.
    rho_bar_factor : float
        :math:`\big((\bar\rho^{2T}-1)/(\bar\rho^2-1)\big)^2`, the last factor of (3.11)-(3.12).
    lhs_3_11, rhs_3_11 : float
        The two sides of inequality (3.11):
        :math:`\underline\sigma_X^5/\|\Sigma_{K^*}\|` and
        :math:`20(N-1)^2T^2d\,\gamma_B^4(\max_iC^i(K^*)+\psi)^4/(\underline\sigma_Q^2
        \underline\sigma_R^2)\cdot` ``rho_bar_factor``.
    assumption_3_3 : bool
        ``lhs_3_11 > rhs_3_11``.
    alpha_hat : float
        :math:`\widehat\alpha` of eq. (3.12), equal to
        :math:`(\underline\sigma_R/\underline\sigma_X^4)(\text{lhs} - \text{rhs})`; positive iff
        Assumption 3.3 holds. ``-inf`` when :math:`\underline\sigma_X = 0`.
    epsilon, eta : float
        The accuracy and step size given to :func:`report` (NaN if not given).
    iterations : float
        :math:`M(\epsilon)` of Theorem 3.5 (``theorem_3_5_iterations``); NaN when
        :math:`\epsilon` or :math:`\eta` was not given or :math:`\widehat\alpha \le 0`.
    """

    N: int
    T: int
    d: int
    delta: float
    remark_2_4: bool
    phi_condition_max: float
    sigma_x_lemma_3_1: float
    sigma_x_initial_policy: float
    sigma_x: float
    sigma_x_policy_free: bool
    sigma_r: float
    sigma_q: float
    gamma_a: float
    gamma_b: float
    gamma_r: float
    sigma_k_star_norm: float
    closed_loop_norm_star: float
    rho_star: float
    nash_cost_max: float
    psi: float
    initial_gap: float
    rho_bar: float
    rho_bar_factor: float
    lhs_3_11: float
    rhs_3_11: float
    assumption_3_3: bool
    alpha_hat: float
    epsilon: float
    eta: float
    iterations: float
    phi_condition: np.ndarray

    def to_dict(self) -> dict:
        """The report as a plain dict of Python ``int``/``float``/``bool`` (no ``phi_condition``)."""
        out = {}
        for f in fields(self):
            if f.name == "phi_condition":
                continue
            value = getattr(self, f.name)
            out[f.name] = value if isinstance(value, (bool, int)) else float(value)
        return out

    def iterations_for(self, epsilon: float, eta: float) -> float:
        r""":math:`M(\epsilon)` of Theorem 3.5 for this report's :math:`\widehat\alpha`; see
        ``theorem_3_5_iterations``."""
        return theorem_3_5_iterations(self.alpha_hat, eta, self.initial_gap, epsilon)

    def __str__(self) -> str:
        rows = [
            ("Remark 2.4: Phi_t invertible", "", self.remark_2_4),
            ("  max_t cond(Phi_t)", "", self.phi_condition_max),
            ("sigma_X, policy-free", "Lemma 3.1", self.sigma_x_lemma_3_1),
            ("sigma_X at K^(0)", "(3.1)", self.sigma_x_initial_policy),
            ("sigma_X used" + (" (policy-free)" if self.sigma_x_policy_free else " (at K^(0))"),
             "", self.sigma_x),
            ("sigma_R", "(3.2)", self.sigma_r),
            ("sigma_Q", "(3.2)", self.sigma_q),
            ("gamma_A", "(3.3)", self.gamma_a),
            ("gamma_B", "(3.3)", self.gamma_b),
            ("gamma_R", "(3.3)", self.gamma_r),
            ("||Sigma_K*||", "(3.4)", self.sigma_k_star_norm),
            ("max_t ||A_t - B_t K_t*||", "", self.closed_loop_norm_star),
            (f"rho* (delta = {self.delta:g})", "(3.9)", self.rho_star),
            ("max_i C^i(K*)", "(2.7)", self.nash_cost_max),
            ("psi", "", self.psi),
            ("sum_i gap_i at K^(0)", "Thm 3.5", self.initial_gap),
            ("rho_bar", "(3.10)", self.rho_bar),
            ("((rho_bar^2T-1)/(rho_bar^2-1))^2", "", self.rho_bar_factor),
            ("LHS sigma_X^5/||Sigma_K*||", "(3.11)", self.lhs_3_11),
            ("RHS", "(3.11)", self.rhs_3_11),
            ("Assumption 3.3 holds", "(3.11)", self.assumption_3_3),
            ("alpha_hat", "(3.12)", self.alpha_hat),
        ]
        if not math.isnan(self.epsilon):
            M = self.iterations if self.alpha_hat > 0 else "none (alpha_hat <= 0: no guarantee)"
            rows.append((f"M(eps={self.epsilon:g}, eta={self.eta:g})", "Thm 3.5", M))

        def fmt(v):
            if isinstance(v, bool):
                return "yes" if v else "no"
            return v if isinstance(v, str) else f"{v:.6g}"

        width = max(len(r[0]) for r in rows)
        lines = [f"Section 3 constants (N={self.N}, T={self.T}, d={self.d})"]
        lines += [f"  {name:<{width}}  {eq:<9}  {fmt(v)}" for name, eq, v in rows]
        return "\n".join(lines)


def report(game: LQGame, K0: Sequence, *, delta: float = 1e-3, sigma_x: str = "lemma_3_1",
           epsilon: float | None = None, eta: float | None = None,
           nash: NashSolution | None = None) -> TheoryReport:
    r"""Every constant of Assumption 3.3 and Theorem 3.5 for a game and initial policy :math:`K^{(0)}`.

    Computes eqs. (3.1)-(3.4), :math:`\rho^*` (3.9), :math:`\psi`, :math:`\bar\rho` (3.10), both
    sides of inequality (3.11), :math:`\widehat\alpha` (3.12) and, given :math:`\epsilon` and
    :math:`\eta`, the iteration count :math:`M(\epsilon)` of Theorem 3.5:

    .. math::

        \frac{\underline\sigma_X^5}{\|\Sigma_{K^*}\|} > 20(N-1)^2T^2d\,
        \frac{\gamma_B^4(\max_iC^i(K^*)+\psi)^4}{\underline\sigma_Q^2\underline\sigma_R^2}
        \Big(\frac{\bar\rho^{2T}-1}{\bar\rho^2-1}\Big)^2. \tag{3.11}

    Parameters
    ----------
    game : LQGame
    K0 : tuple of N array_like, shapes (T, k_i, d)
        The initial joint policy :math:`K^{(0)}` (no batch dimensions).
    delta : float
        The :math:`\delta > 0` of eq. (3.9). The paper leaves it as "some small constant";
        (3.11) gets easier as :math:`\delta \to 0` whenever :math:`1+\delta` is the larger term of
        (3.9), so the default 1e-3 is close to the most favourable value.
    sigma_x : {"lemma_3_1", "initial_policy"}
        The :math:`\underline\sigma_X` used in (3.10)-(3.12). ``"lemma_3_1"`` (default): the
        policy-free bound, which Theorem 3.5 needs because it applies (3.11) at every iterate.
        ``"initial_policy"``: eq. (3.1) at :math:`K^{(0)}` only (not a valid bound along the run).
    epsilon, eta : float, optional
        Target accuracy and step size for :math:`M(\epsilon)`; both or neither.
    nash : NashSolution, optional
        The game's equilibrium; computed with :func:`~lqg.equilibrium.solve_nash` if omitted.

    Returns
    -------
    TheoryReport

    Raises
    ------
    LQGameError
        Bad ``K0`` (shapes, batch dimensions, non-finite entries), ``delta`` not positive,
        unknown ``sigma_x``, only one of ``epsilon`` and ``eta``.
    NoUniqueNashError
        When Remark 2.4's :math:`\Phi_t` is singular (no unique Nash equilibrium to measure from).

    Notes
    -----
    With W singular (e.g. deterministic dynamics) the policy-free :math:`\underline\sigma_X` is
    0: then :math:`\bar\rho = \infty` (if :math:`\psi > 0`), the left side of (3.11) is 0, the
    right side is positive, and :math:`\widehat\alpha = -\infty`. These are reported as such,
    without warnings.
    """
    game = check.game(game)
    delta = check.number(delta, "delta", 0.0, open_low=True)
    sigma_x = check.choice(sigma_x, ("lemma_3_1", "initial_policy"), "sigma_x")
    if (epsilon is None) != (eta is None):
        raise LQGameError("give both epsilon and eta (for M(epsilon) of Theorem 3.5) or neither")
    check.policy(game, K0, "K0", batch=False)
    require_assumption_2_1(game, "report (the constants (3.2) of Section 3)")
    N, T, d = game.N, game.T, game.d
    nash = check.nash_of(game, nash) or solve_nash(game)

    # eq. (3.1) and Lemma 3.1
    free = sigma_x_lemma_3_1(game)
    at_k0 = float(sigma_x_of_policy(game, K0))
    sx = free if sigma_x == "lemma_3_1" else at_k0
    # eqs. (3.2)-(3.3)
    sigma_r = float(min(sigma_min(R).min() for R in game.R))
    sigma_q = float(min(sigma_min(Q).min() for Q in game.Q))
    gamma_a = float(norm2(game.A).max())
    gamma_b = float(max(norm2(B).max() for B in game.B))
    gamma_r = float(max(norm2(R).max() for R in game.R))
    # eq. (3.4) and (3.9)
    sigma_kstar = sigma_k_star(game, nash)
    loop_star = float(norm2(game.A - game.B_stacked @ np.concatenate(nash.K, axis=-2)).max())
    rho_star = max(loop_star, 1.0 + delta)
    # psi and eq. (3.10); a gap below zero can only be rounding, as K^{i*} is a best response
    gaps = unilateral_gaps(game, K0, nash)
    psi = np.float64(max(gaps.max(), 0.0))
    nash_max = np.float64(nash.costs.max())
    rho_bar = rho_star + N * gamma_b * math.sqrt(T * ratio(psi, sx * sigma_r)) + 1.0 / (20 * T**2)
    # eqs. (3.11)-(3.12); a huge psi may overflow to inf, which is the honest answer
    with np.errstate(over="ignore", invalid="ignore"):
        factor = _geometric_sum(rho_bar, T) ** 2
        constant = 20 * (N - 1) ** 2 * T**2 * d * np.float64(gamma_b) ** 4 * (nash_max + psi) ** 4
        rhs = constant / (sigma_q**2 * sigma_r**2) * factor
        second = ratio(constant * factor, sx**4 * sigma_q**2 * sigma_r)
    # N = 1 has no competition term: 0 * inf is 0 here, not NaN
    if constant == 0:
        rhs, second = 0.0, 0.0
    lhs = ratio(sx**5, sigma_kstar)
    alpha_hat = ratio(sx * sigma_r, sigma_kstar) - second
    initial_gap = float(gaps.sum())
    if epsilon is None:
        epsilon = eta = iterations = math.nan
    else:
        iterations = theorem_3_5_iterations(alpha_hat, eta, initial_gap, epsilon)
    return TheoryReport(
        N=N, T=T, d=d, delta=float(delta),
        remark_2_4=bool(np.all(np.isfinite(nash.condition))),
        phi_condition_max=float(np.max(nash.condition)),
        sigma_x_lemma_3_1=free, sigma_x_initial_policy=at_k0, sigma_x=sx,
        sigma_x_policy_free=sigma_x == "lemma_3_1",
        sigma_r=sigma_r, sigma_q=sigma_q, gamma_a=gamma_a, gamma_b=gamma_b, gamma_r=gamma_r,
        sigma_k_star_norm=sigma_kstar, closed_loop_norm_star=loop_star, rho_star=rho_star,
        nash_cost_max=float(nash_max), psi=float(psi), initial_gap=initial_gap,
        rho_bar=float(rho_bar), rho_bar_factor=float(factor),
        lhs_3_11=float(lhs), rhs_3_11=float(rhs), assumption_3_3=bool(lhs > rhs),
        alpha_hat=float(alpha_hat), epsilon=float(epsilon), eta=float(eta),
        iterations=float(iterations), phi_condition=nash.condition,
    )
