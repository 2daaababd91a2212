r"""The games and initial policies printed in the paper (Remark 3.4, Sections 5.1 and 5.2).

Each preset returns an :class:`~lqg.model.LQGame`; the initial policies the paper prints come
from their own functions, as joint policies (tuples of arrays of shape (T, k_i, d)). Players are
indexed from 0 (the paper's player 1 is index 0). Where the text admits more than one reading,
the default is the most literal one and a keyword gives each other; the docstrings quote the
sentence each keyword interprets:

* :math:`\mathcal N(\mu, s)` (Remark 3.4, Section 5.2): the paper writes :math:`\mathcal N(\mu, \Sigma)`
  for "mean, covariance" (Section 1, notation), so ``s`` is read as a variance; ``x0_scale="std"``
  reads it as a standard deviation.
* "Parameters: for t = 1, ..., T-1" (Sections 5.1, 5.2): read as a misprint for t = 0, ..., T-1,
  because the paper's policies have T gains :math:`K_0, \dots, K_{T-1}` (Section 5.2:
  :math:`K^1 \in \mathbb R^{1\times 10}` with T = 5 and d = 2). ``matrices_from=1`` gives the
  literal reading, in which nothing happens at t = 0 and the game runs from t = 1 to T:
  T - 1 transitions, returned re-indexed from 0 as a game with horizon T - 1.
* "the initial state distribution to be :math:`[1,1]^\top` or :math:`[1,1.1]^\top` with
  probability 0.5 each" (Section 5.1): ``x0="two-point"``; ``x0="gaussian"`` is the Gaussian with
  the same mean and covariance (Assumption 2.2 asks for a Gaussian :math:`x_0`). Both have the same
  :math:`\mathbb E[x_0x_0^\top]`, which is all that exact costs and Algorithm 1 use.
"""

from __future__ import annotations

import numpy as np

from .. import _checks as check
from .._checks import LQGameError
from ..model import LQGame
from ..states import DiscreteState, GaussianState

__all__ = [
    "remark_3_4",
    "remark_3_4_policies",
    "section_5_1",
    "section_5_2",
    "section_5_2_policies",
]


def _x0_cov(scale: np.ndarray, x0_scale: str) -> np.ndarray:
    x0_scale = check.choice(x0_scale, ("variance", "std"), "x0_scale")
    return np.diag(scale) if x0_scale == "variance" else np.diag(np.square(scale))


def _horizon(T, matrices_from) -> int:
    T = check.positive_int(T, "T")
    if matrices_from not in (0, 1) or isinstance(matrices_from, bool):
        raise LQGameError(f"matrices_from must be 0 or 1; got {matrices_from!r}")
    horizon = T - matrices_from
    if horizon < 1:
        raise LQGameError(f"T = {T} with matrices_from = {matrices_from} leaves no transition "
                          f"(horizon T - matrices_from = {horizon})")
    return horizon


def remark_3_4(*, x0_scale: str = "variance") -> LQGame:
    r"""The example of Remark 3.4, which the paper says satisfies Assumption 3.3 (T = 1).

    .. math::

        A = 0.2I, \quad B^1 = \begin{bmatrix}0.1\\0\end{bmatrix}, \quad
        B^2 = \begin{bmatrix}0\\-0.1\end{bmatrix}, \quad W = 0.2I, \quad
        Q_0^i = Q_T^i = 0.1I, \quad R^i = 0.3,

    and :math:`x_0` has independent coordinates :math:`\mathcal N(0.3, 0.2)` and
    :math:`\mathcal N(0.4, 0.3)`. Its initial policies are :func:`remark_3_4_policies`.

    Parameters
    ----------
    x0_scale : {"variance", "std"}
        How to read the second argument of :math:`\mathcal N(\cdot, \cdot)`: as a variance
        (default, the paper's notation :math:`\mathcal N(\mu, \Sigma)`), or as a standard deviation.

    Returns
    -------
    LQGame
        N = 2, d = 2, k = (1, 1), T = 1.

    Notes
    -----
    By this package's computation (:func:`lqg.diagnostics.report` with
    :func:`remark_3_4_policies`), inequality (3.11) does **not** hold for this example: its left
    side is :math:`\underline\sigma_X^5/\|\Sigma_{K^*}\| = 0.2^5/0.7428 = 4.31\times10^{-4}`
    and its right side :math:`9.77\times10^{-4}`, so :math:`\widehat\alpha = -0.102`
    (:math:`\underline\sigma_X = 0.2` from Lemma 3.1; with T = 1 the :math:`\bar\rho` factor is 1,
    so :math:`\delta` plays no part). Using :math:`\underline\sigma_X` of the initial policy
    (0.207) instead does not change the verdict. The right side would be
    :math:`1.99\times10^{-4}` — and (3.11) would hold — if :math:`C^i(K^*)` left out the noise
    term :math:`\operatorname{Tr}(WP_1^{i*}) = 0.04` of eq. (2.7). Neither increasing W nor the
    standard-deviation reading of :math:`x_0` makes it hold.
    """
    return LQGame.time_invariant(
        A=0.2 * np.eye(2),
        B=[np.array([[0.1], [0.0]]), np.array([[0.0], [-0.1]])],
        Q=[0.1 * np.eye(2)] * 2,
        R=[np.array([[0.3]])] * 2,
        W=0.2 * np.eye(2),
        x0=GaussianState(mean=[0.3, 0.4], cov=_x0_cov(np.array([0.2, 0.3]), x0_scale)),
        T=1,
    )


