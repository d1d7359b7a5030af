"""Search over the plan records: chunking, BM25 (bm25s), dense vectors (FAISS) and their fusion.

Typical use (the answer layer)::

    from index import Filters, load_index

    index = load_index()                       # loads the encoder once; builds the index if needed
    for project in index.rank_projects("じどうかんのいけん", k=5):
        print(project.name, project.score, project.hits[0].chunk.text)
    hits = index.search("来館者数", k=10, filters=Filters(sections=("参考指標",)))

``load_index`` returns a ``Retriever``; ``PLANQA_RETRIEVER`` chooses where its passages are stored
and scored: ``faiss`` (bm25s + FAISS in process, the default) or ``milvus`` (``index.milvus``).

Command line: ``python -m index build | search | eval | status``.
"""
from index.build import build_index
from index.chunks import Chunk, Section
from index.errors import (
    CorruptIndexError,
    IndexLayerError,
    IndexMissingError,
    IndexNotReadyError,
    ModelError,
    StaleIndexError,
)
from index.folder import IndexFolder, IndexStatus, Manifest
from index.fusion import FusionConfig, QueryProfile
from index.results import MODES, Filters, Hit, ProjectHit
from index.retriever import BACKENDS, LocalBackend, Retriever, ScoringBackend
from index.search import SearchIndex, index_status, load_index, with_milvus

__all__ = [
    "BACKENDS",
    "MODES",
    "Chunk",
    "CorruptIndexError",
    "Filters",
    "FusionConfig",
    "Hit",
    "IndexFolder",
    "IndexLayerError",
    "IndexMissingError",
    "IndexNotReadyError",
    "IndexStatus",
    "LocalBackend",
    "Manifest",
    "ModelError",
    "ProjectHit",
    "QueryProfile",
    "Retriever",
    "ScoringBackend",
    "SearchIndex",
    "Section",
    "StaleIndexError",
    "build_index",
    "index_status",
    "load_index",
    "with_milvus",
]
