r"""Claims as data: the paper's sentence, where it is, what is measured, and the rule for the verdict.

A :class:`Claim` is declared once, in :mod:`lqg.reproduction.catalog`; :func:`evaluate` turns a list
of claims and a mapping of measured values into :class:`Verdict` objects. The measured text is a
template over the measured values (:func:`fill`), and the verdict rules are Python expressions over
them: ``reproduced`` when the first holds, ``partly`` when the second does, ``not reproduced``
otherwise. Texts may hold LaTeX between dollars ($\sigma^2$), which the book renders.

A template's fields are ``{name}`` or ``{name:format}`` (:func:`format`'s mini-language) for a
measured value ``name``; a sequence takes ``|sep`` after its format, ``{errors:.3g|, }``, to format
every entry and join them. Braces that do not name a measured value (LaTeX's) are left alone.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["VERDICTS", "Claim", "Verdict", "fill", "evaluate", "claims_table"]

#: The three verdicts a claim can get, best first.
VERDICTS = ("reproduced", "partly", "not reproduced")


@dataclass(frozen=True)
class Claim:
    """One statement of the paper (or one the companion puts to the test beyond it).

    Attributes
    ----------
    key : str
        Identifier, unique within its list.
    where : str
        Where the paper says it, e.g. ``"§5.2, Fig. 7"``.
    paper : str
        The paper's words (quoted, or closely paraphrased in brackets).
    measured : str
        Template of what was measured (:func:`fill`).
    reproduced : str
        Expression over the measured values: the claim reproduces when it is true.
    partly : str
        Expression: the claim partly reproduces when it is true (and ``reproduced`` is not).
    section : str
        The heading of the notebook section that measures it (the report links there).
    figure : str
        The paper's figure the claim is about ("" if none).
    headline : str
        Template of the one number a table cell shows next to the verdict ("" for none).
    """

    key: str
    where: str
    paper: str
    measured: str
    reproduced: str
    partly: str = "False"
    section: str = "Claims"
    figure: str = ""
    headline: str = ""


@dataclass(frozen=True)
class Verdict:
    """A claim with the text of what was measured and its verdict."""

    key: str
    where: str
    paper: str
    measured: str
    verdict: str
    section: str = "Claims"
    figure: str = ""
    headline: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


_FIELD = re.compile(r"\{([A-Za-z_]\w*)(?::([^{}|]*)(?:\|([^{}]*))?)?\}")


def fill(template: str, values: Mapping) -> str:
    """``template`` with the measured ``values`` put in (module docstring)."""
    def put(match):
        name, spec, sep = match.group(1), match.group(2) or "", match.group(3)
        if name not in values:
            return match.group(0)
        value = values[name]
        if sep is not None:
            return sep.join(format(v, spec) for v in value)
        return format(value, spec)

    return _FIELD.sub(put, template)


_SAFE = {"all": all, "any": any, "min": min, "max": max, "abs": abs, "len": len, "sum": sum,
         "np": np, "math": math, "True": True, "False": False}


def _holds(expression: str, values: Mapping, key: str) -> bool:
    try:
        return bool(eval(expression, {"__builtins__": {}}, {**_SAFE, **values}))  # noqa: S307
    except Exception as exc:  # a rule that cannot be evaluated is a bug in the catalog
        raise ValueError(f"claim {key!r}: cannot evaluate rule {expression!r}: {exc}") from exc


def evaluate(claims: Iterable[Claim], values: Mapping) -> list[Verdict]:
    """Each claim's verdict on the measured ``values``: one function for every claim of the book."""
    verdicts = []
    for c in claims:
        verdict = ("reproduced" if _holds(c.reproduced, values, c.key) else
                   "partly" if _holds(c.partly, values, c.key) else "not reproduced")
        verdicts.append(Verdict(c.key, c.where, c.paper, fill(c.measured, values), verdict,
                                c.section, c.figure, fill(c.headline, values)))
    return verdicts


_LATEX = [(r"\underline\sigma", "sigma"), (r"\hat\alpha", "alpha_hat"),
          (r"\widehat\Sigma", "Sigma_hat"), (r"\widehat{\nabla_{K_t^i}C^i}", "grad_hat C^i"),
          (r"\le ", "<= "), (r"\ge ", ">= "), (r"\le", "<="), (r"\ge", ">="), (r"\in ", "in "),
          (r"\|", "||"), (r"\mathbb E", "E"), (r"\top", "T"), (r"\operatorname{Tr}", "Tr"),
          (r"\infty", "inf"), (r"\varepsilon", "eps"), (r"\nabla", "grad"), (r"\cdot", "."),
          (r"\,", " "), (r"\;", " ")]


def plain(text: str) -> str:
    """Text without the dollars and backslashes of its LaTeX, for printing."""
    for latex, word in _LATEX:
        text = text.replace(latex, word)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    return text.replace("$", "")


def claims_table(verdicts: Iterable[Verdict], width: int = 100) -> str:
    """The verdicts as a plain-text table (stable across runs, so nbval can compare it)."""
    blocks = []
    for v in verdicts:
        wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="    ")
        blocks.append("\n".join([
            f"[{v.verdict.upper()}] {v.key} ({v.where})",
            wrap.fill("paper:    " + plain(v.paper)),
            wrap.fill("measured: " + plain(v.measured)),
        ]))
    return "\n\n".join(blocks)
