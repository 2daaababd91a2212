r"""N-player games beyond the paper's two-player examples: random games and a consensus network.

The paper's title and Theorem 3.5 are about N players, but its experiments (Section 5) have two.
This module builds games with more players, unequal control sizes :math:`k_i` and time-varying
matrices, all satisfying the standing assumptions: Assumption 2.1 (every :math:`Q_t^i, R_t^i`
positive definite), Assumption 2.2 (Gaussian :math:`x_0` with :math:`\mathbb E[x_0x_0^\top]\succ0`
and :math:`W \succ 0` when ``noise > 0``) and the sufficient condition of Remark 2.4 for a unique
Nash equilibrium (every :math:`\Phi_t` invertible; :func:`random_game` enforces it with a margin,
a condition number of every :math:`\Phi_t` at most ``max_condition``).

* :func:`random_game` -- random matrices with controlled sizes: :math:`\|A_t\| = a \le 1`
  (a contracting open loop for a < 1), normalised :math:`B_t^i`, and :math:`Q_t^i, R_t^i` with eigenvalues
  in fixed ranges.
* :func:`consensus_game` -- a network game: player i owns node i of a graph, whose values
  diffuse along the edges (:math:`A_t = a(I - h_t L)`, L the graph Laplacian); each player pays
  for its own node's deviation, for disagreeing with its neighbours and for its effort.

:func:`random_game` draws every random number from one ``numpy.random.Generator`` built from its
``seed``, so a game is reproducible from its seed; :func:`consensus_game` involves no randomness.
"""

from __future__ import annotations

import numpy as np

from .. import _checks as check
from .._checks import LQGameError
from ..equilibrium import phi_condition_numbers
from ..model import LQGame
from ..states import GaussianState

__all__ = ["random_game", "consensus_game", "ring"]

#: Attempts :func:`random_game` makes to draw a game whose :math:`\Phi_t` are well conditioned.
MAX_DRAWS = 100


def unequal_controls(N: int) -> tuple:
    """The default control sizes :math:`k_i`: 1, 2, 1, 2, ... (player 0 has one input)."""
    N = check.positive_int(N, "N")
    return tuple(1 + i % 2 for i in range(N))


def _controls(k, N: int) -> tuple:
    if k is None:
        return unequal_controls(N)
    if isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
        return (check.positive_int(k, "k"),) * N
    try:
        k = tuple(k)
    except TypeError:
        raise LQGameError(f"k must be an int or a sequence of N = {N} ints; got {k!r}") from None
    if len(k) != N:
        raise LQGameError(f"k must hold one control size per player (N = {N}); got {len(k)}")
    return tuple(check.positive_int(ki, f"k[{i}] (player {i})") for i, ki in enumerate(k))


# ---------------------------------------------------------------------------
# random matrices


def _spd(rng: np.random.Generator, n: int, lead: tuple, low: float, high: float) -> np.ndarray:
    """Symmetric matrices with eigenvalues uniform in [low, high] and Haar-random eigenvectors."""
    Z = rng.standard_normal(lead + (n, n))
    Qo, Rf = np.linalg.qr(Z)
    Qo = Qo * np.sign(np.diagonal(Rf, axis1=-2, axis2=-1))[..., None, :]
    eig = rng.uniform(low, high, lead + (n,))
    M = (Qo * eig[..., None, :]) @ np.swapaxes(Qo, -1, -2)
    return 0.5 * (M + np.swapaxes(M, -1, -2))


def _with_norm(M: np.ndarray, norm: float) -> np.ndarray:
    """Each matrix of a stack rescaled to spectral norm ``norm``."""
    return norm * M / np.linalg.norm(M, ord=2, axis=(-2, -1))[..., None, None]


def _over_time(rng: np.random.Generator, shape: tuple, T: int, time_varying: bool,
               variation: float) -> np.ndarray:
    r"""Standard normal matrices :math:`G_t = G + \text{variation}\cdot H_t` (``(T,) + shape``),
    or one G repeated when not ``time_varying``."""
    G = rng.standard_normal(shape)
    if not time_varying:
        return np.broadcast_to(G, (T,) + shape).copy()
    return G + variation * rng.standard_normal((T,) + shape)


