"""A project's indicators as asked: which indicators a question means, and their lines
(result, baseline, plan, status), with a computed total where several are summed."""
from __future__ import annotations

import re
from collections.abc import Sequence

from corpus.evaluate import evaluate
from corpus.records import STATUS_LABELS, Indicator, Project
from index.text import normalize, split_sentences
from qa.compose import templates as T
from qa.compose.composer import Composer
from qa.compose.lines import (
    SECTION_EXPLANATION,
    depts,
    indicator_row,
    plan_values_line,
    quote,
    result_text,
    section_citation,
    sentences_with_counter,
    with_unit,
)
from qa.execute import records as X
from qa.execute.context import Context
from qa.query import Field, Query
from qa.understand import lexicon as lx
from qa.understand.vocabulary import bare_indicator_name, longest_common, without_names

_KANJI_RUN = re.compile(r"[\u3400-\u9fff]+")
MAX_TARGETS = 5  # targets whose indicators one answer lists
FIGURE_PHRASE_MIN = 5  # characters of the question a line must repeat to state its figure (宿泊利用者延べ数)
INDICATOR_PICK_MIN = 0.35  # share of an indicator's name (plus unit bonus) that picks it among a project's
NAME_PART_MIN = 4  # characters of a project's name said on their own that name only the project
UNIT_BONUS = 0.3  # the asked counter (何人) is the indicator's unit


def pick_indicators(q: Query, projects: Sequence[Project]) -> list[tuple[Project, Indicator]]:
    """The indicators the question is about within the targets (all of a target's when unclear)."""
    if q.indicator_ids:
        chosen = [(p, i) for p in projects for i in p.indicators if i.id in q.indicator_ids]
        if chosen:
            # a target none of whose indicators is named keeps its best match (「子育て総合相談と虐待相談の件数」)
            for p in projects[:MAX_TARGETS]:
                if not any(cp.id == p.id for cp, _ in chosen):
                    chosen += pick_indicators(q.with_(indicator_ids=()), [p])
            return chosen
    scored = []
    for p in projects:
        # the project's own name in the question names no indicator (子どもの居場所づくりの推進 is both)
        text = without_names(q.text, [p])
        # a part of the name said on its own (グループ相談 for 子育て中の保護者グループ相談) names it too
        part = longest_common(normalize(p.name), text)
        if len(part) >= NAME_PART_MIN:
            text = text.replace(part, " ")
        for i in p.indicators:
            name = bare_indicator_name(i.name)
            common = longest_common(name, text)
            share = len(common) / max(1, len(name))
            unit_hit = 1 if (q.counter and i.unit and q.counter == i.unit) else 0
            # a run of three or more characters: two (虐待) are often only the project's own name
            scored.append(((share + 0.02 * len(common) if len(common) >= 3 else 0.0) + UNIT_BONUS * unit_hit, p, i))
    scored.sort(key=lambda t: -t[0])
    if scored and scored[0][0] >= INDICATOR_PICK_MIN:
        best = scored[0][0]
        chosen = [(p, i) for s, p, i in scored if s >= best - 0.05]
        # each target keeps at least its best indicator (「それぞれ…受給者数は？」)
        for p in projects[1:MAX_TARGETS]:
            if not any(cp.id == p.id for cp, _ in chosen):
                mine = [(s, pp, i) for s, pp, i in scored if pp.id == p.id and s >= INDICATOR_PICK_MIN]
                if mine:
                    chosen.append((mine[0][1], mine[0][2]))
        return chosen
    return [(p, i) for p in projects[:MAX_TARGETS] for i in p.indicators]


def figure_sentences(q: Query, p: Project) -> list[tuple[str, str]]:
    """Lines of the explanation that state a figure of what the question names: a long run of the
    question (「宿泊利用者延べ数」), or a figure next to the question's own word or its kanji stem
    (「泊まりの利用は？」 -> 「宿泊利用者延べ数：7人」)."""
    text = without_names(q.text, [p])
    stems = [m.group(0) for w in q.subject for m in [_KANJI_RUN.search(w)] if m] if q.subject else []
    out = []
    for line in (p.result_explanation or "").split("\n"):
        for sent in split_sentences(line) or [line]:
            norm = normalize(sent)
            if not re.search(r"[0-9]", norm):
                continue
            if len(longest_common(norm, text)) >= FIGURE_PHRASE_MIN or any(stem in norm for stem in stems):
                out.append((SECTION_EXPLANATION, sent.strip()))
    return out[:3]


def fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def indicator_lines(ctx: Context, q: Query, targets: Sequence[Project], c: Composer) -> tuple[list, bool]:
    """Lines for the asked indicator figures of the targets; (rows, whether the asked figure is missing)."""
    picked = ([(p, i) for p in targets[:MAX_TARGETS] for i in p.indicators] if Field.INDICATORS in q.fields
              else pick_indicators(q, targets))
    if q.filters.on_indicators:
        # 「その3つの、増えた指標」: the targets' indicators that meet the question's conditions
        plan_years = ctx.plan_of(targets[0]).plan_years if targets else ()
        picked = [(p, i) for p, i in picked if X.indicator_matches(p, i, q.filters, plan_years)] or picked
    rows = []
    if not picked:
        return rows, False
    p0 = picked[0][0]
    plan_years = ctx.plan_of(p0).plan_years
    asks_plan = Field.PLAN in q.fields and Field.STATUS not in q.fields
    asked_plan_years = [y for y in q.years if y in plan_years and (asks_plan or y != picked[0][1].result_year)]
    # 「計画を達成した？」 compares with the plan; it asks the status, not the plan
    want_plan = Field.PLAN in q.fields and (bool(asked_plan_years) or (not lx.ASKS_RESULT(q.text) and Field.STATUS not in q.fields))
    # the baseline alone is asked when the baseline year is named without the result year
    baseline_only = Field.BASELINE in q.fields and picked[0][1].result_year not in q.years
    want_value = bool({Field.VALUE, Field.STATUS, Field.INDICATORS} & set(q.fields)) or not (want_plan or baseline_only)
    counter = q.counter
    if counter is None and Field.VALUE in q.fields and all(i.result is None or i.result.value is None for _, i in picked):
        # 「どのくらいの人が利用した？」 of an indicator reported in words: the explanation's figures in its unit
        counter = next((i.unit for _, i in picked if i.unit), None)
    counter_sents = sentences_with_counter(p0, counter) if counter else []
    # a figure of what the question names (宿泊) is more specific than every figure in its unit
    phrase_sents = [] if q.indicator_ids else figure_sentences(q, p0)
    unit_match = any(i.unit == counter for _, i in picked) if counter else True
    no_figure = all(i.result is None or i.result.value is None for _, i in picked)
    if phrase_sents:
        counter_sents = phrase_sents  # the figure is stated in a line of the explanation, not as an indicator
    if (counter and counter_sents and (not unit_match or no_figure)) or phrase_sents:
        c.add(T.EXPLANATION_STATES.format(name=p0.name, departments=depts(p0)))
        for section in dict.fromkeys(sec for sec, _ in counter_sents):
            sents = [s for sec, s in counter_sents if sec == section][:4]
            c.add("\n".join(f"> {s}" for s in sents), c.cite(section_citation(p0, section, "\n".join(sents))))
        c.add("", T.RELATED_INDICATORS)
    elif q.counter and not counter_sents and not unit_match and q.counter not in ("人", "件", "回"):
        c.add(T.FOCUS_MISSING.format(what=T.COUNT_OF.format(counter=q.counter)))
        return rows, True
    for p, i in picked:
        c.add(*_lines(q, p, i, c, want_plan=want_plan, want_value=want_value,
                      plan_years=tuple(asked_plan_years) or plan_years))
        rows.append(indicator_row(p, i, ctx.document_of(p)))
    if lx.TOTAL(q.text):
        _total(picked, c, with_baseline=lx.ASKS_CHANGE(q.text) or Field.BASELINE in q.fields)
    elif lx.ASKS_CHANGE(q.text) or lx.ASKS_RATIO(q.text):
        _changes(picked, c)
    if lx.ASKS_DIFFERENCE(q.text):
        _difference(picked, c)
    missing = all(i.result is None for _, i in picked) and not counter_sents and Field.VALUE in q.fields and not want_plan
    return rows, missing


def _lines(q: Query, p: Project, i: Indicator, c: Composer, *, want_plan: bool, want_value: bool,
           plan_years: tuple[str, ...]) -> list[str]:
    y, b = i.result_year, i.baseline_year
    base = with_unit(i.baseline.text, i.unit) if i.baseline.is_number else i.baseline.text
    ev = evaluate(i)
    res = result_text(i)
    cite = c.cite_indicator(p, i)
    out = []
    if want_plan:
        shown = res if i.result and i.result.text else (T.RESULT_IN_WORDS if i.result else T.RESULT_NONE)
        out.append(T.PLAN_LINE.format(project=p.name, indicator=i.name, plans=plan_values_line(i, plan_years),
                                      baseline_year=b, baseline=base, year=y, result=shown, cite=cite))
    if Field.BASELINE in q.fields and not want_value and not want_plan:
        out.append(T.BASELINE_LINE.format(project=p.name, baseline_year=b, indicator=i.name, baseline=base, year=y,
                                          plan=i.plan_r2.text, cite=cite))
    elif want_value or Field.BASELINE in q.fields:
        if i.result is not None and i.result.text:
            out.append(T.VALUE_LINE.format(project=p.name, year=y, indicator=i.name, result=res, baseline_year=b,
                                           baseline=base, plan=i.plan_r2.text, status=STATUS_LABELS[ev.status],
                                           reason=ev.reason, cite=cite))
        elif i.result is not None:
            out.append(T.VALUE_TEXT_LINE.format(project=p.name, indicator=i.name, baseline_year=b, baseline=base, year=y,
                                                plan=i.plan_r2.text, evidence=quote(i.result.evidence, 160),
                                                status=STATUS_LABELS[ev.status], cite=cite))
        else:
            out.append(T.VALUE_NONE_LINE.format(project=p.name, indicator=i.name, baseline_year=b, baseline=base, year=y,
                                                plan=i.plan_r2.text, cite=cite))
    return out


