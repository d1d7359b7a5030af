"""Command line: `python -m qa ask "質問"` (--json, --jsonl for one question per stdin line)."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from qa.engine import get_engine
from qa.types import Answer, AnswerStatus

log = logging.getLogger("qa")
INTERNAL_ERROR = "申し訳ありません。この質問の処理中にエラーが発生しました。言い方を変えてもう一度お試しください。"


def _print_text(ans: Answer) -> None:
    print(ans.text)
    if ans.sources:
        print("\n出典:")
        for s in ans.sources[:6]:
            text = " ".join(s.text.split())
            print(f"  - p.{s.page} {s.project}・{s.section}：{text[:80]}{'…' if len(text) > 80 else ''}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m qa", description="計画資料への質問に答えます")
    sub = ap.add_subparsers(dest="cmd", required=True)
    ask = sub.add_parser("ask", help="ask a question")
    ask.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    fmt = ask.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    fmt.add_argument("--jsonl", action="store_true", help="read questions one per line from stdin, print one JSON object per line")
    ask.add_argument("--chat", action="store_true", help="with --jsonl: treat the lines as one conversation (follow-ups)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    engine = get_engine()
    if args.jsonl:
        history: list[Answer] = []
        for line in sys.stdin:
            question = line.rstrip("\n")
            try:
                ans = engine.answer(question, history if args.chat else None)
            except Exception:  # noqa: BLE001 - one failing question must not lose the rest of the batch
                log.exception("failed to answer %r", question[:200])
                ans = Answer(question=question, status=AnswerStatus.NO_ANSWER, text=INTERNAL_ERROR, intent="error")
            if args.chat:
                history.append(ans)
            print(json.dumps(ans.to_json(), ensure_ascii=False), flush=True)
        return 0
    if args.question is None:
        ap.error("give a question, or use --jsonl to read questions from stdin")
    ans = engine.answer(args.question)
    if args.json:
        print(json.dumps(ans.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_text(ans)
    return 0


if __name__ == "__main__":
    sys.exit(main())
