"""Split every dev set into a tuning part and a held-out part, deterministically.

The held-out part is never looked at while changing the product; it is scored once at the
end, and that figure is the one reported. The split is by a hash of each question's or
conversation's id, so it is the same on every machine and does not depend on file order.

    python benchmarks/holdout.py [--out /tmp/planqa-eval]

writes <set>.tune.json and <set>.holdout.json beside each other, in the format of the
original file, ready for ../shared/eval/score.py --questions / score_conversations.py
--conversations.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
QUESTION_SETS = ("dev_questions", "dev2_questions", "dev3_questions")
CHAT_SETS = ("dev_conversations", "dev3_conversations", "dev_sessions")
HOLDOUT_SHARE = 0.3


def held_out(item_id: str) -> bool:
    """True for about HOLDOUT_SHARE of ids, the same ones on every run."""
    digest = hashlib.sha256(f"planqa-holdout:{item_id}".encode()).digest()
    return digest[0] / 256 < HOLDOUT_SHARE


def split(name: str, out: Path) -> tuple[int, int]:
    data = json.loads((EVAL / f"{name}.json").read_text(encoding="utf-8"))
    key = "conversations" if name in CHAT_SETS else "questions"
    items = data[key] if isinstance(data, dict) else data
    parts = {"tune": [], "holdout": []}
    for item in items:
        parts["holdout" if held_out(item["id"]) else "tune"].append(item)
    for part, chosen in parts.items():
        payload = {**data, key: chosen} if isinstance(data, dict) else chosen
        (out / f"{name}.{part}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(parts["tune"]), len(parts["holdout"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/planqa-eval")
    out = Path(ap.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    for name in QUESTION_SETS + CHAT_SETS:
        tune, hold = split(name, out)
        print(f"{name}: {tune} tuning, {hold} held out")


if __name__ == "__main__":
    main()
