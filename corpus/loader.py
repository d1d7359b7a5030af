"""Load document data files into records, with precise messages for malformed files.

A data file (``*.yaml`` in a data folder) names its source text file, which sits in the
same folder. Adding a document means adding one data file and its source; no code changes.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from corpus.errors import DataFileError, TraceabilityError, UnknownPlanError
from corpus.records import (
    YEARS,
    Ambiguity,
    Cell,
    Goal,
    Indicator,
    Outcome,
    Plan,
    PlanWord,
    Policy,
    Project,
    Result,
)
from corpus.schema import PlanFile
from corpus.settings import get_settings
from corpus.trace import failures

_NUMBER = re.compile(r"^[0-9０-９][0-9０-９,，.．]*$")


def parse_number(text: str) -> float | None:
    """'98,875' -> 98875.0; '１００.０' -> 100.0; anything else -> None."""
    t = unicodedata.normalize("NFKC", text.strip())
    if not _NUMBER.match(t):
        return None
    try:
        return float(t.replace(",", ""))
    except ValueError:
        return None


def parse_cell(text: str) -> Cell:
    """A printed plan/baseline value: a number, a plan word (maybe with a note), or free text."""
    text = text.strip()
    number = parse_number(text)
    if number is not None:
        return Cell(text=text, number=number)
    for word in PlanWord:
        if text == word.value or (word is PlanWord.NONE and text in {"-", "ー", "―", "‐"}):
            return Cell(text=text, word=word)
        if text.startswith(word.value) and word is not PlanWord.NONE:
            return Cell(text=text, word=word, note=text[len(word.value):].strip() or None)
    return Cell(text=text)


def _describe_location(data: Any, loc: tuple) -> str:
    """Turn a pydantic error location into 'projects[3] (虐待防止啓発事業) field indicators[0].baseline'."""
    record = ""
    parts: list[str] = []
    node = data
    for i, key in enumerate(loc):
        if isinstance(key, int):
            if parts:
                parts[-1] = f"{parts[-1]}[{key}]"
            else:
                parts.append(f"[{key}]")
        else:
            parts.append(str(key))
        if isinstance(node, dict):
            node = node.get(key) if not isinstance(key, int) else None
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            node = None
        if i == 1 and isinstance(node, dict) and loc[0] == "projects":
            record = f" ({node.get('name', '?')})"
    if len(parts) >= 2 and parts[0].startswith("projects["):
        return f"record {parts[0]}{record}, field {'.'.join(parts[1:])}"
    return f"field {'.'.join(parts)}"


def read_plan_file(path: Path) -> PlanFile:
    """Parse and validate one data file; raise DataFileError naming file, record and field."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read the data file ({exc.strerror or exc})") from None
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text (byte {exc.start}); data files must be UTF-8 YAML") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataFileError(f"{path}: invalid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a mapping with schema_version, plan, goals, policies, projects; got {type(data).__name__}")
    try:
        return PlanFile.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors()[:10]:
            lines.append(f"{path.name}: {_describe_location(data, err['loc'])}: {err['msg']}")
        more = f"\n(and {exc.error_count() - 10} more)" if exc.error_count() > 10 else ""
        raise DataFileError(f"{path}: {exc.error_count()} problem(s) in the data file:\n" + "\n".join(lines) + more) from None


def build_plan(pf: PlanFile, source_text: str) -> Plan:
    """Turn a validated data file into records (pure: no I/O)."""
    plan_id = pf.plan.id
    goals = tuple(Goal(number=g.number, title=g.title) for g in pf.goals)
    goal_numbers = {g.number for g in goals}
    policies = []
    for p in pf.policies:
        goal = int(p.code.split("-")[0])
        if goal not in goal_numbers:
            raise DataFileError(f"policies: policy {p.code} belongs to goal {goal}, which is not listed under goals")
        policies.append(Policy(code=p.code, goal=goal, title=p.title))
    policy_codes = {p.code for p in policies}
    projects = []
    seen_ids: set[str] = set()
    for idx, p in enumerate(pf.projects):
        where = f"record projects[{idx}] ({p.name})"
        if p.policy not in policy_codes:
            raise DataFileError(f"{where}, field policy: {p.policy} is not listed under policies")
        pid = f"{plan_id}/{p.policy}-{p.number}"
        if pid in seen_ids:
            raise DataFileError(f"{where}, field number: policy {p.policy} already has a project number {p.number}")
        seen_ids.add(pid)
        indicators = []
        for j, ind in enumerate(p.indicators):
            result = None
            if ind.result is not None:
                r = ind.result
                if r.value is None and r.outcome is None:
                    raise DataFileError(f"{where}, field indicators[{j}].result: give a value (a figure) or an outcome (achieved/partly/not_achieved)")
                if r.text is not None and r.value is not None:
                    printed = parse_number(re.sub(r"[^\d０-９,，.．]", "", r.text) or "x")
                    if printed != r.value:
                        raise DataFileError(f"{where}, field indicators[{j}].result.value: {r.value:g} differs from the printed text {r.text!r}")
                result = Result(
                    evidence=r.evidence,
                    value=r.value,
                    unit=r.unit,
                    text=r.text,
                    outcome=Outcome(r.outcome) if r.outcome else None,
                )
            indicators.append(
                Indicator(
                    id=f"{pid}/i{j + 1}",
                    project_id=pid,
                    name=ind.name,
                    unit=ind.unit,
                    baseline=parse_cell(ind.baseline),
                    plan={y: parse_cell(ind.plan[y]) for y in YEARS},
                    result=result,
                    result_year=pf.plan.fiscal_year,
                    source_lines=tuple(ind.source_lines),
                )
            )
        projects.append(
            Project(
                id=pid,
                plan_id=plan_id,
                goal=int(p.policy.split("-")[0]),
                policy=p.policy,
                number=p.number,
                name=p.name,
                departments=tuple(p.departments),
                content=p.content,
                page=p.page,
                aliases=tuple(p.aliases),
                indicators=tuple(indicators),
                result_explanation=p.result_explanation,
                council_comments=tuple(c for c in p.council_comments if c.strip()),
                ambiguities=tuple(Ambiguity(**a.model_dump()) for a in p.ambiguities),
            )
        )
    return Plan(
        id=plan_id,
        title=pf.plan.title,
        city=pf.plan.city,
        fiscal_year=pf.plan.fiscal_year,
        source_file=pf.plan.source_file,
        goals=goals,
        policies=tuple(policies),
        projects=tuple(sorted(projects, key=lambda x: (x.goal, int(x.policy.split("-")[1]), x.number))),
        source_text=source_text,
    )


