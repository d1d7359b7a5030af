"""A bar chart of the numeric indicators: H30 baseline against the R2 result, with its data as CSV.

No plotting library: bars are plain HTML built from escaped text, so labels keep their real
size on a phone, follow the light or dark palette, and need nothing downloaded. Each
indicator is scaled on its own (units differ): a bar's width is its share of a track that spans
the row, so the larger value fills the track and the other is drawn to scale (``data-value``
carries the figure, for the test that measures it).
"""
from __future__ import annotations

from dataclasses import dataclass

from corpus.evaluate import evaluate
from corpus.records import STATUS_LABELS, Plan, Status
from corpus.views import STATUS_ICONS
from ui import export
from ui import strings as S
from ui.render import escape

LABEL_CHARS = 40


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


def indicator_chart_html(rows: list[ChartRow]) -> str:
    """The chart as HTML bars (real text, so it stays legible on a phone and in dark mode)."""
    if not rows:
        return f'<p class="planqa-empty">{escape(S.CHART_EMPTY)}</p>'
    legend = (
        '<ul class="planqa-chart-legend" aria-hidden="true">'
        f'<li><span class="planqa-swatch planqa-bar-base"></span>{escape(S.CHART_LEGEND_BASELINE)}</li>'
        + "".join(
            f'<li><span class="planqa-swatch planqa-bar-{st.value}"></span>'
            f'{escape(S.CHART_LEGEND_RESULT)} {escape(STATUS_ICONS[st] + STATUS_LABELS[st])}</li>'
            for st in (Status.MET, Status.BORDERLINE, Status.FELL_SHORT)
        )
        + "</ul>"
    )
    out = [f'<figure class="planqa-chart" aria-label="{escape(S.CHART_TITLE)}">',
           f'<figcaption>{escape(S.CHART_TITLE)}</figcaption>', legend, '<ol class="planqa-chart-rows">']
    for r in rows:
        top = max(r.baseline, r.result) or 1.0
        wb = 100 * r.baseline / top
        wr = 100 * r.result / top
        unit = r.unit or ""
        ratio = S.CHART_RATIO.format(pct=f"{r.ratio:.0f}") if r.ratio is not None else S.CHART_NO_BASE
        st = r.status.value
        out.append(
            f'<li class="planqa-chart-row planqa-st-{st}">'
            f'<div class="planqa-chart-label"><span class="planqa-chart-project">{escape(_clip(r.project))}</span>'
            f'<span class="planqa-chart-name">{escape(r.name)}</span></div>'
            '<div class="planqa-chart-bars">'
            f'<div class="planqa-bar-line"><span class="planqa-bar-year">H30</span>'
            f'<span class="planqa-bar-track"><span class="planqa-bar planqa-bar-base" style="width:{wb:.2f}%"'
            f' data-value="{r.baseline:g}"></span></span>'
            f'<span class="planqa-bar-value">{escape(r.baseline_text + unit)}</span></div>'
            f'<div class="planqa-bar-line"><span class="planqa-bar-year">R2</span>'
            f'<span class="planqa-bar-track"><span class="planqa-bar planqa-bar-{st}" style="width:{wr:.2f}%"'
            f' data-value="{r.result:g}"></span></span>'
            f'<span class="planqa-bar-value planqa-strong">{escape(r.result_text + unit)}</span></div></div>'
            f'<div class="planqa-chart-status"><span class="planqa-chart-ratio">{escape(ratio)}</span>'
            f'<span class="planqa-badge planqa-st-{st}">{escape(STATUS_ICONS[r.status] + " " + STATUS_LABELS[r.status])}</span></div>'
            "</li>"
        )
    out.append("</ol></figure>")
    return "".join(out)


def chart_csv_url(rows: list[ChartRow]) -> str:
    return export.csv_url(S.CHART_CSV_COLUMNS, (
        [r.project, r.name, r.unit, r.baseline, r.result,
         round(r.ratio) if r.ratio is not None else "", STATUS_LABELS[r.status]] for r in rows))


def chart_html(plan: Plan, *, only_short: bool = False) -> str:
    """Intro text, a CSV link for the shown rows and the chart; ``only_short`` keeps the shortfalls."""
    rows = numeric_rows(plan)
    intro = S.CHART_INTRO.format(n=len(rows))
    if only_short:
        rows = [r for r in rows if r.status is Status.FELL_SHORT]
    return (f'<p class="planqa-summary">{escape(intro)}</p>'
            + export.download_link(chart_csv_url(rows), S.CHART_CSV_FILE, S.CHART_CSV)
            + indicator_chart_html(rows))
