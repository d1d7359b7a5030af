"""Searching the index: passages (``search``) and projects (``rank_projects``), and loading it.

``load_index`` loads the encoder once, checks the index folder against the current documents,
model and code, and rebuilds it when it is missing, stale or corrupt (or raises an error that
says to run ``python -m index build``). ``SearchIndex`` then answers queries in three modes:

* ``bm25``  - lemma BM25 alone: passages by their BM25 score, projects by BM25 over one document
  per project (the strongest single ranker on this corpus);
* ``dense`` - e5 cosine alone: passages by cosine, projects by their best passage;
* ``hybrid`` - weighted reciprocal rank fusion of lemma BM25 (project documents and passages),
  hiragana-reading BM25 and dense, with weights set per question (see ``index.fusion``).
"""
from __future__ import annotations

import dataclasses
import hashlib
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from corpus.loader import load_plans
from corpus.settings import Settings, get_settings
from index.expand import expand_query
from index.build import (
    EncoderLike,
    IndexArtifacts,
    build_identity,
    build_index,
    encoder_fingerprint,
    limit_torch_threads,
)
from index.chunks import Chunk, ProjectInfo
from index.dense import DenseIndex
from index.errors import CorruptIndexError, IndexMissingError, IndexNotReadyError, StaleIndexError
from index.folder import IndexFolder, IndexStatus, Manifest
from index.fusion import (
    FusionConfig,
    ListWeights,
    QueryProfile,
    competition_ranks,
    fusion_weights,
    kana_share,
    lexical_share,
    project_max,
    project_max_plus_share,
    weighted_rrf,
)
from index.messages import REBUILDING, RUN_BUILD
from index.respell import Respeller
from index.retriever import ChunkTable, LocalBackend, Scores, ScoringBackend
from index.results import MODES, Filters, Hit, ProjectHit
from index.sparse import SparseIndex
from index.text import reading_terms, terms

__all__ = ["SearchIndex", "index_status", "load_index", "served_status", "with_milvus"]

_QUERY_CACHE_SIZE = 256
_SCORES_CACHE_SIZE = 16  # score vectors are n_passages long: keep few


