r"""The book's reproduction report and figures page, assembled from the notebooks' ``results.json``.

Every notebook's closing cell writes ``outputs/<notebook>/results.json`` (:class:`~.record.NotebookRecord`):
its claims with their verdicts, the measured values, the figures it saved and its provenance.
:func:`load_results` reads them back; :func:`summary_markdown`, :func:`claims_markdown` and
:func:`provenance_markdown` render the report's parts, :func:`figures_markdown` the figures page.
The Markdown is MyST: math between dollars renders, links to notebook sections use the heading
anchors the book generates (``heading_anchor``), and each verdict is an icon with its word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..experiments.measures import from_json
from .claims import fill
from .record import output_root
from .rules import VERDICTS
from .study import badge
from .study import fitted as fitted_table

__all__ = ["PAPER_SECTIONS", "FIGURES", "load_results", "summary_markdown", "claims_markdown",
           "provenance_markdown", "figures_markdown", "Figure"]

#: The paper's sections and the notebooks that measure their claims, in the book's order.
PAPER_SECTIONS = (
    ("§2", "The game and its Nash equilibrium", ("01_game_and_equilibrium",)),
    ("§3", "Algorithm 1 and its theory", ("02_known_parameters",)),
    ("§4", "Algorithm 2's estimates", ("03_unknown_parameters",)),
    ("§5.1", "Figures 1-6: Algorithm 1", ("04_section_5_1_convergence",
                                           "05_section_5_1_deterministic")),
    ("§5.2", "Figures 7-8: Algorithm 2", ("06_section_5_2_noise",)),
)
#: The notebook of the readings study, and which of its sections covers which paper section.
READINGS_NOTEBOOK = "07_readings"
_STUDY_SECTIONS = {"§5.1": "5.1", "§5.2": "5.2"}


def load_results(root: str | Path | None = None) -> dict:
    """notebook name -> its ``results.json``, for every notebook folder under ``root`` (default
    ``record.output_root``), in the order of the names."""
    root = Path(root) if root is not None else output_root()
    found = {}
    for path in sorted(root.glob("*/results.json")):
        data = json.loads(path.read_text())
        found[data.get("notebook", path.parent.name)] = data
    return found


def heading_anchor(heading: str) -> str:
    """The anchor the book gives a notebook heading: MyST's slug of its text, where math
    (``$...$``) contributes nothing (MyST's ``default_slugify`` of the heading's text tokens)."""
    text = re.sub(r"\$[^$]*\$", "", heading)
    text = re.sub(r"[*`]", "", text)
    return re.sub(r"[^\w\u4e00-\u9fff\- ]", "", text.lower().replace(" ", "-"))


def verdict_badge(verdict: str, candidates=()) -> str:
    """An icon and the verdict's word, e.g. ``✔ reproduced`` (coloured in the book); a borderline
    verdict shows the verdicts its intervals leave possible."""
    if verdict == "borderline" and candidates:
        return badge(verdict, f"borderline ({' or '.join(candidates)})")
    return badge(verdict)


def _cell(text: str) -> str:
    """Text for a Markdown table cell: pipes escaped outside math, norms and absolute values
    written as ``\\Vert`` and ``\\vert`` inside it (a table splits its rows at every ``|``)."""
    parts = re.split(r"(\$[^$]*\$)", str(text).replace("\n", " "))
    out = []
    for part in parts:
        if part.startswith("$") and part.endswith("$") and len(part) > 1:
            part = part.replace(r"\|", r"\Vert ").replace("|", r"\vert ")
        else:
            part = part.replace("|", r"\|")
        out.append(part)
    return "".join(out)


def _link(notebook: str, section: str, text: str) -> str:
    return f"[{text}](../notebooks/{notebook}.ipynb#{heading_anchor(section)})"


def _counts(verdicts: Iterable[str]) -> str:
    verdicts = list(verdicts)
    return " · ".join(badge(v, str(verdicts.count(v))) for v in VERDICTS
                      if v in verdicts or v in VERDICTS[:3])


def summary_markdown(results: Mapping) -> str:
    """Per section of the paper: how many of its claims reproduce, partly reproduce, do not, and
    are borderline, as printed (the section's notebooks), as printed in the readings study (the
    same runs for Section 5.1, the same seeds for 5.2), and under the study's best reading of the
    section, with the number of readings it is the best of."""
    study = results.get(READINGS_NOTEBOOK, {}).get("summary", {})
    best = {}
    for entry in study.values():
        best.setdefault(entry["section"], (entry["best_reading"], entry["readings_tried"]))
    lines = ["| section | claims | as printed | readings study: as printed | readings study: "
             "the best reading |", "|---|---|---|---|---|"]
    for mark, title, notebooks in PAPER_SECTIONS:
        claims = [c for name in notebooks for c in results.get(name, {}).get("claims", [])]
        if not claims:
            lines.append(f"| {mark} {title} | not run | | | |")
            continue
        key = _STUDY_SECTIONS.get(mark)
        entries = [e for e in study.values() if e["section"] == key] if key else []
        literal = _counts(e["literal"] for e in entries) if entries else "no readings"
        under = (f"{_counts(e['best'] for e in entries)} (`{best[key][0]}`, the best of "
                 f"{best[key][1]} readings)" if entries else "no readings")
        lines.append(f"| {mark} {title} | {len(claims)} | {_counts(c['verdict'] for c in claims)} "
                     f"| {literal} | {under} |")
    return "\n".join(lines)


def claims_markdown(results: Mapping, notebooks: Iterable[str], *, readings: bool = True,
                    fitted: bool = True) -> str:
    """One table row per claim of ``notebooks``, three columns: where the paper says it (a link to
    the notebook section that measures it) and its words; what was measured (with n and 95 %
    intervals) and, for Section 5 (``readings``), its verdicts per reading; the verdict, with its
    rule and thresholds in small print (and how the rule changed, if it did); ``fitted``: in
    :func:`~lqg.reproduction.study.fitted`, so that it fits the book's text column."""
    study = results.get(READINGS_NOTEBOOK, {}).get("summary", {}) if readings else {}
    lines = ["| the paper says | measured | verdict and rule |", "|---|---|---|"]
    for name in notebooks:
        data = results.get(name)
        if data is None:
            continue
        for claim in data.get("claims", []):
            where = _link(name, claim.get("section", "Claims"), claim["where"])
            text = claim.get("rule", "")
            if claim.get("rule_change"):
                text += f". *Rule history:* {claim['rule_change']}"
            if claim.get("note"):
                text += f" *Note:* {claim['note']}"
            measured = claim["measured"]
            entry = study.get(claim["key"]) if study else None
            if entry:
                measured += f" *Readings:* {_readings_text(entry)}."
            verdict = verdict_badge(claim["verdict"], claim.get("candidates", ()))
            lines.append(f"| **{where}**: {_cell(claim['paper'])} | {_cell(measured)} | "
                         f"{verdict}<br><small>{_cell(text)}</small> |")
    table = "\n".join(lines)
    return fitted_table(table, [34, 36, 30]) if fitted else table


