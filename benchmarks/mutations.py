"""Which deliberate breakages of the answer layer do the fast tests catch?

    python benchmarks/mutations.py                 # runs, prints the figures, writes benchmarks/mutations.md
    python benchmarks/mutations.py --list          # the breakages only, nothing run
    python benchmarks/mutations.py --sample 20 --jobs 1

Each breakage is one edit: a file, an exact snippet that occurs once in it, its replacement,
and the rule it breaks. One at a time, in a temporary copy of the project (never the tree
itself), the breakage is applied and the fast tests of the answer layer are run with
``pytest -m "not model and not browser and not xfail" -x``; a failing run catches it.
Tests marked xfail are left out: they describe behaviour not built yet, and a breakage that
happens to make one pass is not caught by it.

Two sources of breakages:

* generated: Python's ``ast`` finds candidate sites in ``qa/**/*.py`` (not its command line)
  and ``corpus/evaluate.py``: comparisons moved across their boundary (``<`` to ``<=``) or
  negated (``<`` to ``>=``, ``in`` to ``not in``), one condition of an ``if`` dropped (or the
  whole test made ``False``), numeric thresholds changed. A deterministic sample is taken by
  a hash of each breakage's text, so a site keeps being chosen while its code is unchanged,
  wherever the code moves;
* a short hand list of rule deletions (``HAND``); an entry whose snippet is no longer in its
  file is reported as stale, not run.

A breakage reviewed as equivalent (``EQUIVALENT``: no input can tell it from the code, and the
reason why) is not run; it is reported apart and left out of the share.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# the answer layer: qa's modules except its command line, and the evaluation rules
TARGETS = ("qa/**/*.py", "corpus/evaluate.py")
EXCLUDED = ("qa/__main__.py",)
# every fast test file of qa/ (the reader of plain Japanese, qa.plain, included)
ANSWER_TESTS = ("tests/test_qa.py", "tests/test_pipeline.py", "tests/test_conversation.py", "tests/test_conditions.py",
                "tests/test_documents.py", "tests/test_foreign_answers.py", "tests/test_languages.py",
                "tests/test_plain.py")
TESTS_FOR = {  # path prefix -> the fast test files that cover it
    "qa/": ANSWER_TESTS,
    "corpus/evaluate.py": ("tests/test_corpus.py", *ANSWER_TESTS),
}
MARKS = "not model and not browser and not xfail"
# how many generated breakages of each kind a run samples (60 in all)
QUOTAS = {"comparison boundary": 15, "comparison negated": 15, "condition dropped": 15, "threshold": 15}
TIMEOUT_S = 900


@dataclass(frozen=True)
class Breakage:
    """One deliberate single-point breakage: ``original`` occurs exactly once in ``file``."""

    file: str  # relative to the project root
    original: str
    replacement: str
    rule: str  # what it breaks
    kind: str = "hand"

    @property
    def key(self) -> str:
        return hashlib.sha1(f"{self.file}\0{self.original}\0{self.replacement}".encode()).hexdigest()[:10]


# Rules deleted by hand. Snippets are exact text of today's code; when the code moves, update
# them (or drop the entry): a stale entry is reported, never run.
HAND = (
    Breakage("qa/understand/lexicon.py",
             'BORDERLINE = Cue("nearly met", ("ほぼ達成", "わずかに", "ぎりぎり", "要注意", "あと少し", "惜しい"))',
             'BORDERLINE = Cue("nearly met", ())',
             "「ほぼ達成の指標は？」 asks for the borderline status (the words of a status filter)"),
    Breakage("qa/understand/lexicon.py", 'NOT_POINTING_AFTER = frozenset("から まで ', 'NOT_POINTING_AFTER = frozenset("まで ',
             "これから is an idiom, not a reference to the conversation"),
    Breakage("qa/execute/records.py",
             "    if f.exclude_departments and set(f.exclude_departments) & set(p.departments):\n        return False\n",
             "", "「ほかの課の…」 leaves out the departments of the conversation's project"),
    Breakage("qa/execute/records.py", "    return p.id not in f.exclude_projects\n", "    return True\n",
             "「同じ課のほかの事業」 leaves out the project itself"),
    Breakage("qa/answerability.py", "    if not unknown:\n        return False\n", "",
             "a question is off-topic only with a noun the documents never use"),
    Breakage("qa/answerability.py", "    return later if asks_result else []\n", "    return []\n",
             "results of a year no loaded document reports are not in the document (no_answer)"),
    Breakage("qa/execute/search.py", "    return not top.agreed and top.coverage < LOW_CONFIDENCE_COVERAGE\n",
             "    return top.coverage < LOW_CONFIDENCE_COVERAGE\n",
             "a match both retrievers rank first is not a weak match"),
    Breakage("qa/compose/composer.py",
             "            if (c.project, c.section, c.page, c.text, c.plan_id) == key:\n                break\n",
             "            if False:\n                break\n",
             "a source cited twice keeps one number"),
    Breakage("corpus/evaluate.py", "            if plan.word is PlanWord.MAINTAIN:\n", "            if False:\n",
             "維持 is judged against H30 with a 5 % tolerance (a drop is never met)"),
    Breakage("corpus/evaluate.py",
             "order = [Status.FELL_SHORT, Status.BORDERLINE, Status.UNCLEAR, Status.MET]",
             "order = [Status.FELL_SHORT, Status.UNCLEAR, Status.BORDERLINE, Status.MET]",
             "a project's status is its worst indicator's: fell_short > borderline > unclear > met"),
)


# Breakages reviewed as equivalent: no input can tell the broken code from the code (the reason
# says why). They are reported apart and left out of the share. An entry is keyed by the exact
# edit, so it lapses by itself when the code it was reviewed on changes; keep this list short.
EQUIVALENT: dict[str, str] = {
    # qa/answerability.py later_years: `n < newest` to `n <= newest`
    "0ad7a8e0c7": "n == newest means a loaded evaluation reports year n, so the year code R<n> is in `have` and "
                  "the test `y not in have` before it is already false (fiscal years are written R2, R3 …)",
    # qa/compose/labels.py _ratio_words: `< 1e-9` to `<= 1e-9`
    "1e1b773f55": "no float lies exactly 1e-9 from 0.5 (the floats next to 0.5 are 2^-53 apart and 1e-9 is "
                  "not a multiple of that spacing), so `<` and `<=` agree on every condition",
    # qa/engine.py Engine.answer: `show_document=len(self.plans) > 1` negated
    "04447f6c70": "the composer of qa.compose.answer.assemble only renumbers the parts' citations (Composer.ref "
                  "keeps the [n], never the label), so whether it would label documents shows nowhere; the "
                  "parts' own composers (Context.composer) decide the labels",
    # qa/understand/__init__.py: the `"comparative" in feats` arm of `measure = "abs"` dropped
    "01f9f08246": "Query.measure is read only as `q.measure or \"abs\"` (qa.execute.ranking.extreme and compare), "
                  "so None and \"abs\" are the same measure",
}

# ---------------------------------------------------------------------------------------------
# Generated breakages
# ---------------------------------------------------------------------------------------------

_BOUNDARY = {ast.Lt: "<=", ast.LtE: "<", ast.Gt: ">=", ast.GtE: ">"}
_NEGATED = {ast.Lt: ">=", ast.LtE: ">", ast.Gt: "<=", ast.GtE: "<", ast.Eq: "!=", ast.NotEq: "==",
            ast.In: "not in", ast.NotIn: "in", ast.Is: "is not", ast.IsNot: "is"}
_OPERATOR = re.compile(r"<=|>=|==|!=|<|>|\bnot\s+in\b|\bis\s+not\b|\bin\b|\bis\b")
_GROUPED = (ast.BoolOp, ast.IfExp, ast.NamedExpr, ast.Lambda)


class _Source:
    """One file's text with conversions from ast positions (UTF-8 byte columns) to text offsets."""

    def __init__(self, path: str, text: str) -> None:
        self.path, self.text = path, text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def segment(self, node: ast.AST) -> str:
        """The node's source text (``ast.get_source_segment`` splits the whole file on each call)."""
        start, end = self.span(node)
        return self.text[start:end]

    def edit(self, start: int, end: int, new: str, rule: str, kind: str) -> Breakage | None:
        """The edit of text[start:end] as whole lines, widened until the snippet is unique."""
        first = self.text.rfind("\n", 0, start) + 1
        last = self.text.find("\n", end)
        last = len(self.text) if last < 0 else last + 1
        for _ in range(4):
            original = self.text[first:last]
            if self.text.count(original) == 1:
                replacement = original[: start - first] + new + original[end - first:]
                return Breakage(self.path, original, replacement, rule, kind)
            nxt = self.text.find("\n", last)
            last = len(self.text) if nxt < 0 else nxt + 1
        return None


