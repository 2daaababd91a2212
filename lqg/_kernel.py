r"""Each equation of Section 3.1 once: the closed loop, (3.13), (3.14), (3.15), (3.4) and (3.16);
and the empirical second moment :math:`\widehat\Sigma` of (4.1).

Every function here works on a batch of joint policies held *batch-last*: the stacked gains
:math:`K_t = [K_t^1; \dots; K_t^N]` of R runs form an array of shape ``(T, sum(k), d, R)``, and
every game matrix carries a trailing axis of length 1. The paper's matrices are tiny (d = 2), and
NumPy multiplies R stacked 2 x 2 matrices an order of magnitude faster as a few whole-array
products over a contiguous run axis than through ``matmul`` over a leading stack axis, which
calls BLAS once per matrix; for large matrices :func:`matmul` hands the product to BLAS instead.
Everything that does not run backwards in time (closed loops, stage costs, gradients) is
computed for all t at once; only the recursion (3.13) loops over t.

Each run's numbers are computed by the same operations in the same order whatever the other runs
of the batch are, so a run's results do not depend on its batch (bit for bit). Where a line
departs from the plain formula for either reason, its comment says how.

The batch-first facade over these functions is :class:`lqg.evaluation.Evaluation` (Algorithm 1,
the recorder, the diagnostics and the experiments go through it, and so do the validated public
functions of :mod:`lqg.evaluation`); the simulator of Algorithm 2 (:mod:`lqg.episodes`), which
holds its runs first, takes its closed loops, stage weights and :math:`\widehat\Sigma` from here.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

# inner dimensions from which a product goes to BLAS (np.matmul) rather than whole-array loops
_BLAS_FROM = 8
# nonzero entries of a constant matrix up to which a trace is summed term by term
_TERMS_UP_TO = 16


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The matrix product over the two axes before the last: ``(..., m, n, R) @ (..., n, p, R)``.

    The last axis enumerates runs (length 1 broadcasts a constant matrix). For small n the product
    is one ``np.einsum`` over the runs (the sum over n in order, without fused multiply-adds); from
    n = 8 on it is ``np.matmul`` with the runs moved next to the matrix axes.
    """
    n = a.shape[-2]
    if n >= _BLAS_FROM and a.shape[-1] == b.shape[-1] == 1:          # one run (e.g. solve_nash)
        product = np.matmul(a[..., 0], b[..., 0])[..., None]          # a b, one BLAS call
        if out is None:
            return product
        out[...] = product
        return out
    if n >= _BLAS_FROM:                 # runs just before the matrix axes, so leading axes broadcast;
        # contiguous, so that each run's product is the BLAS call a run alone makes (bit for bit)
        product = np.matmul(np.ascontiguousarray(np.moveaxis(a, -1, -3)),
                            np.ascontiguousarray(np.moveaxis(b, -1, -3)))
        product = np.moveaxis(product, -3, -1)
        if out is None:
            return product
        out[...] = product
        return out
    # (a b)[m, p, r] = sum_n a[m, n, r] b[n, p, r], summed in order over n for all runs at once
    return np.einsum("...mnr,...npr->...mpr", a, b, out=out)


def _in_order(terms) -> np.ndarray:
    """The sum of the arrays ``terms``, added one after the other: the same order for any number of
    runs (``np.sum`` sums a lone run pairwise, ``np.add.reduceat`` in an order of its own)."""
    terms = iter(terms)
    total = next(terms).copy()
    for term in terms:
        total += term
    return total


def _trace_terms(M: np.ndarray) -> list | None:
    """The nonzero entries of a constant matrix as ``(e, f, M[e, f])``; None if there are many."""
    terms = [(e, f, M[e, f]) for e, f in zip(*np.nonzero(M))]
    return terms if len(terms) <= _TERMS_UP_TO else None


def _trace(M: np.ndarray, terms: list | None, P: np.ndarray) -> np.ndarray:
    r""":math:`\operatorname{Tr}(M P)` for ``P`` of shape (..., d, d, R), in a fixed order of summation
    (a NumPy reduction over the run axis would change its order with the number of runs)."""
    if terms is None:
        d = M.shape[0]
        products = M.T[:, :, None] * P                           # [f, e] = M[e, f] P[f, e]
        by_e = _in_order(products[..., f, :, :] for f in range(d))
        return _in_order(by_e[..., e, :] for e in range(d))
    out = np.zeros(P.shape[:-3] + P.shape[-1:])
    for e, f, value in terms:
        out += value * P[..., f, e, :]
    return out


