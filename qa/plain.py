"""Plain Japanese (やさしい日本語) for an answer's text: furigana readings and shorter sentences.

Pure functions over the text of an ``Answer`` (the engine's small Markdown); the web UI turns
their result into HTML. Nothing here changes what an answer says:

* ``furigana(text)`` splits text into pieces and gives every piece written with kanji its
  reading in hiragana (okurigana stay outside the reading: 預(あず)かり). Readings come from the
  same MeCab analysis over unidic-lite that the index uses; katakana readings become hiragana.
* ``simplify(text)`` makes long sentences shorter where that is safe (a sentence per line in
  running text, 「〜ましたが、」 → 「〜ました。でも、」) and explains the plan words (漸増 …) once.
  Figures, names of programmes and departments, quoted passages (「…」, ``>`` lines) and
  citations ``[n]`` are kept exactly as written.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import jaconv

if TYPE_CHECKING:
    import fugashi

__all__ = ["Piece", "furigana", "has_kanji", "reading_of", "simplify"]

# Kanji (with the iteration mark 々 and the small ヶ of 一ヶ月, which are read as part of a word).
_KANJI_CLASS = "\u3005\u3006\u30f6\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_KANJI = re.compile(f"[{_KANJI_CLASS}]")
_RUNS = re.compile(f"[{_KANJI_CLASS}]+|[^{_KANJI_CLASS}]+")
_DIGITS = re.compile(r"[0-9０-９]+")

# Day-of-month readings that are not number + にち (4日 is よっか): read with the digits.
_DAYS = {1: "ついたち", 2: "ふつか", 3: "みっか", 4: "よっか", 5: "いつか", 6: "むいか", 7: "なのか",
         8: "ようか", 9: "ここのか", 10: "とおか", 14: "じゅうよっか", 20: "はつか", 24: "にじゅうよっか"}
# Counted people: 1人 and 2人 are ひとり and ふたり (unidic reads 人 after a digit as にん).
_PEOPLE = {1: "ひとり", 2: "ふたり"}
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
# Words whose unidic reading is not the everyday one (日本 is にっぽん in unidic; にほん in 日本語).
_READINGS = {"日本": "にほん"}
# A suffix read differently after some words: 児童相談所 is じどうそうだんじょ, 保健所 ほけんじょ.
_AFTER = {("相談", "所"): "じょ", ("保健", "所"): "じょ", ("研究", "所"): "じょ"}


@dataclass(frozen=True)
class Piece:
    """A run of text and, when it is written with kanji, its reading in hiragana."""

    text: str
    reading: str | None = None


def has_kanji(text: str) -> bool:
    return _KANJI.search(text) is not None


# --- analysis ------------------------------------------------------------------------------
# ``index.text.analyse`` folds ぢ/づ into じ/ず so that typed queries match; a reading shown to a
# reader must not be folded (手続き is てつづき), so the raw unidic reading is read here, from a
# tagger over the same dictionary. A MeCab tagger reuses one lattice, hence the lock.
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _tagger() -> fugashi.Tagger:
    import fugashi  # noqa: PLC0415 - loaded on first use, like index.text
    import unidic_lite  # noqa: PLC0415

    return fugashi.Tagger(f'-d "{unidic_lite.DICDIR}"')


def _field(feature, name: str) -> str | None:
    value = getattr(feature, name, None)
    return None if value in (None, "*", "") else value


@lru_cache(maxsize=8192)
def _words(text: str) -> tuple[tuple[str, str | None, bool], ...]:
    """(surface, hiragana reading or None, whitespace before) for each word of ``text``."""
    out = []
    with _lock:
        for node in _tagger()(text):
            kana = _field(node.feature, "kana")
            out.append((node.surface, jaconv.kata2hira(kana) if kana else None, bool(node.white_space)))
    return tuple(out)


def _hira(text: str) -> str:
    return jaconv.kata2hira(text)


def _align(surface: str, reading: str) -> list[Piece]:
    """A word's pieces: kanji runs with their part of the reading, kana runs on their own.

    預かり + あずかり -> 預(あず) かり; when the kana of the surface cannot be found in the
    reading (an unusual reading), the whole word carries the whole reading.
    """
    runs = _RUNS.findall(surface)
    if len(runs) == 1:
        return [Piece(surface, reading if has_kanji(surface) else None)]
    pattern = "".join("(.+?)" if has_kanji(run) else f"({re.escape(_hira(run))})" for run in runs)
    match = re.fullmatch(pattern, reading)
    if not match:
        return [Piece(surface, reading)]
    return [Piece(run, match.group(i + 1) if has_kanji(run) else None) for i, run in enumerate(runs)]


def reading_of(word: str) -> str:
    """The hiragana reading of ``word`` as a reader sees it (kana kept, kanji read)."""
    return "".join(p.reading if p.reading is not None else _hira(p.text) for p in furigana(word))


def _unknown(surface: str) -> list[Piece]:
    """A word unidic does not know: each kanji read on its own (or left bare when even that fails)."""
    pieces: list[Piece] = []
    for ch in surface:
        if not has_kanji(ch):
            pieces.append(Piece(ch))
            continue
        words = _words(ch)
        reading = words[0][1] if len(words) == 1 else None
        pieces.append(Piece(ch, reading))
    return pieces


def _merge(pieces: list[Piece]) -> tuple[Piece, ...]:
    """Adjacent pieces without a reading joined into one."""
    out: list[Piece] = []
    for p in pieces:
        if p.reading is None and out and out[-1].reading is None:
            out[-1] = Piece(out[-1].text + p.text)
        elif p.text:
            out.append(p)
    return tuple(out)


@lru_cache(maxsize=4096)
def furigana(text: str) -> tuple[Piece, ...]:
    """``text`` as pieces whose texts join back to ``text``; every piece with kanji has a reading."""
    if not has_kanji(text):
        return (Piece(text),) if text else ()
    pieces: list[Piece] = []
    pos = 0
    words = _words(text)
    for i, (surface, reading, _space) in enumerate(words):
        start = text.find(surface, pos)
        if start < 0:  # cannot happen for MeCab output; keep the text whole rather than lose it
            break
        if start > pos:
            pieces.append(Piece(text[pos:start]))
        pos = start + len(surface)
        if not has_kanji(surface):
            pieces.append(Piece(surface))
            continue
        prev = words[i - 1][0] if i else ""
        if surface in ("日", "人") and _DIGITS.fullmatch(prev):
            number = int(prev.translate(_FULLWIDTH))
            special = (_DAYS if surface == "日" else _PEOPLE).get(number)
            if surface == "日" and number == 1 and (words[i - 2][0] if i > 1 else "") != "月":
                special = "いちにち"  # one day; the first of a month is ついたち
            if special and pieces and pieces[-1].text.endswith(prev) and pieces[-1].reading is None:
                # read the digits with their counter (4日 よっか, 2人 ふたり); the figure stays as written
                head = pieces[-1].text[: -len(prev)]
                pieces[-1:] = [Piece(head)] if head else []
                pieces.append(Piece(prev + surface, special))
                continue
            reading = "にち" if surface == "日" else "にん"  # 11日, 15日 (unidic: か), 3人
        elif surface == "月" and _DIGITS.fullmatch(prev):
            reading = "がつ"  # 4月 (unidic reads a lone 月 after a number as つき)
        elif surface == "人" and prev == "（" and text[pos:pos + 1] == "）":
            reading = "にん"  # a unit in an indicator's name: 来館者数（人）
        reading = _READINGS.get(surface, _AFTER.get((prev, surface), reading))
        if reading:
            pieces.extend(_align(surface, reading))
        else:
            pieces.extend(_unknown(surface))
    if pos < len(text):
        pieces.append(Piece(text[pos:]))
    return _merge(pieces)


# --- shorter sentences -----------------------------------------------------------------------

# Polite clauses joined with が: split into two sentences ("…ましたが、…" -> "…ました。でも、…").
_BUT = re.compile(r"(ました|でした|ます|です)が、")
# Plan words of the records and what they mean, said once per answer the first time one occurs.
GLOSSARY: dict[str, str] = {
    "漸増": "少しずつ増やす",
    "維持": "今と同じくらいを続ける",
    "拡充": "広げて充実させる",
    "未達成": "計画に届かなかった",
    "ほぼ達成": "計画にほぼ届いた",
    "判定不能": "資料からは判断できない",
}
_QUOTED = re.compile(r"「[^「」]*」|（p\.\d+[^）]*）|\[\d+\]")
_BULLET = re.compile(r"^( *[-・*] )(.*)$")


def _outside_quotes(line: str, fn) -> str:
    """Apply ``fn`` to the parts of ``line`` outside 「…」 quotes, page labels and [n]."""
    out, pos = [], 0
    for m in _QUOTED.finditer(line):
        out.append(fn(line[pos:m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(fn(line[pos:]))
    return "".join(out)


def simplify(text: str) -> str:
    """The answer's Markdown with shorter sentences; figures, names and quotes as written.

    * in running text (not a bullet, heading or ``>`` quote) every sentence gets its own line;
    * 「…ましたが、」「…ですが、」 become two sentences (「…ました。でも、」);
    * the first plan word of the records (漸増, 維持, 拡充, 未達成 …) is followed by what it means.
    """
    explained: set[str] = set()

    def plain(part: str) -> str:
        part = _BUT.sub(r"\1。でも、", part)
        for word, meaning in GLOSSARY.items():
            if word in explained or word not in part:
                continue
            idx = part.find(word)
            if part[idx + len(word): idx + len(word) + 1] == "（":
                continue  # already explained in brackets (ほぼ達成（要注意）)
            part = part[: idx + len(word)] + f"（{meaning}）" + part[idx + len(word):]
            explained.add(word)
        return part

    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith(">"):
            lines.append(line)
            continue
        bullet = _BULLET.match(line)
        head, body = (bullet.group(1), bullet.group(2)) if bullet else ("", line)
        body = _outside_quotes(body, plain)
        if not bullet:
            # one sentence per line; 。 inside 「…」 does not end a sentence
            body = _outside_quotes(body, lambda s: re.sub(r"。(?=\S)", "。\n", s))
        lines.append(head + body)
    return "\n".join(lines)
