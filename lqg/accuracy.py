r"""How close repeated estimates of a matrix are to its exact value: bias, spread and direction.

Algorithm 2 replaces the exact gradient :math:`\nabla_{K_t^i}C^i(K)`, covariance
:math:`\Sigma_t^K` and natural gradient :math:`2E_{t,i}^K` of Section 3 by the sample estimates
(4.1). Given R independent replications of an estimate (e.g. from
:func:`~lqg.episodes.perturbed_episodes` over a batch of R copies of one policy, each with its own
random stream) and the exact value, :func:`estimate_accuracy` summarises them in the Frobenius norm,
relative to the exact value's norm (or to another scale, e.g. where the exact value is zero), with
the Monte Carlo standard errors needed to tell a bias from noise.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ._checks import LQGameError

__all__ = ["estimate_accuracy", "Accuracy"]


@dataclass(frozen=True)
class Accuracy:
    r"""Accuracy of R replications :math:`\widehat G_1, \dots, \widehat G_R` of an estimate of
    :math:`G`, each field of shape ``batch`` (whatever the estimates have besides the replication
    axis and the two matrix axes). Norms are Frobenius norms; "relative" means divided by the scale
    :math:`s`, by default :math:`\|G\|`. Replications with a non-finite entry are left out of
    every statistic (``finite`` counts the others).

    Attributes
    ----------
    relative_bias : numpy.ndarray
        :math:`\|\bar G - G\| / s`, :math:`\bar G` the mean of the replications.
    bias_stderr : numpy.ndarray
        :math:`\sqrt{\sum_e v_e / R}\,/\,s` with :math:`v_e` the sample variance of entry e:
        the size ``relative_bias`` has from Monte Carlo noise alone (its root mean square when the
        estimator is unbiased).
    bias_z : numpy.ndarray
        The largest :math:`|\bar G_e - G_e| / \sqrt{v_e/R}` over the entries e: a z-score,
        approximately standard normal entry by entry for an unbiased estimator.
    relative_std : numpy.ndarray
        :math:`\sqrt{\tfrac1{R-1}\sum_r \|\widehat G_r - \bar G\|^2} / s`, the spread of one
        estimate.
    relative_rmse : numpy.ndarray
        :math:`\sqrt{\tfrac1R\sum_r \|\widehat G_r - G\|^2} / s`.
    median_relative_error : numpy.ndarray
        Median over r of :math:`\|\widehat G_r - G\| / s`.
    median_cosine : numpy.ndarray
        Median over r of :math:`\langle \widehat G_r, G\rangle / (\|\widehat G_r\|\,\|G\|)`, the
        cosine of the angle between estimate and exact value (1: same direction, 0: orthogonal,
        negative: an ascent direction); NaN if the exact value is zero.
    finite : numpy.ndarray of int
        Number of replications used.
    """

    relative_bias: np.ndarray
    bias_stderr: np.ndarray
    bias_z: np.ndarray
    relative_std: np.ndarray
    relative_rmse: np.ndarray
    median_relative_error: np.ndarray
    median_cosine: np.ndarray
    finite: np.ndarray


def estimate_accuracy(estimates, exact, scale=None) -> Accuracy:
    r"""Bias, spread and direction of replicated matrix estimates against the exact matrix.

    Parameters
    ----------
    estimates : array_like, shape=(R, *batch, m, n)
        R >= 2 independent replications of the estimate (axis 0), for every entry of ``batch``.
    exact : array_like, shape broadcasting to (*batch, m, n)
        The exact value.
    scale : array_like, shape broadcasting to batch, optional
        What the errors are divided by; default :math:`\|G\|`, which must then be nonzero.

    Returns
    -------
    Accuracy
        Each field of shape ``batch``.

    Raises
    ------
    LQGameError
        (a ``ValueError``) if fewer than two replications are given, if the shapes do not match, if
        some exact value is not finite, or if a scale is not positive and finite.
    """
    G_hat = np.asarray(estimates, dtype=float)
    if G_hat.ndim < 3 or G_hat.shape[0] < 2:
        raise LQGameError(f"estimates must have shape (R, *batch, m, n) with R >= 2 replications; "
                          f"got {G_hat.shape}")
    try:
        G = np.broadcast_to(np.asarray(exact, dtype=float), G_hat.shape[1:])
    except ValueError:
        raise LQGameError(f"exact (shape {np.shape(exact)}) does not broadcast to the shape of one "
                          f"replication {G_hat.shape[1:]}") from None
    if not np.all(np.isfinite(G)):
        raise LQGameError("exact must be finite")
    norm = np.linalg.norm(G, axis=(-2, -1))
    if scale is None:
        scale = norm
        if not np.all(scale > 0):
            raise LQGameError("exact is zero at some batch entry: give a scale for the errors")
    else:
        try:
            scale = np.broadcast_to(np.asarray(scale, dtype=float), norm.shape)
        except ValueError:
            raise LQGameError(f"scale (shape {np.shape(scale)}) does not broadcast to the batch "
                              f"shape {norm.shape}") from None
        if not np.all(np.isfinite(scale) & (scale > 0)):
            raise LQGameError("scale must be positive and finite")
    keep = np.isfinite(G_hat).all(axis=(-2, -1))                        # (R, *batch)
    kept = np.where(keep[..., None, None], G_hat, np.nan)
    finite = keep.sum(axis=0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        # a batch entry with fewer than two usable replications gets NaN statistics
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(kept, axis=0)
        variance = np.nanvar(kept, axis=0, ddof=1)
        error = kept - G
        error_norm = np.linalg.norm(error, axis=(-2, -1))
        cosine = (np.sum(kept * G, axis=(-2, -1))
                  / (np.linalg.norm(kept, axis=(-2, -1)) * norm))
        R = np.where(finite > 1, finite, np.nan)
        stderr = np.sqrt(variance / R[..., None, None])
        return Accuracy(
            relative_bias=np.linalg.norm(mean - G, axis=(-2, -1)) / scale,
            bias_stderr=np.sqrt(np.sum(stderr ** 2, axis=(-2, -1))) / scale,
            bias_z=np.max(np.abs(mean - G) / stderr, axis=(-2, -1)),
            relative_std=np.sqrt(np.sum(variance, axis=(-2, -1))) / scale,
            relative_rmse=np.sqrt(np.nanmean(error_norm ** 2, axis=0)) / scale,
            median_relative_error=np.nanmedian(error_norm, axis=0) / scale,
            median_cosine=np.nanmedian(cosine, axis=0),
            finite=finite,
        )
