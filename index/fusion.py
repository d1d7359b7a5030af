"""Fusion of the lexical and dense rankings into one ranking of passages and of projects.

Pure functions over score vectors; no I/O and no model.

Why not plain reciprocal rank fusion: on this corpus the dense model alone is the weakest
ranker and an unweighted RRF(k=60) of lemma BM25 and e5 is *below* lemma BM25 alone (see
docs in ``shared/notes/embedding-model.md``). The two rankers fail on different questions, and
the question itself tells which one to trust:

* **Lexical share** - the IDF-weighted share of the question's lemma terms that occur anywhere
  in the corpus. A question in the document's own words (虐待相談件数, 公立保育園 障がい児) is
  answered by BM25; a paraphrase in everyday words (産んだばかりで眠れない, シングルマザー) has
  most of its weight in words the document never uses, and BM25 then ranks by whichever minor
  word happens to match. The lemma lists are weighted by this share, and dense by ``2 - share``.
* **Kana share** - how little kanji the question has. unidic-lite misreads questions typed in
  hiragana (じどう -> 自動, がくどう -> 顎 + どう). Such a question is first respelled in the
  corpus's own kanji where its readings allow (``index.respell``: いりょうひ -> 医療費), and the
  lexical share is measured on the respelled terms. The hiragana-reading BM25 list is the
  fallback for what respelling could not fix: its boost is scaled by the question's kana share
  and by ``1 - lexical share``, so a hiragana question that was read correctly (きもちをきいて ->
  気持ち, 聞く) keeps trusting lemmas. Dense is damped a little for text that is still kana
  after respelling, which e5 represents worse than kanji.

Project scores: each list ranks projects (not passages). A project's lexical score is its best
passage plus a share of its other passages (a project that matches in its content, its result
explanation and its indicator is more likely the one meant than one with a single lucky passage);
its dense score is its best passage only (e5 cosines bunch between 0.8 and 0.9, so sums would
reward projects with many passages). One more list ranks whole-project documents with lemma BM25,
the strongest single ranker. Ties in the fused score are broken by the dense cosine, a continuous
value that rarely ties, then by document order.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

__all__ = [
    "FusionConfig",
    "ListWeights",
    "QueryProfile",
    "competition_ranks",
    "fusion_weights",
    "kana_share",
    "lexical_share",
    "project_max",
    "project_max_plus_share",
    "weighted_rrf",
]

_KANJI = re.compile(r"[\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3041-\u309f\u30a1-\u30ff]")


@dataclass(frozen=True)
class FusionConfig:
    """Knobs of the hybrid ranking.

    Defaults were chosen on ``benchmarks/questions_tuning.json`` only; each sits where moving it
    either way made no column better on that set, so none is fitted to a single question.

    ``adaptive=False`` gives plain weighted RRF with fixed weights (``lexical_weight`` for the
    project-document lemma list, ``passage_lexical_weight`` for the passage lemma list,
    ``reading_base`` for readings, ``dense_base`` for dense); the benchmark uses it to report
    plain RRF(k=60) of lemma BM25 and dense as a reference.
    """

    rrf_k: float = 60.0
    adaptive: bool = True
    lexical_weight: float = 1.0
    passage_lexical_weight: float = 1.0  # non-adaptive only: weight of the passage lemma list
    reading_base: float = 0.5  # weight of the reading list for a question written with kanji
    reading_kana_boost: float = 3.0  # added for an all-hiragana question that unidic misread
    dense_base: float = 1.0
    dense_kana_damping: float = 0.3  # share of the dense weight removed for an all-kana encoder input
    kana_kanji_ratio: float = 0.2  # a question with this share of kanji (or more) counts as kanji text
    passage_share: float = 0.3  # share of a project's other passages' BM25 added to its best
    project_prior: float = 0.5  # passage search: weight of the passage's project score
    use_project_document: bool = True  # the whole-project BM25 list (off when sections are filtered)
    respell: bool = True  # rewrite mostly-kana questions in corpus kanji (index.respell)
    expand: bool = True  # append the document's words for everyday words (index.expand)


@dataclass(frozen=True)
class ListWeights:
    """Weight of each ranked list in the fusion."""

    project_lemma: float  # BM25 over whole-project documents (lemmas)
    passage_lemma: float  # BM25 over passages (lemmas), aggregated per project
    reading: float  # BM25 over passages (hiragana readings)
    dense: float  # e5 cosine over passages


@dataclass(frozen=True)
class QueryProfile:
    """What the fusion knows about a question (also a confidence signal for the answer layer).

    ``unknown_terms`` are lemma terms found nowhere in the corpus: a question whose important
    words are all unknown (放課後子ども教室 -> 放課後, 教室) is likely about something the
    document does not cover.
    """

    query: str
    analysed: str  # the text given to lemma BM25 and the encoder (respelled when mostly kana)
    terms: tuple[str, ...]
    readings: tuple[str, ...]
    unknown_terms: tuple[str, ...]
    lexical_share: float
    kana_share: float
    weights: ListWeights


def kana_share(text: str, kanji_ratio: float = 0.2) -> float:
    """1.0 for a question written without kanji, 0.0 once kanji make up ``kanji_ratio`` of its letters.

    Counts only kanji and kana: Latin letters, digits and punctuation do not make a question
    more or less readable for the analyser.
    """
    kanji = len(_KANJI.findall(text))
    kana = len(_KANA.findall(text))
    if kanji + kana == 0:
        return 0.0
    ratio = kanji / (kanji + kana)
    return float(min(1.0, max(0.0, 1.0 - ratio / kanji_ratio)))


def lexical_share(terms: Sequence[str], idf: Callable[[str], float], n_docs: int) -> float:
    """IDF-weighted share of ``terms`` that occur in the corpus (0 when there are no terms).

    A term the corpus lacks gets the IDF of a term in no document: it is the most specific
    kind of word, and its absence is what makes BM25 unreliable for the question.
    """
    if not terms:
        return 0.0
    unseen = math.log(1.0 + (n_docs + 0.5) / 0.5)
    known = total = 0.0
    for term in terms:
        value = idf(term)
        if value > 0:
            known += value
            total += value
        else:
            total += unseen
    return known / total if total > 0 else 0.0


def fusion_weights(lexical: float, kana: float, config: FusionConfig = FusionConfig(),
                   encoder_kana: float | None = None) -> ListWeights:
    """The weight of each list for a question with these shares (see the module docstring).

    ``kana`` is the kana share of the question as typed (how likely the analyser misread it);
    ``encoder_kana`` that of the text the encoder reads, after respelling (default: ``kana``).
    """
    encoder_kana = kana if encoder_kana is None else encoder_kana
    if not config.adaptive:
        return ListWeights(config.lexical_weight, config.passage_lexical_weight, config.reading_base, config.dense_base)
    reading = config.reading_base + config.reading_kana_boost * kana * (1.0 - lexical)
    dense = config.dense_base * (1.0 - config.dense_kana_damping * encoder_kana) * (2.0 - lexical)
    return ListWeights(
        project_lemma=config.lexical_weight * lexical,
        passage_lemma=config.lexical_weight * lexical,
        reading=reading,
        dense=dense,
    )


def competition_ranks(scores: np.ndarray, mask: np.ndarray | None = None, *, positive_only: bool = False) -> np.ndarray:
    """1-based ranks of ``scores`` (higher first); equal scores share the best rank ("1224").

    Items outside ``mask`` - and, with ``positive_only``, items scoring 0 or less (a BM25 score of
    0 means no query term matched: not retrieved at all) - get rank 0, meaning "not ranked".
    Sharing ranks keeps ties from being broken by document order inside one list.
    """
    scores = np.asarray(scores, dtype=np.float64)
    valid = np.ones(scores.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool).copy()
    if positive_only:
        valid &= scores > 0
    ranks = np.zeros(scores.shape, dtype=np.int64)
    if not valid.any():
        return ranks
    idx = np.flatnonzero(valid)
    values = scores[idx]
    # rank = 1 + number of valid items with a strictly higher score
    sorted_desc = np.sort(values)[::-1]
    higher = np.searchsorted(-sorted_desc, -values, side="left")
    ranks[idx] = higher + 1
    return ranks


def weighted_rrf(rank_lists: Sequence[np.ndarray], weights: Sequence[float], k: float = 60.0) -> np.ndarray:
    """Weighted reciprocal rank fusion: sum of ``weight / (k + rank)`` over the lists ranking an item."""
    if len(rank_lists) != len(weights):
        raise ValueError(f"{len(rank_lists)} ranked lists but {len(weights)} weights")
    if not rank_lists:
        raise ValueError("weighted_rrf needs at least one ranked list")
    out = np.zeros(len(rank_lists[0]), dtype=np.float64)
    for ranks, weight in zip(rank_lists, weights):
        if weight == 0:
            continue
        ranks = np.asarray(ranks)
        ranked = ranks > 0
        out[ranked] += weight / (k + ranks[ranked])
    return out


def project_max(chunk_scores: np.ndarray, chunk_project: np.ndarray, n_projects: int,
                mask: np.ndarray | None = None) -> np.ndarray:
    """Best passage score of each project (``-inf`` for a project with no passage in ``mask``)."""
    out = np.full(n_projects, -np.inf)
    valid = np.ones(len(chunk_scores), dtype=bool) if mask is None else mask
    np.maximum.at(out, chunk_project[valid], np.asarray(chunk_scores, dtype=np.float64)[valid])
    return out


def project_max_plus_share(chunk_scores: np.ndarray, chunk_project: np.ndarray, n_projects: int,
                           share: float, mask: np.ndarray | None = None) -> np.ndarray:
    """Best passage score of each project plus ``share`` times the sum of its other passages' scores."""
    valid = np.ones(len(chunk_scores), dtype=bool) if mask is None else mask
    scores = np.asarray(chunk_scores, dtype=np.float64)
    best = project_max(scores, chunk_project, n_projects, valid)
    total = np.zeros(n_projects)
    np.add.at(total, chunk_project[valid], scores[valid])
    present = np.isfinite(best)
    out = best.copy()
    out[present] = best[present] + share * (total[present] - best[present])
    return out
