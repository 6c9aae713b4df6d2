"""Inline SVG bar charts rendered on the server (no chart library, no JavaScript).

Each chart is an ``<svg role="img">`` with a title and a description listing its numbers, so a
screen reader gets the data the picture shows.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR = "#1d5f8a"
BAR_ALT = "#c2661a"
TEXT = "#1f2933"
GRID = "#d5dbe1"


def hbar_chart(rows: list[tuple[str, float, str]], title: str, width: int = 560) -> Markup:
    """Horizontal bars: (label, value, value text) per row."""
    if not rows:
        return Markup(f'<p class="muted">{escape(title)}: belum ada data.</p>')
    label_w, row_h, pad = 190, 28, 8
    bar_w = width - label_w - 70
    top = max((v for _, v, _ in rows), default=0) or 1
    height = pad * 2 + row_h * len(rows)
    desc = "; ".join(f"{lbl}: {txt}" for lbl, _, txt in rows)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}: {escape(desc)}" preserveAspectRatio="xMinYMin meet">',
             f"<title>{escape(title)}</title>", f"<desc>{escape(desc)}</desc>"]
    for i, (lbl, value, txt) in enumerate(rows):
        y = pad + i * row_h
        w = max(0.0, value) / top * bar_w
        parts.append(f'<text x="{label_w - 8}" y="{y + row_h / 2 + 5}" text-anchor="end" '
                     f'fill="{TEXT}" font-size="14">{escape(lbl)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{bar_w}" height="{row_h - 10}" '
                     f'fill="{GRID}" opacity="0.35"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" '
                     f'fill="{BAR}"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + row_h / 2 + 5}" fill="{TEXT}" '
                     f'font-size="14">{escape(txt)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def day_chart(days: list[tuple[str, int, int]], title: str, width: int = 640) -> Markup:
    """Paired vertical bars per day: (day label, inbound, outbound)."""
    if not days:
        return Markup(f'<p class="muted">{escape(title)}: belum ada data.</p>')
    left, bottom, top_pad, height = 36, 40, 12, 220
    plot_h = height - bottom - top_pad
    slot = (width - left - 8) / len(days)
    bar = max(2.0, min(16.0, slot / 2 - 2))
    top = max((max(i, o) for _, i, o in days), default=0) or 1
    desc = "; ".join(f"{d}: masuk {i}, keluar {o}" for d, i, o in days)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">',
             f"<title>{escape(title)}</title>", f"<desc>{escape(desc)}</desc>"]
    base = height - bottom
    for frac in (0, 0.5, 1):
        y = base - frac * plot_h
        parts.append(f'<line x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="{TEXT}">{round(top * frac)}</text>')
    every = max(1, len(days) // 7)  # at most ~7 date labels so they never overlap
    for n, (label, inbound, outbound) in enumerate(days):
        x = left + n * slot + slot / 2
        for value, colour, dx in ((inbound, BAR, -bar - 1), (outbound, BAR_ALT, 1)):
            h = value / top * plot_h
            parts.append(f'<rect x="{x + dx:.1f}" y="{base - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{colour}"/>')
        if n % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{base + 18}" text-anchor="middle" '
                         f'font-size="12" fill="{TEXT}">{escape(label)}</text>')
    legend_y = height - 6
    parts.append(f'<rect x="{left}" y="{legend_y - 10}" width="12" height="12" fill="{BAR}"/>'
                 f'<text x="{left + 16}" y="{legend_y}" font-size="12" fill="{TEXT}">masuk</text>'
                 f'<rect x="{left + 70}" y="{legend_y - 10}" width="12" height="12" '
                 f'fill="{BAR_ALT}"/><text x="{left + 86}" y="{legend_y}" font-size="12" '
                 f'fill="{TEXT}">keluar</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
