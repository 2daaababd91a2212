"""Helpers the Section 3 diagnostics share: spectral quantities and the covariance bounds."""

from __future__ import annotations

import numpy as np

from .. import _checks as check
from .._checks import LQGameError
from ..evaluation import Evaluation


def singular_values(M: np.ndarray) -> np.ndarray:
    """Singular values (descending) of each matrix in a stack; NaN for a matrix that overflowed."""
    finite = np.isfinite(M).all(axis=(-2, -1))
    out = np.full(M.shape[:-2] + (min(M.shape[-2:]),), np.nan)
    out[finite] = np.linalg.svd(M[finite], compute_uv=False)
    return out


def sigma_min(M: np.ndarray) -> np.ndarray:
    """Smallest singular value of each matrix in a stack, shape ``M.shape[:-2]``."""
    return singular_values(M)[..., -1]


def norm2(M: np.ndarray) -> np.ndarray:
    """Spectral norm of each matrix in a stack, shape ``M.shape[:-2]``."""
    return singular_values(M)[..., 0]


def ratio(num, den):
    r"""``num / den`` for ``num >= 0`` and ``den >= 0``, with ``x / 0 = inf`` and ``0 / 0 = 0``.

    A zero :math:`\underline\sigma_X` (deterministic dynamics, W = 0) makes the bounds of the
    paper vacuous rather than undefined; this keeps them so, without a division warning.
    """
    num, den = np.broadcast_arrays(np.asarray(num, dtype=float), np.asarray(den, dtype=float))
    out = np.where(num > 0, np.inf, 0.0)
    np.divide(num, den, out=out, where=den > 0)
    return out if out.ndim else float(out)


def require_assumption_2_1(game, what: str) -> None:
    """Raise unless every Q_t^i and R_t^i is positive definite, naming the first that is not."""
    for name, weights in (("Q", game.Q), ("R", game.R)):
        for i, M in enumerate(weights):
            eig = check.smallest_eigenvalues(M)
            bad = eig <= 1e-12 * check.scale(M)
            if np.any(bad):
                t = int(np.argmax(bad))
                raise LQGameError(f"{what} needs Assumption 2.1 (positive definite weights), but "
                                  f"{check.where(name, i, t)} has smallest eigenvalue {eig[t]:.3g}")


# ---------------------------------------------------------------------------
# sigma_X, eq. (3.1) and Lemma 3.1; ||Sigma_K*||, eq. (3.4)


def sigma_x_lemma_3_1(game) -> float:
    r"""The policy-free lower bound on :math:`\underline\sigma_X` from the proof of Lemma 3.1.

    .. math::

        \underline\sigma_X = \min\{\sigma_{\min}(\mathbb E[x_0 x_0^\top]),\ \min_t\sigma_{\min}(W_t)\},

    valid for every joint policy, since :math:`\Sigma_{t+1}^K = (A_t - \sum_j B_t^jK_t^j)
    \Sigma_t^K(\cdot)^\top + W_t \succeq W_t`. It is zero when some :math:`W_t` is singular
    (for instance W = 0).
    """
    game = check.game(game)
    return float(min(sigma_min(game.x0.second_moment), sigma_min(game.W).min()))


def sigma_x_of_policy(game, K, t_max: int | None = None) -> np.ndarray:
    r"""Eq. (3.1) for the states of a given joint policy: :math:`\min_t \sigma_{\min}(\Sigma_t^K)`.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)
    t_max : int, optional
        Take the minimum over :math:`t = 0, \dots, t_{\max}`; default T (all of
        :math:`\Sigma_0^K, \dots, \Sigma_T^K`, as in eq. (3.4)).

    Returns
    -------
    numpy.ndarray, shape=(*batch,)
    """
    game = check.game(game)
    t_max = game.T if t_max is None else t_max
    if not check.is_integer(t_max) or not 0 <= t_max <= game.T:
        raise LQGameError(f"t_max must be an integer in [0, T] = [0, {game.T}]; got {t_max!r}")
    with np.errstate(all="ignore"):
        S = Evaluation(game, check.policy(game, K)).state_covariances
    return sigma_min(S[..., : t_max + 1, :, :]).min(axis=-1)


def sigma_k_star(game, nash) -> float:
    r""":math:`\|\Sigma_{K^*}\|`, the spectral norm of :math:`\sum_{t=0}^T \Sigma_t^{K^*}`, eq. (3.4)."""
    S = Evaluation(game, np.concatenate(nash.K, axis=-2)).state_covariances
    return float(norm2(S.sum(axis=0)))
