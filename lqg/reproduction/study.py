"""The readings study's bookkeeping: claims evaluated under every reading, tables and the record.

:func:`verdict_table` evaluates a list of claims on the measured values of each reading;
:func:`markdown_table` and :func:`text_table` show it (reading x claim: the verdict and the claim's
headline number); :func:`conclude` writes the study's ``results.json`` and asserts what the study
found: for every claim, the readings under which it reproduces and partly reproduces.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .claims import VERDICTS, Claim, Verdict, claims_table, evaluate
from .record import Run, plain_json, provenance

__all__ = ["ICONS", "badge", "verdict_table", "markdown_table", "text_table", "best_reading",
           "found_by_claim", "conclude"]

#: How a verdict shows, an icon beside the word (symbols every common font has).
ICONS = {"reproduced": "✔", "partly": "◐", "not reproduced": "✘"}


def badge(verdict: str, text: str | None = None) -> str:
    """The verdict's icon and ``text`` (default the verdict's word), as an HTML span the book
    colours (``book/_static/lqg.css``): distinct at a glance, readable as text."""
    slug = verdict.replace(" ", "-")
    shown = verdict if text is None else text
    return f'<span class="verdict verdict-{slug}">{ICONS[verdict]} {shown}</span>'.replace("  ", " ")
_LETTER = {"reproduced": "R", "partly": "p", "not reproduced": "-"}


def verdict_table(claims: list[Claim], values: Mapping[str, Mapping]) -> dict:
    """reading -> claim key -> :class:`~lqg.reproduction.claims.Verdict`, for the measured
    ``values`` of each reading."""
    return {reading: {v.key: v for v in evaluate(claims, measured)}
            for reading, measured in values.items()}


def _score(row: Mapping) -> tuple:
    verdicts = [v.verdict for v in row.values()]
    return verdicts.count("reproduced"), verdicts.count("partly")


def best_reading(table: Mapping) -> str:
    """The reading that reproduces the most claims (then partly reproduces the most; then the
    earliest in the table)."""
    order = list(table)
    return max(order, key=lambda r: (*_score(table[r]), -order.index(r)))


def found_by_claim(table: Mapping) -> dict:
    """claim key -> {"reproduced": [readings], "partly": [readings]}."""
    keys = next(iter(table.values())).keys()
    return {key: {verdict: [r for r, row in table.items() if row[key].verdict == verdict]
                  for verdict in VERDICTS[:2]} for key in keys}


def markdown_table(table: Mapping, labels: Mapping[str, str]) -> str:
    """A Markdown table: one row per reading, one column per claim, each cell the verdict's icon
    and the claim's headline number."""
    keys = list(next(iter(table.values())))
    lines = ["| reading | " + " | ".join(f"`{k}`" for k in keys) + " | reproduced |",
             "|---|" + "---|" * len(keys) + "---|"]
    for reading, row in table.items():
        cells = [badge(row[k].verdict, row[k].headline) for k in keys]
        lines.append(f"| {labels.get(reading, reading)} | " + " | ".join(cells)
                     + f" | {_score(row)[0]} of {len(keys)} |")
    return "\n".join(lines)


def text_table(table: Mapping, labels: Mapping[str, str]) -> str:
    """The same as plain text (R reproduced, p partly, - not reproduced), for printing."""
    keys = list(next(iter(table.values())))
    width = max(len(labels.get(r, r)) for r in table)
    lines = [" " * width + "  " + "  ".join(f"{k:>{max(len(k), 12)}}" for k in keys)]
    for reading, row in table.items():
        cells = [f"{_LETTER[row[k].verdict] + ' ' + row[k].headline:>{max(len(k), 12)}}" for k in keys]
        lines.append(f"{labels.get(reading, reading):<{width}}  " + "  ".join(cells))
    return "\n".join(lines)


def conclude(run: Run, tables: Mapping[str, Mapping], readings: Mapping[str, list], *,
             found: Mapping[str, Mapping[str, list]], literal: str = "literal",
             results: Mapping | None = None) -> None:
    """The readings notebook's closing cell.

    ``tables`` maps a section ("5.1", "5.2") to its :func:`verdict_table`, ``readings`` to its
    readings. For every claim it prints the verdict under the literal reading and under the best
    reading of its section, writes ``results.json`` (every verdict of every reading) and, at the
    paper's settings, asserts that ``found[claim] = (reproduced, partly)`` lists exactly the
    readings (keys, in a list or separated by spaces) under which the claim reproduces and partly
    reproduces.
    """
    verdicts, summary = [], {}
    for section, table in tables.items():
        best = best_reading(table)
        by_claim = found_by_claim(table)
        for key, as_printed in table[literal].items():
            under = table[best][key]
            text = (f"as printed: {as_printed.verdict} ({as_printed.headline}); best reading "
                    f"({best}): {under.verdict} ({under.headline}); reproduced under "
                    f"{', '.join(by_claim[key]['reproduced']) or 'no reading'}; partly under "
                    f"{', '.join(by_claim[key]['partly']) or 'no reading'}.")
            verdicts.append(Verdict(key, as_printed.where, as_printed.paper, text, under.verdict,
                                    "Verdicts per reading", as_printed.figure, under.headline))
            summary[key] = dict(section=section, literal=as_printed.verdict, best_reading=best,
                                best=under.verdict, **by_claim[key])
    print(claims_table(verdicts))
    payload = {
        "notebook": run.name, "at_paper_settings": run.at_paper_settings,
        "provenance": provenance(run.parameters, run.started),
        "parameters": plain_json(run.parameters), "figures": run.figures,
        "readings": {s: [dict(key=r.key, label=r.label, quote=r.quote) for r in rs]
                     for s, rs in readings.items()},
        "verdicts": {s: {r: {k: v.as_dict() for k, v in row.items()} for r, row in table.items()}
                     for s, table in tables.items()},
        "summary": summary, "claims": [v.as_dict() for v in verdicts],
        "results": plain_json(dict(results or {})),
    }
    (run.folder / "results.json").write_text(json.dumps(payload, indent=1) + "\n")
    run.verdicts = verdicts
    print()
    if not run.at_paper_settings:
        print("Parameters differ from the paper's settings: the findings are reported, not asserted.")
        return
    problems = []
    for key, entry in summary.items():
        if key not in found:
            problems.append(f"{key}: measured but not in found")
            continue
        for verdict, expected in zip(VERDICTS[:2], found[key]):
            want = set(expected.split()) if isinstance(expected, str) else set(expected)
            have = set(entry[verdict])
            if want != have:
                problems.append(f"{key}, {verdict}: now also under {sorted(have - want) or 'none'}, "
                                f"no longer under {sorted(want - have) or 'none'}")
    problems += [f"{key}: expected but not measured" for key in found if key not in summary]
    assert not problems, "findings changed:\n" + "\n".join(problems)
