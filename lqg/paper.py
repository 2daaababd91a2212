"""The games and initial policies printed in the paper (Remark 3.4, Sections 5.1 and 5.2)."""

from __future__ import annotations

import numpy as np

from .model import DiscreteState, GaussianState, LQGame

__all__ = [
    "remark_3_4",
    "remark_3_4_policies",
    "section_5_1",
    "section_5_2",
    "section_5_2_policies",
]


def remark_3_4() -> LQGame:
    r"""The example of Remark 3.4, which the paper says satisfies Assumption 3.3 (T = 1).

    :math:`A = 0.2I`, :math:`B^1 = (0.1, 0)^\top`, :math:`B^2 = (0, -0.1)^\top`, :math:`W = 0.2I`,
    :math:`Q_t^i = Q_T^i = 0.1I`, :math:`R^i = 0.3`; :math:`x_0` has independent coordinates
    :math:`\mathcal N(0.3, 0.2)` and :math:`\mathcal N(0.4, 0.3)`, read as (mean, variance) following
    the paper's notation :math:`\mathcal N(\mu, \Sigma)`.
    """
    return LQGame.time_invariant(
        A=0.2 * np.eye(2),
        B=[np.array([[0.1], [0.0]]), np.array([[0.0], [-0.1]])],
        Q=[0.1 * np.eye(2)] * 2,
        R=[np.array([[0.3]])] * 2,
        W=0.2 * np.eye(2),
        x0=GaussianState(mean=[0.3, 0.4], cov=np.diag([0.2, 0.3])),
        T=1,
    )


def remark_3_4_policies() -> tuple:
    r"""Remark 3.4's initial policies :math:`K^{1,(0)} = K^{2,(0)} = (0.2, 0.01)`, shapes (1, 1, 2)."""
    K = np.array([[[0.2, 0.01]]])
    return (K.copy(), K.copy())


def section_5_1(sigma2: float, T: int = 10) -> LQGame:
    r"""The Section 5.1 game (modified from Mazumdar et al., 2019), with :math:`W = \sigma^2 I`.

    The matrices are time-invariant; the paper prints them "for t = 1, ..., T-1" and we use them
    for every t = 0, ..., T-1. :math:`x_0` is :math:`[1, 1]^\top` or :math:`[1, 1.1]^\top` with
    probability 1/2 each.
    """
    return LQGame.time_invariant(
        A=np.array([[0.588, 0.028], [0.570, 0.056]]),
        B=[np.array([[1.0], [1.0]]), np.array([[0.0], [1.0]])],
        Q=[np.diag([0.01, 1.0]), np.diag([1.0, 0.147])],
        R=[np.array([[0.01]])] * 2,
        W=sigma2 * np.eye(2),
        x0=DiscreteState(points=[[1.0, 1.0], [1.0, 1.1]], probs=[0.5, 0.5]),
        T=T,
    )


def section_5_2(sigma2: float, T: int = 5) -> LQGame:
    r"""The Section 5.2 synthetic game with :math:`W = \sigma^2 I`.

    :math:`x_0` has independent coordinates :math:`\mathcal N(10, 2)` and :math:`\mathcal N(12, 3)`,
    read as (mean, variance).
    """
    return LQGame.time_invariant(
        A=np.array([[0.588, 0.28], [0.57, 0.56]]),
        B=[np.array([[1.0], [1.0]]), np.array([[0.5], [1.0]])],
        Q=[np.diag([0.5, 1.0]), np.diag([1.0, 0.3])],
        R=[np.array([[1.0]])] * 2,
        W=sigma2 * np.eye(2),
        x0=GaussianState(mean=[10.0, 12.0], cov=np.diag([2.0, 3.0])),
        T=T,
    )


def section_5_2_policies(T: int = 5) -> tuple:
    r"""Section 5.2's initial policies: :math:`K_t^1 = [0.5, 0.5]`, :math:`K_t^2 = [0.3, 0.15]` for all t."""
    return (np.tile([[[0.5, 0.5]]], (T, 1, 1)), np.tile([[[0.3, 0.15]]], (T, 1, 1)))