@dataclass(frozen=True, eq=False)
class Coefficients:
    """A game's matrices laid out batch-last (see :func:`coefficients`)."""

    T: int
    N: int
    d: int
    k: tuple
    slices: tuple
    A: np.ndarray            # (T, d, d, 1)
    B: np.ndarray            # (T, d, K, 1)
    Bt_rows: np.ndarray      # (T, K, 1, d, 1): row a of B_t^T, for player row_player[a]'s gradient
    R: np.ndarray            # (T, K, K, 1), block diagonal of the own weights R_t^i
    Q: np.ndarray            # (T+1, N, d, d, 1)
    cross: tuple             # ((i, rows of player j, R_t^{ij} of shape (T, k_j, k_j, 1)), ...)
    W: np.ndarray            # (T, d, d, 1)
    W_terms: tuple           # per t, the nonzero entries of W_t (or None)
    S0: np.ndarray           # (d, d, 1), E[x0 x0^T]
    S0_terms: list | None
    row_player: np.ndarray   # (K,): which player owns each row of the stacked gains
    one_row_each: bool


_CACHE = {False: weakref.WeakKeyDictionary(), True: weakref.WeakKeyDictionary()}


def absolute(M: np.ndarray) -> np.ndarray:
    r"""The matrix absolute value :math:`|M| = V|\Lambda|V^\top` of each symmetric matrix of a stack
    (:math:`M = V\Lambda V^\top`): the same eigenvectors, the eigenvalues' magnitudes. A matrix that
    is positive semi-definite up to rounding is returned as it is, bit for bit."""
    eig, V = np.linalg.eigh(M)
    psd = eig[..., 0] >= -1e-12 * np.maximum(np.abs(eig).max(axis=-1), 1.0)
    found = (V * np.abs(eig)[..., None, :]) @ np.swapaxes(V, -1, -2)
    found = 0.5 * (found + np.swapaxes(found, -1, -2))              # symmetric to the last bit
    return np.where(psd[..., None, None], M, found)


def coefficients(game, *, gross: bool = False) -> Coefficients:
    r"""The game's matrices laid out for the kernel (computed once per game).

    With ``gross``, every weight :math:`Q_t^i, R_t^i, R_t^{ij}` is replaced by its matrix absolute
    value (:func:`absolute`): the costs computed from these coefficients are the *gross costs*
    :math:`G^i(K) \ge |C^i(K)|` of the divergence rule (:class:`~lqg.runs.PGResult`). When every
    weight is positive semi-definite they are the game's own coefficients (the same object).
    """
    if gross and game.weights_psd:
        return coefficients(game)
    found = _CACHE[gross].get(game)
    if found is not None:
        return found
    weight = absolute if gross else np.asarray
    R = np.zeros(game.R_block.shape)
    for s, R_i in zip(game.slices, game.R):
        R[:, s, s] = weight(R_i)
    W = np.asarray(game.W)
    per_t = [_trace_terms(W[0])] * game.T if game.noise_is_constant else [
        _trace_terms(Wt) for Wt in W]
    c = Coefficients(
        T=game.T, N=game.N, d=game.d, k=game.k, slices=game.slices,
        A=game.A[..., None],
        B=game.B_stacked[..., None],
        Bt_rows=np.swapaxes(game.B_stacked, -1, -2)[:, :, None, :, None],
        R=R[..., None],
        Q=np.swapaxes(weight(game.Q_stacked), 0, 1)[..., None],
        cross=tuple((i, game.slices[j], weight(R_ij)[..., None])
                    for (i, j), R_ij in game.R_cross.items()),
        W=W[..., None],
        W_terms=tuple(per_t),
        S0=game.x0.second_moment[..., None],
        S0_terms=_trace_terms(game.x0.second_moment),
        row_player=np.repeat(np.arange(game.N), game.k),
        one_row_each=all(k == 1 for k in game.k),
    )
    _CACHE[gross][game] = c
    return c


# ---------------------------------------------------------------------------
# the equations. Each line carries its formula; where the code departs from the plain formula
# (for speed over many small matrices, or so that a run's bits do not depend on its batch) the
# comment says how and why.


