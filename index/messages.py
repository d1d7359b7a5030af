"""User-visible Japanese text of the index layer (progress bars and CLI output), kept in one place."""
from __future__ import annotations

BUILD_PROGRESS = "検索索引を作成中"
BUILD_STEPS = {
    "chunk": "文書を分割",
    "bm25": "BM25索引",
    "encode": "埋め込み",
    "faiss": "FAISS索引",
    "write": "保存",
}
REBUILDING = "検索索引を作り直します（{reason}）"
BUILT = "検索索引を作成しました: {path}（{n_chunks}件の文書片、{seconds:.1f}秒）"
NO_HITS = "該当する箇所が見つかりませんでした。"
HIT_HEADER = "{rank}. {project}［{section}］ p.{page}　スコア {score:.4f}"
PROJECT_HEADER = "{rank}. {project}（{departments}）　スコア {score:.4f}"
STATUS_LINE = "{state}: {path}"
STATUS_STATES = {"ok": "使用可能", "missing": "未作成", "stale": "古い", "corrupt": "破損", "busy": "使用中（別のプロセス）"}
RUN_BUILD = "`python -m index build` を実行してください。"
INTERRUPTED = "中断しました。以前の検索索引はそのまま使えます。"
MILVUS_SYNC = "Milvus に検索索引を登録します（{uri}、{n}件の文書片）"
MILVUS_SYNCED = "Milvus のコレクション {name} を作成しました"
MILVUS_DAMAGED = "Milvus の検索索引が読めないため、登録し直します（{reason}）"