def _digest(text: str) -> bytes:
    """A cache key for a question that is not the question's text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True)
class _ProjectRanking:
    """Project-level scores of one query in one mode, with per-method evidence."""

    score: np.ndarray
    order: np.ndarray  # project indices, best first, only projects inside the filters
    bm25: np.ndarray  # raw lemma BM25 used for the project's bm25 rank
    bm25_ranks: np.ndarray
    dense: np.ndarray  # best passage cosine
    dense_ranks: np.ndarray


class SearchIndex:
    """A loaded index: passages, BM25 and FAISS indexes, and the encoder for questions."""

    def __init__(self, artifacts: IndexArtifacts, encoder: EncoderLike, *, config: FusionConfig = FusionConfig(),
                 manifest: Manifest | None = None, folder: IndexFolder | None = None,
                 hits_per_project: int = 3, respeller: Respeller | None = None,
                 backend: ScoringBackend | None = None) -> None:
        self._artifacts = artifacts
        self.backend: ScoringBackend = backend or LocalBackend(artifacts)
        self.encoder = encoder
        self.config = config
        self.manifest = manifest
        self.folder = folder
        self.hits_per_project = hits_per_project
        self.chunks: tuple[Chunk, ...] = artifacts.chunks
        self.projects: tuple[ProjectInfo, ...] = artifacts.projects
        self._project_index = {p.project_id: i for i, p in enumerate(self.projects)}
        try:
            self._chunk_project = np.array([self._project_index[c.project_id] for c in self.chunks], dtype=np.int64)
        except KeyError as exc:
            raise ValueError(f"passage of unknown project {exc.args[0]!r}: chunks and projects do not match") from None
        if artifacts.dense.size != len(self.chunks) or artifacts.lemma.n_docs != len(self.chunks):
            raise ValueError(
                f"index holds {len(self.chunks)} passages but {artifacts.dense.size} vectors and "
                f"{artifacts.lemma.n_docs} BM25 documents"
            )
        if artifacts.project_lemma.n_docs != len(self.projects):
            raise ValueError(f"{len(self.projects)} projects but {artifacts.project_lemma.n_docs} project BM25 documents")
        from index.build import passage_search_text  # noqa: PLC0415

        # Learnt from the passages at load time (deterministic, a fraction of a second): no file needed.
        self._respeller = respeller or Respeller.from_texts(passage_search_text(c) for c in self.chunks)
        self._table = ChunkTable(self.chunks)
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._scores_cache: OrderedDict[tuple, Scores] = OrderedDict()
        self._cache_lock = threading.Lock()

    def with_config(self, config: FusionConfig) -> SearchIndex:
        """The same index (shared files, encoder and passages) ranking with other fusion settings."""
        return SearchIndex(self._artifacts, self.encoder, config=config, manifest=self.manifest,
                           folder=self.folder, hits_per_project=self.hits_per_project, respeller=self._respeller,
                           backend=self.backend)

    def with_backend(self, backend: ScoringBackend) -> SearchIndex:
        """The same index ranking with scores from another backend (e.g. ``index.milvus.MilvusBackend``)."""
        return SearchIndex(self._artifacts, self.encoder, config=self.config, manifest=self.manifest,
                           folder=self.folder, hits_per_project=self.hits_per_project, respeller=self._respeller,
                           backend=backend)

    @property
    def artifacts(self) -> IndexArtifacts:
        """The passages and indexes this index was loaded from."""
        return self._artifacts

    # ---- loading --------------------------------------------------------------------------

    @classmethod
    def from_folder(cls, folder: IndexFolder, encoder: EncoderLike, **kwargs) -> SearchIndex:
        """Read an index folder (already checked); raises ``CorruptIndexError`` when a file cannot be read."""
        import json  # noqa: PLC0415

        try:
            manifest = folder.read_manifest()
            payload = json.loads(folder.chunks_path.read_text(encoding="utf-8"))
            chunks = tuple(Chunk.from_json(c) for c in payload["chunks"])
            projects = tuple(ProjectInfo.from_json(p) for p in payload["projects"])
            artifacts = IndexArtifacts(
                chunks=chunks,
                projects=projects,
                lemma=SparseIndex.load(folder.bm25_path(IndexFolder.BM25_LEMMA)),
                reading=SparseIndex.load(folder.bm25_path(IndexFolder.BM25_READING)),
                project_lemma=SparseIndex.load(folder.bm25_path(IndexFolder.BM25_PROJECT)),
                dense=DenseIndex.load(folder.dense_path),
            )
            if manifest.dim != encoder.dim or artifacts.dense.dim != encoder.dim:
                raise ValueError(f"index vectors have {artifacts.dense.dim} dimensions, the encoder {encoder.dim}")
            return cls(artifacts, encoder, manifest=manifest, folder=folder, **kwargs)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CorruptIndexError(f"search index {folder.path} cannot be read ({exc}); {RUN_BUILD}") from exc

    # ---- query analysis -------------------------------------------------------------------

    def profile(self, query: str) -> QueryProfile:
        """Terms, readings and fusion weights of ``query``, plus the terms the corpus lacks.

        A question written (mostly) without kanji is respelled in the corpus's kanji first
        (``index.respell``); lemma BM25 and the encoder get the respelled text, the reading index
        the question as typed. Kanji the corpus never uses, read like a corpus word (民感 for 民間),
        are respelled too.
        """
        kana = kana_share(query, self.config.kana_kanji_ratio)
        analysed = self._respeller.respell(query) if kana > 0 and self.config.respell else query
        lemma_terms = tuple(terms(analysed))
        lemma = self._artifacts.lemma
        unknown = tuple(dict.fromkeys(t for t in lemma_terms if lemma.idf(t) == 0.0))
        if unknown and self.config.respell:
            spelled = set(self._respeller.spellings.values())
            fixed = self._respeller.homophones(analysed, lambda w: w in spelled or all(lemma.idf(t) > 0 for t in terms(w)))
            if fixed != analysed:
                analysed, lemma_terms = fixed, tuple(terms(fixed))
                unknown = tuple(dict.fromkeys(t for t in lemma_terms if lemma.idf(t) == 0.0))
        lexical = lexical_share(lemma_terms, lemma.idf, lemma.n_docs)
        return QueryProfile(
            query=query,
            analysed=analysed,
            terms=lemma_terms,
            readings=tuple(reading_terms(query)),
            unknown_terms=unknown,
            lexical_share=lexical,
            kana_share=kana,
            weights=fusion_weights(lexical, kana, self.config,
                                   kana_share(analysed, self.config.kana_kanji_ratio) if analysed != query else kana),
        )

    def query_vector(self, query: str) -> np.ndarray:
        """The encoder's vector for ``query`` (cached: qa often asks for passages and projects of one question).

        The encoder embeds at most its token limit (``index.embedding.MAX_QUERY_TOKENS``), so the
        cache is keyed by that part: a long question and its expanded form (words appended at the
        end) are embedded once. Keys are digests, so the cache holds no question text.
        """
        bound = getattr(self.encoder, "bound_query", None)
        text = bound(query) if bound is not None else query
        key = _digest(text)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        vector = np.asarray(self.encoder.encode_queries([text]), dtype=np.float32)[0]
        with self._cache_lock:
            self._cache[key] = vector
            while len(self._cache) > _QUERY_CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector

    def retrieval_vector(self, query: str) -> np.ndarray:
        """The vector a search for ``query`` uses (of its expanded, respelled form): a caller that
        also needs the question's vector shares one encoding with the search."""
        profile = self.profile(expand_query(query) if self.config.expand else query)
        return self.query_vector(profile.analysed)

    def clear_cache(self) -> None:
        """Forget cached query vectors (the benchmark times each query from scratch)."""
        with self._cache_lock:
            self._cache.clear()
            self._scores_cache.clear()

    def _scores(self, profile: QueryProfile, mode: str, filters: Filters | None = None) -> Scores:
        # The answer layer asks for projects and for passages of the same question: score it once
        # (with Milvus that is four searches saved).
        key = (_digest(profile.query + "\0" + profile.analysed), mode, filters)
        with self._cache_lock:
            cached = self._scores_cache.get(key)
            if cached is not None:
                self._scores_cache.move_to_end(key)
                return cached
        scores = self.backend.scores(profile, lambda: self.query_vector(profile.analysed), mode, filters)
        with self._cache_lock:
            self._scores_cache[key] = scores
            while len(self._scores_cache) > _SCORES_CACHE_SIZE:
                self._scores_cache.popitem(last=False)
        return scores

    def _chunk_mask(self, filters: Filters | None) -> np.ndarray:
        return self._table.mask(filters)

    @staticmethod
    def _check(k: int, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode={mode!r} is not one of {', '.join(MODES)}")
        if k < 1:
            raise ValueError(f"k={k} asks for no results; pass k >= 1")

    # ---- projects -------------------------------------------------------------------------

    def _rank_projects(self, profile: QueryProfile, scores: Scores, mask: np.ndarray, mode: str,
                       sections_filtered: bool) -> _ProjectRanking:
        n = len(self.projects)
        cfg = self.config
        project_mask = np.zeros(n, dtype=bool)
        project_mask[self._chunk_project[mask]] = True
        passage_lemma = project_max_plus_share(scores.lemma, self._chunk_project, n, cfg.passage_share, mask)
        passage_lemma = np.where(project_mask, passage_lemma, 0.0)
        # With a section filter the whole-project document would match text outside the sections.
        use_document = cfg.use_project_document and not sections_filtered
        bm25 = np.where(project_mask, scores.project_lemma, 0.0) if use_document else passage_lemma
        bm25_ranks = competition_ranks(bm25, project_mask, positive_only=True)
        dense = project_max(scores.dense, self._chunk_project, n, mask)
        dense = np.where(project_mask, dense, -np.inf)
        dense_ranks = competition_ranks(dense, project_mask) if mode != "bm25" else np.zeros(n, dtype=np.int64)
        if mode == "bm25":
            score = bm25.astype(np.float64)
            tiebreak = passage_lemma
            keep = project_mask & (score > 0)
        elif mode == "dense":
            score = dense.astype(np.float64)
            tiebreak = np.zeros(n)
            keep = project_mask
        else:
            w = profile.weights
            lemma_weight = w.passage_lemma + (0.0 if use_document else w.project_lemma)
            reading = project_max_plus_share(scores.reading, self._chunk_project, n, cfg.passage_share, mask)
            lists = [
                bm25_ranks if use_document else np.zeros(n, dtype=np.int64),
                competition_ranks(passage_lemma, project_mask, positive_only=True),
                competition_ranks(np.where(project_mask, reading, 0.0), project_mask, positive_only=True),
                dense_ranks,
            ]
            score = weighted_rrf(lists, [w.project_lemma if use_document else 0.0, lemma_weight, w.reading, w.dense],
                                 cfg.rrf_k)
            tiebreak = np.where(project_mask, dense, -1.0)
            keep = project_mask
        candidates = np.flatnonzero(keep)
        # lexsort: last key is primary; ties fall to the dense cosine, then to document order
        order = candidates[np.lexsort((candidates, -tiebreak[candidates], -score[candidates]))]
        return _ProjectRanking(score, order, bm25, bm25_ranks, dense, dense_ranks)

    def _coverage(self, profile: QueryProfile, mask: np.ndarray) -> np.ndarray:
        """IDF-weighted share of the query's terms found in each project's passages (inside ``mask``)."""
        n = len(self.projects)
        lemma = self._artifacts.lemma
        unique = list(dict.fromkeys(profile.terms))
        if not unique:
            return np.zeros(n)
        unseen = float(np.log(1.0 + (lemma.n_docs + 0.5) / 0.5))
        counts = {t: profile.terms.count(t) for t in unique}
        total = sum((lemma.idf(t) or unseen) * counts[t] for t in unique)
        found = np.zeros(n)
        for term in unique:
            idf = lemma.idf(term)
            if idf == 0.0:
                continue
            present = np.zeros(n, dtype=bool)
            hit = (lemma.scores([term]) > 0) & mask
            present[self._chunk_project[hit]] = True
            found[present] += idf * counts[term]
        return found / total if total > 0 else found

    def _prepare(self, query: str, k: int, mode: str, filters: Filters | None):
        """Shared start of a search: checked arguments, the (expanded) question's profile, raw
        scores and the filter mask; None for a blank question."""
        self._check(k, mode)
        if not query.strip():
            return None
        profile = self.profile(expand_query(query) if self.config.expand else query)
        return profile, self._scores(profile, mode, filters), self._chunk_mask(filters)

    def rank_projects(self, query: str, k: int = 20, filters: Filters | None = None,
                      mode: str = "hybrid") -> list[ProjectHit]:
        """The ``k`` projects most relevant to ``query``, best first, each with its best passages."""
        prepared = self._prepare(query, k, mode, filters)
        if prepared is None:
            return []
        profile, scores, mask = prepared
        sections_filtered = filters is not None and filters.sections is not None
        ranking = self._rank_projects(profile, scores, mask, mode, sections_filtered)
        chunk_scores = self._chunk_scores(profile, scores, mask, mode, ranking)
        coverage = self._coverage(profile, mask)
        out: list[ProjectHit] = []
        for p in ranking.order[:k]:
            info = self.projects[p]
            members = np.flatnonzero(mask & (self._chunk_project == p))
            best = members[np.lexsort((members, -scores.dense[members], -chunk_scores.score[members]))]
            hits = tuple(self._hit(i, scores, chunk_scores) for i in best[: self.hits_per_project])
            out.append(
                ProjectHit(
                    project_id=info.project_id,
                    name=info.name,
                    score=float(ranking.score[p]),
                    hits=hits,
                    plan_id=info.plan_id,
                    bm25_score=float(ranking.bm25[p]),
                    dense_score=float(ranking.dense[p]) if np.isfinite(ranking.dense[p]) and mode != "bm25" else 0.0,
                    bm25_rank=int(ranking.bm25_ranks[p]) or None,
                    dense_rank=int(ranking.dense_ranks[p]) or None,
                    coverage=float(coverage[p]),
                )
            )
        return out

    # ---- passages -------------------------------------------------------------------------

    @dataclass(frozen=True)
    class _ChunkScores:
        score: np.ndarray
        lemma_ranks: np.ndarray
        reading_ranks: np.ndarray
        dense_ranks: np.ndarray

    def _chunk_scores(self, profile: QueryProfile, scores: Scores, mask: np.ndarray, mode: str,
                      ranking: _ProjectRanking | None) -> SearchIndex._ChunkScores:
        lemma_ranks = competition_ranks(scores.lemma, mask, positive_only=True)
        reading_ranks = competition_ranks(scores.reading, mask, positive_only=True)
        dense_ranks = competition_ranks(scores.dense, mask) if mode != "bm25" else np.zeros(len(self.chunks), dtype=np.int64)
        if mode == "bm25":
            score = scores.lemma.astype(np.float64)
        elif mode == "dense":
            score = scores.dense.astype(np.float64)
        else:
            w: ListWeights = profile.weights
            score = weighted_rrf([lemma_ranks, reading_ranks, dense_ranks],
                                 [w.project_lemma + w.passage_lemma, w.reading, w.dense], self.config.rrf_k)
            if ranking is not None and self.config.project_prior:
                # A passage of the project the question is most likely about outranks an equally
                # matching passage of another project: answers cite the project they name.
                prior = np.where(np.isfinite(ranking.score), ranking.score, 0.0)
                score = score + self.config.project_prior * prior[self._chunk_project]
        return SearchIndex._ChunkScores(score, lemma_ranks, reading_ranks, dense_ranks)

    def _hit(self, i: int, scores: Scores, chunk_scores: SearchIndex._ChunkScores) -> Hit:
        return Hit(
            chunk=self.chunks[i],
            score=float(chunk_scores.score[i]),
            bm25_rank=int(chunk_scores.lemma_ranks[i]) or None,
            dense_rank=int(chunk_scores.dense_ranks[i]) or None,
            bm25_score=float(scores.lemma[i]),
            dense_score=float(scores.dense[i]),
            reading_rank=int(chunk_scores.reading_ranks[i]) or None,
        )

    def search(self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid") -> list[Hit]:
        """The ``k`` passages most relevant to ``query``, best first (fewer if fewer match)."""
        prepared = self._prepare(query, k, mode, filters)
        if prepared is None:
            return []
        profile, scores, mask = prepared
        ranking = None
        if mode == "hybrid":
            sections_filtered = filters is not None and filters.sections is not None
            ranking = self._rank_projects(profile, scores, mask, mode, sections_filtered)
        chunk_scores = self._chunk_scores(profile, scores, mask, mode, ranking)
        keep = mask.copy()
        if mode == "bm25":
            keep &= scores.lemma > 0  # BM25 alone retrieves only passages sharing a term
        candidates = np.flatnonzero(keep)
        order = candidates[np.lexsort((candidates, -scores.dense[candidates], -chunk_scores.score[candidates]))]
        return [self._hit(i, scores, chunk_scores) for i in order[:k]]


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def index_status(settings: Settings | None = None, model_id: str | None = None) -> IndexStatus:
    """Whether the index of the configured documents is usable (``model_id=None``: any model)."""
    settings = settings or get_settings()
    plans = load_plans(tuple(settings.data_dirs))
    folder = IndexFolder.for_settings(settings, [p.id for p in plans])
    folder.recover()
    return folder.check(build_identity(settings, model_id, plans=plans))


def served_status(settings: Settings | None = None, model_id: str | None = None) -> IndexStatus:
    """``index_status``, and with ``PLANQA_RETRIEVER=milvus`` whether Milvus can serve it: a damaged
    collection or an unreachable server make it "corrupt", a milvus-lite file held by another process "busy"."""
    settings = settings or get_settings()
    status = index_status(settings, model_id)
    if not status.ok or settings.retriever != "milvus" or status.manifest is None:
        return status
    from index.milvus import milvus_problems  # noqa: PLC0415 - pymilvus is an optional extra

    state, problems = milvus_problems(settings.milvus_target, status.path.name, status.manifest)
    if state == "ok":
        return status
    return dataclasses.replace(status, state=state, reasons=(*status.reasons, *problems))


_ERRORS = {"missing": IndexMissingError, "stale": StaleIndexError, "corrupt": CorruptIndexError}


def load_index(settings: Settings | None = None, *, build_if_missing: bool = True, progress: bool = True,
               encoder: EncoderLike | None = None, config: FusionConfig = FusionConfig(),
               query_threads: int | None = 1) -> SearchIndex:
    """Load the index of the configured documents, loading the encoder once.

    A missing, stale or corrupt index is rebuilt when ``build_if_missing`` (the default), else
    ``IndexMissingError`` / ``StaleIndexError`` / ``CorruptIndexError`` is raised, naming the
    folder, the reason and the command to run. ``encoder`` replaces the configured model (tests).
    ``query_threads`` sets torch's thread count for encoding questions (process-wide; ``None``
    leaves it alone), see ``index.build.limit_torch_threads``.
    """
    settings = settings or get_settings()
    if encoder is None:
        from index.embedding import Encoder  # noqa: PLC0415 - loads torch

        encoder = Encoder.load(settings)
    fingerprint = encoder_fingerprint(encoder)
    status = index_status(settings, fingerprint)
    if not status.ok:
        if not build_if_missing:
            raise _ERRORS[status.state](f"{status.describe()}; {RUN_BUILD}")
        # Never silent: a rebuild takes seconds to minutes, and the user must know why.
        print(REBUILDING.format(reason=status.describe()), file=sys.stderr, flush=True)
        build_index(settings, progress=progress, encoder=encoder)
        status = index_status(settings, fingerprint)
        if not status.ok:  # the build itself must produce a usable folder; anything else is a bug
            raise IndexNotReadyError(f"{status.describe()} right after a build; {RUN_BUILD}")
    folder = IndexFolder(status.path)
    try:
        index = SearchIndex.from_folder(folder, encoder, config=config)
    except CorruptIndexError as exc:
        if not build_if_missing:
            raise
        print(REBUILDING.format(reason=str(exc).split("; ")[0]), file=sys.stderr, flush=True)
        build_index(settings, progress=progress, encoder=encoder)
        index = SearchIndex.from_folder(folder, encoder, config=config)
    limit_torch_threads(query_threads)
    if settings.retriever == "milvus":
        index = with_milvus(index, settings)
    return index


def with_milvus(index: SearchIndex, settings: Settings, *, limit: int | None = None) -> SearchIndex:
    """``index`` with its passages served by Milvus at ``settings.milvus_target`` (filled on first use)."""
    from index.milvus import DEFAULT_LIMIT, MilvusBackend  # noqa: PLC0415 - pymilvus is an optional extra

    if index.folder is None or index.manifest is None:
        raise ValueError("only an index loaded from its folder can be served by Milvus")
    backend = MilvusBackend.open(settings.milvus_target, index.folder.path.name, index.manifest, index.artifacts,
                                 lambda: index.artifacts.dense.vectors(), limit=limit or DEFAULT_LIMIT)
    return index.with_backend(backend)
