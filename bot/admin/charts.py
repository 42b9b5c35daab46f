"""Charts drawn on the server as inline SVG: no script, no asset from the internet, readable on a phone."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 320, 170, 18, 28, 30


def coverage_bars(points: list[dict], caption: str) -> Markup:
    """Monthly in-person coverage: one bar per {"month", "coverage" (0-1 or None), "seen", "ongoing"}."""
    inner = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - 6) / max(1, len(points))
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(caption)}">',
             f"<title>{escape(caption)}</title>"]
    for fraction in (0, 0.5, 1):
        y = TOP + inner * (1 - fraction)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - 4}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{LEFT - 4}" y="{y + 4:.1f}" class="axis" text-anchor="end">{fraction:.0%}</text>')
    for index, point in enumerate(points):
        value = point.get("coverage")
        x = LEFT + index * step + step * 0.18
        width = step * 0.64
        label = point["month"][5:].lstrip("0") + "月"
        if value is not None:
            height = inner * min(1.0, value)
            kind = "bar full" if value >= 1 else "bar"
            tip = f"{point['month']}：{point['seen']}/{point['ongoing']}人，{value:.0%}"
            parts.append(f'<rect x="{x:.1f}" y="{TOP + inner - height:.1f}" width="{width:.1f}"'
                         f' height="{height:.1f}" class="{kind}"><title>{escape(tip)}</title></rect>'
                         f'<text x="{x + width / 2:.1f}" y="{TOP + inner - height - 4:.1f}" class="value"'
                         f' text-anchor="middle">{value:.0%}</text>')
        parts.append(f'<text x="{x + width / 2:.1f}" y="{HEIGHT - 10}" class="axis" text-anchor="middle">'
                     f"{escape(label)}</text>")
    parts.append("</svg>")
    # Every text in the SVG went through escape(); the rest are numbers formatted here.
    return Markup("".join(parts))  # nosec B704


def progress_bar(actual: float, target: float | None) -> Markup:
    """A thin horizontal bar: the share of the target reached (full and green at 100%)."""
    share = 0.0 if not target else min(1.0, actual / target)
    kind = "full" if share >= 1 else "part"
    # Numbers formatted here and a class chosen from two: nothing from a person.
    svg = (f'<svg class="progress" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">'
           f'<rect x="0" y="0" width="100" height="8" class="track"/>'
           f'<rect x="0" y="0" width="{share * 100:.1f}" height="8" class="{kind}"/></svg>')
    return Markup(svg)  # nosec B704
