"""Checks of answers shared by the answer engine's tests, and the question sets they run over."""
from __future__ import annotations

import json
import re
from pathlib import Path

from qa.compose import templates as T

BENCHMARK_FILES = sorted((Path(__file__).resolve().parents[1] / "benchmarks").glob("questions_*.json"))


def benchmark_questions(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [q["question"] for q in (data["questions"] if isinstance(data, dict) else data)]


def citation_problems(ans, *, documents: bool = False) -> list[str]:
    """Every [n] in the text names sources[n-1] (when a label precedes it, the label is that
    source's, naming its document when ``documents``: several are loaded), every source is cited,
    and no source is listed twice (a passage cited again keeps its number)."""
    problems = []
    cited = set()
    for m in re.finditer(r"\[(\d+)\]", ans.text):
        n = int(m.group(1))
        cited.add(n)
        if not 1 <= n <= len(ans.sources):
            problems.append(f"[{n}] with {len(ans.sources)} sources")
            continue
        s = ans.sources[n - 1]
        before = ans.text[:m.start()].rsplit("\n", 1)[-1]
        before = before[before.rfind("]") + 1:]  # since the previous citation on the line
        label = (T.CITE_DOC.format(document=s.document, page=s.page, project=s.project, section=s.section) if documents
                 else T.CITE.format(page=s.page, project=s.project, section=s.section))
        labelled = re.search(r"p\.\d+ ", before) and before.endswith("）")
        if labelled and not before.endswith(label):
            problems.append(f"[{n}] labelled {before[-60:]!r}, source is {label}")
    keys = [(s.project, s.section, s.page, s.text, s.plan_id) for s in ans.sources]
    if len(set(keys)) != len(keys):
        problems.append(f"a source listed twice: {[k[:3] for k in keys if keys.count(k) > 1]}")
    if cited != set(range(1, len(ans.sources) + 1)):
        problems.append(f"cited {sorted(cited)} of {len(ans.sources)} sources")
    return problems
