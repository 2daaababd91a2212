"""The readings study's bookkeeping: claims evaluated under every reading, tables and the record.

:func:`verdict_table` evaluates a list of claims on the measured values of each reading;
:func:`markdown_table` shows it as icons (reading x claim) and :func:`text_table` with each claim's
headline number; :func:`conclude` prints, per claim, the verdict as printed, the readings under
which it reproduces and partly reproduces, and apart from them the sensitivity checks, and writes
the study's ``results.json``. :func:`best_reading` is the best of the *readings* (never a
sensitivity check), and the study says of how many.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..experiments.measures import measure_json
from .claims import Claim, Verdict, claims_table, evaluate
from .record import NotebookRecord

__all__ = ["verdict_table", "fitted", "markdown_table", "text_table", "best_reading", "readings_markdown",
           "conclude"]

#: How a verdict shows, an icon beside the word (symbols every common font has).
ICONS = {"reproduced": "✔", "partly": "◐", "not reproduced": "✘", "borderline": "?",
         "not measured": "–"}
_LETTER = {"reproduced": "R", "partly": "p", "not reproduced": "-", "borderline": "?",
           "not measured": "n"}


def badge(verdict: str, text: str | None = None) -> str:
    """The verdict's icon and ``text`` (default the verdict's word), as an HTML span the book
    colours (``book/_static/lqg.css``): distinct at a glance, readable as text."""
    slug = verdict.replace(" ", "-")
    shown = verdict if text is None else text
    return f'<span class="verdict verdict-{slug}">{f"{ICONS[verdict]} {shown}".strip()}</span>'


def verdict_table(claims: list[Claim], values: Mapping[str, Mapping]) -> dict:
    """reading -> claim key -> :class:`~lqg.reproduction.claims.Verdict`, for the measured
    ``values`` of each reading."""
    return {reading: {v.key: v for v in evaluate(claims, measured)}
            for reading, measured in values.items()}


def _score(row: Mapping) -> tuple:
    verdicts = [v.verdict for v in row.values()]
    return verdicts.count("reproduced"), verdicts.count("partly")


def best_reading(table: Mapping, kinds: Mapping[str, str]) -> tuple[str, int]:
    """The reading (not a sensitivity check) that reproduces the most claims, then partly
    reproduces the most, then comes first; and how many readings it was chosen from."""
    order = [r for r in table if kinds[r] != "sensitivity check"]
    best = max(order, key=lambda r: (*_score(table[r]), -order.index(r)))
    return best, len(order)


def found_by_claim(table: Mapping, kinds: Mapping[str, str]) -> dict:
    """claim key -> the readings under which it is reproduced, partly, borderline; and the same
    for the sensitivity checks, apart."""
    keys = next(iter(table.values())).keys()
    out = {}
    for key in keys:
        entry = {}
        for group, wanted in (("readings", False), ("checks", True)):
            rows = {r: row[key] for r, row in table.items()
                    if (kinds[r] == "sensitivity check") == wanted}
            for verdict in ("reproduced", "partly", "borderline"):
                entry[f"{group}_{verdict}"] = [r for r, v in rows.items() if v.verdict == verdict]
        out[key] = entry
    return out


def _row_label(reading: str, labels: Mapping[str, str], kinds: Mapping[str, str]) -> str:
    label = labels.get(reading, reading)
    return f"*{label}* (check)" if kinds.get(reading) == "sensitivity check" else label


def fitted(table: str, widths, grid: bool = False) -> str:
    """A Markdown table inside a MyST ``table`` directive with fixed column ``widths`` (relative)
    and the class ``fitted`` (``book/_static/lqg.css``), so that it fits the book's text column:
    long cells wrap and wide formulas scroll inside their cell. A ``grid`` (a verdict per cell)
    sets its column headings upright, so that narrow columns keep whole claim names."""
    classes = "fitted grid" if grid else "fitted"
    return f"```{{table}}\n:class: {classes}\n:widths: {' '.join(map(str, widths))}\n\n{table}\n```"


def markdown_table(table: Mapping, labels: Mapping[str, str], kinds: Mapping[str, str]) -> str:
    """A Markdown table: one row per reading (sensitivity checks in italics, marked), one column
    per claim, each cell the verdict's icon (:func:`fitted`; the numbers are in
    :func:`text_table`)."""
    keys = list(next(iter(table.values())))
    lines = ["| row | " + " | ".join(keys) + " | reproduced |",
             "|---|" + "---|" * len(keys) + "---|"]
    for reading, row in table.items():
        cells = [badge(row[k].verdict, "") for k in keys]
        lines.append(f"| {_row_label(reading, labels, kinds)} | " + " | ".join(cells)
                     + f" | {_score(row)[0]} of {len(keys)} |")
    column = max(5, (100 - 30 - 10) // len(keys))
    return fitted("\n".join(lines), [30, *[column] * len(keys), 10], grid=True)


def readings_markdown(rows: Mapping[str, list]) -> str:
    """The rows of the study as a Markdown table (:func:`fitted`): the row (its section and kind),
    the quoted words and where they are, and how the row reads them."""
    def cell(text):
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| row | the paper's words | how they are read |", "|---|---|---|"]
    for section, readings in rows.items():
        for r in readings:
            words = f"\"{r.quote}\" ({r.where})" if r.quote else ""
            lines.append(f"| §{section}: **{r.label}** ({r.kind}) | {cell(words)} | "
                         f"{cell(r.reading)} |")
    return fitted("\n".join(lines), [20, 40, 40])


def text_table(table: Mapping, labels: Mapping[str, str]) -> str:
    """The same as plain text (R reproduced, p partly, - not reproduced, ? borderline), for
    printing; one block per claim, so that the lines fit the book's code column."""
    blocks = []
    width = max(len(labels.get(r, r)) for r in table)
    for key in next(iter(table.values())):
        lines = [key]
        for reading, row in table.items():
            v = row[key]
            lines.append(f"  {labels.get(reading, reading):<{width}}  {_LETTER[v.verdict]}  "
                         f"{v.headline}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _listed(readings: list) -> str:
    return ", ".join(readings) or "none"


def conclude(record: NotebookRecord, tables: Mapping[str, Mapping], readings: Mapping[str, list], *,
             measured: Mapping[str, Mapping], literal: str = "literal",
             results: Mapping | None = None) -> None:
    """The readings notebook's closing cell.

    ``tables`` maps a section ("5.1", "5.2") to its :func:`verdict_table`, ``readings`` to its
    readings, ``measured`` to the measured values of each of its readings. For every claim it
    prints the verdict as printed, under the best reading of its
    section (and of how many readings that is the best), the readings under which it reproduces,
    partly reproduces and is borderline, and the sensitivity checks apart; and writes
    ``results.json`` (every verdict of every reading). The tests compare it with the committed
    reference.
    """
    verdicts, summary = [], {}
    for section, table in tables.items():
        kinds = {r.key: r.kind for r in readings[section]}
        best, tried = best_reading(table, kinds)
        by_claim = found_by_claim(table, kinds)
        for key, as_printed in table[literal].items():
            under, found = table[best][key], by_claim[key]
            text = (f"as printed: {as_printed.label} ({as_printed.headline}); under the best of "
                    f"{tried} readings ({best}): {under.label} ({under.headline}); readings "
                    f"that reproduce: {_listed(found['readings_reproduced'])}; partly: "
                    f"{_listed(found['readings_partly'])}; borderline: "
                    f"{_listed(found['readings_borderline'])}; sensitivity checks that "
                    f"reproduce: {_listed(found['checks_reproduced'])}")
            verdicts.append(Verdict(key, as_printed.where, as_printed.paper, text, under.verdict,
                                    "Verdicts per reading", as_printed.figure, under.headline,
                                    as_printed.rule, under.candidates))
            summary[key] = dict(section=section, literal=as_printed.verdict,
                                literal_label=as_printed.label, best_reading=best,
                                readings_tried=tried, best=under.verdict,
                                best_label=under.label, **found)
    print(claims_table(verdicts))
    record.write_results(
        readings={s: [dict(key=r.key, label=r.label, kind=r.kind, where=r.where, quote=r.quote,
                           reading=r.reading) for r in rs] for s, rs in readings.items()},
        verdicts={s: {r: {k: v.as_dict() for k, v in row.items()} for r, row in table.items()}
                  for s, table in tables.items()},
        summary=summary, claims=[v.as_dict() for v in verdicts],
        measured=measure_json({s: dict(values) for s, values in measured.items()}),
        results=measure_json(dict(results or {})))
    record.verdicts = verdicts
