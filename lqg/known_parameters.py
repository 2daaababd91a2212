r"""Natural policy gradient with known parameters: Algorithm 1 of Section 3, eqs. (3.6)-(3.8).

Every player updates simultaneously from the joint policy of the previous iteration,

.. math::

    K_t^{i,(m)} = K_t^{i,(m-1)} - 2\eta_i E_{t,i}^{K^{(m-1)}}, \qquad
    E_{t,i}^{K} = R_t^i K_t^i - (B_t^i)^\top P_{t+1,i}^{K}\Big(A_t - \sum_{j} B_t^j K_t^j\Big),

which is the natural gradient step (3.5), :math:`\nabla_{K_t^i}C^i(K)(\Sigma_t^K)^{-1} = 2E_{t,i}^K`
(Remark 3.2, Lemma 3.7). For comparison (beyond the paper), :func:`policy_gradient_descent` is the
vanilla policy gradient method with the same machinery.

Initial policies may carry leading batch dimensions, ``(*batch, T, k_i, d)``: every batch entry is
an independent run and all of them advance together, each with its own step sizes if ``eta`` has
the batch shape too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _kernel as kernel
from .equilibrium import NashSolution
from .runs import DIVERGENCE_FACTOR, PGResult, Recorder

__all__ = ["natural_policy_gradient", "policy_gradient_descent"]


def natural_policy_gradient(game, K0: Sequence, eta, iterations: int, *, record_every: int = 1,
                            record_policies: str = "t0",
                            divergence_factor: float = DIVERGENCE_FACTOR,
                            nash: NashSolution | None = None,
                            progress: bool | None = None) -> PGResult:
    r"""Algorithm 1: the natural policy gradient method with known parameters.

    For :math:`m = 1, \dots, M`, with :math:`K^{(m-1)}` the joint policy of the previous iteration,
    each player i computes the value matrices (line 5, eq. (3.6))

    .. math::

        P_{t,i}^{K} = Q_t^i + (K_t^i)^\top R_t^i K_t^i
        + \Big(A_t - \sum_j B_t^jK_t^j\Big)^\top P_{t+1,i}^{K}\Big(A_t - \sum_j B_t^jK_t^j\Big),
        \qquad P_{T,i}^K = Q_T^i,

    the gradient factor :math:`E_{t,i}^{K}` (line 6, eq. (3.7)) and updates, simultaneously with the
    others ("each player updates their policies simultaneously at each iteration", Section 3),

    .. math::

        K_t^{i,(m)} = K_t^{i,(m-1)} - 2\eta_i E_{t,i}^{K^{(m-1)}}, \qquad t = 0, \dots, T-1
        \quad\text{(line 7, eq. (3.8))}.

    Parameters
    ----------
    game : LQGame
    K0 : tuple of N array_like, shapes (*batch, T, k_i, d)
        Initial policies :math:`K^{(0)}`. Each batch entry is an independent run; all runs advance
        together (the players' batch shapes broadcast).
    eta : float, sequence of N floats, or array_like of shape (*batch, N)
        Step size :math:`\eta`, one per player :math:`\eta_i` (the paper's Figure 5 uses
        :math:`\eta_1 \neq \eta_2`; Theorem 3.5 covers agent-dependent rates), or one per run and
        player, so that runs with different step sizes share a batch.
    iterations : int
        Number of iterations M >= 1.
    record_every : int, default 1
        Record exact costs (and policies) at iterations 0, ``record_every``, 2 ``record_every``, ...,
        and always at M. At the defaults, 10,000 iterations of 256 runs of the Section 5.1 game
        peak at about 200 MB (``make bench``).
    record_policies : {"t0", "all", "none"}, default "t0"
        Which policies to record: :math:`K_0^{i,(m)}` only (what Figures 3 and 8 plot), every
        :math:`K_t^{i,(m)}` (T times the memory), or none.
    divergence_factor : float, default 1e6
        The divergence rule below.
    nash : NashSolution, optional
        The game's equilibrium for ``normalized_error``; :func:`~lqg.equilibrium.solve_nash` by default.
    progress : bool or None, default None
        Show a tqdm progress bar on stderr; None shows it only when stderr is a terminal (so never in
        a notebook or the book).

    Returns
    -------
    PGResult
        ``costs`` are exact, eq. (3.14), computed from the same :math:`P_{t,i}` the update uses.

    Raises
    ------
    LQGameError
        (a ``ValueError``) naming the argument: policies whose shapes do not match the game or with
        non-finite entries, ``eta`` not positive or of the wrong shape, ``iterations`` or
        ``record_every`` not positive integers, an unknown ``record_policies``, a ``nash`` solved
        for another game.

    Notes
    -----
    *Divergence.* Run b is diverged at iteration m if :math:`K^{(m)}` has a non-finite entry, or if
    some player's cost :math:`C^i(K^{(m)})` is non-finite or exceeds ``divergence_factor`` times
    :math:`C^i(K^{(0)})`. From then on the run is frozen at :math:`K^{(m-1)}`, the last iterate that
    passed, which ``K`` returns; its record at m keeps the offending cost and later records are NaN.
    The other runs carry on. No floating-point warning or ``LinAlgError`` reaches the caller: a
    diverging run is a normal outcome (Figures 4 and 7), reported in ``diverged`` and ``message``.

    The update is the natural gradient step (3.5): :math:`2E_{t,i}^K = \nabla_{K_t^i}C^i(K)
    (\Sigma_t^K)^{-1}` (Lemma 3.7), so no covariance matrix is needed, and the iterates do not
    depend on W or on the law of :math:`x_0`.
    """
    run = Recorder(game, K0, eta, iterations, record_every=record_every,
                   record_policies=record_policies, divergence_factor=divergence_factor,
                   nash=nash, progress=progress, algorithm="Algorithm 1")
    return _descend(run, vanilla=False)


def policy_gradient_descent(game, K0: Sequence, eta, iterations: int, *, record_every: int = 1,
                            record_policies: str = "t0",
                            divergence_factor: float = DIVERGENCE_FACTOR,
                            nash: NashSolution | None = None,
                            progress: bool | None = None) -> PGResult:
    r"""The vanilla policy gradient method with known parameters (beyond the paper).

    Each player i descends its own gradient, simultaneously with the others:

    .. math::

        K_t^{i,(m)} = K_t^{i,(m-1)} - \eta_i \nabla_{K_t^i}C^i(K^{(m-1)})
        = K_t^{i,(m-1)} - 2\eta_i E_{t,i}^{K^{(m-1)}}\Sigma_t^{K^{(m-1)}}
        \quad\text{(Lemma 3.7, eq. (3.16))},

    the method whose failures Mazumdar et al. (2019) report and which Section 3 contrasts with the
    natural gradient step (3.5), :math:`\nabla_{K_t^i}C^i(K)(\Sigma_t^K)^{-1}`. Unlike Algorithm 1,
    its iterates depend on the noise W and the law of :math:`x_0`, through :math:`\Sigma_t^K`.

    Parameters, returns, divergence rule and batching are those of :func:`natural_policy_gradient`;
    the step sizes suited to the two methods differ by the scale of :math:`\Sigma_t^K`.
    """
    run = Recorder(game, K0, eta, iterations, record_every=record_every,
                   record_policies=record_policies, divergence_factor=divergence_factor,
                   nash=nash, progress=progress, algorithm="vanilla policy gradient")
    return _descend(run, vanilla=True)


def _descend(run: Recorder, *, vanilla: bool) -> PGResult:
    """The loop of Algorithm 1 (lines 2-10), or of vanilla policy gradient."""
    c = kernel.coefficients(run.game)
    K = run.K0
    with np.errstate(all="ignore"):
        for m in range(run.M + 1):
            closed = kernel.closed_loop(c, K)
            P, products = kernel.value_matrices(c, K, closed, keep_products=True)  # line 5, (3.6)
            K = run.observe(m, K, kernel.costs(c, P))                   # C^i(K^(m)), eq. (3.14)
            if m == run.M:
                break
            step = kernel.natural_gradient(c, K, products)                  # line 6, 2E, eq. (3.7)
            if vanilla:
                step = kernel.policy_gradient(step, kernel.state_covariances(c, closed))  # (3.16)
            K = run.advance(K, K - run.eta * step)                          # line 7, eq. (3.8)
    return run.result(K)
