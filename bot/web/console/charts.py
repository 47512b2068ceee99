"""Server-rendered SVG charts (no script, no external library): horizontal bars and stacked
columns per day. Labels are escaped here; the result is safe to insert into a page as is."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

COLOURS = ("#0b6bcb", "#06c755", "#2aabee", "#f4b400", "#b3261e", "#7b1fa2")
ROW = 30
WIDTH = 560
# The charts are drawn 560 wide and scaled to their card (about 330 px on a laptop's 3-column
# grid): sizes here are about 1.7 times what is seen.
FONT = 18
SMALL = 15


def bars(items: Sequence[tuple[str, int]], label: str) -> Markup:
    """One horizontal bar per ``(name, value)``, longest first as given."""
    if not items:
        return Markup("")
    top = max(value for _, value in items) or 1
    height = ROW * len(items) + 4
    rows = []
    for i, (name, value) in enumerate(items):
        y = i * ROW + 2
        w = int((WIDTH - 260) * value / top)
        rows.append(
            f'<text x="0" y="{y + 21}" font-size="{FONT}">{escape(name[:12])}'
            f"<title>{escape(name)}</title></text>"
            f'<rect x="200" y="{y + 5}" width="{max(w, 1)}" height="{ROW - 10}" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{206 + w}" y="{y + 21}" font-size="{FONT}">{value}</text>'
        )
    return _svg(height, label, "".join(rows))


def stacked_columns(days: Sequence[str], series: Mapping[str, Sequence[int]], label: str) -> Markup:
    """One column per day, stacked by series (e.g. channels), with a legend."""
    if not days:
        return Markup("")
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    top = max(totals) or 1
    plot, base = 150, 170
    step = (WIDTH - 40) / len(days)
    parts = [f'<text x="0" y="16" font-size="{SMALL}">{max(totals)}</text>']
    for i, day in enumerate(days):
        x, y = 30 + i * step, float(base)
        for colour, values in zip(COLOURS, series.values(), strict=False):
            h = plot * values[i] / top
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(day)}: {values[i]}</title></rect>'
            )
        if (len(days) - 1 - i) % max(1, len(days) // 5) == 0:  # about five dates, today's last
            parts.append(
                f'<text x="{x:.1f}" y="{base + 18}" font-size="{SMALL}">{escape(day[5:])}</text>'
            )
    for j, (name, colour) in enumerate(zip(series, COLOURS, strict=False)):
        parts.append(
            f'<rect x="{30 + j * 120}" y="{base + 30}" width="14" height="14" fill="{colour}"/>'
            f'<text x="{50 + j * 120}" y="{base + 43}" font-size="{SMALL}">{escape(name)}</text>'
        )
    return _svg(base + 52, label, "".join(parts))


def _svg(height: int, label: str, body: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(label)}">{body}</svg>'
    )
