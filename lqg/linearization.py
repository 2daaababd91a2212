r"""Algorithm 1 and vanilla policy gradient near the equilibrium: their linearization, and the step
sizes for which the equilibrium attracts them.

Stack every player's gains at every time, :math:`K = (K_0, \dots, K_{T-1})` with
:math:`K_t = [K_t^1; \dots; K_t^N]`. Algorithm 1 iterates :math:`K \leftarrow K - \eta\,2E^K`
(eq. (3.8)) and vanilla policy gradient :math:`K \leftarrow K - \eta\,2E^K\Sigma^K` (eq. (3.16)).
At the equilibrium :math:`E^{K^*} = 0`, so near it both are the linear maps :math:`I - \eta J`,
with J the Jacobian of the update direction at :math:`K^*`.

**The structure of J.** By (3.15),

.. math::

    E_t^i = R_t^iK_t^i - (B_t^i)^\top P_{t+1}^i\Big(A_t - \sum_j B_t^jK_t^j\Big)

depends on :math:`K_t` and, through :math:`P_{t+1}^i`, on :math:`K_{t+1}, \dots, K_{T-1}` only;
:math:`\Sigma_t` depends on :math:`K_0, \dots, K_{t-1}`, but it multiplies :math:`E_t = 0`. So J is
block upper triangular in t, and its diagonal block at t is, with
:math:`\partial E_t^i / \partial K_t^j = R_t^i\delta_{ij} + (B_t^i)^\top P_{t+1}^{i*}B_t^j`,

.. math::

    X \mapsto 2\Phi_tX \quad\text{(Algorithm 1)}, \qquad
    X \mapsto 2\Phi_tX\Sigma_t \quad\text{(vanilla policy gradient)},

where :math:`\Phi_t` is the block matrix of Remark 2.4 at the equilibrium
(:mod:`lqg.equilibrium`) and :math:`\Sigma_t = \mathbb E[x_tx_t^\top]` under :math:`K^*` (3.4).
Since :math:`\operatorname{vec}(\Phi_tX\Sigma_t) = (\Sigma_t \otimes \Phi_t)\operatorname{vec}X`, the
eigenvalues of J are

.. math::

    \{2\lambda\mu : \lambda \in \operatorname{eig}\Phi_t,\ \mu \in \operatorname{eig}\Sigma_t,\
    t = 0, \dots, T-1\} \quad\text{(vanilla)}, \qquad
    \{2\lambda : \lambda \in \operatorname{eig}\Phi_t\}, \text{ each d times} \quad\text{(natural)}.

Two consequences. The noise W enters neither :math:`K^*` nor :math:`P^*` nor :math:`\Phi_t`, only
:math:`\Sigma_t`, whose eigenvalues :math:`\mu` are positive (under Assumption 2.2), so it cannot
change the sign of a real part. And the equilibrium repels both methods along some direction (it
is a *saddle* of their dynamics, avoided from almost every start) exactly when some
:math:`\Phi_t` has an eigenvalue with a negative real part.

**Step sizes.** :math:`|1 - \eta\lambda| < 1` iff :math:`\operatorname{Re}\lambda > 0` and
:math:`\eta < 2\operatorname{Re}\lambda/|\lambda|^2`. So the equilibrium attracts the iteration
for :math:`0 < \eta < \eta_{\max} = \min_\lambda 2\operatorname{Re}\lambda/|\lambda|^2`, at the
local rate :math:`\max_\lambda|1 - \eta\lambda|` per iteration (:func:`largest_stable_step`,
:func:`linearize`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks as check
from . import _kernel as kernel
from .equilibrium import NashSolution, phi_system, solve_nash
from .evaluation import state_covariances

__all__ = ["linearize", "largest_stable_step", "Linearization", "step_size_bound"]

GRADIENTS = ("natural", "vanilla")

#: relative size below which an eigenvalue of :math:`\Sigma_t` is zero (a direction no state takes)
NEUTRAL = 1e-12


def step_size_bound(spectrum) -> float:
    r""":math:`\eta_{\max} = \min_\lambda 2\operatorname{Re}\lambda/|\lambda|^2` over the eigenvalues
    :math:`\lambda` of the Jacobian J of an update direction, so that :math:`I - \eta J` is a
    contraction near the fixed point iff :math:`0 < \eta < \eta_{\max}`; 0 when some
    :math:`\operatorname{Re}\lambda \le 0` (no step size works).

    Parameters
    ----------
    spectrum : array_like of complex
        The eigenvalues of J, e.g. :attr:`Linearization.spectrum`, or a stationary spectrum of
        :mod:`lqg.experiments.saddles`.

    Returns
    -------
    float
    """
    lam = np.asarray(spectrum, dtype=complex).ravel()
    if lam.size == 0 or not np.all(np.isfinite(lam)):
        raise check.LQGameError("spectrum must be a non-empty array of finite eigenvalues")
    if np.any(lam.real <= 0):
        return 0.0
    return float(np.min(2 * lam.real / np.abs(lam) ** 2))


@dataclass(frozen=True, eq=False)
class Linearization:
    r"""Algorithm 1 or vanilla policy gradient linearized at the equilibrium (module docstring).

    Attributes
    ----------
    gradient : str
        ``"natural"`` or ``"vanilla"``: Algorithm 1
        (:func:`~lqg.known_parameters.natural_policy_gradient`) or vanilla policy gradient
        (:func:`~lqg.known_parameters.policy_gradient_descent`).
    phi : numpy.ndarray, shape=(T, sum k, sum k)
        :math:`\Phi_t` of Remark 2.4 at the equilibrium.
    covariances : numpy.ndarray, shape=(T, d, d)
        :math:`\Sigma_t` under :math:`K^*` for vanilla policy gradient; the identity for Algorithm
        1, whose blocks have no :math:`\Sigma_t`.
    k : tuple of int
        The players' control dimensions (player i owns rows ``sum(k[:i])`` to ``sum(k[:i+1])``).
    """

    gradient: str
    phi: np.ndarray
    covariances: np.ndarray
    k: tuple

    @property
    def phi_eigenvalues(self) -> np.ndarray:
        r"""The eigenvalues :math:`\lambda` of every :math:`\Phi_t`, shape (T, sum k), complex."""
        return np.linalg.eigvals(self.phi)

    @property
    def covariance_eigenvalues(self) -> np.ndarray:
        r"""The eigenvalues :math:`\mu \ge 0` of every :math:`\Sigma_t`, ascending, shape (T, d)."""
        return np.linalg.eigvalsh(self.covariances)

    @property
    def spectrum(self) -> np.ndarray:
        r"""The eigenvalues :math:`2\lambda\mu` of J (:math:`\mu = 1` for Algorithm 1), t by t,
        shape (T sum(k) d,), complex."""
        return self._eigenvalues(self.phi).ravel()

    @property
    def neutral(self) -> np.ndarray:
        r"""Which eigenvalues of :attr:`spectrum` are zero because :math:`\Sigma_t` is singular to
        rounding (:math:`\mu \le` ``NEUTRAL`` :math:`\max\mu`): a direction of :math:`K_t` that no
        state takes, as without noise, where :math:`\Sigma_t` can shrink along the horizon far
        faster in one direction than in another (outside Assumption 2.2). Bool, shape
        (T sum(k) d,)."""
        mu = self.covariance_eigenvalues
        zero = mu <= NEUTRAL * mu.max(axis=-1, keepdims=True)
        return np.broadcast_to(zero[:, None, :], (mu.shape[0], sum(self.k), mu.shape[1])).ravel()

    @property
    def eta_max(self) -> float:
        r"""The largest stable step :math:`\eta_{\max}` (:func:`step_size_bound`) for one step size
        shared by every player; the zero eigenvalues of a singular :math:`\Sigma_t`
        (:attr:`neutral`), along which the iteration neither contracts nor expands, are left out."""
        lam = self.spectrum[~self.neutral]
        return step_size_bound(lam) if lam.size else float("inf")

    def saddle(self, rtol: float = 1e-9) -> bool:
        r"""Whether the equilibrium repels the iteration along some direction, whatever the step
        size: some :math:`\Phi_t` has an eigenvalue with real part below ``-rtol`` times its
        largest modulus. Decided block by block, so a :math:`\Sigma_t` that decays along a
        noiseless horizon (and with it the size, not the sign, of :math:`2\lambda\mu`) does not
        hide a negative :math:`\lambda`."""
        lam = self.phi_eigenvalues
        return bool(np.any(lam.real < -rtol * np.abs(lam).max(axis=-1, keepdims=True)))

    def rate(self, eta) -> float:
        r"""The local rate :math:`\rho(I - \mathrm{diag}(\eta)J)`, the factor by which
        :math:`\|K^{(m)} - K^*\|` shrinks per iteration near :math:`K^*` (below 1: the iteration
        converges locally; the Nash gap, quadratic in :math:`K - K^*`, shrinks by about its square).

        Parameters
        ----------
        eta : float or sequence of N floats
            One step size, or one per player (player i's rows of J are scaled by its own: the
            block at t becomes :math:`X \mapsto 2H\Phi_tX\Sigma_t`, H the diagonal of the steps).
        """
        eta = check.per_player(eta, len(self.k), "eta")
        scaled = np.repeat(eta, self.k)[:, None] * self.phi
        return float(np.abs(1 - self._eigenvalues(scaled)).max())

    def _eigenvalues(self, phi: np.ndarray) -> np.ndarray:
        """2 lambda(phi_t) mu(Sigma_t) for every t, shape (T, sum k, d)."""
        return 2 * np.linalg.eigvals(phi)[:, :, None] * self.covariance_eigenvalues[:, None, :]


def linearize(game, nash: NashSolution | None = None, *, gradient: str = "natural",
              require_equilibrium: bool = True) -> Linearization:
    r"""Algorithm 1 (``gradient="natural"``) or vanilla policy gradient (``"vanilla"``) linearized
    at the equilibrium, from :math:`\Phi_t` and :math:`\Sigma_t` (module docstring): exact, without
    finite differences.

    Parameters
    ----------
    game : LQGame
    nash : NashSolution, optional
        The game's equilibrium; :func:`~lqg.equilibrium.solve_nash` by default.
    gradient : {"natural", "vanilla"}
    require_equilibrium : bool, default True
        Refuse a game whose second-order condition fails
        (:class:`~lqg.equilibrium.NotAnEquilibriumError`): its solution of (2.4) is a fixed point
        of both iterations but no equilibrium to learn. False linearizes there anyway.

    Returns
    -------
    Linearization
        With the spectrum of J, :math:`\eta_{\max}`, whether the equilibrium is a saddle, and the
        local rate at any step size.
    """
    game = check.game(game)
    gradient = check.choice(gradient, GRADIENTS, "gradient")
    nash = check.nash_of(game, nash) or solve_nash(game)
    if require_equilibrium:
        nash.require_equilibrium(" to linearize the learning algorithms at")
    c = kernel.coefficients(game)
    P = np.stack(nash.P, axis=1)                                        # (T+1, N, d, d)
    phi = np.stack([phi_system(c, P[t + 1], game.B_stacked[t], game.R_block[t])[0]
                    for t in range(game.T)])                            # Remark 2.4
    if gradient == "vanilla":
        covariances = state_covariances(game, nash.K)[:-1]             # eq. (3.4) at K*
    else:
        covariances = np.broadcast_to(np.eye(game.d), (game.T, game.d, game.d))
    return Linearization(gradient=gradient, phi=phi, covariances=covariances, k=game.k)


def largest_stable_step(game, nash: NashSolution | None = None, *, gradient: str = "natural",
                        require_equilibrium: bool = True) -> float:
    r"""The largest step size :math:`\eta_{\max}` for which the equilibrium attracts Algorithm 1
    (or vanilla policy gradient): every :math:`0 < \eta < \eta_{\max}` converges from close enough
    to :math:`K^*`, no :math:`\eta > \eta_{\max}` does (from almost every start).

    .. math::

        \eta_{\max} = \min_\lambda \frac{2\operatorname{Re}\lambda}{|\lambda|^2},

    over the eigenvalues :math:`\lambda` of the Jacobian of the update direction at :math:`K^*`
    (:func:`linearize`); 0 when some :math:`\operatorname{Re}\lambda \le 0`, that is when some
    :math:`\Phi_t` of Remark 2.4 has an eigenvalue with a non-positive real part.

    Choosing η for one's own game: take a fraction of :math:`\eta_{\max}`, e.g.
    ``eta = 0.5 * lqg.largest_stable_step(game)``. The bound is local: far from :math:`K^*` (Theorem
    3.5's region) a smaller step may be needed. The local rate at a given η is
    :math:`\max_\lambda|1 - \eta\lambda|` per iteration, ``linearize(game).rate(eta)``; the step
    that minimises it is usually below :math:`\eta_{\max}`.

    Parameters
    ----------
    game : LQGame
    nash : NashSolution, optional
        The game's equilibrium; :func:`~lqg.equilibrium.solve_nash` by default.
    gradient : {"natural", "vanilla"}
        Algorithm 1 (natural gradient, the default) or vanilla policy gradient.
    require_equilibrium : bool, default True
        As in :func:`linearize`.

    Returns
    -------
    float
        :math:`\eta_{\max}`, one step size shared by every player.

    Examples
    --------
    >>> import lqg
    >>> game = lqg.paper.section_5_1(0.1)
    >>> round(lqg.largest_stable_step(game), 3)
    0.856
    """
    return linearize(game, nash, gradient=gradient, require_equilibrium=require_equilibrium).eta_max
