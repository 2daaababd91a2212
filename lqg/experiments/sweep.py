r"""Grids of experiments, run through joblib and saved to one resumable table.

The sensitivity maps of Section 5 count, for every cell of a parameter grid (radius r and step
size :math:`\eta` for Algorithm 1; :math:`\sigma^2` and L for Algorithm 2), how many of many runs
converge. :func:`run_sweep` runs such a grid: within a process, one call of the experiment handles
a whole batch of seeds (the algorithms are vectorised over a batch of policies); across
processes, the (cell, batch of seeds) tasks are spread by :class:`joblib.Parallel`, so choosing
joblib's backend moves the same sweep from local processes (``"loky"``, the default) to a Dask or
Ray cluster. Every finished task is appended to one CSV file at once, and a sweep started again on
the same file skips the runs it already holds. ``summarize`` turns the table into one row per
cell.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from tqdm import tqdm

from .._provenance import code_fingerprint
from . import _sweep_table as files

__all__ = ["run_sweep"]

def _run_task(experiment: Callable, index: int, params: dict, seeds: list[int]):
    return index, seeds, experiment(dict(params), list(seeds))


def _finished_tasks(experiment: Callable, tasks: list, cells: list[dict], n_jobs):
    """Yield ``(cell index, seeds, rows)`` as the tasks finish, in any order."""
    call = joblib.delayed(_run_task)
    jobs = (call(experiment, j, cells[j], seeds) for j, seeds in tasks)
    try:
        parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    except ValueError:
        parallel = None
    if parallel is not None:
        with parallel:
            yield from parallel(jobs)
        return
    # The multiprocessing backend and Ray's (a multiprocessing pool) return all results at once,
    # so the tasks go in rounds of one per worker and each round is saved before the next.
    with joblib.Parallel(n_jobs=n_jobs) as parallel:
        size = joblib.effective_n_jobs(n_jobs)
        while batch := list(itertools.islice(jobs, size)):
            yield from parallel(batch)


def run_sweep(experiment: Callable[[dict, list], list], grid, seeds, path, *, n_jobs=-1,
              backend=None, seeds_per_task: int | None = None, progress: bool = False,
              code: str | None = "lqg") -> pd.DataFrame:
    r"""Run ``experiment`` for every cell of ``grid`` and every seed, saving one row per run.

    The work is split into tasks, each one call ``experiment(params, seeds)`` for one cell and a
    batch of its seeds, and the tasks are run by :class:`joblib.Parallel`. As each task finishes,
    its rows are appended to the CSV file ``path``; if ``path`` already holds rows of this sweep
    (an interrupted run, or the same grid with fewer seeds or cells), those runs are not run
    again.

    Parameters
    ----------
    experiment : callable
        ``experiment(params, seeds) -> list of dict``: runs the cell ``params`` (a dict of
        parameter name -> value) for each seed in ``seeds`` (a list of ints, typically in one
        vectorised call) and returns one dict of outcomes per seed, in the order of ``seeds``,
        e.g. ``{"converged": True, "final_error_0": 1e-9, "diverged_at": -1}``. Outcomes are
        scalars (bool, int, float, str, None); every row has the same names, which must differ
        from the parameter names and from ``"cell"`` and ``"seed"``. A run's outcome must depend
        only on ``params`` and its own seed (draw its randomness from
        ``numpy.random.default_rng(seed)``), not on the other seeds of the batch: then the
        table does not depend on ``seeds_per_task``, ``n_jobs``, the backend or resumption.
        It must be picklable (a module-level function or a :func:`functools.partial` of one)
        unless ``n_jobs=1``.
    grid : dict of str -> list, or list of dict
        A dict gives the Cartesian product of its value lists, the last name varying fastest,
        e.g. ``{"radius": [0.1, 0.2], "eta": [0.01, 0.1]}`` (4 cells); a list of dicts gives
        the cells explicitly (each with the same parameter names). Values are scalars.
    seeds : int or list of int
        ``n`` means seeds ``0, ..., n-1``; otherwise distinct non-negative integers. Every cell
        runs every seed.
    path : str or os.PathLike
        The CSV file (created if missing, appended to otherwise).
    n_jobs : int or None
        Passed to :class:`joblib.Parallel`: -1 (default) uses every CPU with local processes, or
        every worker thread of a Dask cluster; 1 runs in this process.
    backend : str or None
        A joblib backend, set with :func:`joblib.parallel_config` around the run: ``None`` keeps
        the active one (``"loky"`` local processes unless an enclosing
        ``joblib.parallel_config`` says otherwise); ``"dask"`` uses the current
        ``dask.distributed.Client``; ``"ray"`` works after
        ``from ray.util.joblib import register_ray; register_ray()``.
    seeds_per_task : int or None
        How many seeds one call of ``experiment`` gets. ``None`` (default): all of a cell's
        seeds still to run, in one call. Smaller tasks spread better over many workers and
        lose less work when interrupted; larger ones make better use of vectorisation.
    progress : bool
        Show a progress bar of finished tasks.
    code : str or None
        What identifies the code that computes the rows; it is part of every cell's key, so rows
        computed by other code are never reused (they stay in the file, unread). ``"lqg"``
        (default): the fingerprint of lqg's source files, so any change to the package recomputes
        the sweep; any other string (e.g. a version of your own experiment function); ``None``:
        the key holds the parameters only.

    Returns
    -------
    pandas.DataFrame
        One row per (cell, seed) of this sweep, in the order of the cells in ``grid`` and then
        of increasing seed, read back from ``path``. Columns: ``cell`` (the cell's key, the
        canonical JSON of its parameters), the parameters, ``seed``, then the outcomes.

    Raises
    ------
    ValueError
        An empty or malformed ``grid``, bad ``seeds`` or ``seeds_per_task``, an experiment that
        returns the wrong number of rows, non-scalar or clashing outcomes, or outcome names that
        differ between tasks or from those already in ``path``; a ``path`` holding a sweep over
        other parameters.
    Exception
        Whatever ``experiment`` raises, after every task finished before it has been saved.

    Notes
    -----
    *File format.* A UTF-8 CSV with a header line: ``cell``, the parameter columns in the
    order of ``grid``, ``seed``, then the outcome columns in the order of the first row the
    experiment returned. Floats are written by :func:`repr` (``nan``, ``inf`` included), so they
    read back exactly (pandas < 3 needs ``pandas.read_csv(path, float_precision="round_trip")``:
    its default parser can miss the last bit); ``None`` is an empty field. The ``cell`` key
    identifies a cell across runs: it is ``json.dumps(params, sort_keys=True,
    separators=(",", ":"))`` with ``params`` holding also ``"__code__": code`` (unless ``code``
    is None), so ``1`` and ``1.0`` are different cells, and so are the same parameters run by
    different code. Calling :func:`run_sweep` again once the sweep is complete, with the same
    code, only reads the file.

    *Resumption.* Rows are written by this process only, a task at a time, each write followed
    by a flush and ``os.fsync``. On start, a last line without its newline (the process was
    killed mid-write) is cut off, the (cell, seed) pairs already in the file are skipped, and
    only the remaining seeds of each cell are run. Two sweeps must not write to the same file
    at once.

    *Backends.* Tasks are collected with ``return_as="generator_unordered"``, so each is saved
    as soon as it finishes. Backends that cannot stream results (``"multiprocessing"``, Ray's)
    run the tasks in rounds of one per worker instead, saving each round.

    Examples
    --------
    >>> def experiment(params, seeds):
    ...     draws = [np.random.default_rng(s).uniform() for s in seeds]
    ...     return [{"hit": bool(u < params["p"])} for u in draws]
    >>> table = run_sweep(experiment, {"p": [0.2, 0.8]}, 50, "hits.csv")  # doctest: +SKIP
    >>> summarize(table, "hit")  # doctest: +SKIP
    """
    if not callable(experiment):
        raise ValueError(f"experiment must be callable; got {type(experiment).__name__}")
    names, cells = files.cells(grid)
    seeds = files.seed_list(seeds)
    if seeds_per_task is not None and (
        isinstance(seeds_per_task, bool) or not isinstance(seeds_per_task, (int, np.integer))
        or seeds_per_task < 1
    ):
        raise ValueError(
            f"seeds_per_task must be a positive integer or None; got {seeds_per_task!r}"
        )
    path = Path(path)
    if code == "lqg":
        code = code_fingerprint()
    if code is not None and not isinstance(code, str):
        raise ValueError(f"code must be a string or None; got {type(code).__name__}")
    keys = [files.cell_key(cell if code is None else {**cell, files.CODE: code}) for cell in cells]

    header, finished = files.finished_runs(path, names)
    tasks = []
    for j, key in enumerate(keys):
        todo = [s for s in seeds if (key, s) not in finished]
        step = seeds_per_task or max(len(todo), 1)
        tasks += [(j, todo[i:i + step]) for i in range(0, len(todo), step)]

    if tasks:
        config = (joblib.parallel_config(backend=backend) if backend is not None
                  else contextlib.nullcontext())
        with config, open(path, "a", newline="", encoding="utf-8") as f, \
                contextlib.closing(_finished_tasks(experiment, tasks, cells, n_jobs)) as results, \
                tqdm(total=len(tasks), disable=not progress, unit="task") as bar:
            for j, task_seeds, rows in results:
                rows = files.outcomes(rows, cells[j], task_seeds, names)
                lines = []
                if header is None:
                    header = ["cell", *names, "seed", *rows[0]]
                    lines.append(header)
                outcome_names = header[len(names) + 2:]
                for seed, row in zip(task_seeds, rows):
                    if set(row) != set(outcome_names):
                        raise ValueError(
                            f"experiment returned outcomes {list(row)} for cell {keys[j]} and "
                            f"seed {seed}, but the sweep's outcome columns are {outcome_names}"
                        )
                    lines.append([keys[j], *cells[j].values(), seed,
                                  *(row[k] for k in outcome_names)])
                f.write(files.csv_lines(lines))
                f.flush()
                os.fsync(f.fileno())
                bar.update()

    table = pd.read_csv(path, **files.EXACT_FLOATS, dtype={"cell": str},
                        keep_default_na=False, na_values=["", "nan"])
    order = pd.DataFrame({"cell": np.repeat(keys, len(seeds)),
                          "seed": np.tile(np.asarray(seeds, dtype=table["seed"].dtype), len(keys))})
    table = table.drop_duplicates(["cell", "seed"])
    return order.merge(table, on=["cell", "seed"], how="left", validate="one_to_one")[table.columns]


def summarize(table: pd.DataFrame, column: str, by: Sequence[str] | None = None) -> pd.DataFrame:
    r"""Mean of one outcome per cell, e.g. the fraction of runs that converged.

    Parameters
    ----------
    table : pandas.DataFrame
        A table returned by :func:`run_sweep` (or read from its file).
    column : str
        The outcome to average; a bool column gives a fraction.
    by : list of str, optional
        Columns to group by; by default the parameter columns (those between ``cell`` and
        ``seed``).

    Returns
    -------
    pandas.DataFrame
        One row per group, in order of first appearance, with the ``by`` columns, ``mean``,
        ``count`` (number of runs where ``column`` is not missing) and ``sem`` (standard error
        of the mean, :math:`s/\sqrt{n}`; for a fraction p, about :math:`\sqrt{p(1-p)/n}`).

    Examples
    --------
    A sensitivity map (fraction converged over radius and step size):

    >>> summarize(table, "converged").pivot(index="eta", columns="radius",
    ...                                     values="mean")  # doctest: +SKIP
    """
    for name in [column, *(by or [])]:
        if name not in table.columns:
            raise ValueError(f"table has no column {name!r}; its columns are {list(table.columns)}")
    if by is None:
        cols = list(table.columns)
        if "cell" not in cols or "seed" not in cols:
            raise ValueError("give `by`: table has no 'cell' and 'seed' columns to find parameters")
        by = cols[cols.index("cell") + 1:cols.index("seed")]
    values = table[column].astype(float)
    groups = values.groupby([table[b] for b in by], sort=False, dropna=False)
    out = pd.DataFrame({"mean": groups.mean(), "count": groups.count(), "sem": groups.sem()})
    return out.reset_index()
