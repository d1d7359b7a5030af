"""The labelled-example vote: the question's nearest example questions, by the embedding model.

Grammar features (qa.understand) see interrogatives and counters; phrasings without such marks
(「課ごとにまとめて」「減り方がひどいのは」) are still near examples of the same operation in the
encoder's space. Each operation gets the similarity-weighted share of the ``K`` nearest
examples; ``understand`` adds it with ``EXAMPLE_VOTE_WEIGHT``. The examples are generic ways
of asking about any plan evaluation, not questions of the evaluation sets.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from qa.query import Operation

K = 5  # nearest examples that vote; more dilutes the vote with the second-best operation

EXAMPLES: tuple[tuple[str, Operation], ...] = (
    # find a programme for a need
    ("子どもを預けられるところを探しています", Operation.SEARCH),
    ("仕事と育児の両立が大変で助けてほしい", Operation.SEARCH),
    ("発達が気になる子の相談先はありますか", Operation.SEARCH),
    ("子育てで悩んだときに頼れるサービスは", Operation.SEARCH),
    ("家計が苦しいので子育ての支援を受けたい", Operation.SEARCH),
    ("こどもがあんしんしてすごせるばしょは？", Operation.SEARCH),
    ("引っ越してきたばかりで子育ての情報がほしい", Operation.SEARCH),
    # one project's facts
    ("この事業の担当部署はどこですか", Operation.LOOKUP),
    ("事業の結果の説明を読みたい", Operation.LOOKUP),
    ("その事業への委員の意見を教えて", Operation.LOOKUP),
    ("指標の実績値と計画値を教えてください", Operation.LOOKUP),
    ("昨年度の利用人数は何人でしたか", Operation.LOOKUP),
    ("この取り組みは目標を達成できましたか", Operation.LOOKUP),
    ("来年度以降の計画はどうなっていますか", Operation.LOOKUP),
    ("どういう内容の事業なのか説明して", Operation.LOOKUP),
    # lists by condition
    ("計画を達成できなかった事業を全部教えて", Operation.LIST),
    ("この課が担当している事業の一覧", Operation.LIST),
    ("この目標に含まれる事業はどれ", Operation.LIST),
    ("計画値が維持になっている指標を列挙して", Operation.LIST),
    ("実績が基準年より増えた指標を挙げて", Operation.LIST),
    ("会議の意見が付いている事業はどれですか", Operation.LIST),
    ("数値目標のない事業を洗い出して", Operation.LIST),
    # counts
    ("重点事業は全部でいくつありますか", Operation.COUNT),
    ("未達成の事業は何事業ありますか", Operation.COUNT),
    ("指標の数を教えて", Operation.COUNT),
    # group by
    ("部署ごとに事業数を集計して", Operation.GROUP),
    ("目標別に事業の件数をまとめて", Operation.GROUP),
    ("課別の内訳を表にして", Operation.GROUP),
    ("担当課単位で事業を分けて数えて", Operation.GROUP),
    # largest / smallest change
    ("最も落ち込みが大きかった指標は", Operation.EXTREME),
    ("伸び率が一番高い指標はどれ", Operation.EXTREME),
    ("基準年からの減少幅が最大の項目", Operation.EXTREME),
    ("増加が最も小さかった指標を教えて", Operation.EXTREME),
    # comparison of two
    ("二つの指標で増え方が大きいのはどっち", Operation.COMPARE),
    ("AとBの利用者数を比べるとどちらが多い", Operation.COMPARE),
    ("前者と後者の減り方の違いは", Operation.COMPARE),
    # trend across years
    ("年度ごとの推移を見せて", Operation.TREND),
    ("この数値は毎年どう変わってきた", Operation.TREND),
    ("経年変化を教えて", Operation.TREND),
    # the whole document
    ("この資料の全体像を教えて", Operation.SUMMARY),
    ("進捗状況をざっくりまとめて", Operation.SUMMARY),
    ("評価結果の概要は", Operation.SUMMARY),
    # more candidates
    ("ほかには？", Operation.MORE),
    ("別の候補もある？", Operation.MORE),
)


class ExampleVote:
    """Embeds the examples once with ``encode`` (a batch of texts -> unit vectors) and votes."""

    def __init__(self, encode: Callable[[Sequence[str]], np.ndarray], examples=EXAMPLES, k: int = K):
        self._encode = encode
        self._examples = tuple(examples)
        self._k = k
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()

    def _matrix(self) -> np.ndarray:
        if self._vectors is None:
            with self._lock:
                if self._vectors is None:
                    self._vectors = np.asarray(self._encode([t for t, _ in self._examples]), dtype=np.float32)
        return self._vectors

    def vote(self, vector: np.ndarray) -> dict[Operation, float]:
        """Similarity-weighted share of each operation among the ``k`` nearest examples."""
        if vector is None or not np.all(np.isfinite(vector)):
            return {}
        sims = self._matrix() @ np.asarray(vector, dtype=np.float32)
        top = np.argsort(-sims)[: self._k]
        weights = np.clip(sims[top], 0.0, None)
        total = float(weights.sum())
        if total <= 0:
            return {}
        out: dict[Operation, float] = {}
        for i, w in zip(top, weights):
            op = self._examples[i][1]
            out[op] = out.get(op, 0.0) + float(w) / total
        return out