def _names(readings) -> str:
    return ", ".join(f"`{r}`" for r in readings) or "none"


def _readings_text(entry: Mapping) -> str:
    return (f"as printed {badge(entry['literal'], '')}; under `{entry['best_reading']}` (best of "
            f"{entry['readings_tried']} readings) {badge(entry['best'], '')}; readings that "
            f"reproduce it: {_names(entry['readings_reproduced'])}; partly: "
            f"{_names(entry['readings_partly'])}; borderline: "
            f"{_names(entry['readings_borderline'])}. Sensitivity checks that reproduce it: "
            f"{_names(entry['checks_reproduced'])}")


def provenance_markdown(results: Mapping) -> str:
    """What the report was built from: per notebook, lqg's version, git commit and code
    fingerprint, the versions of NumPy, SciPy and Matplotlib, whether it ran at the paper's
    settings, the date and the wall time (:func:`~lqg.reproduction.study.fitted`)."""
    lines = ["| notebook | lqg | git commit | code | NumPy / SciPy / Matplotlib | paper's settings "
             "| date | wall time |", "|---|---|---|---|---|---|---|---|"]
    for name, data in results.items():
        p = data.get("provenance", {})
        lines.append(
            f"| {name} | {p.get('lqg', '?')} | {_cell(p.get('git_commit', '?'))} | "
            f"`{p.get('code', '?')}` | {p.get('numpy', '?')} / {p.get('scipy', '?')} / "
            f"{p.get('matplotlib', '?')} | {'yes' if data.get('at_paper_settings') else 'no'} | "
            f"{p.get('date', '?')[:19]} | {p.get('wall_time_s', float('nan')):.0f} s |")
    return fitted_table("\n".join(lines), [20, 7, 20, 12, 14, 9, 11, 7])


