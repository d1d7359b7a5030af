"""The Milvus backend: passages, their vectors and their BM25 weights stored and searched in Milvus.

The same code serves milvus-lite (``PLANQA_MILVUS_URI`` a local ``.db`` file, the default being
``PLANQA_HOME/milvus/planqa.db``) and a Milvus server (``http://host:19530``). Two collections
per index:

* passages - the e5 vector (``dense``, FLAT, inner product), this project's fugashi BM25 as
  sparse vectors over lemmas (``lemma``) and hiragana readings (``reading``), and the filter
  fields (plan, goal, policy, departments, section);
* projects - the whole-project lemma BM25 document (``lemma``) and the same filter fields.

The sparse vectors are bm25s's own per-(term, passage) BM25 weights, and a question is the
count of each of its known terms, so their inner product *is* the BM25 score the default
backend computes: no second tokenizer, no second BM25. Each list is searched separately, with
the filters as a Milvus expression, and the ``limit`` best passages of each come back; the
fusion then runs in this process exactly as for the default backend. (Milvus's own
``hybrid_search`` was measured at ~2 s per question on milvus-lite against a few ms for each
single search, and would fuse with other weights.)

The collection names carry a hash of the local index's manifest, so a rebuilt index gets new
collections (filled on first use, said on stderr) and the old ones are dropped.

Failures are said in one line each: a damaged collection (a segment file cut short, say) is
found by ``python -m index status`` and by every load, which drops and refills it; a
milvus-lite file held by another process (milvus-lite serves one process at a time) is named as
such; the harmless errors milvus-lite's in-process server logs on the first fill (a gRPC method
it does not implement) and the tracebacks it logs with its errors are kept out of the output.
"""
from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import numpy as np

from index.errors import IndexLayerError, IndexNotReadyError
from index.fusion import QueryProfile
from index.messages import MILVUS_DAMAGED, MILVUS_SYNC, MILVUS_SYNCED
from index.results import Filters
from index.retriever import Scores

if TYPE_CHECKING:
    from index.build import IndexArtifacts
    from index.folder import Manifest
    from index.sparse import SparseIndex

__all__ = ["DEFAULT_LIMIT", "MilvusBackend", "MilvusDamagedError", "MilvusInUseError", "MilvusStore",
           "filter_expression", "milvus_problems"]

#: Passages returned per list and question. Exact for indexes of up to this many passages; above,
#: a passage outside the best ``limit`` of a list counts as unmatched by that list. Milvus's time
#: grows with it (milvus-lite, 1,800 passages: p50 28 ms per question at 100, 181 ms at 1,000), and
#: 200 passages per list is ten times what ranking 20 projects needs.
DEFAULT_LIMIT = 200
_MAX_LIMIT = 16384  # Milvus's top-k ceiling
# A sparse vector must have one non-zero weight; a passage with no term gets this dimension,
# which no question ever has, so it never scores.
_PAD_DIM = 2**32 - 2
_BATCH = 2000
_VARCHAR = 1024
_INSTALL = "PLANQA_RETRIEVER=milvus needs pymilvus and milvus-lite: pip install 'planqa[milvus]'"


_CLIENTS: dict[str, Any] = {}
_CLIENTS_LOCK = threading.Lock()


class MilvusDamagedError(IndexNotReadyError):
    """A collection of the index in Milvus cannot be read (a damaged segment file)."""


class _QuietMilvusLogs(logging.Filter):
    """milvus-lite's in-process server logs a traceback for a gRPC method it does not implement
    (AllocTimestamp, asked on every insert, answered by a fallback) and with each of its errors,
    which this module reports in its own words: drop the first, keep the others as one line."""

    hushed = 0  # > 0 while this module probes: it reports what it finds in its own words

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        message = record.getMessage()
        if self.hushed or isinstance(exc, NotImplementedError) or "Method not implemented" in message:
            return False
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        if "\nTraceback" in message:  # pymilvus writes the traceback into the message itself
            record.msg, record.args = message.split("\nTraceback", 1)[0], ()
        return True


