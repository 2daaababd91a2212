"""The sweep's table: grids of cells, seeds, and the resumable CSV file (internal to
:mod:`lqg.experiments.sweep`)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

RESERVED = ("cell", "seed")

# pandas < 3 reads a float's repr back exactly only with its round-trip parser (pandas 3 always)
EXACT_FLOATS = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}


def scalar(value, what: str):
    """``value`` as a plain Python scalar that survives CSV and JSON, or a ValueError."""
    if isinstance(value, (np.generic, np.ndarray)) and np.ndim(value) == 0:
        value = value.item()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        # resumption finds the rows that were completely written by their final newline
        if "\n" in value or "\r" in value:
            raise ValueError(f"{what} is a string with a line break: {value!r}")
        return value
    raise ValueError(
        f"{what} must be a scalar (bool, int, float, str or None); got {type(value).__name__}"
    )


def cells(grid) -> tuple[list[str], list[dict]]:
    """The parameter names and the list of cells (parameter dicts) of ``grid``."""
    if isinstance(grid, Mapping):
        if not grid:
            raise ValueError("grid is empty: give at least one parameter and its values")
        names = list(grid)
        values = []
        for name in names:
            v = grid[name]
            if isinstance(v, (str, bytes, Mapping)) or not isinstance(v, (Sequence, np.ndarray)):
                raise ValueError(
                    f"grid[{name!r}] must be a list of values; got {type(v).__name__}"
                )
            if len(v) == 0:
                raise ValueError(f"grid[{name!r}] is empty")
            values.append(list(v))
        cells = [dict(zip(names, combo)) for combo in itertools.product(*values)]
    elif isinstance(grid, Sequence) and not isinstance(grid, (str, bytes)):
        if len(grid) == 0:
            raise ValueError("grid is empty: give at least one cell")
        for j, cell in enumerate(grid):
            if not isinstance(cell, Mapping):
                raise ValueError(
                    f"grid[{j}] must be a dict of parameters; got {type(cell).__name__}"
                )
        names = list(grid[0])
        for j, cell in enumerate(grid):
            if set(cell) != set(names):
                raise ValueError(
                    f"grid[{j}] has parameters {sorted(cell)}, but grid[0] has {sorted(names)}: "
                    "every cell must set the same parameters"
                )
        cells = [{name: cell[name] for name in names} for cell in grid]
    else:
        raise ValueError(
            "grid must be a dict of parameter name -> list of values, or a list of dicts; "
            f"got {type(grid).__name__}"
        )
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"parameter names must be non-empty strings; got {name!r}")
        if name in RESERVED:
            raise ValueError(f"parameter name {name!r} is reserved for the sweep's own column")
    cells = [{k: scalar(v, f"grid parameter {k!r}") for k, v in cell.items()} for cell in cells]
    keys = [cell_key(cell) for cell in cells]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise ValueError(f"grid repeats the cell {dup}")
    return names, cells


#: the name under which a cell's key records the code that computes it
CODE = "__code__"


def cell_key(params: dict) -> str:
    """Canonical JSON of a cell: equal parameter values give the same key in every process."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


def seed_list(seeds) -> list[int]:
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds must be a positive number of seeds or a list; got {seeds}")
        return list(range(int(seeds)))
    if isinstance(seeds, (str, bytes, Mapping)) or not isinstance(seeds, (Sequence, np.ndarray)):
        raise ValueError(f"seeds must be an int or a list of ints; got {type(seeds).__name__}")
    if len(seeds) == 0:
        raise ValueError("seeds is empty")
    out = []
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"seeds must be non-negative integers; got {s!r}")
        out.append(int(s))
    if len(set(out)) != len(out):
        raise ValueError("seeds has repeated values")
    return sorted(out)


def finished_runs(path: Path, names: list[str]) -> tuple[list[str] | None, set]:
    """The header and the finished (cell, seed) pairs of an existing sweep file.

    A last line without its newline was cut by an interruption: it is removed from the file.
    """
    if not path.exists():
        return None, set()
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        os.truncate(path, end)
    if end == 0:
        return None, set()
    reader = csv.reader(io.StringIO(data[:end].decode("utf-8"), newline=""))
    header = next(reader)
    layout = ["cell", *names, "seed"]
    if header[: len(layout)] != layout:
        raise ValueError(
            f"{path} holds a sweep with columns {header}, which do not start with {layout} "
            "(cell, this grid's parameters, seed): use another path for this sweep"
        )
    seed_col = len(names) + 1
    return header, {(row[0], int(row[seed_col])) for row in reader}


def csv_lines(rows: list[list]) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def outcomes(rows, params: dict, seeds: list[int], names: list[str]) -> list[dict]:
    """Check an experiment's rows for one task and return them with plain scalar values."""
    where = f"for cell {cell_key(params)} and seeds {seeds}"
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Sequence):
        raise ValueError(
            f"experiment must return a list of dicts (one per seed); got {type(rows).__name__} "
            + where
        )
    if len(rows) != len(seeds):
        raise ValueError(f"experiment returned {len(rows)} rows for {len(seeds)} seeds " + where)
    out = []
    for seed, row in zip(seeds, rows):
        if not isinstance(row, Mapping):
            raise ValueError(f"experiment's row for seed {seed} is a {type(row).__name__}, "
                             f"not a dict, {where}")
        clash = [k for k in row if k in RESERVED or k in names]
        if clash:
            raise ValueError(
                f"experiment's outcome columns {clash} clash with the sweep's columns "
                f"{['cell', *names, 'seed']} " + where
            )
        if not row:
            raise ValueError(f"experiment's row for seed {seed} has no outcome columns " + where)
        out.append({k: scalar(v, f"outcome {k!r} (seed {seed})") for k, v in row.items()})
    return out


