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

from .equilibrium import NashSolution
from .evaluation import Evaluation
from .runs import DIVERGENCE_FACTOR, PGResult, Recorder

__all__ = ["natural_policy_gradient", "policy_gradient_descent"]


def natural_policy_gradient(game, K0: Sequence, eta, iterations: int, *, record_every: int = 1,
                            record_policies: str = "t0",
                            divergence_factor: float = DIVERGENCE_FACTOR,
                            nash: NashSolution | None = None,
                            require_equilibrium: bool = True,
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
    require_equilibrium : bool, default True
        Refuse a game (or a ``nash``) whose solution of (2.4) fails a player's second-order
        condition, so that it is not an equilibrium to measure errors against
        (:class:`~lqg.equilibrium.NotAnEquilibriumError`, naming the player and t). False runs
        anyway, and the result's message says that the errors are measured against a point that
        is not an equilibrium.
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
    NotAnEquilibriumError
        (an ``LQGameError``) with ``require_equilibrium``, when some player's second-order
        condition fails at the solution of (2.4).

    Notes
    -----
    *Divergence.* Run b is diverged at iteration m if :math:`K^{(m)}` has a non-finite entry, or if
    some player's gross cost :math:`G^i(K^{(m)})` is non-finite or exceeds ``divergence_factor``
    times its scale, :math:`G^i(K^{(0)})` when that is positive (:class:`~lqg.runs.PGResult`
    states the rule in full). :math:`G^i` is the cost with every weight replaced by its matrix
    absolute value, so it is :math:`C^i` itself on games with positive semi-definite weights
    (the paper's) and is never negative, whatever the sign of the costs. From then on the run is
    frozen at :math:`K^{(m-1)}`, the last iterate that passed, which ``K`` returns; its record at
    m keeps the offending cost and later records are NaN.
    The other runs carry on. No floating-point warning or ``LinAlgError`` reaches the caller: a
    diverging run is a normal outcome (Figures 4 and 7), reported in ``diverged`` and ``message``.

    The update is the natural gradient step (3.5): :math:`2E_{t,i}^K = \nabla_{K_t^i}C^i(K)
    (\Sigma_t^K)^{-1}` (Lemma 3.7), so no covariance matrix is needed, and the iterates do not
    depend on W or on the law of :math:`x_0`.
    """
    run = Recorder(game, K0, eta, iterations, record_every=record_every,
                   record_policies=record_policies, divergence_factor=divergence_factor,
                   nash=nash, require_equilibrium=require_equilibrium, progress=progress,
                   algorithm="Algorithm 1")
    return _descend(run, vanilla=False)


def policy_gradient_descent(game, K0: Sequence, eta, iterations: int, *, record_every: int = 1,
                            record_policies: str = "t0",
                            divergence_factor: float = DIVERGENCE_FACTOR,
                            nash: NashSolution | None = None,
                            require_equilibrium: bool = True,
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
                   nash=nash, require_equilibrium=require_equilibrium, progress=progress,
                   algorithm="vanilla policy gradient")
    return _descend(run, vanilla=True)


def _descend(run: Recorder, *, vanilla: bool) -> PGResult:
    """The loop of Algorithm 1 (lines 2-10), or of vanilla policy gradient."""
    with np.errstate(all="ignore"):
        exact = Evaluation(run.game, run.K0)                           # line 5 at K^(0), eq. (3.6)
        K = run.update(0, run.K0, run.K0, exact=exact)                  # C^i(K^(0)), eq. (3.14)
        for m in range(1, run.M + 1):
            step = exact.policy_gradient if vanilla else exact.natural_gradient   # line 6, (3.7)
            exact = Evaluation(run.game, K - run.eta * step)            # line 7, (3.8); line 5
            K = run.update(m, K, exact.K, exact=exact)
    return run.result(K)
