r"""Claims as data: the paper's sentence, where it is, what is measured, and the rule for the verdict.

A :class:`Claim` is declared once, in :mod:`lqg.reproduction.catalog`; :func:`evaluate` turns a list
of claims and a mapping of measured values into :class:`Verdict` objects. The measured text is a
template over the measured values (:func:`fill`); the rule is two conditions of
:mod:`lqg.reproduction.rules`, decided by the intervals of the measured values: ``reproduced``,
``partly``, ``not reproduced``, or ``borderline`` when an interval straddles a threshold. Texts may
hold LaTeX between dollars ($\sigma^2$), which the book renders.

A template's fields are ``{name}`` or ``{name:format}`` (:func:`format`'s mini-language, or a
measure's own: a :class:`~lqg.experiments.measures.Proportion` prints as ``14/16 (63-97 %)``) for
a measured value ``name``; a sequence takes ``|sep`` after its format, ``{errors:.3g|, }``, to
format every entry and join them. Braces that do not name a measured value (LaTeX's) are left
alone.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from ..experiments.measures import NOT_MEASURED
from .rules import NEVER, Condition, decide

__all__ = ["Claim", "Verdict", "evaluate", "fill"]


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
        The paper's words, quoted exactly (one contiguous sentence or formula); a claim of the
        companion beyond the paper is marked so in ``where``.
    measured : str
        Template of what was measured (:func:`fill`).
    reproduced : Condition
        The claim reproduces when it is true (:mod:`lqg.reproduction.rules`).
    partly : Condition
        The claim partly reproduces when it is true and ``reproduced`` is false.
    section : str
        The heading of the notebook section that measures it (the report links there).
    figure : str
        The paper's figure the claim is about ("" if none).
    headline : str
        Template of the one number a table cell shows next to the verdict ("" for none).
    rule_change : str
        How and why the rule differs from the one this claim had before (the rules are fixed
        before the numbers are seen; a change is stated here and in the report).
    note : str
        What a reader should know beside the verdict (shown in the report).
    """

    key: str
    where: str
    paper: str
    measured: str
    reproduced: Condition
    partly: Condition = NEVER
    section: str = "Claims"
    figure: str = ""
    headline: str = ""
    rule_change: str = ""
    note: str = ""

    def rule(self) -> str:
        """The rule in words, thresholds included."""
        text = f"reproduced if {self.reproduced.describe()}"
        if self.partly is not NEVER:
            text += f"; partly if {self.partly.describe()}"
        return text


@dataclass(frozen=True)
class Verdict:
    """A claim with the text of what was measured, its verdict and its rule.

    ``candidates`` lists, for a *borderline* verdict, the verdicts the intervals leave possible."""

    key: str
    where: str
    paper: str
    measured: str
    verdict: str
    section: str = "Claims"
    figure: str = ""
    headline: str = ""
    rule: str = ""
    candidates: tuple = field(default_factory=tuple)
    rule_change: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        """``"borderline (reproduced or partly)"`` for a borderline verdict, else the verdict."""
        if self.verdict != "borderline":
            return self.verdict
        return f"borderline ({' or '.join(self.candidates)})"

    def as_dict(self) -> dict:
        return {**asdict(self), "candidates": list(self.candidates)}


_FIELD = re.compile(r"\{([A-Za-z_]\w*)(?::([^{}|]*)(?:\|([^{}]*))?)?\}")


def fill(template: str, values: Mapping) -> str:
    """``template`` with the measured ``values`` put in (module docstring)."""
    def put(match):
        name, spec, sep = match.group(1), match.group(2) or "", match.group(3)
        if name not in values:
            return match.group(0)
        value = values[name]
        if value is None or value is NOT_MEASURED:
            return "not measured"
        if sep is not None:
            return sep.join(format(v, spec) for v in value)
        return format(value, spec)

    return _FIELD.sub(put, template)


def evaluate(claims: Iterable[Claim], values: Mapping) -> list[Verdict]:
    """Each claim's verdict on the measured ``values``: one function for every claim of the book."""
    verdicts = []
    for c in claims:
        try:
            verdict, candidates = decide(c.reproduced, c.partly, values)
        except KeyError as exc:
            raise ValueError(f"claim {c.key!r}: {exc.args[0]}") from None
        verdicts.append(Verdict(c.key, c.where, c.paper, fill(c.measured, values), verdict,
                                c.section, c.figure, fill(c.headline, values), c.rule(),
                                candidates, c.rule_change, c.note))
    return verdicts


_LATEX = [(r"\left", ""), (r"\right", ""), (r"\quad", " "), (r"\cdots", "..."), (r"\dots", "..."),
          (r"\mathbb{E}", "E"), (r"\mathbf", ""), (r"\boldsymbol", ""), (r"\pmb", ""),
          (r"\underline\sigma", "sigma"), (r"\widehat{\alpha}", "alpha_hat"), (r"\hat\alpha", "alpha_hat"),
          (r"\widehat\Sigma", "Sigma_hat"), (r"\widehat{\nabla_{K_t^i}C^i}", "grad_hat C^i"),
          (r"\leq", "<="), (r"\geq", ">="), (r"\le ", "<= "), (r"\ge ", ">= "), (r"\le", "<="),
          (r"\ge", ">="), (r"\in ", "in "),
          (r"\|", "||"), (r"\mathbb E", "E"), (r"\top", "T"), (r"\operatorname{Tr}", "Tr"),
          (r"\infty", "inf"), (r"\varepsilon", "eps"), (r"\nabla", "grad"), (r"\cdot", "."),
          (r"\,", " "), (r"\;", " ")]


def plain(text: str) -> str:
    """Text without the dollars and backslashes of its LaTeX, for printing."""
    for latex, word in _LATEX:
        text = text.replace(latex, word)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    return text.replace("$", "")


def claims_table(verdicts: Iterable[Verdict], width: int = 88) -> str:
    """The verdicts as a plain-text table (stable across runs and CPUs, so nbval can compare it)."""
    blocks = []
    for v in verdicts:
        wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="    ")
        blocks.append("\n".join([
            f"[{v.label.upper()}] {v.key} ({v.where})",
            wrap.fill("paper:    " + plain(v.paper)),
            wrap.fill("measured: " + plain(v.measured)),
            wrap.fill("rule:     " + plain(v.rule)),
        ]))
    return "\n\n".join(blocks)