# ---------------------------------------------------------------------------
# the figures page


@dataclass(frozen=True)
class Figure:
    """A figure of the book: where it is saved, the paper's caption, and our finding.

    ``finding`` is a template over the notebook's measured values and its claims' verdicts
    (``{verdict:KEY}`` is the icon and word of claim KEY).
    """

    title: str
    notebook: str
    image: str
    caption: str
    finding: str
    section: str = ""


def _finding(figure: Figure, data: Mapping) -> str:
    verdicts = {c["key"]: c for c in data.get("claims", [])}
    text = re.sub(r"\{verdict:([\w.-]+)\}",
                  lambda m: verdict_badge(verdicts[m.group(1)]["verdict"],
                                          verdicts[m.group(1)].get("candidates", ()))
                  if m.group(1) in verdicts else "?", figure.finding)
    return fill(text, {**data.get("parameters", {}), **from_json(data.get("measured", {}))})


def figures_markdown(results: Mapping, figures: Iterable[Figure], *,
                     folder: str = "../outputs") -> str:
    """A grid of cards, one per figure that exists: the thumbnail, the paper's caption, our
    finding and a link to the notebook section."""
    cards = []
    for figure in figures:
        data = results.get(figure.notebook)
        if data is None or figure.image not in data.get("figures", []):
            continue
        target = f"../notebooks/{figure.notebook}.ipynb"
        if figure.section:
            target += f"#{heading_anchor(figure.section)}"
        cards.append(
            f":::{{grid-item-card}} {figure.title}\n:img-top: {folder}/{figure.notebook}/"
            f"{figure.image}.png\n:img-alt: {figure.title}\n\n"
            f"**The paper:** {figure.caption}\n\n**Here:** {_finding(figure, data)}\n\n"
            f"[Open in notebook {figure.notebook[:2]}]({target})\n:::")
    return "::::{grid} 1 2 2 2\n:gutter: 3\n\n" + "\n\n".join(cards) + "\n::::"


