"""Draw the summary as one self-contained HTML page: no script, font, image or link to fetch.

The plots are inline SVG drawn by matplotlib (text as paths, so no font is needed); every
question and passage is escaped, so a question full of markup shows as text. The same page is
written by `report --out` and served live on `/admin`. Does not compute anything: see `summary`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from assistant.answer import OUTCOMES
from assistant.translations import words

OUTCOME_NAMES = {
    "answered": "answered",
    "related": "related passages only",
    "not_covered": "not covered",
    "conversation": "conversation",
}
OUTCOME_COLOURS = {
    "answered": "#2f7d32",
    "related": "#e0a100",
    "not_covered": "#b3261e",
    "conversation": "#8a8a8a",
}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>What students asked: {period}</title>
<style>
body {{ font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
  margin: 0; background: #fafafa; }}
main {{ max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; background: #fff; }}
h1 {{ font-size: 1.5rem; color: #8b0f16; margin-bottom: .2rem; }}
h2 {{ font-size: 1.15rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }}
table {{ border-collapse: collapse; width: 100%; font-size: .92rem; }}
th, td {{ text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid #eee; }}
td.n, th.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
.figures {{ display: flex; flex-wrap: wrap; gap: 1rem; }}
.figures figure {{ margin: 0; flex: 1 1 26rem; }} svg {{ max-width: 100%; height: auto; }}
.cards {{ display: flex; flex-wrap: wrap; gap: .8rem; padding: 0; list-style: none; }}
.cards li {{ border: 1px solid #ddd; border-radius: 6px; padding: .5rem .8rem; }}
.cards strong {{ display: block; font-size: 1.4rem; }}
.muted {{ color: #5a5a5a; font-size: .9rem; }} q {{ quotes: "“" "”"; }}
ul.shown {{ margin: .2rem 0; padding-left: 1.1rem; }}
</style></head><body><main>
{body}
</main></body></html>"""


Action = Callable[[str], str]  # a question -> HTML for what the office can do about it


def report_html(summary: dict[str, Any], act: Action | None = None) -> str:
    """Render `summary.summarize`'s dict as a complete HTML page; `act` adds a cell to each
    unanswered topic and disliked reply (`/admin` links them to pinning and redirecting)."""
    period = f"{summary['since'][:10]} to {summary['until'][:10]}"
    sections = [
        f"<h1>What students asked</h1><p class='muted'>{escape(period)} (UTC). Questions are "
        "stored with personal data masked; no address, cookie or session is kept.</p>",
        _overview(summary),
        "<h2>Questions per day</h2><div class='figures'>"
        f"<figure>{_per_day_svg(summary['days'])}<figcaption class='muted'>Questions per day, "
        "by outcome</figcaption></figure>"
        f"<figure>{_share_svg(summary['days'])}<figcaption class='muted'>Share of questions "
        "answered (conversation left out)</figcaption></figure></div>",
        _languages(summary["languages"]),
        _not_answered(summary["not_answered"], act),
        _disliked(summary["disliked"], act),
        _passages(summary["passages"]),
        _recent(summary["recent"], summary["questions"]),
    ]
    return PAGE.format(period=escape(period), body="\n".join(sections))


def _overview(summary: dict[str, Any]) -> str:
    share = summary["answered_share"]
    cards = [
        ("questions", summary["questions"]),
        ("answered share", f"{share:.0%}" if share is not None else "–"),
        *((OUTCOME_NAMES[o], summary["outcomes"][o]) for o in OUTCOMES),
        ("thumbs up", summary["votes"].get("up", 0)),
        ("thumbs down", summary["votes"].get("down", 0)),
    ]
    items = "".join(f"<li><strong>{escape(str(v))}</strong>{escape(k)}</li>" for k, v in cards)
    return f"<h2>Overview</h2><ul class='cards'>{items}</ul>"


