"""Command line: `python -m corpus check` and `python -m corpus show [--json]`."""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from corpus.errors import CorpusError
from corpus.evaluate import evaluate
from corpus.loader import data_files, load_plan_file, load_plans, untraceable_message
from corpus.swaps import KINDS, swaps
from corpus.trace import check_plan
from corpus.views import plan_json, plan_text


def _plans(args: argparse.Namespace, verify: bool = True):
    if args.file:
        return (load_plan_file(Path(args.file), verify=verify),)
    return load_plans(verify=verify)


def _files(args: argparse.Namespace) -> list[Path]:
    """The data file of each plan of ``_plans`` (loading keeps the order of the files)."""
    return [Path(args.file)] if args.file else data_files()


def cmd_check(args: argparse.Namespace) -> int:
    bad = 0
    errors = []
    plans = _plans(args, verify=False)  # report every untraceable field, not just the first ones
    for path, plan in zip(_files(args), plans):
        checks = check_plan(plan)
        failed = [c for c in checks if not c.ok]
        texts = sum(1 for c in checks if c.kind == "text")
        numbers = sum(1 for c in checks if c.kind == "number")
        statuses = Counter(evaluate(i).status.value for i in plan.indicators())
        amb = sum(len(p.ambiguities) for p in plan.projects)
        print(f"{plan.id}: {plan.title} ({plan.city}, {plan.result_year} evaluation)")
        print(f"  source: {plan.source_file}")
        print(f"  {len(plan.goals)} goals, {len(plan.policies)} policies, {len(plan.projects)} projects, {len(plan.indicators())} indicators")
        print(f"  traceability: {texts - sum(1 for c in failed if c.kind == 'text')}/{texts} texts and "
              f"{numbers - sum(1 for c in failed if c.kind == 'number')}/{numbers} figures found in the source")
        print(f"  {plan.result_year} status: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
        print(f"  recorded ambiguous readings: {amb}")
        for kind, what in (("row", "indicator rows read cell by cell from their printed table lines"),
                           ("department", "departments printed after their project's name"),
                           ("result", "results quoted from their project's result block, naming their row")):
            tied = sum(1 for c in checks if c.kind == kind and c.ok)
            untied = len({c.where.split(".")[0] for c in failed if c.kind == kind})
            print(f"  {what}: {tied}/{tied + untied}")
        for c in failed:
            print(f"  NOT TRACEABLE: {c.describe(plan.source_file) if c.detail else f'{c.where}: {c.kind} {c.value[:80]!r}'}")
        if args.swaps:
            print_swaps(plan)
        bad += len(failed)
        if failed:
            errors.append(untraceable_message(path, plan))
    if bad:
        for message in errors:  # worded as every other entry point refuses the file
            print(f"error: {message}", file=sys.stderr)
        return 1
    print("check ok")
    return 0


def print_swaps(plan) -> None:
    """Every same-page swap of two values of one kind, and how many the check refuses."""
    done = list(swaps(plan))
    for kind in KINDS:
        mine = [s for s in done if s.kind == kind]
        refused = sum(1 for s in mine if s.refused and s.named)
        print(f"  swaps of two {kind} on one page: {refused}/{len(mine)} refused, naming both fields")
        for s in mine:
            if not (s.refused and s.named):
                print(f"  NOT REFUSED: {s.a.path} ({s.a.value}) <-> {s.b.path} ({s.b.value})")


def cmd_show(args: argparse.Namespace) -> int:
    plans = _plans(args)
    if args.json:
        if len(plans) == 1:
            out = plan_json(plans[0])
        else:
            out = {"projects": [p for plan in plans for p in plan_json(plan)["projects"]], "plans": [plan_json(p)["plan"] for p in plans]}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for plan in plans:
            print(plan_text(plan))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corpus", description="Structured records of the plan documents")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, helptext in (("check", "validate the data files and print a traceability report"),
                           ("show", "list projects by goal with each indicator's status for its document's result year")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--file", help="a data file to use instead of the configured data folders")
        if name == "check":
            p.add_argument("--swaps", action="store_true",
                           help="also swap every two values of one kind on a page and count the swaps the check refuses")
        if name == "show":
            p.add_argument("--json", action="store_true", help="print JSON")
    args = ap.parse_args(argv)
    try:
        return cmd_check(args) if args.cmd == "check" else cmd_show(args)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