def remark_3_4_policies() -> tuple:
    r"""Remark 3.4's initial policies :math:`K^{1,(0)} = K^{2,(0)} = (0.2, 0.01)`.

    Returns
    -------
    tuple of 2 numpy.ndarray, shapes (1, 1, 2)
        One gain per player (T = 1), acting as :math:`u_0^i = -K_0^i x_0`.
    """
    K = np.array([[[0.2, 0.01]]])
    return (K.copy(), K.copy())


def section_5_1(sigma2: float, T: int = 10, *, matrices_from: int = 0,
                x0: str = "two-point") -> LQGame:
    r"""The Section 5.1 game (modified from Mazumdar et al., 2019, Section 5.1), with
    :math:`W = \sigma^2 I`.

    .. math::

        A_t = \begin{bmatrix}0.588 & 0.028\\0.570 & 0.056\end{bmatrix}, \quad
        B_t^1 = \begin{bmatrix}1\\1\end{bmatrix}, \quad
        B_t^2 = \begin{bmatrix}0\\1\end{bmatrix}, \quad
        Q_t^1 = Q_T^1 = \begin{bmatrix}0.01 & 0\\0 & 1\end{bmatrix}, \quad
        Q_t^2 = Q_T^2 = \begin{bmatrix}1 & 0\\0 & 0.147\end{bmatrix}, \quad
        R_t^i = 0.01;

    :math:`x_0` is :math:`[1, 1]^\top` or :math:`[1, 1.1]^\top` with probability 1/2 each. The
    paper draws its initial policies near the equilibrium (radius r = 0.25, 0.3, 0.42, 0.16):
    see :func:`~lqg.sampling.sample_policies_near`.

    Parameters
    ----------
    sigma2 : float
        Noise variance :math:`\sigma^2 \ge 0`; the paper uses 0 to 10.
    T : int
        Horizon (the paper's T = 10).
    matrices_from : {0, 1}
        "Parameters: for t = 1, ..., T-1". 0 (default): the matrices apply at every
        t = 0, ..., T-1. 1: the literal reading, a game with T - 1 transitions (module docstring).
    x0 : {"two-point", "gaussian"}
        "we assume the initial state distribution to be [1, 1] or [1, 1.1] with probability 0.5
        each": that two-point law (default), or the Gaussian with its mean and covariance.

    Returns
    -------
    LQGame
        N = 2, d = 2, k = (1, 1).

    Notes
    -----
    The two-point :math:`x_0` is not Gaussian, so Assumption 2.2 does not hold literally; the
    exact costs only use :math:`\mathbb E[x_0x_0^\top]`, whose smallest eigenvalue is about
    :math:`1.2\times10^{-3}`. That caps :math:`\underline\sigma_X` and, by
    :func:`lqg.diagnostics.report`, (3.11) fails for every :math:`\sigma^2` — for instance,
    at :math:`K^{(0)} = K^*` (:math:`\psi = 0`) and :math:`\sigma^2 = 1`, its sides are
    :math:`2\times10^{-16}` and :math:`4\times10^{18}`.
    """
    horizon = _horizon(T, matrices_from)
    points = DiscreteState(points=[[1.0, 1.0], [1.0, 1.1]], probs=[0.5, 0.5])
    x0 = check.choice(x0, ("two-point", "gaussian"), "x0")
    if x0 == "gaussian":
        points = GaussianState(points.mean, points.second_moment - np.outer(points.mean, points.mean))
    return LQGame.time_invariant(
        A=np.array([[0.588, 0.028], [0.570, 0.056]]),
        B=[np.array([[1.0], [1.0]]), np.array([[0.0], [1.0]])],
        Q=[np.diag([0.01, 1.0]), np.diag([1.0, 0.147])],
        R=[np.array([[0.01]])] * 2,
        W=check.number(sigma2, "sigma2", 0.0) * np.eye(2),
        x0=points,
        T=horizon,
    )


