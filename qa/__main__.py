"""Command line: `python -m qa ask "質問"` (--json, --jsonl for one question per stdin line).

Every input gets an answer or a Japanese refusal, never a traceback: bytes that are not UTF-8
are refused per question (one bad line of a ``--jsonl`` batch does not lose the others), output
is always valid UTF-8 whatever the locale, a refused question is echoed only in part, and a
closed pipe (``| head -1``) ends the command quietly. Problems that make every answer
impossible (a broken data file, an unusable ``PLANQA_HOME``, an index that cannot be loaded)
print one ``error:`` line, the same as ``python -m corpus check`` says, and exit with code 2.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
from collections.abc import Iterator

from corpus.errors import CorpusError
from corpus.settings import home_problem
from qa.engine import get_engine
from qa.types import Answer, AnswerStatus

log = logging.getLogger("qa")

# What the person asking reads (Japanese).
INTERNAL_ERROR = "申し訳ありません。この質問の処理中にエラーが発生しました。言い方を変えてもう一度お試しください。"
NOT_UTF8 = ("質問に UTF-8 として読めないバイトが含まれています（{where}）。"
            "文字コードを UTF-8 にして、もう一度お試しください。")
LINE_TOO_LONG = "質問が長すぎます（{n:,}バイト以上）。2,000文字以内で、1行に1つの質問を入力してください。"

MAX_LINE_BYTES = 64 * 1024  # far above the 2,000-character limit; longer lines are skipped, not kept
ECHO_CHARS = 200  # a refused question is echoed back only this far


class Fatal(Exception):
    """No question can be answered (the message says why and what to do)."""


def _fatal_message(exc: BaseException) -> str | None:
    """The operator's one-line message for an error that no question can get past, else None."""
    from index.errors import IndexLayerError  # noqa: PLC0415 - index loads lazily

    if isinstance(exc, (CorpusError, IndexLayerError)):
        return str(exc)
    if isinstance(exc, OSError):
        return home_problem(exc)
    return None


def _bad_bytes(text: str) -> str | None:
    """Where undecodable bytes sit in ``text`` (as surrogate escapes), in Japanese; None if none."""
    positions = [i for i, ch in enumerate(text) if "\ud800" <= ch <= "\udfff"]
    if not positions:
        return None
    return f"{positions[0] + 1}文字目" + (f"ほか{len(positions) - 1}か所" if len(positions) > 1 else "")


def _refusal(question: str, text: str) -> Answer:
    return Answer(question=question, status=AnswerStatus.NO_ANSWER, text=text, intent="invalid")


def _shown(question: str) -> str:
    """The question as echoed in the output: valid text, at most ECHO_CHARS characters."""
    clean = question.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return clean if len(clean) <= ECHO_CHARS else clean[:ECHO_CHARS] + "…"


def answer_one(question: str, history: list[Answer] | None = None) -> Answer:
    """An answer, or a refusal for text that is not valid UTF-8; Fatal when nothing can be answered."""
    where = _bad_bytes(question)
    if where is not None:
        return _refusal(question, NOT_UTF8.format(where=where))
    try:
        return get_engine().answer(question, history)
    except Exception as exc:  # noqa: BLE001 - one failing question must not lose the rest of the batch
        message = _fatal_message(exc)
        if message is not None:
            raise Fatal(message) from None
        log.error("failed to answer a question of %d characters (%s: %s)", len(question), type(exc).__name__, exc)
        return _refusal(question, INTERNAL_ERROR)


def _json_line(ans: Answer, indent: int | None = None) -> str:
    data = ans.to_json()
    data["question"] = _shown(ans.question)
    return json.dumps(data, ensure_ascii=False, indent=indent)


def _print_text(ans: Answer) -> None:
    print(ans.text)
    if ans.sources:
        print("\n出典:")
        for s in ans.sources[:6]:
            text = " ".join(s.text.split())
            print(f"  - p.{s.page} {s.project}・{s.section}：{text[:80]}{'…' if len(text) > 80 else ''}")


def read_questions(stream) -> Iterator[tuple[str, str | None]]:
    """(question, refusal) per input line, read as bytes so that each line is decoded on its own.

    A line longer than ``MAX_LINE_BYTES`` is read through without being kept and refused.
    """
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            size = len(raw)
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(MAX_LINE_BYTES)
                size += len(raw)
            yield "", LINE_TOO_LONG.format(n=size)
            continue
        line = raw.rstrip(b"\n").rstrip(b"\r")
        try:
            yield line.decode("utf-8"), None
        except UnicodeDecodeError as exc:
            text = line.decode("utf-8", "surrogateescape")
            yield text, NOT_UTF8.format(where=f"{exc.start + 1}バイト目")


def _binary(stream):
    """The byte stream under ``stream`` (a text stream without one, e.g. in tests, is re-encoded)."""
    raw = getattr(stream, "buffer", None)
    if raw is not None:
        return raw
    return io.BytesIO(stream.read().encode("utf-8", "surrogateescape"))


def _quiet_exit_on_closed_pipe() -> None:
    """Send what is left to /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run(args: argparse.Namespace, ap: argparse.ArgumentParser) -> int:
    # Whatever the locale says, print UTF-8 and never an undecodable byte.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    try:
        from corpus.loader import load_plans  # noqa: PLC0415

        load_plans()  # a broken data file is one message up front, not one per question
        if args.jsonl:
            history: list[Answer] = []
            for question, problem in read_questions(_binary(sys.stdin)):
                if problem:
                    ans = _refusal(question, problem)
                else:
                    ans = answer_one(question, history if args.chat else None)
                if args.chat and not problem and _bad_bytes(question) is None:
                    history.append(ans)  # a line refused here must not break the conversation's thread
                print(_json_line(ans), flush=True)
            return 0
        if args.question is None:
            ap.error("give a question, or use --jsonl to read questions from stdin")
        ans = answer_one(args.question)
        if args.json:
            print(_json_line(ans, indent=2))
        else:
            _print_text(ans)
        return 2 if _bad_bytes(args.question) else 0
    except Fatal as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        message = home_problem(exc)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 2


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
    try:
        return run(args, ap)
    except BrokenPipeError:
        _quiet_exit_on_closed_pipe()
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - an operator gets one line; a bug report can rerun with python -X dev
        print(f"error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