_QUIET = _QuietMilvusLogs()
_NOISY_LOGGERS = ("grpc._server", "milvus_lite", "milvus_lite.server_manager", "milvus_lite.adapter.grpc.servicer",
                  "milvus_lite.adapter.grpc.server", "pymilvus.decorators")


class _Hush:
    """While probing or repairing a collection, the servers' own error lines about it are not shown."""

    def __enter__(self) -> None:
        with _CLIENTS_LOCK:
            _QUIET.hushed += 1

    def __exit__(self, *exc: object) -> None:
        with _CLIENTS_LOCK:
            _QUIET.hushed -= 1


def _quiet_logs() -> None:
    for name in _NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if _QUIET not in logger.filters:
            logger.addFilter(_QUIET)


def _client(uri: str):
    """One client per URI and process: milvus-lite serves a file through one local server, and a
    second connection to it from the same process can be refused (gRPC "too many pings")."""
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(uri)
        if client is None:
            client = _CLIENTS[uri] = _connect(uri)
        return client


def _forget_client(uri: str) -> None:
    """Close this process's client of ``uri``, and for a milvus-lite file stop its in-process server
    (which holds the file's lock until then)."""
    with _CLIENTS_LOCK:
        client = _CLIENTS.pop(uri, None)
    if client is not None:
        try:
            client.close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail in any way
            pass
    if "://" not in uri:
        try:
            from milvus_lite.server_manager import server_manager_instance  # noqa: PLC0415
        except ImportError:
            return
        server_manager_instance.release_server(str(Path(uri).expanduser()))


def _locked_by_another_process(path: Path) -> bool:
    """Whether another process holds milvus-lite's lock on the data folder ``path`` (``LOCK``, flock)."""
    lock = path / "LOCK"
    if not lock.is_file():
        return False
    try:
        import fcntl  # noqa: PLC0415
    except ImportError:  # not on this platform: milvus-lite reports it itself
        return False
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except OSError as exc:
        return exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK)
    finally:
        os.close(fd)


class MilvusInUseError(IndexNotReadyError):
    """Another process holds the milvus-lite file (milvus-lite serves one process at a time)."""


def _in_use(path: Path) -> IndexNotReadyError:
    return MilvusInUseError(
        f"the milvus-lite file {path} is in use by another process (a running `python -m ui`, `qa ask --jsonl` "
        f"or benchmark); milvus-lite serves one process at a time. Stop that process, point PLANQA_MILVUS_URI "
        f"at a Milvus server (http://host:19530) to share the index, or use PLANQA_RETRIEVER=faiss")


def _connect(uri: str):
    try:
        from pymilvus import MilvusClient  # noqa: PLC0415
    except ImportError as exc:
        raise IndexLayerError(_INSTALL) from exc
    _quiet_logs()
    local = "://" not in uri
    if local:  # milvus-lite: a local file (a folder of its own)
        path = Path(uri).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        uri = str(path)
        if _locked_by_another_process(path):
            raise _in_use(path)
    try:
        return MilvusClient(uri)
    except Exception as exc:  # noqa: BLE001 - connection errors come in many types
        if local and _locked_by_another_process(Path(uri)):  # taken between the check and the start
            raise _in_use(Path(uri)) from None
        what = "is it running, and is" if not local else "is"
        raise IndexNotReadyError(f"cannot open Milvus at {uri} ({exc}); {what} PLANQA_MILVUS_URI right?") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def milvus_problems(uri: str, index_name: str, manifest: Manifest) -> tuple[str, tuple[str, ...]]:
    """(state, reasons) of serving the index from Milvus in this process, for ``index status``.

    "ok": ready, or not filled yet (it is filled on first use). "corrupt": a collection cannot be
    read (the next load drops and refills it) or the server does not answer. "busy": the
    milvus-lite file is held by another process.
    """
    try:
        store = MilvusStore(uri, index_name, manifest)
        store.check()
    except MilvusDamagedError as exc:
        return "corrupt", (f"{exc}; the next load (python -m qa, ui or index search) drops and refills it",)
    except MilvusInUseError as exc:
        return "busy", (str(exc),)
    except IndexLayerError as exc:
        return "corrupt", (str(exc),)
    return "ok", ()