def _where(tree: ast.Module) -> dict[ast.AST, str]:
    """The enclosing function or class (qualified name) of every node."""
    out: dict[ast.AST, str] = {}

    def visit(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = name
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = f"{name}.{child.name}" if name else child.name
            out[child] = inner or "module level"
            visit(child, inner)

    visit(tree, "")
    return out


def _number(value: int | float) -> int | float:
    """A changed threshold: small integers by one, larger ones and factors above 1 by a fifth,
    shares (0 to 1) by 0.05."""
    if isinstance(value, int):
        return value + 1 if value < 10 else round(value * 1.2)
    if 0 < value <= 1:
        return round(value + 0.05 if value + 0.05 <= 1 else value - 0.05, 4)
    return round(value * 1.2, 4)


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def generated_breakages(root: Path = ROOT) -> list[Breakage]:
    """Every candidate site of the answer layer, as breakages (not sampled)."""
    files = sorted({p for pattern in TARGETS for p in root.glob(pattern)} - {root / e for e in EXCLUDED})
    out: list[Breakage] = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        src = _Source(rel, path.read_text(encoding="utf-8"))
        tree = ast.parse(src.text)
        where = _where(tree)
        for node in ast.walk(tree):
            place = where.get(node, "module level")
            if isinstance(node, ast.Compare) and len(node.ops) == 1:
                left_end = src.offset(node.left.end_lineno, node.left.end_col_offset)
                right_start = src.offset(node.comparators[0].lineno, node.comparators[0].col_offset)
                gap = src.text[left_end:right_start]
                m = _OPERATOR.search(gap)
                op = type(node.ops[0])
                if m is None:
                    continue
                shown = src.segment(node)
                for kind, table in (("comparison boundary", _BOUNDARY), ("comparison negated", _NEGATED)):
                    if op in table:
                        b = src.edit(left_end + m.start(), left_end + m.end(), table[op],
                                     f"`{_short(shown)}`: `{m.group(0)}` to `{table[op]}` in {place}", kind)
                        out.extend([b] if b else [])
                for comparator in node.comparators:
                    if _is_number(comparator) and not isinstance(comparator.value, bool):
                        new = _number(comparator.value)
                        start, end = src.span(comparator)
                        b = src.edit(start, end, repr(new),
                                     f"`{_short(shown)}`: {comparator.value!r} to {new!r} in {place}", "threshold")
                        out.extend([b] if b else [])
            elif isinstance(node, ast.If):
                test = node.test
                t_start, t_end = src.span(test)
                shown = _short(src.segment(test))
                b = src.edit(t_start, t_end, "False", f"`if {shown}` never taken in {place}", "condition dropped")
                out.extend([b] if b else [])
                if isinstance(test, ast.BoolOp):
                    joiner = " and " if isinstance(test.op, ast.And) else " or "
                    for i, dropped in enumerate(test.values):
                        rest = [v for j, v in enumerate(test.values) if j != i]
                        text = joiner.join(
                            f"({src.segment(v)})" if isinstance(v, _GROUPED) else src.segment(v) for v in rest)
                        b = src.edit(t_start, t_end, text,
                                     f"`if {shown}` without `{_short(src.segment(dropped))}` "
                                     f"in {place}", "condition dropped")
                        out.extend([b] if b else [])
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and where.get(node) == "module level":
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if (len(targets) == 1 and isinstance(targets[0], ast.Name) and targets[0].id.isupper()
                        and node.value is not None and _is_number(node.value) and not isinstance(node.value.value, bool)):
                    new = _number(node.value.value)
                    start, end = src.span(node.value)
                    b = src.edit(start, end, repr(new), f"{targets[0].id} = {node.value.value!r} to {new!r}", "threshold")
                    out.extend([b] if b else [])
    return out


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sample(candidates: list[Breakage], n: int) -> list[Breakage]:
    """``n`` breakages, split across kinds by ``QUOTAS`` and taken by the hash of their text."""
    by_kind: dict[str, list[Breakage]] = {}
    for b in sorted(set(candidates), key=lambda b: b.key):
        by_kind.setdefault(b.kind, []).append(b)
    total = sum(QUOTAS.values())
    quota = {k: n * q // total for k, q in QUOTAS.items()}
    chosen: list[Breakage] = []
    for kind, q in quota.items():
        chosen += by_kind.get(kind, [])[:q]
    rest = [b for b in sorted(set(candidates), key=lambda b: b.key) if b not in chosen]
    chosen += rest[: max(0, n - len(chosen))]
    return chosen


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    breakage: Breakage
    state: str  # caught | survived | timeout | equivalent | stale | invalid
    test: str = ""  # the first failing test
    seconds: float = 0.0
    line: int | None = None
    output: str = field(default="", repr=False)

    @property
    def caught(self) -> bool:
        return self.state in ("caught", "timeout")


def test_files(path: str) -> tuple[str, ...]:
    for prefix, files in TESTS_FOR.items():
        if path.startswith(prefix):
            return files
    return ANSWER_TESTS


def _copy_tree(dest: Path) -> Path:
    ignore = shutil.ignore_patterns(".git", "__pycache__", ".pytest_cache", "*.pyc", ".venv", "*.egg-info")
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    # a mutated module and the original may have the same size and second: never trust a cached .pyc
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def run_tests(tree: Path, files: tuple[str, ...], timeout: float) -> tuple[int | None, str, float]:
    cmd = [sys.executable, "-m", "pytest", "-m", MARKS, "-x", "-q", "-p", "no:cacheprovider", "-rf",
           f"--basetemp={tree.parent / 'pytest'}", *files]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=tree, env=_environment(), capture_output=True, text=True, timeout=timeout)
        return proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - t0
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return None, out, time.perf_counter() - t0


def _first_failure(output: str) -> str:
    m = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.M)
    return m.group(1) if m else ""


