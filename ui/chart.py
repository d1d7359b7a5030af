"""A self-made SVG bar chart of the numeric indicators: H30 baseline against the R2 result.

No plotting library: the SVG is plain markup built from escaped text, so it renders the same
everywhere and needs nothing downloaded. Each indicator is scaled on its own (units differ).
"""
from __future__ import annotations

from dataclasses import dataclass

from corpus.evaluate import evaluate
from corpus.records import STATUS_LABELS, Plan, Status
from corpus.views import STATUS_ICONS
from ui import strings as S
from ui.render import escape

WIDTH = 1000
LABEL_X = 8
BAR_X = 400
BAR_MAX = 370
RATIO_X = 880
LEGEND_X = 330
TOP = 44
ROW_H = 48
BAR_H = 13
LABEL_CHARS = 28

COLORS = {
    Status.MET: "#15803d",
    Status.FELL_SHORT: "#dc2626",
    Status.BORDERLINE: "#d97706",
    Status.UNCLEAR: "#6b7280",
}
BASELINE_COLOR = "#9ca3af"
ROW_BACKGROUND = {Status.FELL_SHORT: "#fee2e2", Status.BORDERLINE: "#fef3c7"}


@dataclass(frozen=True)
class ChartRow:
    project: str
    name: str
    unit: str | None
    baseline: float
    result: float
    baseline_text: str
    result_text: str
    status: Status

    @property
    def ratio(self) -> float | None:
        """R2 as a share of H30, in percent; None when H30 is zero."""
        return self.result / self.baseline * 100 if self.baseline else None


def numeric_rows(plan: Plan) -> list[ChartRow]:
    """Indicators whose H30 baseline and R2 result are both numbers, in document order."""
    rows = []
    for p in plan.projects:
        for ind in p.indicators:
            res = ind.result
            if not ind.baseline.is_number or res is None or res.value is None:
                continue
            rows.append(ChartRow(
                project=p.name,
                name=ind.name,
                unit=ind.unit,
                baseline=ind.baseline.number,
                result=res.value,
                baseline_text=_fmt(ind.baseline.number),
                result_text=_fmt(res.value),
                status=evaluate(ind).status,
            ))
    return rows


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _clip(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def indicator_chart_svg(rows: list[ChartRow]) -> str:
    """The chart as an inline SVG string (fell-short rows tinted and marked ×)."""
    if not rows:
        return f'<p class="planqa-empty">{escape(S.CHART_EMPTY)}</p>'
    height = TOP + ROW_H * len(rows) + 8
    out = [
        f'<svg class="planqa-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{escape(S.CHART_TITLE)}" '
        'font-family="IPAexGothic, IPAPGothic, IPAGothic, Noto Sans CJK JP, Hiragino Sans, Meiryo, sans-serif">',
        f'<title>{escape(S.CHART_TITLE)}</title>',
        f'<text x="{LABEL_X}" y="20" font-size="15" font-weight="bold" fill="#111827">{escape(S.CHART_TITLE)}</text>',
        *_legend(),
    ]
    for i, r in enumerate(rows):
        y = TOP + i * ROW_H
        top = max(r.baseline, r.result) or 1.0
        wb = BAR_MAX * r.baseline / top
        wr = BAR_MAX * r.result / top
        color = COLORS[r.status]
        unit = r.unit or ""
        tip = f"{r.project} / {r.name}: H30 {r.baseline_text}{unit} → R2 {r.result_text}{unit}（{STATUS_LABELS[r.status]}）"
        out.append(f'<g class="planqa-chart-row planqa-st-{r.status.value}"><title>{escape(tip)}</title>')
        if r.status in ROW_BACKGROUND:
            out.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{ROW_H - 4}" fill="{ROW_BACKGROUND[r.status]}" rx="4"/>')
        out.append(f'<text x="{LABEL_X}" y="{y + 16}" font-size="11" fill="#4b5563">{escape(_clip(r.project, 34))}</text>')
        out.append(f'<text x="{LABEL_X}" y="{y + 34}" font-size="13" fill="#111827">{escape(_clip(r.name))}</text>')
        out.append(f'<rect x="{BAR_X}" y="{y + 5}" width="{wb:.1f}" height="{BAR_H}" fill="{BASELINE_COLOR}"/>')
        out.append(f'<text x="{BAR_X + wb + 4:.1f}" y="{y + 16}" font-size="11" fill="#374151">{escape(r.baseline_text + unit)}</text>')
        out.append(f'<rect x="{BAR_X}" y="{y + 22}" width="{wr:.1f}" height="{BAR_H}" fill="{color}"/>')
        out.append(f'<text x="{BAR_X + wr + 4:.1f}" y="{y + 33}" font-size="11" fill="{color}" font-weight="bold">{escape(r.result_text + unit)}</text>')
        ratio = S.CHART_RATIO.format(pct=f"{r.ratio:.0f}") if r.ratio is not None else S.CHART_NO_BASE
        out.append(f'<text x="{RATIO_X}" y="{y + 20}" font-size="12" fill="#374151">{escape(ratio)}</text>')
        out.append(
            f'<text x="{RATIO_X}" y="{y + 37}" font-size="12" fill="{color}" font-weight="bold">'
            f'{escape(STATUS_ICONS[r.status] + " " + STATUS_LABELS[r.status])}</text>'
        )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def _legend() -> list[str]:
    items = [(BASELINE_COLOR, S.CHART_LEGEND_BASELINE)] + [
        (COLORS[st], f"{S.CHART_LEGEND_RESULT} {STATUS_ICONS[st]}{STATUS_LABELS[st]}")
        for st in (Status.MET, Status.BORDERLINE, Status.FELL_SHORT)
    ]
    out, x = [], LEGEND_X
    for color, label in items:
        out.append(f'<rect x="{x}" y="9" width="14" height="12" fill="{color}"/>')
        out.append(f'<text x="{x + 19}" y="20" font-size="12" fill="#374151">{escape(label)}</text>')
        x += 30 + 12 * len(label)  # full-width glyphs are about one font-size wide
    return out


def chart_html(plan: Plan, *, only_short: bool = False) -> str:
    """Intro text and the chart; ``only_short`` keeps the indicators that fell short."""
    rows = numeric_rows(plan)
    intro = S.CHART_INTRO.format(n=len(rows))
    if only_short:
        rows = [r for r in rows if r.status is Status.FELL_SHORT]
    return f'<p class="planqa-summary">{escape(intro)}</p>' + indicator_chart_svg(rows)
