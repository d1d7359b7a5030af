"""Answer latency in process: every question of the evaluation sets through ``qa.Engine.answer``.

    python benchmarks/answers.py            # prints the table; --out FILE writes it as Markdown

Each question is timed with the query-vector cache cleared, so every answer pays for embedding
its question (and the labelled-example vote) as a first question would. The model and index
are loaded before timing starts (``warm_up``). Figures are wall-clock on this machine.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETS = {
    "dev (22)": ROOT.parent / "shared" / "eval" / "dev_questions.json",
    "dev2 (51)": ROOT.parent / "shared" / "eval" / "dev2_questions.json",
    "own: answers (33)": ROOT / "benchmarks" / "questions_qa.json",
    "own: pipeline (38)": ROOT / "benchmarks" / "questions_pipeline.json",
}


def _questions(path: Path) -> list[str]:
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data["questions"]
    return [q["question"] for q in data]


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, help="write the table as Markdown too")
    args = ap.parse_args()

    from qa.engine import Engine

    engine = Engine()
    t0 = time.perf_counter()
    engine.warm_up(progress=False)
    engine.answer("子育ての相談")  # the labelled examples are embedded on first use
    warm = time.perf_counter() - t0
    rows = []
    by_op: dict[str, list[float]] = defaultdict(list)
    everything: list[float] = []
    for name, path in SETS.items():
        times = []
        for question in _questions(path):
            engine.index.clear_cache()
            start = time.perf_counter()
            ans = engine.answer(question)
            ms = (time.perf_counter() - start) * 1000
            times.append(ms)
            by_op[ans.intent].append(ms)
        if times:
            everything += times
            rows.append((name, len(times), statistics.median(times), _pct(times, 95), max(times)))
    lines = [f"Answer latency in process ({platform.machine()}, {len(everything)} questions, "
             f"query cache cleared before each; warm-up {warm:.1f} s)", "",
             "| set | n | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    lines += [f"| {n} | {k} | {p50:.0f} | {p95:.0f} | {mx:.0f} |" for n, k, p50, p95, mx in rows]
    lines.append(f"| **all** | {len(everything)} | **{statistics.median(everything):.0f}** | "
                 f"{_pct(everything, 95):.0f} | {max(everything):.0f} |")
    lines += ["", "| operation | n | p50 ms |", "|---|---|---|"]
    lines += [f"| {op} | {len(v)} | {statistics.median(v):.0f} |" for op, v in sorted(by_op.items())]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