def closed_loop(c: Coefficients, K: np.ndarray) -> np.ndarray:
    r""":math:`A_t - \sum_j B_t^j K_t^j` for every t, shape (T, d, d, R)."""
    return c.A - matmul(c.B, K)                                  # A_t - B_t K_t, B_t = [B_t^1 ... B_t^N]


def stage_weights(c: Coefficients, K: np.ndarray, times=slice(None), *,
                  charge_x0: bool = True) -> np.ndarray:
    r""":math:`Q_t^i + \sum_j (K_t^j)^\top R_t^{ij} K_t^j` (with :math:`R_t^{ii} = R_t^i`) for every
    player and the times ``times``; ``K`` holds the gains at those times. Shape (T', N, d, d, R).

    ``charge_x0=False`` (with ``times`` starting at t = 0) leaves out :math:`Q_0^i`: the stage cost
    of the simulator's reading that never charges :math:`x_0` (:mod:`lqg.episodes`).
    """
    RK = matmul(c.R[times], K)                                   # R_t^i K_t^i, stacked by rows
    # K^T R K as a sum over rows a of the outer products K[a]^T (R K)[a]: elementwise products
    # over the run axis, instead of one small matmul per run and player
    KRK = K[:, :, :, None, :] * RK[:, :, None, :, :]
    if not c.one_row_each:                                       # summed over each player's rows,
        KRK = np.stack([_in_order(KRK[:, a] for a in range(rows.start, rows.stop))   # in order
                        for rows in c.slices], axis=1)
    Q = c.Q[:c.T][times]
    if not charge_x0:
        Q = Q.copy()
        Q[0] = 0.0
    stage = Q + KRK                                              # Q_t^i + (K_t^i)^T R_t^i K_t^i
    for i, rows, R_ij in c.cross:                                # + (K_t^j)^T R_t^{ij} K_t^j
        K_j = K[:, rows]
        stage[:, i] += (K_j[:, :, :, None, :] * matmul(R_ij[times], K_j)[:, :, None, :, :]).sum(axis=1)
    return stage


def value_step(stage: np.ndarray, closed: np.ndarray, P_next: np.ndarray,
               out: np.ndarray | None = None, out_products: np.ndarray | None = None):
    r"""Eq. (3.13) at one t: :math:`P_{t,i} = Q_t^i + \sum_j (K_t^j)^\top R_t^{ij} K_t^j
    + (A_t - \sum_j B_t^jK_t^j)^\top P_{t+1,i} (A_t - \sum_j B_t^jK_t^j)` for every player.

    Returns :math:`P_{t,i}` (N, d, d, R) and the products :math:`P_{t+1,i}(A_t - \sum_j B_t^jK_t^j)`
    that the gradient (3.15) reuses.
    """
    products = matmul(P_next, closed, out=out_products)          # P_{t+1,i} (A_t - B_t K_t)
    P = matmul(np.swapaxes(closed, 0, 1), products)              # (A_t - B_t K_t)^T P_{t+1,i} (...)
    return np.add(stage, P, out=out), products                   # P_{t,i}, eq. (3.13)


def value_matrices(c: Coefficients, K: np.ndarray, closed: np.ndarray, *,
                   keep_products: bool = False):
    r"""Eq. (3.13) backwards from :math:`P_{T,i} = Q_T^i`: every :math:`P_{t,i}`, shape (T+1, N, d, d, R).

    With ``keep_products`` also the products :math:`P_{t+1,i}(A_t - B_tK_t)` of every t,
    shape (T, N, d, d, R), for :func:`natural_gradient`.
    """
    runs = max(K.shape[-1], closed.shape[-1])
    stage = stage_weights(c, K)                                  # every t at once, before the loop
    P = np.empty((c.T + 1, c.N, c.d, c.d, runs))
    P[c.T] = c.Q[c.T]                                            # P_{T,i} = Q_T^i
    products = np.empty((c.T, c.N, c.d, c.d, runs)) if keep_products else None
    for t in range(c.T - 1, -1, -1):                             # written in place: no copies
        value_step(stage[t], closed[t], P[t + 1], out=P[t],
                   out_products=None if products is None else products[t])
    return (P, products) if keep_products else P


