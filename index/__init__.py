"""Search over the plan records: chunking, BM25 (bm25s), dense vectors (FAISS) and their fusion.

Typical use (the answer layer)::

    from index import Filters, load_index

    index = load_index()                       # loads the encoder once; builds the index if needed
    for project in index.rank_projects("じどうかんのいけん", k=5):
        print(project.name, project.score, project.hits[0].chunk.text)
    hits = index.search("来館者数", k=10, filters=Filters(sections=("参考指標",)))

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
from index.search import SearchIndex, index_status, load_index

__all__ = [
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
    "Manifest",
    "ModelError",
    "ProjectHit",
    "QueryProfile",
    "SearchIndex",
    "Section",
    "StaleIndexError",
    "build_index",
    "index_status",
    "load_index",
]