def try_breakage(tree: Path, b: Breakage, timeout: float) -> Outcome:
    if b.key in EQUIVALENT:
        return Outcome(b, "equivalent")
    path = tree / b.file
    if not path.is_file():
        return Outcome(b, "stale")
    text = path.read_text(encoding="utf-8")
    if text.count(b.original) != 1:
        return Outcome(b, "stale")
    line = text[: text.index(b.original)].count("\n") + 1
    mutated = text.replace(b.original, b.replacement, 1)
    try:
        compile(mutated, b.file, "exec")
    except SyntaxError:
        return Outcome(b, "invalid", line=line)
    path.write_text(mutated, encoding="utf-8")
    try:
        code, out, seconds = run_tests(tree, test_files(b.file), timeout)
    finally:
        path.write_text(text, encoding="utf-8")
    if code is None:
        return Outcome(b, "timeout", seconds=seconds, line=line, output=out[-3000:])
    if code == 0:
        return Outcome(b, "survived", seconds=seconds, line=line)
    if code not in (1,):  # 2: interrupted, 3: internal error, 4: usage, 5: no tests: not a test catching it
        return Outcome(b, f"error {code}", seconds=seconds, line=line, output=out[-3000:])
    return Outcome(b, "caught", _first_failure(out), seconds, line, out[-3000:])