#: Figures 1-8 of the paper, then the figures beyond it.
FIGURES = (
    Figure("Figure 1", "04_section_5_1_convergence", "figure_1",
           r"Normalized error under different $\sigma^2$ when $r = 0.25$ ($\eta_1 = \eta_2 = 0.1$ "
           "and $M = 5000$).",
           "median and 10-90 % band over {runs} initial policies per radius; below 0.5 % from "
           "$m = 1000$ on: {verdict:accuracy-1000} (worst setting {reached_worst}).",
           "Figures 1 and 2"),
    Figure("Figure 2", "04_section_5_1_convergence", "figure_2",
           r"Normalized error under different $\sigma^2$ when $r = 0.30$ ($\eta_1 = \eta_2 = 0.1$ "
           "and $M = 5000$).",
           "{verdict:larger-radius-slower} that the larger radius is slower; "
           "{verdict:peak-shrinks} that player 2's peak shrinks with the noise (the iterates do "
           "not depend on it).",
           "Figures 1 and 2"),
    Figure("Figure 3", "04_section_5_1_convergence", "figure_3",
           r"Normalized error and trajectories of learned policies with $\sigma^2 = 0$ and "
           r"$r = 0.3$ ($\eta_1 = \eta_2 = 0.1$, $M = 10000$); the peak period 300-900 in grey.",
           "{verdict:overshoot-recovery}: runs like the paper's (overshoot, turn in the grey "
           "window, convergence): {like_paper}.", "Figure 3: overshoot and recovery"),
    Figure("Figure 4", "05_section_5_1_deterministic", "figure_4",
           r"Performance of the natural policy gradient algorithm with $r = 0.42$ and "
           r"$\eta_1 = \eta_2 = 0.001$ ($M = 10000$).",
           "{verdict:fig4-diverges}: runs that blow up or drift away: {f4_away}.", ""),
    Figure("Figure 5", "05_section_5_1_deterministic", "figure_5",
           r"... with $r = 0.42$, $\eta_1 = 0.001$ and $\eta_2 = 0.01$ ($M = 10000$).",
           "{verdict:fig5-step-size}: converged {f5_converged}.", ""),
    Figure("Figure 6", "05_section_5_1_deterministic", "figure_6",
           r"... with $r = 0.16$ and $\eta_1 = \eta_2 = 0.001$ ($M = 10000$).",
           "{verdict:fig6-radius}: converged {f6_converged}.", ""),
    Figure("Figure 7", "06_section_5_2_noise", "figure_7",
           r"Performance of the natural policy gradient algorithm with unknown parameters "
           r"($\eta_1 = \eta_2 = 0.0005$).",
           "as printed, {verdict:diverges-low-noise} divergence at $\\sigma^2 \\le 10^{-4}$, "
           "{verdict:converges-0.01} convergence with fluctuations at 0.01, "
           "{verdict:accuracy-0.1} 5 % at 0.1 within 300 iterations without fluctuations; the "
           "readings study gives each reading's verdicts.",
           "Figure 7"),
    Figure("Figure 8", "06_section_5_2_noise", "figure_8",
           r"Trajectory of learned policy $K_0^1 = (K_{00}^1, K_{01}^1)$ "
           r"($\eta_1 = \eta_2 = 0.0005$, $M = 500$).",
           "{verdict:figure-8} as printed.", "Figure 8: the path of $K_0^1$"),
    Figure("Figure 7 under the best reading", READINGS_NOTEBOOK, "figure_7_readings",
           "Beyond the paper: Figure 7 as printed and under the reading of Algorithm 2 that "
           "reproduces the most claims.",
           "the best of the readings tried, and ten times the stated noise; the report gives "
           "their verdicts claim by claim.",
           "Figure 7 under the literal reading and under the best reading"),
    Figure("More players: Algorithm 1", "08_n_players", "nash_gap",
           "Beyond the paper: the Nash gap of Algorithm 1 for N = 3, 5 and 10.",
           "{verdict:n-players}: converged per game {converged_by_game}.",
           "Algorithm 1 from near the equilibrium"),
    Figure("More players: Algorithm 2", "09_model_free_n_players", "convergence",
           "Beyond the paper: Algorithm 2 for N = 2, 3 and 5 players.",
           "{verdict:model-free-n}: below the level as printed {literal_reached:k|, }; with the "
           "cost-to-go reading {reading_reached:k|, } (N = {players:d|, }).",
           "Convergence over seeds"),
    Figure("The counterexample of [11]", "10_counterexample", "saddle_game",
           "Beyond the paper: a game whose equilibrium is a saddle of gradient play.",
           "{verdict:noise-avoids}: runs of the paper's setting that end farther from the "
           "equilibrium: {saddle_paper_away}.",
           "A game [11] describes, and the paper's remedies"),
    Figure("Sensitivity map, Algorithm 1", "11_sensitivity_maps", "map_algorithm_1",
           "Beyond the paper: Algorithm 1 over radius and step size.",
           "{verdict:initial-policy-and-step}.",
           "Map 1: Algorithm 1 on the Section 5.1 game over $(r, \\eta)$"),
    Figure("Sensitivity map, Algorithm 2", "11_sensitivity_maps", "map_algorithm_2",
           "Beyond the paper: Algorithm 2 over noise level and episodes.",
           "{verdict:noise-helps-map}.",
           "Map 2: Algorithm 2 on the Section 5.2 game over $(\\sigma^2, L)$"),
    Figure("The gradient estimator", "12_gradient_estimator", "sigma2_threshold",
           "Beyond the paper: the noise Algorithm 2 needs, with the paper's, a two-point and an "
           "exploring estimator.", "{verdict:exploration-adds-noise}.",
           "5. The $\\sigma^2$ threshold of Figure 7"),
)
