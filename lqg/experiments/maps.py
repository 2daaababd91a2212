r"""The sweep experiments of the sensitivity maps: Sections 5.1 and 5.2 over grids of parameters.

Each function has the signature :func:`~lqg.experiments.sweep.run_sweep` expects,
``experiment(params, seeds) -> rows``: it runs all its seeds in one batched call, and each row
depends only on the cell's parameters and its seed, not on which other seeds share the batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
from .measures import NOT_MEASURED, Difference, Exceedance, Proportion, proportion

__all__ = ["section_5_1_runs", "section_5_2_runs", "algorithm_1_map", "algorithm_2_map",
           "rescued_by_step", "map_values", "share"]


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
    :func:`~lqg.known_parameters.natural_policy_gradient`. The same seed gives the same direction of
    :math:`K^{(0)} - K^*` at every radius (common random numbers across the map).

    Parameters
    ----------
    params : mapping
        ``radius`` (r), ``eta`` (:math:`\eta_1 = \eta_2`), ``iterations`` (M), ``tol``
        (:math:`\tau` of :func:`~lqg.experiments.convergence.converged`); optional ``sigma2``
        (default 0: the iterates do not depend on it, only the normalized errors do) and
        ``record_every`` (default 10).
    seeds : sequence of int

    Returns
    -------
    list of dict
        Per seed: ``converged``, ``diverged``, ``diverged_at`` (-1 if not),
        ``iterations_to`` (``result.iterations_to(tol)``, -1 if never) and ``error``
        (:func:`~lqg.experiments.convergence.final_error`).
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
    the seeds in :func:`~lqg.unknown_parameters.model_free_natural_policy_gradient`), so its outcome does
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
        ``recorded_errors``.
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
        :func:`~lqg.plotting.curves.normalized_error_figure`.
    """
    columns = [c for c in table.columns if c.startswith("error") and "_m" in c]
    if not columns:
        raise LQGameError("table has no error{i}_m{m} columns (rows of section_5_2_runs)")
    players = sorted({int(c[5:c.index("_m")]) for c in columns})
    iterations = sorted({int(c[c.index("_m") + 2:]) for c in columns})
    errors = np.stack([np.stack([table[f"error{i}_m{m}"].to_numpy(dtype=float) for i in players],
                                axis=-1) for m in iterations])
    return np.array(iterations), errors


# ---------------------------------------------------------------------------
# the maps read off the sweep tables


def _grid(table, index: str, columns: str, value: str, how: str, rows, cols) -> np.ndarray:
    return (table.pivot_table(index=index, columns=columns, values=value, aggfunc=how)
            .reindex(index=rows, columns=cols).to_numpy(dtype=float))


def algorithm_1_map(table, radii, step_sizes) -> dict:
    """Map 1 from the rows of :func:`section_5_1_runs`: arrays (step sizes, radii) of the fraction
    converged and diverged and of the median iterations to converge of the runs that did."""
    return dict(converged=_grid(table, "eta", "radius", "converged", "mean", step_sizes, radii),
                diverged=_grid(table, "eta", "radius", "diverged", "mean", step_sizes, radii),
                iterations_to=_grid(table[table["converged"]], "eta", "radius", "iterations_to",
                                    "median", step_sizes, radii))


def rescued_by_step(table, eta_max: float) -> dict:
    """Initial policies (radius, seed) of map 1 that diverge with some step size below
    ``eta_max``, and how many of them converge with a smaller or a larger step size."""
    stable = table[table["eta"] < eta_max]
    smallest = stable[stable["diverged"]].groupby(["radius", "seed"])["eta"].min()
    converging = stable[stable["converged"]].set_index(["radius", "seed"])["eta"]
    pairs = converging.to_frame("converging").join(smallest.rename("diverging"), how="inner")
    return dict(diverging=len(smallest),
                by_smaller=len(pairs[pairs["converging"] < pairs["diverging"]].index.unique()),
                by_larger=len(pairs[pairs["converging"] > pairs["diverging"]].index.unique()))