def random_game(N: int, d: int, k=None, T: int = 5, *, seed, noise: float = 0.1,
                time_varying: bool = True, variation: float = 0.3, a: float = 0.9,
                b: float = 1.0, q: tuple = (0.5, 1.5), r: tuple = (0.5, 1.5),
                max_condition: float = 100.0) -> LQGame:
    r"""A random N-player game with controlled scales and a well-conditioned unique equilibrium.

    The matrices are (for :math:`t = 0, \dots, T-1`; :math:`Q_T^i` is drawn like :math:`Q_t^i`)

    .. math::

        A_t = a\,\frac{G_t}{\|G_t\|}, \quad B_t^i = b\,\frac{H_t^i}{\|H_t^i\|}, \quad
        Q_t^i = O\,\mathrm{diag}(\lambda)\,O^\top,\ \lambda_j \sim U[q_0, q_1], \quad
        R_t^i = O'\,\mathrm{diag}(\mu)\,O'^\top,\ \mu_j \sim U[r_0, r_1], \quad
        W = \text{noise}\cdot I,

    with :math:`G_t = G + v\,G_t'` and :math:`H_t^i = H^i + v\,H_t^{i\prime}` (standard normal
    G, G', H, H'; v = ``variation``), so the dynamics vary around a common matrix, and O, O'
    Haar-random orthogonal matrices drawn afresh for every player and time. Since
    :math:`\|A_t\| = a < 1` every open-loop trajectory contracts, so the costs of policies near
    the equilibrium are moderate; :math:`x_0 \sim \mathcal N(m, I)` with m standard normal.

    The draw is repeated (from the same generator, so still reproducible) until every
    :math:`\Phi_t` of Remark 2.4 has condition number at most ``max_condition``.

    Parameters
    ----------
    N : int
        Number of players.
    d : int
        State dimension.
    k : int or sequence of N ints, optional
        Control sizes :math:`k_i`; default 1, 2, 1, 2, ... (``unequal_controls``).
    T : int
        Horizon.
    seed : int, SeedSequence or Generator
        Source of randomness (required: a game is reproducible from its seed).
    noise : float
        :math:`W = \text{noise}\cdot I` (>= 0; 0 gives deterministic dynamics, which breaks
        Assumption 2.2).
    time_varying : bool
        If false, :math:`A_t, B_t^i, Q_t^i, R_t^i` do not depend on t (Q_T^i = Q_t^i).
    variation : float
        Size v of the time variation relative to the common part (>= 0).
    a : float
        :math:`\|A_t\|`, in (0, 1].
    b : float
        :math:`\|B_t^i\|`, positive.
    q, r : (float, float)
        Ranges of the eigenvalues of :math:`Q_t^i` and :math:`R_t^i`, ``0 < low <= high``.
    max_condition : float
        Largest accepted condition number of :math:`\Phi_t` (> 1).

    Returns
    -------
    LQGame

    Raises
    ------
    LQGameError
        (a ``ValueError``) naming a bad argument, or when no draw within ``MAX_DRAWS`` meets
        ``max_condition``.

    Examples
    --------
    >>> game = random_game(5, 4, T=5, seed=1)
    >>> game.k
    (1, 2, 1, 2, 1)
    """
    N = check.positive_int(N, "N")
    d = check.positive_int(d, "d")
    T = check.positive_int(T, "T")
    k = _controls(k, N)
    rng = check.generator(seed)
    noise = check.number(noise, "noise", 0.0)
    time_varying = check.flag(time_varying, "time_varying")
    variation = check.number(variation, "variation", 0.0)
    a = check.number(a, "a", 0.0, 1.0, open_low=True)
    b = check.number(b, "b", 0.0, open_low=True)
    q, r = (_eigen_range(v, name) for v, name in ((q, "q"), (r, "r")))
    max_condition = check.number(max_condition, "max_condition", 1.0, open_low=True)

    for _ in range(MAX_DRAWS):
        A = _with_norm(_over_time(rng, (d, d), T, time_varying, variation), a)
        B = [_with_norm(_over_time(rng, (d, ki), T, time_varying, variation), b) for ki in k]
        lead = (T + 1,) if time_varying else (1,)
        Q = [np.broadcast_to(_spd(rng, d, lead, *q), (T + 1, d, d)) for _ in k]
        lead = (T,) if time_varying else (1,)
        R = [np.broadcast_to(_spd(rng, ki, lead, *r), (T, ki, ki)) for ki in k]
        x0 = GaussianState(rng.standard_normal(d), np.eye(d))
        game = LQGame(A, B, Q, R, noise * np.eye(d), x0)
        with np.errstate(all="ignore"):
            condition = phi_condition_numbers(game)
        if np.all(condition <= max_condition):
            return game
    raise LQGameError(f"no draw of {MAX_DRAWS} had every Phi_t (Remark 2.4) with condition number "
                      f"<= max_condition = {max_condition:g}; raise max_condition or change the "
                      "scales")