def _literal(value: str) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def filter_expression(filters: Filters | None, *, sections: bool = True) -> str:
    """The Milvus boolean expression for ``filters`` ("" for none); ``sections=False`` leaves sections out."""
    if filters is None or filters.is_empty:
        return ""
    parts: list[str] = []
    if filters.plan_id is not None:
        parts.append(f"plan_id == {_literal(filters.plan_id)}")
    if filters.plan_ids is not None:
        parts.append(f"plan_id in [{', '.join(_literal(p) for p in filters.plan_ids)}]")
    if filters.goal is not None:
        parts.append(f"goal == {int(filters.goal)}")
    if filters.policy is not None:
        parts.append(f"policy == {_literal(filters.policy)}")
    if filters.department is not None:
        parts.append(f"array_contains(departments, {_literal(filters.department)})")
    if sections and filters.sections is not None:
        parts.append(f"section in [{', '.join(_literal(s.value) for s in filters.sections)}]")
    return " and ".join(parts)


def sparse_rows(index: SparseIndex) -> Iterator[dict[int, float]]:
    """Each document's BM25 weight per term id, as bm25s computed them (a term-major matrix, transposed)."""
    import scipy.sparse  # noqa: PLC0415 - a bm25s dependency

    raw = index._retriever.scores  # noqa: SLF001 - bm25s's documented score matrix
    vocab = len(raw["indptr"]) - 1
    matrix = scipy.sparse.csc_matrix((raw["data"], raw["indices"], raw["indptr"]),
                                     shape=(index.n_docs, vocab)).tocsr()
    for row in range(index.n_docs):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        cols, vals = matrix.indices[start:end], matrix.data[start:end]
        keep = vals != 0
        row_dict = {int(c): float(v) for c, v in zip(cols[keep], vals[keep])}
        yield row_dict or {_PAD_DIM: 1.0}


def query_sparse(index: SparseIndex, terms: Sequence[str]) -> dict[int, float]:
    """A question as a sparse vector: the count of each known term (BM25 counts repeats)."""
    vocab = index.vocabulary
    return {int(vocab[t]): float(n) for t, n in Counter(index.known(terms)).items()}


def _collection_key(index_name: str, manifest: Manifest) -> str:
    digest = hashlib.sha256(json.dumps(manifest.files, sort_keys=True).encode()).hexdigest()[:12]
    safe = re.sub(r"[^A-Za-z0-9]", "_", index_name)[:40]
    return f"planqa_{safe}_{digest}"


