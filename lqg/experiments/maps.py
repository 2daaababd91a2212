r"""The sweep experiments of the sensitivity maps: Sections 5.1 and 5.2 over grids of parameters.

Each function has the signature :func:`~lqg.experiments.sweep.run_sweep` expects,
``experiment(params, seeds) -> rows``: it runs all its seeds in one batched call, and each row
depends only on the cell's parameters and its seed, not on which other seeds share the batch.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .. import _checks as check
from .._checks import LQGameError
from ..equilibrium import solve_nash
from ..examples.paper import section_5_1, section_5_2, section_5_2_policies
from ..known_parameters import natural_policy_gradient
from ..runs import PGResult
from ..sampling import sample_policies_near
from ..unknown_parameters import model_free_natural_policy_gradient
from .convergence import converged, final_error

__all__ = ["section_5_1_runs", "section_5_2_runs", "recorded_errors"]




def _param(params: Mapping, name: str, default=None):
    if name in params:
        return params[name]
    if default is None:
        raise LQGameError(f"params needs {name!r}; got {sorted(params)}")
    return default


def _seeds(seeds: Sequence) -> list:
    seeds = list(seeds)
    if not seeds:
        raise LQGameError("seeds is empty")
    return [check.positive_int(s, "seeds", minimum=0) for s in seeds]


def _rows(result: PGResult, tol: float, curves: bool) -> list:
    """One dict per run: the outcomes of the convergence definition (and the error records)."""
    ok = converged(result, tol)
    settle = result.iterations_to(tol)
    error = final_error(result)
    rows = []
    for b in range(ok.shape[0]):
        row = dict(converged=bool(ok[b]), diverged=bool(result.diverged[b]),
                   diverged_at=int(result.diverged_at[b]), iterations_to=int(settle[b]),
                   error=float(error[b]))
        if curves:
            for j, m in enumerate(result.iterations):
                for i in range(result.normalized_error.shape[-1]):
                    row[f"error{i + 1}_m{m}"] = float(result.normalized_error[j, b, i])
        rows.append(row)
    return rows


def section_5_1_runs(params: Mapping, seeds: Sequence) -> list:
    r"""Algorithm 1 on the Section 5.1 game from one random initial policy per seed.

    Seed s draws its initial policy :math:`K^{(0)}` uniformly in the Frobenius ball of radius r
    around :math:`K^*` (per player and time, :func:`~lqg.sampling.sample_policies_near`) from
    ``numpy.random.default_rng(s)``; all seeds then run in one batch of
    :func:`~lqg.algorithms.natural_policy_gradient`. The same seed gives the same direction of
    :math:`K^{(0)} - K^*` at every radius (common random numbers across the map).

    Parameters
    ----------
    params : mapping
        ``radius`` (r), ``eta`` (:math:`\eta_1 = \eta_2`), ``iterations`` (M), ``tol``
        (:math:`\tau` of :func:`converged`); optional ``sigma2`` (default 0: the iterates do
        not depend on it, only the normalized errors do) and ``record_every`` (default 10).
    seeds : sequence of int

    Returns
    -------
    list of dict
        Per seed: ``converged``, ``diverged``, ``diverged_at`` (-1 if not),
        ``iterations_to`` (``result.iterations_to(tol)``, -1 if never) and ``error``
        (:func:`final_error`).
    """
    seeds = _seeds(seeds)
    game = section_5_1(float(_param(params, "sigma2", 0.0)))
    nash = solve_nash(game)
    radius = float(_param(params, "radius"))
    draws = [sample_policies_near(nash.K, radius, 1, np.random.default_rng(s)) for s in seeds]
    K0 = tuple(np.concatenate([d[i] for d in draws]) for i in range(game.N))
    result = natural_policy_gradient(
        game, K0, float(_param(params, "eta")), int(_param(params, "iterations")),
        record_every=int(_param(params, "record_every", 10)), record_policies="none", nash=nash)
    return _rows(result, check.number(_param(params, "tol"), "tol", 0.0, open_low=True), curves=False)


def section_5_2_runs(params: Mapping, seeds: Sequence) -> list:
    r"""Algorithm 2 on the Section 5.2 game from the paper's initial policy, one run per seed.

    Run s draws all its random numbers from ``numpy.random.SeedSequence(s)`` (``seed=`` a list of
    the seeds in :func:`~lqg.model_free.model_free_natural_policy_gradient`), so its outcome does
    not depend on the other seeds of the batch.

    Parameters
    ----------
    params : mapping
        ``sigma2`` (:math:`W = \sigma^2 I`), ``trajectories`` (L), ``radius`` (smoothing r),
        ``eta``, ``iterations`` (M), ``tol``; optional ``record_every`` (default 10).
    seeds : sequence of int

    Returns
    -------
    list of dict
        As :func:`section_5_1_runs`, plus each player's normalized error at every recorded
        iteration m, in columns ``error{i}_m{m}`` (i = 1, 2 as in the paper), for
        :func:`recorded_errors`.
    """
    seeds = _seeds(seeds)
    game = section_5_2(float(_param(params, "sigma2")))
    K0 = tuple(np.broadcast_to(K, (len(seeds),) + K.shape)
               for K in section_5_2_policies(game.T))
    result = model_free_natural_policy_gradient(
        game, K0, float(_param(params, "eta")), int(_param(params, "iterations")),
        trajectories=int(_param(params, "trajectories")), radius=float(_param(params, "radius")),
        seed=seeds, record_every=int(_param(params, "record_every", 10)), record_policies="none")
    return _rows(result, check.number(_param(params, "tol"), "tol", 0.0, open_low=True), curves=True)


def recorded_errors(table) -> tuple:
    """The error records of :func:`section_5_2_runs` rows as arrays for plotting.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of a sweep (e.g. one cell's), with the ``error{i}_m{m}`` columns.

    Returns
    -------
    iterations : numpy.ndarray of int, shape=(n_records,)
    errors : numpy.ndarray, shape=(n_records, n_rows, N)
        ``errors[j, r, i]`` is player i's normalized error at ``iterations[j]`` in row r (NaN after
        a divergence), the layout of ``PGResult.normalized_error`` for
        :func:`lqg.plotting.normalized_error_figure`.
    """
    columns = [c for c in table.columns if c.startswith("error") and "_m" in c]
    if not columns:
        raise LQGameError("table has no error{i}_m{m} columns (rows of section_5_2_runs)")
    players = sorted({int(c[5:c.index("_m")]) for c in columns})
    iterations = sorted({int(c[c.index("_m") + 2:]) for c in columns})
    errors = np.stack([np.stack([table[f"error{i}_m{m}"].to_numpy(dtype=float) for i in players],
                                axis=-1) for m in iterations])
    return np.array(iterations), errors