def _eigen_range(value, name: str) -> tuple:
    try:
        low, high = value
    except (TypeError, ValueError):
        raise LQGameError(f"{name} must be a pair (low, high) of eigenvalue bounds; "
                          f"got {value!r}") from None
    low = check.number(low, f"{name}[0]", 0.0, open_low=True)
    high = check.number(high, f"{name}[1]", low)
    return low, high


# ---------------------------------------------------------------------------
# the consensus network


def ring(N: int) -> np.ndarray:
    """Adjacency matrix of the cycle graph on N nodes (node i linked to i - 1 and i + 1)."""
    N = check.positive_int(N, "N", 3)
    adjacency = np.zeros((N, N))
    i = np.arange(N)
    adjacency[i, (i + 1) % N] = adjacency[(i + 1) % N, i] = 1.0
    return adjacency


def _adjacency(adjacency) -> np.ndarray:
    try:
        G = np.array(adjacency, dtype=float)
    except (TypeError, ValueError):
        raise LQGameError("adjacency must be a square array of non-negative edge weights") from None
    if G.ndim != 2 or G.shape[0] != G.shape[1] or G.shape[0] < 2:
        raise LQGameError(f"adjacency must be a square (N, N) array with N >= 2; "
                          f"got shape {G.shape}")
    if not np.all(np.isfinite(G)) or np.any(G < 0) or np.any(np.diag(G) != 0):
        raise LQGameError("adjacency must have finite non-negative weights and a zero diagonal")
    if not np.array_equal(G, G.T):
        raise LQGameError("adjacency must be symmetric (an undirected graph)")
    if np.any(G.sum(axis=1) == 0):
        node = int(np.argmax(G.sum(axis=1) == 0))
        raise LQGameError(f"adjacency: node {node} (player {node}) has no neighbour")
    return G