class MilvusStore:
    """The collections of one index in one Milvus instance: creating, filling, finding them."""

    def __init__(self, uri: str, index_name: str, manifest: Manifest) -> None:
        self.uri = uri
        self.client = _client(uri)
        self.key = _collection_key(index_name, manifest)
        self.prefix = f"planqa_{re.sub(r'[^A-Za-z0-9]', '_', index_name)[:40]}_"
        self.passages = f"{self.key}_passages"
        self.projects = f"{self.key}_projects"
        self.manifest = manifest

    def ready(self) -> bool:
        """Whether both collections exist with the expected row counts (MilvusDamagedError if one cannot be read)."""
        return self.check() == "ok"

    def check(self) -> str:
        """"ok", "missing" (not filled yet, or filled partly), or MilvusDamagedError naming the damage.

        Reads each collection's description and statistics and one row, so a segment file that
        was cut short or overwritten is found here, not by the first question.
        """
        for name, expected in ((self.passages, self.manifest.n_chunks), (self.projects, self.manifest.n_projects)):
            with _Hush():
                try:
                    if not self.client.has_collection(name):
                        return "missing"
                    if int(self.client.get_collection_stats(name).get("row_count", -1)) != expected:
                        return "missing"
                    self.client.load_collection(name)
                    self.client.query(name, filter="id >= 0", limit=1, output_fields=["id"])
                except Exception as exc:  # noqa: BLE001 - pymilvus raises MilvusException, milvus-lite also arrow errors
                    raise MilvusDamagedError(f"the Milvus collection {name} at {self.uri} cannot be read "
                                             f"({_first_line(exc)})") from None
        return "ok"

    def reset(self) -> None:
        """Remove this index's collections, damaged ones included (a local file's folders if Milvus cannot)."""
        for name in (self.passages, self.projects):
            with _Hush():
                try:
                    if self.client.has_collection(name):
                        self.client.drop_collection(name)
                    continue
                except Exception:  # noqa: BLE001 - a damaged collection may not even be described
                    pass
            if "://" in self.uri:
                raise MilvusDamagedError(f"the Milvus collection {name} at {self.uri} is damaged and cannot be "
                                         f"dropped; drop it on the server and start again")
            _forget_client(self.uri)  # let go of the file before its folder is removed
            shutil.rmtree(Path(self.uri) / "collections" / name, ignore_errors=True)
            self.client = _client(self.uri)

    def _schema(self, dim: int | None):
        from pymilvus import DataType, MilvusClient  # noqa: PLC0415

        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        if dim is not None:
            schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
            schema.add_field("reading", DataType.SPARSE_FLOAT_VECTOR)
            schema.add_field("section", DataType.VARCHAR, max_length=_VARCHAR)
        schema.add_field("lemma", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("plan_id", DataType.VARCHAR, max_length=_VARCHAR)
        schema.add_field("goal", DataType.INT64)
        schema.add_field("policy", DataType.VARCHAR, max_length=_VARCHAR)
        schema.add_field("departments", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=64,
                         max_length=_VARCHAR)
        index = self.client.prepare_index_params()
        if dim is not None:
            index.add_index("dense", index_type="FLAT", metric_type="IP")
            index.add_index("reading", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        index.add_index("lemma", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        return schema, index

    def _create(self, name: str, dim: int | None, rows: Iterator[dict[str, Any]]) -> None:
        if self.client.has_collection(name):
            self.client.drop_collection(name)
        schema, index = self._schema(dim)
        self.client.create_collection(name, schema=schema, index_params=index)
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                self.client.insert(name, batch)
                batch = []
        if batch:
            self.client.insert(name, batch)
        self.client.flush(name)

    def fill(self, artifacts: IndexArtifacts, vectors: np.ndarray) -> None:
        """(Re)create both collections from the local index's passages, vectors and BM25 weights."""
        chunks, projects = artifacts.chunks, artifacts.projects
        if vectors.shape[0] != len(chunks):
            raise ValueError(f"{vectors.shape[0]} vectors for {len(chunks)} passages")

        def passage_rows() -> Iterator[dict[str, Any]]:
            for i, (chunk, lemma, reading) in enumerate(zip(chunks, sparse_rows(artifacts.lemma),
                                                            sparse_rows(artifacts.reading))):
                yield {"id": i, "dense": vectors[i].tolist(), "lemma": lemma, "reading": reading,
                       "plan_id": chunk.plan_id, "goal": int(chunk.goal), "policy": chunk.policy,
                       "departments": list(chunk.departments), "section": chunk.section.value}

        def project_rows() -> Iterator[dict[str, Any]]:
            for i, (project, lemma) in enumerate(zip(projects, sparse_rows(artifacts.project_lemma))):
                yield {"id": i, "lemma": lemma, "plan_id": project.plan_id, "goal": int(project.goal),
                       "policy": project.policy, "departments": list(project.departments)}

        self._create(self.passages, int(vectors.shape[1]), passage_rows())
        self._create(self.projects, None, project_rows())
        for name in self.client.list_collections():  # collections of earlier builds of this index
            if name.startswith(self.prefix) and not name.startswith(self.key):
                self.client.drop_collection(name)

    def load(self) -> None:
        for name in (self.passages, self.projects):
            self.client.load_collection(name)


class MilvusBackend:
    """Scores from Milvus searches: each list's best ``limit`` passages inside the filters."""

    name = "milvus"

    def __init__(self, store: MilvusStore, artifacts: IndexArtifacts, *, limit: int = DEFAULT_LIMIT,
                 parallel: bool = True) -> None:
        self.store = store
        self._artifacts = artifacts
        self._n_chunks = len(artifacts.chunks)
        self._n_projects = len(artifacts.projects)
        self.limit = max(1, min(int(limit), _MAX_LIMIT))
        # gRPC calls release the GIL: the four searches of a question run side by side
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="planqa-milvus") if parallel else None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, uri: str, index_name: str, manifest: Manifest, artifacts: IndexArtifacts,
             vectors: Callable[[], np.ndarray], *, limit: int = DEFAULT_LIMIT) -> MilvusBackend:
        """Connect, fill the collections if they are missing, incomplete or damaged (saying so on stderr), load them."""
        store = MilvusStore(uri, index_name, manifest)
        try:
            state = store.check()
        except MilvusDamagedError as exc:
            print(MILVUS_DAMAGED.format(reason=exc), file=sys.stderr, flush=True)
            store.reset()
            state = "missing"
        if state != "ok":
            print(MILVUS_SYNC.format(uri=uri, n=manifest.n_chunks), file=sys.stderr, flush=True)
            store.fill(artifacts, vectors())
            print(MILVUS_SYNCED.format(name=store.key), file=sys.stderr, flush=True)
        store.load()
        return cls(store, artifacts, limit=limit)

    def _search(self, collection: str, field: str, data: Any, limit: int, expr: str) -> tuple[np.ndarray, np.ndarray]:
        # output_fields: only the id - by default every field comes back, vectors included, and
        # decoding them cost ten times the search itself
        result = self.store.client.search(collection, data=[data], anns_field=field, limit=limit, filter=expr,
                                          output_fields=["id"], search_params={"metric_type": "IP", "params": {}})
        hits = result[0]
        ids = np.fromiter((h["id"] for h in hits), dtype=np.int64, count=len(hits))
        scores = np.fromiter((h["distance"] for h in hits), dtype=np.float32, count=len(hits))
        return ids, scores

    def scores(self, profile: QueryProfile, vector: Callable[[], np.ndarray], mode: str,
               filters: Filters | None) -> Scores:
        art = self._artifacts
        n, m = self._n_chunks, self._n_projects
        limit = min(self.limit, n)
        expr = filter_expression(filters)
        project_expr = filter_expression(filters, sections=False)
        jobs: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {}
        lexical = mode in ("hybrid", "bm25")
        lemma_query = query_sparse(art.lemma, profile.terms) if lexical else {}
        if lemma_query:
            jobs["lemma"] = lambda: self._search(self.store.passages, "lemma", lemma_query, limit, expr)
            project_query = query_sparse(art.project_lemma, profile.terms)
            if project_query:
                jobs["project_lemma"] = lambda: self._search(self.store.projects, "lemma", project_query,
                                                             min(self.limit, m), project_expr)
        if mode == "hybrid":
            reading_query = query_sparse(art.reading, profile.readings)
            if reading_query:
                jobs["reading"] = lambda: self._search(self.store.passages, "reading", reading_query, limit, expr)
        if mode in ("hybrid", "dense"):
            dense_query = np.asarray(vector(), dtype=np.float32).tolist()
            jobs["dense"] = lambda: self._search(self.store.passages, "dense", dense_query, limit, expr)
        if self._pool is not None and len(jobs) > 1:
            futures = {name: self._pool.submit(job) for name, job in jobs.items()}
            found = {name: f.result() for name, f in futures.items()}
        else:
            found = {name: job() for name, job in jobs.items()}
        out = {"lemma": np.zeros(n, dtype=np.float32), "reading": np.zeros(n, dtype=np.float32),
               "dense": np.zeros(n, dtype=np.float32), "project_lemma": np.zeros(m, dtype=np.float32)}
        if "dense" in found:
            out["dense"][:] = -1.0  # below every cosine: a passage Milvus did not return ranks last
        for name, (ids, values) in found.items():
            out[name][ids] = values
        return Scores(**out)
