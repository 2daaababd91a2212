r"""Initial policies drawn near a given joint policy, as in Section 5.1 of the paper.

Section 5.1 initialises each player's gain :math:`K_t^{i,(0)}` so that
:math:`\|K_t^{i,(0)} - K_t^{i*}\|_F \le r` ("the ball centred at :math:`K_t^{i*}`"). The paper does
not say how the points are drawn; :func:`sample_policies_near` offers the plausible readings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _checks as check
from ._checks import LQGameError

__all__ = ["sample_policies_near"]

_DISTRIBUTIONS = ("ball", "sphere")


def _centre(K: Sequence) -> list[np.ndarray]:
    if isinstance(K, np.ndarray) or not isinstance(K, Sequence) or len(K) == 0:
        raise LQGameError("K must be a non-empty tuple of arrays (one per player) of shapes "
                          f"(T, k_i, d); got {type(K).__name__}")
    arrays = []
    for i, Ki in enumerate(K):
        Ki = check.real_array(Ki, "K", i)
        if Ki.ndim != 3 or 0 in Ki.shape:
            raise LQGameError(f"{check.where('K', i)} must have shape (T, k_i, d); got {Ki.shape}")
        check.check_finite(Ki, "K", i, timed=True)
        arrays.append(Ki)
    T, d = arrays[0].shape[0], arrays[0].shape[2]
    for i, Ki in enumerate(arrays):
        if (Ki.shape[0], Ki.shape[2]) != (T, d):
            raise LQGameError(f"{check.where('K', i)} has shape {Ki.shape}, but player 0's (T, d) "
                              f"is ({T}, {d})")
    return arrays


def sample_policies_near(K: Sequence, radius: float, n: int, seed, *,
                         distribution: str = "ball", shared_over_time: bool = False) -> tuple:
    r"""A batch of ``n`` joint policies whose every gain lies within Frobenius distance ``radius``
    of the corresponding gain of ``K`` (Section 5.1, "Initialization").

    Each offset :math:`\Delta_t^i = K_t^{i,(0)} - K_t^i \in \mathbb R^{k_i\times d}` is drawn as a
    vector of :math:`m_i = k_i d` entries, independently across players and samples:

    .. math::

        \|\Delta_t^i\|_F \le r \qquad\text{for every } i,\ t.

    Parameters
    ----------
    K : tuple of N array_like, shapes (T, k_i, d)
        The centre, typically the Nash equilibrium ``lqg.solve_nash(game).K``.
    radius : float
        The radius r >= 0 (the paper uses 0.16, 0.25, 0.3 and 0.42).
    n : int
        Number of joint policies, >= 1.
    seed : int, SeedSequence or Generator
        Source of randomness.
    distribution : {"ball", "sphere"}
        ``"ball"`` (default): :math:`\Delta_t^i` uniform in the Frobenius ball of radius r, the
        most literal reading of the paper's
        :math:`(K_{t0}^{i,(0)} - K_{t0}^{i*})^2 + (K_{t1}^{i,(0)} - K_{t1}^{i*})^2 \le r^2`.
        ``"sphere"``: uniform on its boundary, :math:`\|\Delta_t^i\|_F = r` exactly.
    shared_over_time : bool
        If true, one offset per player and sample is used at every t (the gains move together,
        :math:`\Delta_t^i = \Delta^i`); by default each t has its own independent offset.

    Returns
    -------
    tuple of N numpy.ndarray, shapes (n, T, k_i, d)

    Raises
    ------
    LQGameError
        Bad ``K`` (naming the player), negative or non-finite ``radius``, ``n < 1``, an unknown
        ``distribution``, or a ``seed`` that is not an int, SeedSequence or Generator.

    Notes
    -----
    All randomness comes from one ``standard_normal`` call of shape ``(n, ...)``, so sample j
    depends only on the seed and j: the first ``n`` policies of a larger batch are the same as a
    batch of ``n``. A point uniform in the m-dimensional ball is the first m coordinates of a
    point uniform on the sphere in :math:`\mathbb R^{m+2}`, i.e. of a normalised
    :math:`\mathcal N(0, I_{m+2})` vector (Voelker, Gosmann & Stewart, 2017).
    """
    centre = _centre(K)
    radius = check.number(radius, "radius", 0.0)
    n = check.positive_int(n, "n")
    distribution = check.choice(distribution, _DISTRIBUTIONS, "distribution")
    shared_over_time = check.flag(shared_over_time, "shared_over_time")
    rng = check.generator(seed)

    T = centre[0].shape[0]
    groups = 1 if shared_over_time else T
    extra = 2 if distribution == "ball" else 0
    widths = [groups * (Ki.shape[1] * Ki.shape[2] + extra) for Ki in centre]
    z = rng.standard_normal((n, sum(widths)))

    out = []
    for Ki, block in zip(centre, np.split(z, np.cumsum(widths)[:-1], axis=1)):
        m = Ki.shape[1] * Ki.shape[2]
        block = block.reshape(n, groups, m + extra)
        direction = block / np.linalg.norm(block, axis=-1, keepdims=True)
        offset = radius * direction[..., :m]
        offset = np.broadcast_to(offset, (n, T, m)).reshape(n, T, *Ki.shape[1:])
        out.append(Ki + offset)
    return tuple(out)
