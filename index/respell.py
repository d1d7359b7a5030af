"""Respelling hiragana questions in the document's own kanji, using the corpus's readings.

Children and people typing on a phone write whole questions in hiragana (こどものいりょうひは
ただになりますか, がくどうにしょうがいがあってもはいれる？). Both rankers suffer: unidic-lite
segments such strings badly (がくどう -> 顎 + どう, いりょうひ -> 量 + ひ) so lemma BM25 finds
nothing, and e5 represents hiragana far worse than kanji. The reading index recovers sounds but
not meaning.

The corpus itself says how its words are read: analysing the passages once gives, for every
word and every run of adjacent nouns (児童館, 医療費, 健康相談), its hiragana reading. A
question's hiragana runs are then rewritten left to right with the longest corpus reading that
matches (こども -> 子ども, いりょうひ -> 医療費), leaving the rest (particles, ただ) as typed.
Entries are nouns and noun compounds only: verbs and adjectives inflect, and formal nouns
(ところ, こと) are written in hiragana on purpose.
The respelled question is what lemma BM25 and the encoder see; the reading index still gets the
question as typed. Only words the corpus writes with kanji or katakana are entries, and only
readings of at least ``min_chars`` characters, so particles and short ambiguous syllables
(は, の, する) are never rewritten.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable

from index.text import analyse, normalize

__all__ = ["Respeller"]

_KANJI = re.compile(r"[\u3400-\u9fff]")
_HIRAGANA = re.compile(r"[\u3041-\u309fー]+")
_HIRAGANA_ONLY = re.compile(r"[\u3041-\u309fー]+")
_COMPOUND_POS = frozenset({"名詞", "接尾辞", "接頭辞", "形状詞"})
_INTERJECTION_MIN = 3  # おはよう, こんにちは: interjections a respelling never cuts into
_MAX_COMPOUND = 4  # longest run of morphemes taken as one entry (健康 + 相談 + 事業 …)
# Formal nouns are written in hiragana in ordinary text (ところ, こと, とき); spelling them in kanji
# would turn them into content words that match everywhere.
_FORMAL = frozenset({"所", "事", "物", "者", "時", "為", "様", "方", "中", "内", "外", "訳", "筈", "儘", "上", "下"})


@dataclass(frozen=True)
class Respeller:
    """Reading -> spelling of the corpus's words; rewrites the hiragana runs of a question."""

    spellings: dict[str, str]
    min_chars: int = 3
    longest: int = 0

    @classmethod
    def from_texts(cls, texts: Iterable[str], min_chars: int = 3) -> Respeller:
        """Learn readings from ``texts`` (the passages): single words and noun compounds."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for text in texts:
            morphemes = analyse(normalize(text))
            run: list = []

            def flush() -> None:
                for i in range(len(run)):
                    for j in range(i + 2, min(len(run), i + _MAX_COMPOUND) + 1):
                        parts = run[i:j]
                        counts["".join(m.kana for m in parts)]["".join(m.surface for m in parts)] += 1
                run.clear()

            for m in morphemes:
                # Single words: nouns only. Verbs and adjectives inflect (できる, ほしい, いたら), and
                # their readings are already matched by the reading index.
                if (m.kana and m.pos1 == "名詞" and m.surface not in _FORMAL
                        and not _HIRAGANA_ONLY.fullmatch(m.surface)):
                    counts[m.kana][m.surface] += 1
                if m.pos1 in _COMPOUND_POS and m.kana and not m.space_before:
                    run.append(m)
                else:
                    flush()
            flush()
        spellings = {
            reading: surfaces.most_common(1)[0][0]
            for reading, surfaces in counts.items()
            if len(reading) >= min_chars and _HIRAGANA_ONLY.fullmatch(reading)
        }
        return cls(spellings, min_chars, max((len(r) for r in spellings), default=0))

    def respell(self, text: str) -> str:
        """``text`` with its hiragana runs rewritten in corpus spelling where a reading matches.
        An interjection the tokenizer is sure of (おはよう, こんにちは) is never a part of a match:
        「おはようございます」 holds the sounds of 養護 but no word of it."""
        if not self.spellings:
            return text
        kept = _interjection_chars(text)
        return _HIRAGANA.sub(lambda m: self._respell_run(m.group(), m.start(), kept), text)

    def homophones(self, text: str, known) -> str:
        """``text`` with runs of kanji the corpus never uses respelled as the corpus word read the same
        way: an input-method slip (民感 for 民間, both みんかん). ``known(surface)`` says whether the
        corpus has a word; a run is replaced only when it is unknown and its reading is an entry.
        Everything else stays as written (the spaces between the words of a Latin-script question
        too: the encoder reads this text)."""
        morphemes = analyse(text)
        replaced: dict[str, str] = {}
        i = 0
        while i < len(morphemes):
            for j in range(min(len(morphemes), i + _MAX_COMPOUND), i + 1, -1):
                run = morphemes[i:j]
                if not all(m.pos1 in _COMPOUND_POS and m.kana and _KANJI.search(m.surface) for m in run):
                    continue
                surface = "".join(m.surface for m in run)
                spelling = self.spellings.get("".join(m.kana for m in run))
                if spelling is not None and spelling != surface and not known(surface):
                    replaced[surface] = spelling
                    i = j
                    break
            else:
                i += 1
        for surface, spelling in replaced.items():
            text = text.replace(surface, spelling)
        return text

    def _respell_run(self, run: str, start: int = 0, kept: frozenset[int] = frozenset()) -> str:
        out: list[str] = []
        i = 0
        while i < len(run):
            for length in range(min(self.longest, len(run) - i), self.min_chars - 1, -1):
                spelling = self.spellings.get(run[i:i + length])
                if spelling is not None and not any(start + k in kept for k in range(i, i + length)):
                    out.append(spelling)
                    i += length
                    break
            else:
                out.append(run[i])
                i += 1
        return "".join(out)


def _interjection_chars(text: str) -> frozenset[int]:
    """Offsets in ``text`` of the characters of interjections (感動詞) the tokenizer finds, of
    ``_INTERJECTION_MIN`` characters or more (a lone い is often a misreading of a longer word)."""
    out: set[int] = set()
    at = 0
    for m in analyse(text):
        found = text.find(m.surface, at)
        if found < 0:
            continue
        if m.pos1 == "感動詞" and len(m.surface) >= _INTERJECTION_MIN:
            out.update(range(found, found + len(m.surface)))
        at = found + len(m.surface)
    return frozenset(out)
