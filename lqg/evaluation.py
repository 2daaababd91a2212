r"""Exact costs, covariances and gradients of a joint linear policy :math:`u_t^i = -K_t^i x_t` (Section 3.1).

A joint policy is a tuple of N arrays, player i's of shape ``(*batch, T, k_i, d)``. Every function
broadcasts over the leading batch dimensions, like :mod:`numpy.linalg` over stacks of matrices:
one call evaluates a whole batch of policies, and the players' batch shapes broadcast against
each other. The equations themselves are written once, in ``lqg._kernel``; ``Evaluation``
is the one batch-first facade over it (the package's modules use it on stacked gains), and the
public functions validate their arguments and call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np

from . import _checks as check
from . import _kernel as kernel
from .equilibrium import NashSolution, solve_nash

__all__ = [
    "value_matrices",
    "cost",
    "state_covariances",
    "policy_gradient",
    "natural_gradient",
    "normalized_error",
    "error_normalization", "NORMALIZATIONS"]


class Evaluation:
    r"""The exact quantities of Section 3.1 at a batch of joint policies, batch-first.

    ``Evaluation(game, Ks)`` with the stacked gains ``Ks`` :math:`= [K_t^1; \dots; K_t^N]` of shape
    ``(*batch, T, sum(k), d)`` of a validated game (nothing is checked here). Each attribute is
    computed by ``lqg._kernel`` on first use, in its batch-last layout, and returned with the batch
    axes first; the attributes share what they have in common (the closed loops, the value
    matrices). No floating-point warning is raised: an overflow is a value (``inf`` or NaN).

    Attributes
    ----------
    K : numpy.ndarray, shape=(*batch, T, sum(k), d)
        The gains evaluated.
    closed_loop : (*batch, T, d, d)
        :math:`A_t - \sum_j B_t^jK_t^j`.
    value_matrices : (*batch, T+1, N, d, d)
        :math:`P_{t,i}^K`, eq. (3.13).
    costs : (*batch, N)
        :math:`C^i(K)`, eq. (3.14).
    gross_costs : (*batch, N)
        :math:`G^i(K)`: eq. (3.14) with every weight replaced by its matrix absolute value
        (``lqg._kernel.absolute``), so :math:`G^i(K) \ge |C^i(K)|`; ``costs`` itself when every
        weight is positive semi-definite.
    natural_gradient : (*batch, T, sum(k), d)
        :math:`2E_{t,i}^K`, eq. (3.15), player i's rows.
    state_covariances : (*batch, T+1, d, d)
        :math:`\Sigma_t^K`, eq. (3.4).
    policy_gradient : (*batch, T, sum(k), d)
        :math:`\nabla_{K_t^i}C^i(K) = 2E_{t,i}^K\Sigma_t^K`, eq. (3.16).
    """

    def __init__(self, game, Ks: np.ndarray):
        self.game, self.K = game, Ks
        self._c = kernel.coefficients(game)
        self._batch = Ks.shape[:-3]
        self._K = kernel.batch_last(Ks)

    def _first(self, x: np.ndarray) -> np.ndarray:
        return kernel.batch_first(x, self._batch)

    @cached_property
    def _closed(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            return kernel.closed_loop(self._c, self._K)

    @cached_property
    def _values(self) -> tuple:
        with np.errstate(all="ignore"):
            return kernel.value_matrices(self._c, self._K, self._closed, keep_products=True)

    @cached_property
    def _natural(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            return kernel.natural_gradient(self._c, self._K, self._values[1])

    @cached_property
    def _covariances(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            return kernel.state_covariances(self._c, self._closed)

    @property
    def closed_loop(self) -> np.ndarray:
        return self._first(self._closed)

    @property
    def value_matrices(self) -> np.ndarray:
        return self._first(self._values[0])

    @cached_property
    def costs(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self._first(kernel.costs(self._c, self._values[0]))

    @cached_property
    def gross_costs(self) -> np.ndarray:
        gross = kernel.coefficients(self.game, gross=True)
        if gross is self._c:
            return self.costs
        with np.errstate(all="ignore"):
            return self._first(kernel.costs(gross, kernel.value_matrices(gross, self._K, self._closed)))

    @property
    def natural_gradient(self) -> np.ndarray:
        return self._first(self._natural)

    @property
    def state_covariances(self) -> np.ndarray:
        return self._first(self._covariances)

    @property
    def policy_gradient(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self._first(kernel.policy_gradient(self._natural, self._covariances))


def in_kernel_memory(Ks: np.ndarray) -> np.ndarray:
    """Stacked gains ``(*batch, T, sum(k), d)`` as ``(R, T, sum(k), d)``, the batch flattened,
    stored as the kernel stores them (the runs last in memory): :class:`Evaluation` reads them
    without a copy, and NumPy's elementwise arithmetic on them keeps that layout and runs along
    memory (the update of an algorithm, every iteration)."""
    return kernel.batch_last(Ks).transpose(3, 0, 1, 2)


def _at(game, K, name: str = "K") -> tuple:
    """The validated game and the :class:`Evaluation` of the validated joint policy ``K``."""
    game = check.game(game)
    return game, Evaluation(game, check.policy(game, K, name))


def _split(game, stacked: np.ndarray) -> tuple:
    return tuple(np.ascontiguousarray(stacked[..., s, :]) for s in game.slices)


def value_matrices(game, K: Sequence) -> tuple:
    r"""The matrices :math:`P_{t,i}^K` of eq. (3.13), for every player.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)

    Returns
    -------
    tuple of N numpy.ndarray, shapes (*batch, T+1, d, d)
    """
    game, at = _at(game, K)
    P = at.value_matrices                                               # (*batch, T+1, N, d, d)
    return tuple(np.ascontiguousarray(P[..., i, :, :]) for i in range(game.N))


def cost(game, K: Sequence) -> np.ndarray:
    r"""Each player's exact cost :math:`C^i(K)` by eqs. (3.13)-(3.14).

    :math:`C^i(K) = \mathbb E[x_0^\top P_{0,i}^K x_0] + N_{0,i}^K` with
    :math:`N_{t,i}^K = N_{t+1,i}^K + \operatorname{Tr}(W_t P_{t+1,i}^K)`, :math:`N_{T,i}^K = 0`.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)

    Returns
    -------
    numpy.ndarray, shape=(*batch, N)
        ``inf`` where the policy is so large that the cost overflows (no warning is raised).
    """
    game, at = _at(game, K)
    total = at.costs
    # with positive semi-definite weights costs are >= 0, so a NaN is inf - inf after an overflow
    return np.where(np.isnan(total), np.inf, total) if game.weights_psd else total


def state_covariances(game, K: Sequence) -> np.ndarray:
    r"""The state second moments :math:`\Sigma_t^K = \mathbb E[x_t x_t^\top]` of eq. (3.4).

    Returns
    -------
    numpy.ndarray, shape=(*batch, T+1, d, d)
        :math:`\Sigma_0^K, \dots, \Sigma_T^K`; their sum is :math:`\Sigma_K`.
    """
    return _at(game, K)[1].state_covariances


def natural_gradient(game, K: Sequence) -> tuple:
    r"""The natural gradient :math:`2E_{t,i}^K = \nabla_{K_t^i}C^i(K)\,(\Sigma_t^K)^{-1}`, eq. (3.15).

    This is the update direction of Algorithm 1, eq. (3.8) (Remark 3.2).

    Returns
    -------
    tuple of N numpy.ndarray, shapes (*batch, T, k_i, d)
    """
    game, at = _at(game, K)
    return _split(game, at.natural_gradient)


def policy_gradient(game, K: Sequence) -> tuple:
    r"""Each player's own policy gradient :math:`\nabla_{K_t^i} C^i(K) = 2E_{t,i}^K\Sigma_t^K`,
    Lemma 3.7, eq. (3.16).

    Returns
    -------
    tuple of N numpy.ndarray, shapes (*batch, T, k_i, d)
    """
    game, at = _at(game, K)
    return _split(game, at.policy_gradient)


#: How :func:`normalized_error` scales player i's error (``PGResult.normalization``); the first is
#: the paper's.
NORMALIZATIONS = {
    "C*": "C^i(K*) (the paper's)",
    "|C*|": "|C^i(K*)| (a negative equilibrium cost)",
    "G*": "the gross cost G^i(K*) (an equilibrium cost that vanishes)",
    "none": "nothing: the plain difference C^i(K) - C^i(K*) (equilibrium and gross costs vanish)",
}


def error_normalization(game, nash: NashSolution) -> tuple:
    r"""Each player's scale :math:`s_i` of the normalized error, and which one it is.

    .. math::

        s_i = \begin{cases} |C^i(K^*)| & \text{if } |C^i(K^*)| > 10^{-12}\,G^i(K^*), \\
        G^i(K^*) & \text{else, if } G^i(K^*) > 0, \\ 1 & \text{else,} \end{cases}

    with :math:`G^i(K^*)` the gross cost at the equilibrium (eq. (3.14) with every weight replaced
    by its matrix absolute value, so :math:`G^i \ge |C^i|`, and :math:`G^i = C^i` when the weights
    are positive semi-definite). :math:`s_i = C^i(K^*)` is the paper's, bit for bit, whenever
    :math:`C^i(K^*) > 0`; a negative equilibrium cost (profits) is divided by its magnitude, so
    that a worse policy has a positive error; an equilibrium cost that vanishes up to rounding is
    measured against the gross cost, and when that vanishes too (e.g. :math:`x_0 = 0` and W = 0)
    the error is the plain difference :math:`C^i(K) - C^i(K^*)`.

    Parameters
    ----------
    game : LQGame
    nash : NashSolution
        Solved for ``game``.

    Returns
    -------
    scale : numpy.ndarray, shape=(N,)
    normalization : tuple of N str
        Keys of :data:`NORMALIZATIONS`: ``"C*"`` (the paper's), ``"|C*|"``, ``"G*"`` or ``"none"``.
    """
    game = check.game(game)
    nash = check.nash_of(game, nash)
    star = nash.costs
    gross = Evaluation(game, np.concatenate(nash.K, axis=-2)).gross_costs
    own = np.abs(star) > 1e-12 * gross
    scale = np.where(own, np.abs(star), np.where(gross > 0, gross, 1.0))
    names = np.where(own, np.where(star > 0, "C*", "|C*|"), np.where(gross > 0, "G*", "none"))
    return scale, tuple(str(name) for name in names)


def normalized_error(game, K: Sequence, nash: NashSolution | None = None, *,
                     require_equilibrium: bool = True, full_output: bool = False):
    r"""The performance measure of Section 5: :math:`(C^i(K) - C^i(K^*)) / C^i(K^*)`, for any sign.

    Divided by :math:`|C^i(K^*)|`, which is the paper's :math:`C^i(K^*)` bit for bit when the
    equilibrium cost is positive; where it vanishes, by the gross cost at :math:`K^*`, or not at
    all (:func:`error_normalization` says which; never a NaN from a zero denominator).

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)
    nash : NashSolution, optional
        The game's equilibrium (it must have been solved for this game); computed with
        :func:`~lqg.equilibrium.solve_nash` if omitted.
    require_equilibrium : bool, default True
        Refuse (:class:`~lqg.equilibrium.NotAnEquilibriumError`, naming the player and t) to
        measure against a solution of (2.4) whose second-order condition fails; False measures
        against it anyway.
    full_output : bool, default False
        Also return the normalization of each player (:func:`error_normalization`).

    Returns
    -------
    errors : numpy.ndarray, shape=(*batch, N)
    normalization : tuple of N str
        Only with ``full_output``: ``"C*"`` (the paper's), ``"|C*|"``, ``"G*"`` or ``"none"`` per player.
    """
    game = check.game(game)
    require_equilibrium = check.flag(require_equilibrium, "require_equilibrium")
    check.flag(full_output, "full_output")
    nash = check.nash_of(game, nash) or solve_nash(game)
    if require_equilibrium:
        nash.require_equilibrium(" to measure normalized errors against")
    scale, names = error_normalization(game, nash)
    errors = (cost(game, K) - nash.costs) / scale
    return (errors, names) if full_output else errors