def _languages(languages: dict[str, int]) -> str:
    if not languages:
        return "<h2>Languages</h2><p class='muted'>No questions in this period.</p>"
    names = words("en")["languages"]
    rows = "".join(
        f"<tr><td>{escape(names.get(code, code))} ({escape(code)})</td>"
        f"<td class='n'>{count}</td></tr>"
        for code, count in languages.items()
    )
    return (
        "<h2>Languages</h2><table><thead><tr><th>Language</th><th class='n'>Questions</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _action(act: Action | None, question: str) -> str:
    return f"<td>{act(question)}</td>" if act else ""


def _action_heading(act: Action | None) -> str:
    return "<th>Fix</th>" if act else ""


def _not_answered(topics: Sequence[dict[str, Any]], act: Action | None) -> str:
    heading = "<h2>What the policy could not answer</h2>"
    if not topics:
        return heading + "<p class='muted'>Every question found an answer in the policy.</p>"
    rows = "".join(
        f"<tr><td>{escape(t['label'])}</td><td class='n'>{t['count']}</td><td>"
        + "<br>".join(f"<q>{escape(e)}</q>" for e in t["examples"])
        + f"</td>{_action(act, t['label'])}</tr>"
        for t in topics
    )
    return (
        heading + "<p class='muted'>Questions answered with related passages only, or not at "
        "all, grouped by meaning in any language.</p><table><thead><tr><th>Topic</th>"
        f"<th class='n'>Questions</th><th>Examples</th>{_action_heading(act)}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _shown(passages: Sequence[dict[str, Any]]) -> str:
    if not passages:
        return "<span class='muted'>nothing was shown</span>"
    items = "".join(
        f"<li>{escape(p['section'])} <span class='muted'>({escape(p['source'])}:{p['start']}-"
        f"{p['end']})</span><br>{escape(p['excerpt'])}</li>"
        for p in passages
    )
    return f"<ul class='shown'>{items}</ul>"


def _disliked(disliked: Sequence[dict[str, Any]], act: Action | None) -> str:
    heading = "<h2>Disliked replies</h2>"
    if not disliked:
        return heading + "<p class='muted'>No thumbs-down in this period.</p>"
    rows = "".join(
        f"<tr><td>{escape(d['voted_at'][:16].replace('T', ' '))}</td><td><q>"
        f"{escape(d['question'])}</q></td><td>{_shown(d['shown'])}</td>"
        f"{_action(act, d['question'])}</tr>"
        for d in disliked
    )
    return (
        heading + "<table><thead><tr><th>When</th><th>Question</th><th>What was shown</th>"
        f"{_action_heading(act)}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _passages(passages: dict[str, Any]) -> str:
    most = "".join(
        f"<tr><td>{escape(p['section'])}<br><span class='muted'>{escape(p['excerpt'])}</span>"
        f"</td><td class='n'>{p['times']}</td></tr>"
        for p in passages["most_shown"]
    )
    never = "".join(
        f"<li>{escape(p['section'])}: <span class='muted'>{escape(p['excerpt'])}</span></li>"
        for p in passages["never_shown"]
    )
    return (
        f"<h2>Passages shown most</h2><p class='muted'>{passages['shown']} of "
        f"{passages['total']} passages were shown at least once.</p><table><thead><tr>"
        f"<th>Passage</th><th class='n'>Times shown</th></tr></thead><tbody>{most}</tbody>"
        f"</table><h2>Passages never shown ({len(passages['never_shown'])})</h2>"
        f"<ul>{never}</ul>"
    )


def _recent(recent: Sequence[dict[str, Any]], total: int) -> str:
    heading = f"<h2>Newest questions ({len(recent)} of {total})</h2>"
    if not recent:
        return heading + "<p class='muted'>No questions in this period.</p>"
    rows = "".join(
        f"<tr><td>{escape(r['asked_at'][:16].replace('T', ' '))}</td><td>{escape(r['door'])}</td>"
        f"<td>{escape(r['language'])}</td><td>{escape(OUTCOME_NAMES.get(r['outcome'], ''))}</td>"
        f"<td>{escape(r['vote'] or '')}</td><td>{escape(r['question'])}</td></tr>"
        for r in recent
    )
    return (
        heading + "<table><thead><tr><th>When (UTC)</th><th>Door</th><th>Language</th>"
        "<th>Outcome</th><th>Vote</th><th>Question</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _per_day_svg(days: Sequence[dict[str, Any]]) -> str:
    figure, axes = _figure()
    positions = range(len(days))
    bottom = [0] * len(days)
    for outcome in OUTCOMES:
        counts = [day["outcomes"][outcome] for day in days]
        axes.bar(
            positions,
            counts,
            bottom=bottom,
            color=OUTCOME_COLOURS[outcome],
            label=OUTCOME_NAMES[outcome],
            width=0.8,
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.legend(fontsize=8, frameon=False)
    axes.set_ylabel("questions")
    _date_ticks(axes, days)
    return _svg(figure)


def _share_svg(days: Sequence[dict[str, Any]]) -> str:
    figure, axes = _figure()
    points = [(i, day["answered_share"]) for i, day in enumerate(days)]
    points = [(i, share) for i, share in points if share is not None]
    axes.plot(
        [i for i, _ in points],
        [share * 100 for _, share in points],
        marker="o",
        color=OUTCOME_COLOURS["answered"],
    )
    axes.set_ylim(0, 100)
    axes.set_xlim(-0.5, max(len(days) - 0.5, 0.5))
    axes.set_ylabel("answered (%)")
    _date_ticks(axes, days)
    return _svg(figure)


def _figure() -> tuple[Any, Any]:
    from matplotlib.figure import Figure  # not pyplot: no backend, the figure becomes SVG text

    figure = Figure(figsize=(6.4, 3.0), dpi=96, layout="constrained")
    axes = figure.subplots()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _date_ticks(axes: Any, days: Sequence[dict[str, Any]]) -> None:
    step = max(1, len(days) // 8)
    ticks = list(range(0, len(days), step))
    axes.set_xticks(ticks, [days[i]["date"][5:] for i in ticks], fontsize=8)


def _svg(figure: Any) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "report"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML declaration and doctype
