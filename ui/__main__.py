"""``python -m ui``: prepare the index and model, then serve the web UI (127.0.0.1 by default).

``python -m ui feedback [--csv]`` lists the 👍/👎 ratings sent from the page (for the staff who
maintain the records).
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from corpus.errors import CorpusError
from corpus.settings import get_settings, home_problem
from index.errors import IndexLayerError
from ui import guard
from ui import strings as S


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    settings = get_settings()
    from ui.app import DEFAULT_CONCURRENCY, DEFAULT_MAX_QUEUE

    parser = argparse.ArgumentParser(prog="python -m ui", description=S.CLI_DESCRIPTION)
    parser.add_argument("--host", default=settings.host, help=f"address to bind (default {settings.host}; PLANQA_HOST)")
    parser.add_argument("--port", type=int, default=settings.port, help=f"port (default {settings.port}; PLANQA_PORT)")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                        help=f"questions answered at the same time; more wait in the queue (default {DEFAULT_CONCURRENCY})")
    parser.add_argument("--max-queue", type=int, default=DEFAULT_MAX_QUEUE,
                        help=f"questions allowed to wait before new ones are turned away (default {DEFAULT_MAX_QUEUE})")
    parser.add_argument("--feedback-db", type=Path, default=None,
                        help="SQLite file for 👍/👎 ratings (default PLANQA_HOME/feedback.sqlite3)")
    parser.add_argument("--no-warm-up", action="store_true",
                        help="start serving at once and let the first question load the index and model")
    return parser.parse_args(argv)


def feedback_main(argv: list[str]) -> int:
    """List the ratings; a damaged, locked or missing-permission file gets one ``error:`` line (exit 2)."""
    from ui.feedback import FeedbackStore, FeedbackStoreError, entries_csv, entries_text

    parser = argparse.ArgumentParser(prog="python -m ui feedback",
                                     description="ratings sent from the page, oldest first (PLANQA_HOME/feedback.sqlite3)")
    parser.add_argument("--csv", action="store_true", help="CSV (UTF-8 with BOM, header row) for a spreadsheet; "
                                                           "cells that a spreadsheet would run as formulas stay text")
    parser.add_argument("--file", type=Path, default=None, help="another feedback file (e.g. the server's --feedback-db)")
    args = parser.parse_args(argv)
    store = FeedbackStore(args.file)
    if hasattr(sys.stdout, "reconfigure"):  # UTF-8 whatever the locale (the ratings hold emoji and Japanese)
        sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    try:
        entries = store.entries()
        out = entries_csv(entries) if args.csv else (entries_text(entries) if entries else
                                                     S.CLI_FEEDBACK_EMPTY.format(path=store.path) + "\n")
        sys.stdout.write(out)
        sys.stdout.flush()
    except FeedbackStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `python -m ui feedback | head`: the reader has what it wanted
        _quiet_stdout()
    return 0


def _quiet_stdout() -> None:
    """After the reader of stdout went away, point stdout at /dev/null so the exit flush does not fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def warm_up() -> None:
    """Load (or build, with progress on the terminal) the index and model before serving."""
    import qa

    fn = getattr(qa, "warm_up", None)
    if fn is None:
        print(S.CLI_NO_WARM_UP, flush=True)
        return
    print(S.CLI_WARMING_UP, flush=True)
    start = time.perf_counter()
    fn(progress=True)
    print(S.CLI_READY.format(seconds=time.perf_counter() - start), flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["feedback"]:
        return feedback_main(argv[1:])
    guard.prepare_temp_dir()
    args = parse_args(argv)
    # A thread answering a long question hands the interpreter over every 1 ms instead of 5 ms,
    # so a normal question waits less for it between its own steps (ui.guard.LongQuestions).
    sys.setswitchinterval(0.001)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Gradio's own start-up probes
    # The server may be offline: no usage statistics, no update check.
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from ui.app import build_app, launch_options
    from ui.feedback import FeedbackStore

    try:  # a broken data file or unusable home: refuse to start, saying what `corpus check` says
        if not args.no_warm_up:
            warm_up()
        demo = build_app(concurrency_limit=args.concurrency, max_queue=args.max_queue,
                         feedback=FeedbackStore(args.feedback_db) if args.feedback_db else None)
    except (CorpusError, IndexLayerError, OSError) as exc:
        message = home_problem(exc) if isinstance(exc, OSError) else str(exc)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 2
    print(S.CLI_SERVING.format(host=args.host, port=args.port), flush=True)
    try:
        demo.launch(
            server_name=args.host,
            server_port=args.port,
            ssr_mode=False,
            show_error=False,
            **launch_options(),
            **guard.launch_kwargs(demo, host=args.host, port=args.port, extra_hosts=get_settings().public_names),
        )
    except KeyboardInterrupt:  # Ctrl+C or SIGTERM (see ui.guard): a normal stop, temp folder removed at exit
        demo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