def consensus_game(adjacency, T: int = 5, k=None, *, coupling: float = 0.3,
                   seasonality: float = 0.5, damping: float = 0.95, own: float = 1.0,
                   disagreement: float = 1.0, regularization: float = 0.05,
                   effort: float = 1.0, noise: float = 0.1, spread: float = 1.0) -> LQGame:
    r"""A network consensus game: player i owns node i of a graph; values diffuse along its edges.

    With G the (weighted, symmetric) adjacency matrix, :math:`L = \mathrm{diag}(G\mathbf 1) - G` its
    Laplacian, :math:`e_i` the i-th unit vector and d = N,

    .. math::

        x_{t+1} = a\,(I - h_t L)\,x_t + \sum_i B^i u_t^i + w_t, \qquad
        h_t = h\Big(1 + s\sin\frac{2\pi t}{T}\Big),

        x^\top Q^i x = \text{own}\;x_i^2 + \text{disagreement}\sum_{j} G_{ij}(x_i - x_j)^2
        + \epsilon\,\|x\|^2, \qquad R_t^i = \text{effort}\cdot I_{k_i}.

    Node values diffuse towards their neighbours' at rate :math:`h_t` (a time-varying coupling,
    e.g. a daily cycle, with amplitude s = ``seasonality``) and decay by the factor a; each player
    wants its own node near 0 and in agreement with its neighbours. The players' costs differ, so
    the game is general-sum, and they interact through the diffusion and through their
    neighbours' costs. Player i's inputs are the columns :math:`c = 0, \dots, k_i - 1` of
    :math:`B^i`, :math:`\text{spread}^{[c>0]}\,G^c e_i/\|G^ce_i\|`: the first pushes its own
    node (:math:`e_i`), the second acts on its neighbours (:math:`Ge_i`), a third on the nodes two
    steps away, and so on; unequal :math:`k_i` are players with more or less reach. The small term
    :math:`\epsilon\|x\|^2` (``regularization``) makes :math:`Q^i` positive definite
    (Assumption 2.1); :math:`Q_T^i = Q^i`.

    Parameters
    ----------
    adjacency : array_like, shape=(N, N)
        Symmetric, non-negative, zero diagonal, every node with a neighbour (e.g. :func:`ring`).
    T : int
        Horizon.
    k : int or sequence of N ints, optional
        Control sizes; default 1, 2, 1, 2, ... (``unequal_controls``).
    coupling : float
        h > 0, the diffusion rate; :math:`h(1+s)\lambda_{\max}(L) < 2` keeps :math:`I - h_tL` a
        contraction on the disagreement.
    seasonality : float
        s in [0, 1): relative amplitude of the time variation of :math:`h_t`.
    damping : float
        a in (0, 1].
    own, disagreement, regularization, effort : float
        Weights of the cost terms (own, effort and regularization positive; disagreement >= 0).
    noise : float
        :math:`W = \text{noise}\cdot I` (>= 0).
    spread : float
        Norm of each neighbourhood input column (> 0).

    Returns
    -------
    LQGame
        N = d = number of nodes; :math:`x_0 \sim \mathcal N(\mathbf 1, I)`: the nodes start
        away from 0.

    Raises
    ------
    LQGameError
        Naming the bad argument; also when :math:`h(1+s)\lambda_{\max}(L) \ge 2` or some
        :math:`\Phi_t` (Remark 2.4) is singular.
    """
    G = _adjacency(adjacency)
    N = d = G.shape[0]
    T = check.positive_int(T, "T")
    k = _controls(k, N)
    h = check.number(coupling, "coupling", 0.0, open_low=True)
    s = check.number(seasonality, "seasonality", 0.0, 1.0, open_high=True)
    a = check.number(damping, "damping", 0.0, 1.0, open_low=True)
    own = check.number(own, "own", 0.0, open_low=True)
    disagreement = check.number(disagreement, "disagreement", 0.0)
    eps = check.number(regularization, "regularization", 0.0, open_low=True)
    effort = check.number(effort, "effort", 0.0, open_low=True)
    noise = check.number(noise, "noise", 0.0)
    spread = check.number(spread, "spread", 0.0, open_low=True)

    laplacian = np.diag(G.sum(axis=1)) - G
    lam_max = float(np.linalg.eigvalsh(laplacian)[-1])
    if h * (1 + s) * lam_max >= 2:
        raise LQGameError(f"coupling * (1 + seasonality) * lambda_max(L) = "
                          f"{h * (1 + s) * lam_max:.3g} must be < 2 for stable diffusion")
    h_t = h * (1 + s * np.sin(2 * np.pi * np.arange(T) / T))
    A = a * (np.eye(d) - h_t[:, None, None] * laplacian)

    eye = np.eye(d)
    B, Q, R = [], [], []
    for i, ki in enumerate(k):
        columns = [eye[i]]
        reach = eye[i]
        for _ in range(1, ki):
            reach = G @ reach
            columns.append(spread * reach / np.linalg.norm(reach))
        B.append(np.broadcast_to(np.stack(columns, axis=1), (T, d, ki)))
        edges = sum(G[i, j] * np.outer(eye[i] - eye[j], eye[i] - eye[j]) for j in range(d))
        Qi = own * np.outer(eye[i], eye[i]) + disagreement * edges + eps * eye
        Q.append(np.broadcast_to(Qi, (T + 1, d, d)))
        R.append(np.broadcast_to(effort * np.eye(ki), (T, ki, ki)))
    game = LQGame(A, B, Q, R, noise * eye, GaussianState(np.ones(d), eye))
    with np.errstate(all="ignore"):
        condition = phi_condition_numbers(game)
    if not np.all(np.isfinite(condition)):
        raise LQGameError("some Phi_t (Remark 2.4) is singular: the game has no unique Nash "
                          "equilibrium; change k or spread")
    return game
