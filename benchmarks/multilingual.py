"""Project retrieval for questions in Chinese, Korean and Vietnamese: as typed vs. with the term base.

    python benchmarks/multilingual.py                    # prints the table
    python benchmarks/multilingual.py --out benchmarks/multilingual.md
    python benchmarks/multilingual.py --show tune        # every tuning question's top five

Questions: ``benchmarks/questions_multilingual.json`` (each with ``lang`` and ``split``). For each
language and split it prints project-level hit@1, hit@5 and MRR of the real index
(``rank_projects(text, k=5)``) for:

* ``as typed``   - the question exactly as the resident wrote it;
* ``term base``  - ``qa.understand.termbase.retrieval_text(question, detect(question))``: the language is
  the detected one, not the file's label, so a detection error costs here as it would in use.

It also prints how often ``qa.understand.languages.detect`` (and ``answer_language`` for the Chinese
scripts) gives the file's label, and for the ``off_topic`` questions (city matters the document
does not cover) against the others the best project's dense score under the term base: the
figure an off-topic threshold for these languages would be set from.

Then the whole answer, through ``qa.get_engine().answer`` (each question on its own, no
conversation): per language and split, the share answered (status ``answered``), the share whose
``Answer.language`` is the file's label, and the gold project's rank in ``Answer.projects`` as
hit@1 / hit@5 / MRR; for the ``off_topic`` questions the share refused (``no_answer``).

Splits: ``tune`` was looked at while writing the term bases; ``holdout`` (a third of each
language, chosen by a hash of the id when the questions were written) was not; ``fresh`` was
written after the term bases were final and scored once.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = ROOT / "benchmarks" / "questions_multilingual.json"
LANGS = ("zh-Hans", "zh-Hant", "ko", "vi")
SPLITS = ("tune", "holdout", "fresh")
CONDITIONS = ("as typed", "term base")
K = 5


@dataclass
class Score:
    ranks: list[int | None] = field(default_factory=list)

    def share(self, ok) -> float:
        return sum(1 for r in self.ranks if ok(r)) / len(self.ranks) if self.ranks else 0.0

    @property
    def hit1(self) -> float:
        return self.share(lambda r: r == 1)

    @property
    def hit5(self) -> float:
        return self.share(lambda r: r is not None and r <= K)

    @property
    def mrr(self) -> float:
        return sum(1.0 / r for r in self.ranks if r) / len(self.ranks) if self.ranks else 0.0

    def cells(self) -> str:
        return f"{self.hit1:.3f} / {self.hit5:.3f} / {self.mrr:.3f}"


def rank_of(names: list[str], gold: list[str]) -> int | None:
    return next((n for n, name in enumerate(names, start=1) if name in gold), None)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", default=str(QUESTIONS))
    ap.add_argument("--out", help="write the tables as Markdown to this file")
    ap.add_argument("--show", choices=SPLITS + ("all",), help="print each question's top five and answer for a split")
    args = ap.parse_args()

    from index import load_index
    from qa.understand.languages import answer_language, detect
    from qa.understand.termbase import retrieval_text

    questions = json.loads(Path(args.questions).read_text(encoding="utf-8"))["questions"]
    idx = load_index(progress=False)
    scores: dict[tuple[str, str, str], Score] = defaultdict(Score)
    detected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    times: list[float] = []
    for q in questions:
        lang, split, text, gold = q["lang"], q["split"], q["question"], q["gold_projects"]
        coarse = detect(text)
        detected[lang][0] += answer_language(text) == lang
        detected[lang][1] += 1
        for cond in CONDITIONS:
            query = text if cond == "as typed" else retrieval_text(text, coarse)
            t0 = time.perf_counter()
            names = [p.name for p in idx.rank_projects(query, k=K)]
            times.append(time.perf_counter() - t0)
            r = rank_of(names, gold)
            for key in ((lang, split, cond), (lang, "all", cond), ("all", split, cond), ("all", "all", cond)):
                scores[key].ranks.append(r)
            if args.show in (split, "all") and cond == "term base":
                mark = "ok " if r == 1 else f"@{r}" if r else "-- "
                print(f"{mark:>3} {q['id']} [{coarse}] {text}\n      gold {gold}\n      got  {names}\n      query {query}")

    dense: dict[tuple[str, bool], list[float]] = defaultdict(list)
    for q in questions:
        best = idx.rank_projects(retrieval_text(q["question"], detect(q["question"])), k=1)
        dense[(q["lang"], False)].append(best[0].dense_score if best else 0.0)
    for q in json.loads(Path(args.questions).read_text(encoding="utf-8")).get("off_topic", []):
        text = q["question"]
        best = idx.rank_projects(retrieval_text(text, detect(text)), k=1)
        dense[(q["lang"], True)].append(best[0].dense_score if best else 0.0)
        if args.show:
            print(f"off {q['id']} [{detect(text)}] {text}: {best[0].name if best else '-'} "
                  f"dense {best[0].dense_score if best else 0:.3f}")

    lines = [
        "| language | split | n | as typed hit@1 / hit@5 / MRR | term base hit@1 / hit@5 / MRR |",
        "|---|---|---|---|---|",
    ]
    for lang in LANGS + ("all",):
        for split in SPLITS + ("all",):
            raw, tb = scores[(lang, split, "as typed")], scores[(lang, split, "term base")]
            if raw.ranks:
                lines.append(f"| {lang} | {split} | {len(raw.ranks)} | {raw.cells()} | {tb.cells()} |")
    lines += ["", "| language | detected as labelled |", "|---|---|"]
    lines += [f"| {lang} | {ok}/{n} |" for lang, (ok, n) in detected.items()]
    lines += ["", "best project's dense score (term base): on-topic min / median, off-topic median / max",
              "", "| language | on-topic min | on-topic median | off-topic median | off-topic max |", "|---|---|---|---|---|"]
    for lang in LANGS:
        on, off = sorted(dense[(lang, False)]), sorted(dense[(lang, True)])
        if on and off:
            lines.append(f"| {lang} | {on[0]:.3f} | {on[len(on) // 2]:.3f} | {off[len(off) // 2]:.3f} | {off[-1]:.3f} |")
    lines += answer_table(questions, json.loads(Path(args.questions).read_text(encoding="utf-8")).get("off_topic", []),
                          show=args.show)
    times.sort()
    lines += ["", f"rank_projects p50 {1000 * times[len(times) // 2]:.1f} ms, "
                  f"p95 {1000 * times[int(len(times) * 0.95)]:.1f} ms ({platform.processor() or platform.machine()})"]
    table = "\n".join(lines)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n", encoding="utf-8")
    return 0


def answer_table(questions: list[dict], off_topic: list[dict], show: str | None = None) -> list[str]:
    """The whole answer per language and split: answered, language tag, project rank; off-topic refused."""
    from qa import get_engine
    from qa.types import AnswerStatus

    engine = get_engine()
    engine.warm_up(progress=False)
    scores: dict[tuple[str, str], Score] = defaultdict(Score)
    answered: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    tagged: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    times: list[float] = []
    for q in questions:
        t0 = time.perf_counter()
        ans = engine.answer(q["question"])
        times.append(time.perf_counter() - t0)
        r = rank_of([p.name for p in ans.projects], q["gold_projects"])
        for key in ((q["lang"], q["split"]), (q["lang"], "all"), ("all", q["split"]), ("all", "all")):
            scores[key].ranks.append(r)
            answered[key][0] += ans.status is AnswerStatus.ANSWERED
            answered[key][1] += 1
            tagged[key][0] += ans.language == q["lang"]
            tagged[key][1] += 1
        if show in (q["split"], "all"):
            mark = "ok " if r == 1 else f"@{r}" if r else "-- "
            print(f"{mark:>3} {q['id']} [{ans.language} {ans.status.value}] {q['question']}\n      "
                  f"{ans.text.splitlines()[0][:160]}")
    refused: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for q in off_topic:
        ans = engine.answer(q["question"])
        for lang in (q["lang"], "all"):
            refused[lang][0] += ans.status is AnswerStatus.NO_ANSWER
            refused[lang][1] += 1
    lines = ["", "Whole answers (`qa.get_engine().answer`, each question alone):", "",
             "| language | split | n | answered | language tag | project hit@1 / hit@5 / MRR |", "|---|---|---|---|---|---|"]
    for lang in LANGS + ("all",):
        for split in SPLITS + ("all",):
            key = (lang, split)
            if scores[key].ranks:
                (a, n), (t, _) = answered[key], tagged[key]
                lines.append(f"| {lang} | {split} | {n} | {a}/{n} | {t}/{n} | {scores[key].cells()} |")
    lines += ["", "| language | off-topic questions refused |", "|---|---|"]
    lines += [f"| {lang} | {refused[lang][0]}/{refused[lang][1]} |" for lang in LANGS + ("all",) if refused[lang][1]]
    times.sort()
    lines += ["", f"answer p50 {1000 * times[len(times) // 2]:.1f} ms, p95 {1000 * times[int(len(times) * 0.95)]:.1f} ms"]
    return lines


if __name__ == "__main__":
    sys.exit(main())