def load_plan_file(path: Path, verify: bool = True) -> Plan:
    """Read, validate and build one document from its data file and its source text.

    With ``verify`` (the default) every text and figure must occur in the source, else
    TraceabilityError names the record and field: the product never serves a figure the
    document does not contain. ``python -m corpus check`` loads without it to report all.
    """
    path = Path(path)
    pf = read_plan_file(path)
    source_path = path.parent / pf.plan.source_file
    try:
        source = source_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(f"{path.name}: field plan.source_file: {source_path} does not exist; put the source text next to the data file") from None
    except UnicodeDecodeError:
        raise DataFileError(f"{path.name}: field plan.source_file: {source_path} is not UTF-8 text") from None
    plan = build_plan(pf, source)
    if verify:
        message = untraceable_message(path, plan)
        if message:
            raise TraceabilityError(message)
    return plan


def untraceable_message(path: Path, plan: Plan) -> str | None:
    """What loading says about a data file whose records are not all traceable, or None.

    ``python -m corpus check`` prints the same message, so every entry point words it alike.
    """
    bad = failures(plan)
    if not bad:
        return None
    lines = [f"{path.name}: {c.describe(plan.source_file)}" for c in bad[:10]]
    more = f"\n(and {len(bad) - 10} more)" if len(bad) > 10 else ""
    return (f"{path}: {len(bad)} field(s) not traceable to the source:\n" + "\n".join(lines) + more
            + f"\nRun `python -m corpus check --file {path}` for the full report.")


def data_files(dirs: tuple[Path, ...] | None = None) -> list[Path]:
    """Every data file in the configured data folders, in a stable order."""
    dirs = get_settings().data_dirs if dirs is None else dirs
    files: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            # a mistyped folder in PLANQA_DATA_DIRS would otherwise drop its documents silently
            what = "is not a folder" if d.exists() else "does not exist"
            raise DataFileError(f"data folder {d} {what}; fix or remove it in PLANQA_DATA_DIRS")
        files.extend(sorted(p for p in d.glob("*.yaml") if p.is_file()))
    return files


@lru_cache(maxsize=4)
def _load_all(dirs: tuple[Path, ...], verify: bool = True) -> tuple[Plan, ...]:
    files = data_files(dirs)
    if not files:
        raise DataFileError(f"no data files (*.yaml) found in {', '.join(str(d) for d in dirs)}")
    plans = [load_plan_file(f, verify=verify) for f in files]
    ids = [p.id for p in plans]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise DataFileError(f"plan id(s) {', '.join(sorted(dupes))} used by more than one data file; each document needs its own plan.id")
    return tuple(plans)


def load_plans(dirs: tuple[Path, ...] | None = None, verify: bool = True) -> tuple[Plan, ...]:
    """All documents in the data folders (cached per folder set)."""
    return _load_all(tuple(get_settings().data_dirs if dirs is None else dirs), verify)


def load_plan(plan_id: str | None = None, dirs: tuple[Path, ...] | None = None) -> Plan:
    """One document: the one with ``plan_id``, or the first (the bundled one) when not given."""
    plans = load_plans(dirs)
    if plan_id is None:
        return plans[0]
    for p in plans:
        if p.id == plan_id:
            return p
    raise UnknownPlanError(f"no document with plan id {plan_id!r}; known: {', '.join(p.id for p in plans)}")

