"""Render evaluation outcomes: a table by split, kind and language with 95 % intervals, the
latency, a text plot of coverage against precision, and the misses.

Does not ask anything: see `scoring`.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.evaluation.scoring import Metrics, Outcome, Share, risk_coverage, summarise


def groups(outcomes: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    """Group outcomes as the report shows them: all, per split, per kind, per language."""
    table: dict[str, list[Outcome]] = {"all": list(outcomes)}
    for split in sorted({o.case.split for o in outcomes}):
        table[f"split={split}"] = [o for o in outcomes if o.case.split == split]
    for kind in sorted({o.case.kind for o in outcomes}):
        table[f"kind={kind}"] = [o for o in outcomes if o.case.kind == kind]
    for lang in sorted({o.case.lang for o in outcomes}):
        table[f"lang={lang}"] = [o for o in outcomes if o.case.lang == lang]
    table["non-English"] = [o for o in outcomes if o.case.lang != "en"]
    splits = sorted({o.case.split for o in outcomes})
    if len(splits) > 1:
        for split in splits:
            for kind in sorted({o.case.kind for o in outcomes}):
                table[f"{split}/{kind}"] = [
                    o for o in outcomes if o.case.split == split and o.case.kind == kind
                ]
            table[f"{split}/non-English"] = [
                o for o in outcomes if o.case.split == split and o.case.lang != "en"
            ]
    return {name: rows for name, rows in table.items() if rows}


def cell(share: Share) -> str:
    """A share with its 95 % Wilson interval: "0.92 [.88,.95]", or "-" when nothing to count."""
    if not share.total:
        return f"{'-':^14}"
    low, high = share.interval()
    return f"{share.value:.2f} [{low:.2f},{high:.2f}]".replace("0.", ".").replace("1.00", "1")


COLUMNS = (
    ("Hit@1", lambda m: m.hit1),
    ("Hit@3", lambda m: m.hit3),
    ("Sentence", lambda m: m.sentence),
    ("Answerable declined", lambda m: m.wrongly_declined),
    ("Unanswerable declined", lambda m: m.unanswerable_declined),
    ("On-topic declined", lambda m: m.on_topic_declined),
    ("Conversation", lambda m: m.conversation),
)


def metrics_table(outcomes: Sequence[Outcome]) -> list[str]:
    header = f"{'group':<22}{'n':>4}{'ans':>4} {'MRR@5':>5} " + " ".join(
        f"{name[:14]:^14}" for name, _ in COLUMNS
    )
    lines = [header, "-" * len(header)]
    for name, rows in groups(outcomes).items():
        m: Metrics = summarise(rows)
        mrr = "  -  " if m.mrr5 != m.mrr5 else f"{m.mrr5:.3f}"
        cells = " ".join(cell(pick(m)) for _, pick in COLUMNS)
        lines.append(f"{name:<22}{m.questions:>4}{m.answerable:>4} {mrr:>5} {cells}")
    lines.append(
        "Shares with 95 % Wilson intervals. Hit@k and Sentence count only passages offered as "
        "the answer; declined = not answered (related, not covered or conversation)."
    )
    return lines


def text_plot(points: Sequence[tuple[float, float, float]], width: int = 50) -> list[str]:
    """Coverage (x) against precision (y) as text; O marks the shipped operating point."""
    if not points:
        return []
    low = min(p for _, _, p in points)
    floor = min(0.9, int(low * 20) / 20)
    rows = 10
    grid = [[" "] * (width + 1) for _ in range(rows + 1)]
    for index, (_, coverage, precision) in reversed(list(enumerate(points))):  # O drawn last
        x = round(coverage * width)
        y = round((precision - floor) / (1 - floor) * rows) if floor < 1 else rows
        grid[rows - y][x] = "O" if index == 0 else "*"
    lines = ["precision (share of answered questions right at rank 1)"]
    for number, row in enumerate(grid):
        label = floor + (1 - floor) * (rows - number) / rows
        lines.append(f"{label:5.2f} |{''.join(row)}")
    lines.append("      +" + "-" * (width + 1))
    lines.append(f"       0{'coverage (share of answerable questions answered)':^{width - 1}}1")
    _, coverage, precision = points[0]
    lines.append(f"O = shipped operating point: coverage {coverage:.2f}, precision {precision:.2f}")
    return lines


def format_report(outcomes: Sequence[Outcome]) -> str:
    """Render the metrics table, the latency, the risk-coverage plot, then the misses."""
    lines = metrics_table(outcomes)
    times = sorted(o.seconds * 1000 for o in outcomes)
    if times:
        lines.append(
            f"\nwarm latency per question: median {times[len(times) // 2]:.1f} ms, "
            f"max {times[-1]:.1f} ms over {len(times)} questions"
        )
    plot = text_plot(risk_coverage(outcomes))
    if plot:
        lines.append("")
        lines.extend(plot)
    misses = [o for o in outcomes if missed(o)]
    if misses:
        lines.append("\nnot right:")
        lines.extend(
            f"  {o.case.id} [{o.case.kind}/{o.case.lang}] rank={o.rank} {o.outcome}: "
            f"{o.case.question}"
            for o in misses
        )
    return "\n".join(lines)


def missed(outcome: Outcome) -> bool:
    """Wrong first passage, answered without an answer, or talk not recognised as talk."""
    case = outcome.case
    if case.conversation:
        return outcome.outcome != "conversation"
    return outcome.rank != 1 if case.answerable else outcome.answered
