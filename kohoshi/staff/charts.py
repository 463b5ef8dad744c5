"""Small server-side SVG charts: no JavaScript, readable at any font size, always with a text
alternative (the templates put the same numbers in a table next to each chart)."""
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


def daily_bars_svg(points, *, label: str, width: int = 360, height: int = 120) -> SafeString:
    """Vertical bars, one per day; `points` is [(date, count), …]."""
    top = max((v for _, v in points), default=0) or 1
    n = max(len(points), 1)
    slot = width / n
    bars = []
    for i, (day, value) in enumerate(points):
        h = round((height - 20) * value / top, 1)
        bars.append(
            f'<rect x="{i * slot + slot * 0.1:.1f}" y="{height - 16 - h:.1f}" width="{slot * 0.8:.1f}" '
            f'height="{h}"><title>{day:%m/%d}: {value}</title></rect>'
        )
    first = f"{points[0][0]:%m/%d}" if points else ""
    last = f"{points[-1][0]:%m/%d}" if points else ""
    return format_html(
        '<svg class="kh-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{label}" '
        'preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">'
        '<g class="kh-chart__bars">{bars}</g>'
        '<text x="0" y="{ty}" class="kh-chart__axis">{first}</text>'
        '<text x="{w}" y="{ty}" text-anchor="end" class="kh-chart__axis">{last}</text>'
        '<text x="0" y="12" class="kh-chart__axis">{top}</text></svg>',
        w=width, h=height, label=label, bars=mark_safe("".join(bars)), ty=height - 2, first=first, last=last,
        top=top,
    )


def share_bars_svg(bars, *, label: str, width: int = 360, row: int = 26) -> SafeString:
    """Horizontal bars for the answers to one question; `bars` are stats.Bar items."""
    label_w, count_w = 130, 70
    track = width - label_w - count_w
    rows = []
    for i, bar in enumerate(bars):
        y = i * row
        rows.append(
            f'<text x="0" y="{y + row * 0.65:.1f}" class="kh-chart__label">{escape(bar.label[:9])}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{track * bar.share:.1f}" height="{row - 8}"/>'
            f'<text x="{width}" y="{y + row * 0.65:.1f}" text-anchor="end">{bar.count}'
            f" ({bar.share:.0%})</text>"
        )
    return format_html(
        '<svg class="kh-chart kh-chart--shares" viewBox="0 0 {w} {h}" role="img" aria-label="{label}" '
        'xmlns="http://www.w3.org/2000/svg">{rows}</svg>',
        w=width, h=max(len(bars), 1) * row, label=label, rows=mark_safe("".join(rows)),
    )