def algorithm_2_map(table, sigma2_values, trajectories) -> dict:
    """Map 2 from the rows of :func:`section_5_2_runs`: arrays (noise levels, L) of the fraction
    converged and diverged and of the median final error, and per noise level the median
    iteration at which its diverged runs diverged."""
    diverged_at = [table[(table["sigma2"] == s) & table["diverged"]]["diverged_at"].median()
                   for s in sigma2_values]
    return dict(converged=_grid(table, "sigma2", "trajectories", "converged", "mean",
                                sigma2_values, trajectories),
                diverged=_grid(table, "sigma2", "trajectories", "diverged", "mean",
                               sigma2_values, trajectories),
                final=_grid(table, "sigma2", "trajectories", "error", "median",
                            sigma2_values, trajectories),
                diverged_at=np.array(diverged_at, dtype=float))


def _cell(table, **where):
    rows = table
    for column, value in where.items():
        rows = rows[rows[column] == value]
    return rows


def share(table, column: str, **where) -> Proportion:
    """The share of the rows of a sweep table where ``column`` holds, among the rows matching
    ``where`` (column=value)."""
    return proportion(_cell(table, **where)[column].to_numpy(dtype=bool))


def map_values(table_1, table_2, *, radii, step_sizes, sigma2_values, trajectories,
               eta_max: float, rescued: dict) -> dict:
    r"""The measured values the claims of the maps notebook read, from the sweep tables of map 1
    (:func:`section_5_1_runs`) and map 2 (:func:`section_5_2_runs`).

    Map 1 at :math:`\eta = 0.1` (when in ``step_sizes``): for each pair of neighbouring radii, the
    probability that a run from the larger takes more iterations to converge (a run that does not
    converge takes infinitely many); for every step size below ``eta_max``, how far the share
    converged falls from the smallest to the largest radius. Map 2: the shares diverged at
    :math:`\sigma^2 \le 10^{-4}` for every L, and per L how far the highest noise level raises the
    shares converged and not diverged over the lowest.
    """
    def settle(**where):
        rows = _cell(table_1, **where)
        return np.where(rows["converged"], rows["iterations_to"], np.inf)

    slower = ([Exceedance.of(settle(eta=0.1, radius=b), settle(eta=0.1, radius=a))
               for a, b in zip(radii[:-1], radii[1:])] if 0.1 in step_sizes else [NOT_MEASURED])
    stable = [e for e in step_sizes if e < eta_max]
    unstable = [e for e in step_sizes if e >= eta_max]
    low = [s for s in sigma2_values if s <= 1e-4]
    first, last = min(sigma2_values), max(sigma2_values)
    return dict(
        radii=list(radii), slower=slower,
        converged_at_0_1=[share(table_1, "converged", eta=0.1, radius=r) for r in radii]
        if 0.1 in step_sizes else [NOT_MEASURED],
        stable_steps=stable, eta_max=eta_max,
        radius_helps=[Difference(share(table_1, "converged", eta=e, radius=radii[0]),
                                 share(table_1, "converged", eta=e, radius=radii[-1]))
                      for e in stable] or [NOT_MEASURED],
        unstable_diverged=[share(table_1, "diverged", eta=e) for e in unstable],
        **rescued, rescued_any=rescued["by_smaller"] + rescued["by_larger"] > 0,
        low_sigma2=low, trajectories=list(trajectories),
        low_diverged=[share(table_2, "diverged", sigma2=s, trajectories=L)
                      for s in low for L in trajectories] or [NOT_MEASURED],
        helps_find=[Difference(share(table_2, "converged", sigma2=last, trajectories=L),
                               share(table_2, "converged", sigma2=first, trajectories=L))
                    for L in trajectories],
        helps_survive=[Difference(_alive(table_2, last, L), _alive(table_2, first, L))
                       for L in trajectories])


def _alive(table, sigma2: float, L: int) -> Proportion:
    rows = _cell(table, sigma2=sigma2, trajectories=L)
    return proportion(~rows["diverged"].to_numpy(dtype=bool))
