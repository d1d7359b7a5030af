"""Retrieval benchmark: `python benchmarks/retrieval.py` is `python -m index eval` (same options).

Prints, for BM25 only, dense only, plain RRF and the shipped hybrid, project-level hit@1, hit@5
and MRR on the dev questions, the held-out questions and the tuning questions, with query
latency, build time and peak memory, and writes them to benchmarks/retrieval.md.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.evaluate import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
