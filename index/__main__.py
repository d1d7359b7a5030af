"""Command line of the index layer.

    python -m index build                      build (or rebuild) the index of the configured documents
    python -m index status                     say whether the index is usable, and why not
    python -m index search "質問" [--k 10] [--mode hybrid|bm25|dense] [--goal 3] [--policy 3-2]
                          [--department 保育課] [--section 参考指標] [--plan koganei-r2] [--projects]
    python -m index search --jsonl < questions.txt     one JSON object per input line
    python -m index eval [--dev FILE] [--questions FILE] [--no-build] [--write FILE]

``--jsonl`` prints ``{"query", "hits": [{"project", "section", "page", "text", "score"}]}`` per
line, loading the model once. Errors of the library become one ``error:`` line and exit code 2.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Sequence

from index import messages
from index.chunks import Section
from index.errors import IndexLayerError
from index.results import MODES, Filters, Hit, ProjectHit


def _filters(args: argparse.Namespace) -> Filters | None:
    filters = Filters(
        plan_id=args.plan,
        goal=args.goal,
        policy=args.policy,
        department=args.department,
        sections=tuple(args.section) if args.section else None,
    )
    return None if filters.is_empty else filters


def _hit_json(hit: Hit) -> dict:
    return {
        "project": hit.chunk.project,
        "section": hit.chunk.section.value,
        "page": hit.chunk.page,
        "text": hit.chunk.text,
        "score": round(hit.score, 6),
    }


def _print_hits(hits: list[Hit]) -> None:
    if not hits:
        print(messages.NO_HITS)
        return
    for rank, hit in enumerate(hits, 1):
        print(messages.HIT_HEADER.format(rank=rank, project=hit.chunk.project, section=hit.chunk.section.value,
                                         page=hit.chunk.page, score=hit.score))
        for line in hit.chunk.text.splitlines():
            print(f"   {line}")


def _print_projects(projects: list[ProjectHit], index) -> None:
    if not projects:
        print(messages.NO_HITS)
        return
    departments = {p.project_id: "・".join(p.departments) for p in index.projects}
    for rank, project in enumerate(projects, 1):
        print(messages.PROJECT_HEADER.format(rank=rank, project=project.name, score=project.score,
                                             departments=departments.get(project.project_id, "")))
        if project.hits:
            best = project.hits[0]
            print(f"   ［{best.chunk.section.value}］ p.{best.chunk.page} {best.chunk.text.splitlines()[0][:80]}")


def cmd_build(args: argparse.Namespace) -> int:
    from index.build import build_index  # noqa: PLC0415
    from index.folder import IndexFolder  # noqa: PLC0415

    start = time.perf_counter()
    path = build_index(progress=not args.quiet)
    manifest = IndexFolder(path).read_manifest()
    print(messages.BUILT.format(path=path, n_chunks=manifest.n_chunks, seconds=time.perf_counter() - start))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from index.search import served_status  # noqa: PLC0415

    model_id = None
    if args.model:
        from index.model import ensure_model, model_fingerprint  # noqa: PLC0415

        model_id = model_fingerprint(ensure_model())
    status = served_status(model_id=model_id)
    print(messages.STATUS_LINE.format(state=messages.STATUS_STATES[status.state], path=status.path))
    for reason in status.reasons:
        print(f"  - {reason}")
    if not status.ok and status.state != "busy":
        print(messages.RUN_BUILD)
    return 0 if status.ok else 1


def cmd_search(args: argparse.Namespace) -> int:
    from index.search import load_index  # noqa: PLC0415

    index = load_index(build_if_missing=not args.no_build, progress=not args.quiet)
    filters = _filters(args)
    if args.jsonl:
        for line in sys.stdin:
            query = line.rstrip("\n")
            if not query.strip():
                continue
            hits = index.search(query, k=args.k, filters=filters, mode=args.mode)
            print(json.dumps({"query": query, "hits": [_hit_json(h) for h in hits]}, ensure_ascii=False), flush=True)
        return 0
    if not args.query:
        print("error: give a question, or --jsonl to read questions from stdin", file=sys.stderr)
        return 2
    query = " ".join(args.query)
    if args.projects:
        _print_projects(index.rank_projects(query, k=args.k, filters=filters, mode=args.mode), index)
    else:
        _print_hits(index.search(query, k=args.k, filters=filters, mode=args.mode))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from index.evaluate import run  # noqa: PLC0415

    return run(args)


def _section(value: str) -> str:
    try:
        return Section.parse(value).value
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    from index.evaluate import add_arguments  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m index", description="Search index over the plan records")
    sub = parser.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("build", help="build the index of the configured documents (atomically)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("status", help="say whether the index is usable")
    p.add_argument("--model", action="store_true", help="also compare the model id (loads the model folder)")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("search", help="print the passages (or --projects) most relevant to a question")
    p.add_argument("query", nargs="*", help="the question (omit with --jsonl)")
    p.add_argument("--jsonl", action="store_true", help="read questions from stdin, one per line; print JSON lines")
    p.add_argument("--k", type=int, default=10, help="number of results (default: %(default)s)")
    p.add_argument("--mode", choices=MODES, default="hybrid", help="ranking method (default: %(default)s)")
    p.add_argument("--projects", action="store_true", help="rank projects instead of passages")
    p.add_argument("--plan", help="only this plan id")
    p.add_argument("--goal", type=int, help="only projects of this goal number (目標)")
    p.add_argument("--policy", help="only projects of this policy code (施策), e.g. 3-2")
    p.add_argument("--department", help="only projects run by this department (担当課), e.g. 保育課")
    p.add_argument("--section", action="append", type=_section,
                   help="only this section (repeatable): 事業の内容, 結果の説明, 子ども・子育て会議意見, 参考指標")
    p.add_argument("--no-build", action="store_true", help="fail instead of building a missing or stale index")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("eval", help="retrieval benchmark: hit@1, hit@5, MRR, latency, build time, memory")
    add_arguments(p)
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print(f"error: --k {args.k} asks for no results; pass --k 1 or more", file=sys.stderr)
        return 2
    from corpus.errors import CorpusError  # noqa: PLC0415
    from corpus.settings import home_problem  # noqa: PLC0415

    try:
        return args.func(args)
    except (IndexLayerError, CorpusError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {home_problem(exc) or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl+C: a build's temporary folder is removed, the installed index untouched
        print(messages.INTERRUPTED, file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