def section_5_2(sigma2: float, T: int = 5, *, x0_scale: str = "variance",
                matrices_from: int = 0) -> LQGame:
    r"""The Section 5.2 synthetic game and its initial-state distribution, with :math:`W = \sigma^2 I`.

    .. math::

        A_t = \begin{bmatrix}0.588 & 0.28\\0.57 & 0.56\end{bmatrix}, \quad
        B_t^1 = \begin{bmatrix}1\\1\end{bmatrix}, \quad
        B_t^2 = \begin{bmatrix}0.5\\1\end{bmatrix}, \quad
        Q_t^1 = Q_T^1 = \begin{bmatrix}0.5 & 0\\0 & 1\end{bmatrix}, \quad
        Q_t^2 = Q_T^2 = \begin{bmatrix}1 & 0\\0 & 0.3\end{bmatrix}, \quad R_t^i = 1;

    :math:`x_0` has independent coordinates :math:`\mathcal N(10, 2)` and :math:`\mathcal N(12, 3)`.
    Its initial policies are :func:`section_5_2_policies`.

    Parameters
    ----------
    sigma2 : float
        Noise variance :math:`\sigma^2 \ge 0`; the paper uses 0 to 0.1.
    T : int
        Horizon (the paper's T = 5).
    x0_scale : {"variance", "std"}
        "x_0^1, x_0^2 independent and sampled from N(10, 2) and N(12, 3)": the second argument read
        as a variance (default, the paper's notation :math:`\mathcal N(\mu, \Sigma)`) or as a
        standard deviation.
    matrices_from : {0, 1}
        As in :func:`section_5_1`.

    Returns
    -------
    LQGame
        N = 2, d = 2, k = (1, 1).

    Notes
    -----
    The paper says Assumption 3.3 is violated at :math:`\sigma^2 = 0.1`. By
    :func:`lqg.diagnostics.report` with :func:`section_5_2_policies` and :math:`\delta = 10^{-3}`
    it is, by far: the left side of (3.11) is :math:`3.8\times10^{-8}` and the right side
    :math:`2.4\times10^{50}` (:math:`\psi = 70.9`, :math:`\bar\rho = 169`).
    """
    horizon = _horizon(T, matrices_from)
    return LQGame.time_invariant(
        A=np.array([[0.588, 0.28], [0.57, 0.56]]),
        B=[np.array([[1.0], [1.0]]), np.array([[0.5], [1.0]])],
        Q=[np.diag([0.5, 1.0]), np.diag([1.0, 0.3])],
        R=[np.array([[1.0]])] * 2,
        W=check.number(sigma2, "sigma2", 0.0) * np.eye(2),
        x0=GaussianState(mean=[10.0, 12.0], cov=_x0_cov(np.array([2.0, 3.0]), x0_scale)),
        T=horizon,
    )


def section_5_2_policies(T: int = 5) -> tuple:
    r"""Section 5.2's initial policies: :math:`K_t^{1,(0)} = [0.5, 0.5]` and
    :math:`K_t^{2,(0)} = [0.3, 0.15]` for every t.

    Parameters
    ----------
    T : int
        Number of gains; match the game's horizon (T - 1 for ``matrices_from=1``).

    Returns
    -------
    tuple of 2 numpy.ndarray, shapes (T, 1, 2)
    """
    T = _horizon(T, 0)
    return (np.tile([[[0.5, 0.5]]], (T, 1, 1)), np.tile([[[0.3, 0.15]]], (T, 1, 1)))