def run_all(breakages: list[Breakage], jobs: int, timeout: float, progress=print) -> tuple[list[Outcome], float]:
    """Run every breakage in ``jobs`` copies of the project; the unbroken baseline first."""
    work: queue.Queue[tuple[int, Breakage]] = queue.Queue()
    for item in enumerate(breakages):
        work.put(item)
    results: dict[int, Outcome] = {}
    lock = threading.Lock()
    baseline: list[float] = []

    with tempfile.TemporaryDirectory(prefix="planqa-mutations-") as tmp:
        trees = [_copy_tree(Path(tmp) / f"w{j}" / "planqa") for j in range(jobs)]
        all_files = tuple(dict.fromkeys(f for files in TESTS_FOR.values() for f in files))
        code, out, seconds = run_tests(trees[0], all_files, timeout)
        if code != 0:
            raise SystemExit(f"the fast tests fail without any breakage; fix them first:\n{out[-3000:]}")
        baseline.append(seconds)
        progress(f"baseline: {len(all_files)} test files pass unbroken in {seconds:.1f} s")

        def worker(tree: Path) -> None:
            while True:
                try:
                    i, b = work.get_nowait()
                except queue.Empty:
                    return
                outcome = try_breakage(tree, b, timeout)
                with lock:
                    results[i] = outcome
                    where = f"{b.file}:{outcome.line}" if outcome.line else b.file
                    progress(f"[{len(results)}/{len(breakages)}] {outcome.state:8} {outcome.seconds:5.1f} s  "
                             f"{where}  {_short(b.rule, 90)}")

        threads = [threading.Thread(target=worker, args=(t,)) for t in trees]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return [results[i] for i in range(len(breakages))], baseline[0]


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def _share(outcomes: list[Outcome]) -> tuple[int, int]:
    ran = [o for o in outcomes if o.state in ("caught", "survived", "timeout")]
    return sum(o.caught for o in ran), len(ran)