def change_line(p: Project, i: Indicator, ch: X.Change, c: Composer) -> str:
    """「- 事業：指標　H30 3,087件 → R2 4,414件（+1,327件、+43.0%、1.43倍）」 with the indicator's citation."""
    unit = i.unit or (i.result.unit if i.result else None) or ""
    delta = _delta(ch, unit)
    return T.CHANGE_LINE.format(project=p.name, indicator=i.name, baseline_year=i.baseline_year, year=i.result_year,
                                before=with_unit(i.baseline.text, i.unit), after=result_text(i), delta=delta,
                                cite=c.cite_indicator(p, i))


def _changes(picked: Sequence[tuple[Project, Indicator]], c: Composer) -> None:
    """「どれだけ増えた？」: the change of each asked indicator, computed from the figures shown beside it."""
    rows = [(p, i, X.change(i)) for p, i in picked]
    rows = [(p, i, ch) for p, i, ch in rows if ch is not None]
    if rows:
        c.add("", T.CHANGE_HEAD.format(baseline_year=rows[0][1].baseline_year, year=rows[0][1].result_year))
        c.add(*(change_line(p, i, ch, c) for p, i, ch in rows), T.COMPUTED_NOTE)


def _numeric(picked: Sequence[tuple[Project, Indicator]]) -> tuple[list[Indicator], str] | None:
    """The picked indicators with a numeric result, when there are two or more in one unit."""
    figures = [i for _, i in picked if i.result is not None and i.result.value is not None]
    units = {i.unit or i.result.unit for i in figures}
    if len(figures) >= 2 and len(units) == 1:
        return figures, units.pop() or ""
    return None


def _total(picked: Sequence[tuple[Project, Indicator]], c: Composer, *, with_baseline: bool = False) -> None:
    """A total of several named indicators in one unit, shown beside its parts and marked computed;
    with the baseline's total and the change between them when that is asked too."""
    found = _numeric(picked)
    if found is None:
        return
    figures, unit = found
    total = sum(i.result.value for i in figures)
    c.add("", T.TOTAL_LINE.format(year=figures[0].result_year, total=f"{fmt(total)}{unit}",
                                 parts="＋".join(result_text(i) for i in figures)))
    if with_baseline and all(i.baseline.is_number for i in figures):
        before = sum(i.baseline.number for i in figures)
        ch = X.Change(before, total)
        c.add(T.TOTAL_LINE.format(year=figures[0].baseline_year, total=f"{fmt(before)}{unit}",
                                  parts="＋".join(with_unit(i.baseline.text, i.unit) for i in figures)),
              T.TOTAL_CHANGE.format(baseline_year=figures[0].baseline_year, year=figures[0].result_year,
                                    delta=_delta(ch, unit)))
    c.add(T.COMPUTED_TOTAL_NOTE)


def _delta(ch: X.Change, unit: str) -> str:
    out = f"{'+' if ch.absolute >= 0 else '−'}{fmt(abs(ch.absolute))}{unit}"
    if ch.rate is not None:
        out += f"、{'+' if ch.rate >= 0 else '−'}{abs(ch.rate) * 100:.1f}%、{ch.after / ch.before:.2f}倍"
    return out


def _difference(picked: Sequence[tuple[Project, Indicator]], c: Composer) -> None:
    """「何人差？」: the difference between two figures of one unit, larger minus smaller, computed."""
    found = _numeric(picked)
    if found is None:
        return
    figures, unit = found
    a, b = sorted(figures[:2], key=lambda i: -i.result.value)
    c.add("", T.DIFFERENCE_LINE.format(year=a.result_year, first=a.name, second=b.name,
                                      diff=f"{fmt(a.result.value - b.result.value)}{unit}",
                                      a=result_text(a), b=result_text(b)), T.COMPUTED_DIFFERENCE_NOTE)