def costs(c: Coefficients, P: np.ndarray) -> np.ndarray:
    r"""Eq. (3.14): :math:`C^i(K) = \operatorname{Tr}(P_{0,i}\,\mathbb E[x_0x_0^\top])
    + \sum_{t=1}^{T} \operatorname{Tr}(W_{t-1} P_{t,i})`, shape (N, R)."""
    total = np.zeros(P.shape[1:2] + P.shape[-1:])
    # each trace summed term by term over the nonzero entries of W_t (or E[x0 x0^T]), in a fixed
    # order: a reduction over the run axis would change its order with the number of runs
    for t in range(c.T, 0, -1):
        total += _trace(c.W[t - 1, ..., 0], c.W_terms[t - 1], P[t])   # Tr(W_{t-1} P_{t,i})
    total += _trace(c.S0[..., 0], c.S0_terms, P[0])                 # Tr(P_{0,i} E[x_0 x_0^T])
    return total


def natural_gradient(c: Coefficients, K: np.ndarray, products: np.ndarray,
                     times=slice(None)) -> np.ndarray:
    r"""Eq. (3.15) times two, :math:`2E_{t,i} = 2\big(R_t^iK_t^i - (B_t^i)^\top P_{t+1,i}
    (A_t - \sum_j B_t^jK_t^j)\big)`, the update direction of (3.8), from the products
    :math:`P_{t+1,i}(A_t - \sum_jB_t^jK_t^j)` at the times ``times``; shape (T', sum(k), d, R)."""
    # (B_t^i)^T P_{t+1,i} (A_t - B_t K_t), row a of the stacked gains with its own player's P
    BtPA = matmul(c.Bt_rows[times], products[:, c.row_player])[:, :, 0]
    return 2.0 * (matmul(c.R[times], K) - BtPA)                  # 2 (R_t^i K_t^i - B^T P (A - BK))


def state_covariances(c: Coefficients, closed: np.ndarray) -> np.ndarray:
    r"""Eq. (3.4) by the recursion of Lemma 3.1: :math:`\Sigma_{t+1} = (A_t - \sum_jB_t^jK_t^j)
    \Sigma_t(\cdot)^\top + W_t` from :math:`\Sigma_0 = \mathbb E[x_0x_0^\top]`; shape (T+1, d, d, R)."""
    S = np.empty((c.T + 1, c.d, c.d, closed.shape[-1]))
    S[0] = c.S0                                                  # Sigma_0 = E[x_0 x_0^T]
    closed_T = np.swapaxes(closed, 1, 2)
    for t in range(c.T):
        S[t + 1] = matmul(matmul(closed[t], S[t]), closed_T[t]) + c.W[t]   # (A-BK) S (A-BK)^T + W
    return S


def policy_gradient(natural: np.ndarray, S: np.ndarray) -> np.ndarray:
    r"""Lemma 3.7, eq. (3.16): :math:`\nabla_{K_t^i}C^i(K) = 2E_{t,i}\Sigma_t`, from the natural
    gradient and the covariances; shape (T, sum(k), d, R)."""
    return matmul(natural, S[:-1])                               # 2E_{t,i} Sigma_t


def second_moments(states: np.ndarray) -> np.ndarray:
    r"""The empirical second moment of Algorithm 2, line 12, eq. (4.1):
    :math:`\widehat\Sigma = \frac1L\sum_{l=1}^L x_lx_l^\top`, of states ``(..., L, d)``; shape
    (..., d, d). (Batch-first: these are the simulator's states, not the kernel's gains.)"""
    x = np.moveaxis(states, -1, 0)
    d = x.shape[0]
    sigma = np.empty(x.shape[1:-1] + (d, d))
    # entry by entry, each a mean over l of x_e x_f: symmetric to the last bit, and for small d
    # faster than a (d, L) @ (L, d) product per run, player and t
    for e in range(d):
        for f in range(e, d):
            sigma[..., e, f] = sigma[..., f, e] = (x[e] * x[f]).mean(axis=-1)
    return sigma


# ---------------------------------------------------------------------------
# layouts


def batch_last(K: np.ndarray) -> np.ndarray:
    """Stacked policies ``(*batch, T, sum(k), d)`` flattened and laid out as ``(T, sum(k), d, R)``."""
    flat = K.reshape((-1,) + K.shape[-3:])
    return np.ascontiguousarray(flat.transpose(1, 2, 3, 0))


def batch_first(x: np.ndarray, batch: tuple) -> np.ndarray:
    """The inverse of :func:`batch_last` for any array whose last axis is the runs (a view where
    the batch is one axis or none)."""
    return np.moveaxis(x, -1, 0).reshape(batch + x.shape[:-1])
