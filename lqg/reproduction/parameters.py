"""A notebook's parameters, read from its own ``parameters`` cell: the only place they are listed.

Each line of the cell is ``name: type = literal  # meaning (rules)``; a comment-only line below
it continues its meaning and rules (so that lines fit the book's code column), e.g. ::

    eta: float = 0.0005  # step size eta_1 and eta_2 (positive)
    within: int = 300  # ... reached by this iteration
    #   (a multiple of record_every, at most iterations)

The literals are the paper's settings; the annotation is the type papermill shows; the rules in the
closing parentheses are checked against the values the notebook actually runs with (after
papermill has injected its own). Rules, separated by commas:

``positive``, ``non-negative``, ``a probability``, ``a seed``, ``a path``, ``a process count``
(a positive integer, or -1 for every CPU), ``at least N``, ``at most NAME``, ``a multiple of NAME``
(NAME another parameter or a number), ``in NAME`` (every entry of a list is in the list NAME).
For a list, a rule applies to every entry; lists must not be empty.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["read_parameters", "check_values", "Parameter"]

_LINE = re.compile(r"^(?P<name>\w+)\s*:\s*(?P<type>\w+)\s*=\s*(?P<value>.+?)\s*#\s*(?P<help>.*)$")
_RULES = re.compile(r"\(([^()]*)\)\s*$")
_TYPES = {"int": int, "float": float, "list": list, "str": str, "bool": bool}


@dataclass(frozen=True)
class Parameter:
    """One line of a parameters cell."""

    name: str
    type: str
    default: object
    meaning: str
    rules: tuple


def read_parameters(path) -> list[Parameter]:
    """The parameters declared in the cell tagged ``parameters`` of the notebook at ``path``."""
    notebook = json.loads(Path(path).read_text())
    cells = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        raise ValueError(f"{path} has no cell tagged 'parameters'")
    lines = []                               # a comment-only line continues the line above
    for line in "".join(cells[0]["source"]).splitlines():
        if line.strip().startswith("#") and lines:
            lines[-1] += " " + line.strip().lstrip("#").strip()
        elif line.strip():
            lines.append(line)
    found = []
    for line in lines:
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"{path}: the parameters line {line!r} is not 'name: type = literal  # "
                             "meaning (rules)'")
        if match["type"] not in _TYPES:
            raise ValueError(f"{path}: parameter {match['name']!r} has type {match['type']!r}; "
                             f"use one of {', '.join(_TYPES)}")
        rules = _RULES.search(match["help"])
        found.append(Parameter(
            name=match["name"], type=match["type"], default=ast.literal_eval(match["value"]),
            meaning=match["help"],
            rules=tuple(r.strip() for r in rules.group(1).split(",")) if rules else ()))
    return found


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_real(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _bound(word: str, values: dict):
    """A rule's bound: another parameter's value, or a number."""
    if word in values:
        return values[word]
    try:
        return float(word) if "." in word else int(word)
    except ValueError:
        raise ValueError(f"parameter rule refers to {word!r}, which is neither a parameter nor a "
                         "number") from None


def _problem(value, rule: str, values: dict) -> str:
    """What is wrong with ``value`` under ``rule`` ("" if nothing)."""
    finite = _is_real(value) and math.isfinite(value)
    simple = {
        "positive": (finite and value > 0, "positive"),
        "non-negative": (finite and value >= 0, "non-negative"),
        "a probability": (finite and 0 <= value <= 1, "in [0, 1]"),
        "a seed": (_is_int(value) and value >= 0, "a non-negative integer seed"),
        "a path": (isinstance(value, str), "a path (a string)"),
        "a process count": (_is_int(value) and (value > 0 or value == -1),
                            "a positive number of processes, or -1 for every CPU"),
    }
    if rule in simple:
        ok, text = simple[rule]
        return "" if ok else text
    words = rule.split()
    if rule.startswith("at least "):
        bound = float(words[-1])
        return "" if finite and value >= bound else f"at least {words[-1]}"
    if rule.startswith("at most "):
        other = _bound(words[-1], values)
        return "" if finite and value <= other else f"at most {words[-1]} ({other})"
    if rule.startswith("a multiple of "):
        other = _bound(words[-1], values)
        return "" if _is_int(value) and value % other == 0 else f"a multiple of {words[-1]} ({other})"
    if rule.startswith("in "):
        other = values[words[-1]]
        return "" if value in other else f"one of {words[-1]} ({other})"
    raise ValueError(f"unknown parameter rule {rule!r}")


def check_values(parameters: list[Parameter], namespace: dict) -> dict:
    """The current value of every parameter, checked against its type and rules.

    Raises
    ------
    ValueError
        Naming the first parameter whose value breaks its type or a rule.
    """
    values = {}
    for p in parameters:
        if p.name not in namespace:
            raise ValueError(f"parameter {p.name!r} is not defined")
        values[p.name] = namespace[p.name]
    for p in parameters:
        value = values[p.name]
        kind = _TYPES[p.type]
        ok = (_is_int(value) if kind is int else _is_real(value) if kind is float
              else isinstance(value, kind))
        if not ok:
            raise ValueError(f"parameter {p.name!r} must be of type {p.type}; got {value!r}")
        entries = value if kind is list else [value]
        if kind is list and not value:
            raise ValueError(f"parameter {p.name!r} must not be an empty list")
        for rule in p.rules:
            for entry in entries:
                problem = _problem(entry, rule, values)
                if problem:
                    shown = f"{entry!r} in {value!r}" if kind is list else f"{value!r}"
                    raise ValueError(f"parameter {p.name!r} must be {problem}; got {shown}")
    return values