def _commit() -> str:
    """The commit the tree was copied from (and whether it had changes of its own)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "qa", "corpus", "tests"],
                               cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} with uncommitted changes" if dirty else head


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "⏎")


def report(outcomes: list[Outcome], baseline: float, seconds: float, n_candidates: int, jobs: int,
           commit: str) -> str:
    caught, ran = _share(outcomes)
    gen = [o for o in outcomes if o.breakage.kind != "hand"]
    hand = [o for o in outcomes if o.breakage.kind == "hand"]
    lines = [
        "# Mutation figures: which breakages of the answer layer the fast tests catch",
        "",
        f"`python benchmarks/mutations.py` at commit {commit}, "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; {jobs} process{'es' if jobs > 1 else ''}, {seconds / 60:.1f} min in all "
        f"(the unbroken fast tests of the answer layer: {baseline:.0f} s).",
        "",
        f"Each breakage is applied alone in a temporary copy of the project and `pytest -m \"{MARKS}\" -x` runs "
        f"the answer layer's fast test files ({', '.join(f'`{f}`' for f in ANSWER_TESTS)}; `tests/test_corpus.py` "
        f"too for `corpus/evaluate.py`).",
        "",
        "| breakages | caught | share |",
        "|---|---|---|",
    ]
    for label, group in (("generated (sampled)", gen), ("by hand", hand), ("all", outcomes)):
        c, r = _share(group)
        lines.append(f"| {label} | {c} / {r} | {c / r:.0%} |" if r else f"| {label} | 0 / 0 | – |")
    by_kind: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_kind.setdefault(o.breakage.kind, []).append(o)
    lines += ["", "| kind | caught |", "|---|---|"]
    for kind, group in by_kind.items():
        c, r = _share(group)
        lines.append(f"| {kind} | {c} / {r} |")
    other = [o for o in outcomes if o.state not in ("caught", "survived", "timeout", "equivalent")]
    equivalent = [o for o in outcomes if o.state == "equivalent"]
    lines += ["", f"Generated candidate sites found: {n_candidates}; sampled: {len(gen)}."]
    if other:
        lines.append(f"Not run: {', '.join(f'{o.breakage.key} ({o.state})' for o in other)}.")
    if equivalent:
        lines.append(f"Equivalent (reviewed, not run, left out of the share): {len(equivalent)}.")
    lines += ["", "## Survived (no fast test fails)", "", "| id | where | kind | breaks | s |", "|---|---|---|---|---|"]
    for o in outcomes:
        if o.state == "survived":
            lines.append(f"| {o.breakage.key} | {o.breakage.file}:{o.line} | {o.breakage.kind} | {_md(o.breakage.rule)} "
                         f"| {o.seconds:.0f} |")
    if equivalent:
        lines += ["", "## Equivalent (no input tells them apart; not run)", "", "| id | where | kind | breaks | why equivalent |",
                  "|---|---|---|---|---|"]
        for o in equivalent:
            lines.append(f"| {o.breakage.key} | {o.breakage.file} | {o.breakage.kind} | {_md(o.breakage.rule)} "
                         f"| {_md(EQUIVALENT[o.breakage.key])} |")
    lines += ["", "## Caught", "", "| id | where | kind | breaks | first failing test | s |", "|---|---|---|---|---|---|"]
    for o in outcomes:
        if o.caught:
            test = o.test.split("::", 1)[-1][:70] if o.test else o.state
            lines.append(f"| {o.breakage.key} | {o.breakage.file}:{o.line} | {o.breakage.kind} | {_md(o.breakage.rule)} "
                         f"| {_md(test)} | {o.seconds:.0f} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=int, default=60, help="generated breakages to run (default 60)")
    ap.add_argument("--jobs", type=int, default=2, choices=(1, 2), help="test processes at once (at most 2)")
    ap.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds per test run")
    ap.add_argument("--no-hand", action="store_true", help="leave out the hand list")
    ap.add_argument("--list", action="store_true", help="print the breakages and stop")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "mutations.md")
    args = ap.parse_args(argv)

    candidates = generated_breakages()
    breakages = sample(candidates, args.sample) + ([] if args.no_hand else list(HAND))
    if args.list:
        for b in breakages:
            print(f"{b.key}  {b.kind:20}  {b.file}  {b.rule}")
        print(f"{len(breakages)} breakages ({len(candidates)} generated candidates)")
        return 0
    commit = _commit()  # before the copies are made: what is measured
    t0 = time.perf_counter()
    outcomes, baseline = run_all(breakages, args.jobs, args.timeout)
    seconds = time.perf_counter() - t0
    text = report(outcomes, baseline, seconds, len(candidates), args.jobs, commit)
    args.out.write_text(text, encoding="utf-8")
    caught, ran = _share(outcomes)
    print(f"caught {caught} of {ran} breakages ({caught / ran:.0%}); report in {args.out}" if ran else "nothing ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
