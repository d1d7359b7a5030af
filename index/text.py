"""The one Japanese text normaliser and tokenizer, used for passages and queries alike.

Every search index (BM25 over lemmas, BM25 over kana readings) and the question-understanding
layer run their text through this module, so that a passage and a question that say the same
thing in different ways (全角/半角, ``１，０９１``/``1091``, ``令和２年度``/``R2``/``2020年度``,
kanji/hiragana) end up as the same terms.

Public API:
    normalize(text)            NFKC, dashes/tildes, whitespace, thousands separators, era years
    canonical_years(text)      era years mentioned, as codes such as ``"R2"`` / ``"H30"``
    tokenize(text)             content-word lemmas of already-normalised text
    terms(text)                ``tokenize(normalize(text))``: what the lemma index stores
    reading_terms(text)        hiragana readings (+ compounds, + character bigrams) of the text
    split_sentences(text)      sentence split on 。！？ and newlines (used by chunking)

Morphological analysis uses fugashi with the unidic-lite dictionary. The tagger is created
lazily, once per process, and guarded by a lock because a MeCab tagger reuses one lattice and
its nodes are invalidated by the next parse (the web UI answers questions from worker threads).
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import jaconv

if TYPE_CHECKING:  # fugashi is imported lazily so that ``normalize`` works without loading MeCab
    import fugashi

__all__ = [
    "Morpheme",
    "analyse",
    "canonical_years",
    "get_tagger",
    "normalize",
    "reading_terms",
    "split_sentences",
    "terms",
    "tokenize",
    "tokenizer_signature",
]

# Bump when the terms or readings produced for the same text change on purpose. Index manifests
# record it with a hash of the output on a fixed probe set (``tokenizer_signature``), so an index is
# stale when the tokenizer's output changes, and stays current after an edit that changes nothing.
TOKENIZER_VERSION = "1"
_PROBE = (
    "令和２年度の児童館の来館者数は１，０９１件でした。",
    "ひとり親家庭のホームヘルプ事業（小4ー6）を拡充する〜平成30年度",
    "じどうかんはなんじまで？あかちゃんをあずけたい",
    "子ども・子育て会議意見：ケース検討会議とR3の計画、2020年度の実績。",
)

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

# Dash-like characters NFKC leaves alone. "ー" (the katakana long-vowel mark) is deliberately NOT
# here: it is part of words such as ケース and ホームページ.
_DASH_TABLE = str.maketrans(
    {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\u2500\u2501"}
    | {"\u301c": "~", "\u3030": "~"}  # 〜 wave dash and 〰 become the ASCII tilde NFKC gives ～
)
# "ー" typed between digits (小4ー6, 4ー6月) is a dash, not a long vowel.
_DIGIT_DASH = re.compile(r"(?<=\d)ー(?=\d)")

# Characters of running Japanese text: a line break between two of them is a PDF hard wrap
# (…実施可能\nな意見聴取…), which would otherwise split words for the morphological analyser.
_JA = r"\u3005\u3006\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff、。・「」『』"
# A single line break, optionally preceded by trailing spaces, joins two Japanese characters.
# A break followed by indentation or a blank line starts a new paragraph and becomes a space.
_WRAP = re.compile(rf"(?<=[{_JA}])[ \t]*\n(?=[{_JA}])")
_WHITESPACE = re.compile(r"\s+")

# 1,091 / 51,840 / 1,234,567 -> digits only. Groups must be exactly three digits, and the number
# must not continue a longer digit/comma run, so "1,2" or "1,2,3" (list items) are left alone.
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?!\d)")

_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# One pattern for every way the documents and users write a (fiscal) year:
#   令和2年度 / 令和２年度 / 令和二年度 / 令和元年度 / 平成30年度 / 令和2(2020)年度  -> R2, R1, H30
#   令和2年 (a calendar year, usually part of a date such as 令和2年4月4日)          -> R2年
#   R2 / Ｒ２ / r2 / H30 / R2年度                                                    -> R2, H30
#   2020年度 / 2019年度 / 2018年度                                                   -> R2, R1, H30
_ERA = re.compile(
    r"(?P<era>令和|平成)\s*(?P<num>元|\d{1,2}|[〇一二三四五六七八九十]{1,3})"
    r"(?:\s*\(\s*(?:19|20)\d{2}\s*\))?"  # 令和2(2020)年度: the western year in brackets is redundant
    r"(?:\s*(?P<suffix>年度|年))?"
    r"|(?<![A-Za-z0-9])(?P<letter>[RrHh])(?P<lnum>\d{1,2})(?![0-9A-Za-z])(?:\s*(?P<lsuffix>年度|年))?"
    r"|(?<![\d.])(?P<west>(?:19|20)\d{2})\s*年度"
)
# A canonical code in normalised text; a following 年 marks a calendar year (date), not 年度.
_CODE = re.compile(r"(?<![A-Za-z0-9])(?P<code>[RH][1-9]\d?)(?![0-9A-Za-z])(?P<cal>年)?")


def _kanji_number(text: str) -> int | None:
    """Value of a small kanji numeral (一 .. 九十九, 元 = 1); ``None`` if it is not one."""
    if text == "元":
        return 1
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones or (tens and tens not in _KANJI_DIGITS) or (ones and ones not in _KANJI_DIGITS):
            return None
        return _KANJI_DIGITS.get(tens, 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)
    if len(text) == 1 and text in _KANJI_DIGITS:
        return _KANJI_DIGITS[text]
    return None


def _era_code(era: str, year: int) -> str | None:
    """Canonical code for year ``year`` of era ``"R"`` (令和) or ``"H"`` (平成).

    平成31年度 is the same fiscal year as 令和元年度 (the era changed in May 2019, a month into the
    fiscal year), and plans written before the change said 平成32年度 for 令和2年度, so every
    平成 year from 31 on is mapped onto 令和.
    """
    if year <= 0:
        return None
    if era == "H" and year >= 31:
        return f"R{year - 30}"
    return f"{era}{year}"


def _western_code(year: int) -> str | None:
    """Era code for a western fiscal year (2020 -> R2, 2019 -> R1, 2018 -> H30)."""
    if year >= 2019:
        return f"R{year - 2018}"
    if year >= 1989:
        return f"H{year - 1988}"
    return None


def _replace_era(match: re.Match[str]) -> str:
    """Rewrite one era-year mention as its code; a calendar year keeps its 年 (R2年4月4日)."""
    if match["west"]:
        code = _western_code(int(match["west"]))
        suffix = ""
    elif match["letter"]:
        code = _era_code(match["letter"].upper(), int(match["lnum"]))
        suffix = match["lsuffix"] or ""
    else:
        number = _kanji_number(match["num"])
        code = _era_code("R" if match["era"] == "令和" else "H", number) if number is not None else None
        suffix = match["suffix"] or ""
    if code is None:
        return match.group()
    return code + ("年" if suffix == "年" else "")


def _unwrap_lines(text: str) -> str:
    """Join PDF hard-wrapped lines inside Japanese running text (newlines normalised first)."""
    return _WRAP.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def normalize(text: str) -> str:
    """Canonical form of ``text`` for indexing and matching; the result is a single line.

    Steps, in order:

    * NFKC: full-width ASCII/digits become half-width (``Ｒ２`` -> ``R2``, ``１，０９１`` ->
      ``1,091``), half-width katakana become full-width, ``～`` becomes ``~``;
    * other dashes (``‐–—―−``) become ``-``, ``〜`` becomes ``~``, ``ー`` between digits becomes ``-``;
    * a single line break between two Japanese characters (a PDF hard wrap) is removed, every
      other whitespace run becomes one space, and the ends are stripped;
    * thousands separators are removed (``1,091`` -> ``1091``) but list items (``1,2``) are not
      joined; decimals such as ``100.0`` are untouched;
    * era years become codes: 令和2年度/Ｒ２/2020年度 -> ``R2``, 令和元年度/平成31年度/2019年度 -> ``R1``,
      平成30年度/H30/2018年度 -> ``H30``; a calendar year (令和2年4月4日) becomes ``R2年4月4日``.

    Letter case is kept (``tokenize`` lowercases); the function is idempotent.
    """
    text = unicodedata.normalize("NFKC", text).translate(_DASH_TABLE)
    text = _DIGIT_DASH.sub("-", text)
    text = _WHITESPACE.sub(" ", _unwrap_lines(text)).strip()
    text = _THOUSANDS.sub(lambda m: m.group().replace(",", ""), text)
    return _ERA.sub(_replace_era, text)


def canonical_years(text: str, *, fiscal_only: bool = False) -> list[str]:
    """Era-year codes mentioned in ``text``, in order of first mention, without repeats.

    ``canonical_years("令和２年度とH30、2021年度")`` is ``["R2", "H30", "R3"]``. A calendar year
    that is part of a date (``令和2年4月4日``) is reported too, as ``"R2"``, unless
    ``fiscal_only`` is true: 令和3年3月 lies in fiscal year R2, so a caller that needs the fiscal
    year of a date must work it out from the month.
    """
    found: list[str] = []
    for match in _CODE.finditer(normalize(text)):
        if fiscal_only and match["cal"]:
            continue
        if match["code"] not in found:
            found.append(match["code"])
    return found


# --------------------------------------------------------------------------------------------
# Morphological analysis
# --------------------------------------------------------------------------------------------

_tagger_lock = threading.Lock()


def _new_tagger() -> fugashi.Tagger:
    """Create a MeCab tagger over unidic-lite (slow-ish: loads the dictionary)."""
    import fugashi  # noqa: PLC0415 - lazy on purpose, see module docstring
    import unidic_lite  # noqa: PLC0415

    # Point at unidic-lite explicitly so an unrelated full "unidic" install cannot change terms.
    return fugashi.Tagger(f'-d "{unidic_lite.DICDIR}"')


@lru_cache(maxsize=1)
def get_tagger() -> fugashi.Tagger:
    """The process-wide tagger, created on first use (``get_tagger.cache_clear()`` to reset)."""
    return _new_tagger()


@dataclass(frozen=True, slots=True)
class Morpheme:
    """One analysed word, reduced to what the index needs (fugashi nodes die on the next parse).

    ``lemma`` is the dictionary form without unidic's ``-english`` gloss (``ページ-page`` ->
    ``ページ``), or the surface for words unidic does not know (numbers, Latin words).
    ``kana`` and ``lemma_kana`` are hiragana readings of the surface and of the lemma; empty for
    unknown words. ``space_before`` says whether whitespace separated it from the previous word.
    """

    surface: str
    lemma: str
    pos1: str
    pos2: str
    kana: str
    lemma_kana: str
    space_before: bool


def _hiragana(katakana: str | None) -> str:
    """Hiragana of a unidic reading; ぢ/づ folded to じ/ず as people type them (づくり = ずくり)."""
    if not katakana or katakana == "*":
        return ""
    return jaconv.kata2hira(katakana).replace("ぢ", "じ").replace("づ", "ず")


def _field(feature: Any, name: str) -> str | None:
    """A named unidic feature; unknown words carry a shorter feature tuple with ``None`` values."""
    value = getattr(feature, name, None)
    return None if value in (None, "*", "") else value


ANALYSE_CACHE_CHARS = 400  # longer texts are analysed afresh: 4,096 cached 2,000-character questions would be ~1 GB
ANALYSE_CACHE_SIZE = 512  # a question is analysed twice within its answer; ~5 KB an entry


def analyse(text: str) -> tuple[Morpheme, ...]:
    """Morphemes of ``text`` (not normalised here), cached because a query is analysed twice.

    Only texts up to ``ANALYSE_CACHE_CHARS`` are cached, so the cache stays small whatever is asked.
    """
    return _analyse_cached(text) if len(text) <= ANALYSE_CACHE_CHARS else _analyse(text)


@lru_cache(maxsize=ANALYSE_CACHE_SIZE)
def _analyse_cached(text: str) -> tuple[Morpheme, ...]:
    return _analyse(text)


analyse.cache_clear = _analyse_cached.cache_clear  # type: ignore[attr-defined]


def _analyse(text: str) -> tuple[Morpheme, ...]:
    morphemes: list[Morpheme] = []
    with _tagger_lock:
        for node in get_tagger()(text):
            feature = node.feature
            lemma = _field(feature, "lemma") or node.surface
            # "ホーム-home", "小-小学校": drop the gloss after the first hyphen (not a leading one).
            head, sep, _ = lemma.partition("-")
            if sep and head:
                lemma = head
            morphemes.append(
                Morpheme(
                    surface=node.surface,
                    lemma=lemma,
                    pos1=_field(feature, "pos1") or "",
                    pos2=_field(feature, "pos2") or "",
                    kana=_hiragana(_field(feature, "kana")),
                    lemma_kana=_hiragana(_field(feature, "lForm")),
                    space_before=bool(node.white_space),
                )
            )
    return tuple(morphemes)


# --------------------------------------------------------------------------------------------
# Terms
# --------------------------------------------------------------------------------------------

_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "副詞", "形状詞", "接頭辞", "接尾辞"})
# Formal nouns and light suffixes carry no topic. Official Japanese (公用文) writes formal nouns in
# hiragana (こと, もの, ため, よう), so they are dropped only when written in hiragana.
_FORMAL_NOUNS = frozenset({"事", "物", "為", "様", "所", "時", "方", "中", "訳", "筈", "儘"})
_LIGHT_SUFFIXES = frozenset({"的", "等", "さん", "様", "達", "たち", "ら"})
_HONORIFIC = "御"  # お/ご/御 prefixes: 御検討 = 検討
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:\.[0-9]+)*")
_ASCII_PIECE = re.compile(r"[A-Za-z0-9.]+")
_HIRAGANA_ONLY = re.compile(r"[\u3041-\u309fー]+")
_KATAKANA_ONLY = re.compile(r"[\u30a1-\u30ffー・]+")
_KANJI_STEM = re.compile(r"([\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)[\u3041-\u309f]+")
_HIRAGANA_RUN = re.compile(r"[\u3041-\u309fー]{2,}")


@dataclass(frozen=True, slots=True)
class _Token:
    """A content word after filtering: its term, readings, and whether it can join a compound."""

    term: str
    readings: tuple[str, ...]  # surface reading first, then the lemma reading if different
    nominal: bool  # noun or suffix: may form a compound with its neighbours
    joined: bool  # directly follows the previous content token (no particle, symbol or space)
    stem: str | None = None  # kanji stem of a kanji+okurigana lemma (預ける/預かる/預かり -> 預)
    attached: bool = False  # a prefix glued to its word (未就学): an extra term, not a compound part


def _is_stop(m: Morpheme) -> bool:
    """Whether a morpheme carries no searchable content."""
    if m.pos1 not in _CONTENT_POS:
        return True  # particles, auxiliaries, symbols, pronouns, conjunctions, interjections…
    if m.pos1 == "接頭辞" and m.lemma == _HONORIFIC:
        return True
    hiragana = _HIRAGANA_ONLY.fullmatch(m.surface) is not None
    # する/いる/ある/なる/できる/いただく… are written in hiragana when auxiliary (相談したい), in
    # kanji when they mean something (居場所 = 居 + 場所), so only the hiragana ones are dropped.
    if m.pos2 in ("非自立可能", "助動詞語幹") and hiragana:
        return True
    if m.pos1 == "名詞" and hiragana and m.lemma in _FORMAL_NOUNS:
        return True
    return m.pos1 == "接尾辞" and m.lemma in _LIGHT_SUFFIXES


def _merge_ascii(morphemes: tuple[Morpheme, ...]) -> list[Morpheme | str]:
    """Glue Latin/digit pieces unidic splits (R|2, 100|.|0) back together as plain strings."""
    out: list[Morpheme | str] = []
    for m in morphemes:
        if _ASCII_PIECE.fullmatch(m.surface):
            if out and isinstance(out[-1], str) and not m.space_before:
                out[-1] += m.surface
            else:
                out.append(m.surface)
        else:
            out.append(m)
    return out


def _content_tokens(text: str) -> list[_Token]:
    """Content tokens of (normalised) ``text`` in order, shared by ``tokenize`` and readings."""
    tokens: list[_Token] = []
    prefix: Morpheme | None = None  # a non-honorific prefix waiting for its word (未|就学 -> 未就学)
    joined = False

    def flush_prefix(word: str = "", reading: str = "") -> None:
        # 未 + 就学 -> 未就学 (みしゅうがく); a prefix with no word after it stands alone.
        nonlocal prefix
        if prefix is not None:
            kana = prefix.kana + reading if (reading or not word) else ""
            tokens.append(_Token(prefix.surface + word, (kana,) if kana else (), False, False, attached=True))
            prefix = None

    for item in _merge_ascii(analyse(text)):
        if isinstance(item, str):
            for word in _ASCII_WORD.findall(item):
                word = word.lower()
                flush_prefix(word)  # 第|2 -> 第2
                tokens.append(_Token(word, (word,), True, joined))
                joined = True
            continue
        m = item
        if m.space_before:
            joined = False
        if _is_stop(m):
            flush_prefix()
            joined = False
            continue
        if m.pos1 == "接頭辞":
            flush_prefix()
            prefix = m
            continue
        if _KATAKANA_ONLY.fullmatch(m.surface):
            # Loanwords keep their surface: unidic's lemma may be another spelling (ページ -> 頁).
            term = m.surface.strip("・")
            readings: tuple[str, ...] = (_hiragana(term),)
        elif m.pos2 == "固有名詞":
            # Proper nouns too: unidic's lemma of a place name is its katakana reading (小金井 ->
            # コガネイ), which would make the term unreadable and merge homophones.
            term = m.surface.lower()
            readings = tuple(dict.fromkeys(r for r in (m.kana, m.lemma_kana) if r))
        else:
            term = m.lemma.lower()
            readings = tuple(dict.fromkeys(r for r in (m.kana, m.lemma_kana) if r))
        # Only verbs and their noun forms: 預ける/預かる/預かり share 預, but the stems of
        # adjectives (小さい -> 小) would collide with prefixes and suffixes.
        stem_match = _KANJI_STEM.fullmatch(term) if m.pos1 in ("動詞", "名詞") else None
        stem = stem_match.group(1) if stem_match else None
        flush_prefix(m.surface, readings[0] if readings else "")
        tokens.append(_Token(term, readings, m.pos1 in ("名詞", "接尾辞"), joined, stem))
        joined = True
    flush_prefix()
    return tokens


def tokenize(text: str) -> list[str]:
    """Content-word terms of ``text``, which should already be ``normalize``-d.

    Nouns, verbs, adjectives, adverbs and suffixes become their lemma (預けたい -> ``預ける``,
    子ども -> ``子供``); katakana loanwords keep their surface; numbers and Latin words are one
    lowercase token each (``1091``, ``100.0``, ``r2``). A prefix is attached to the next word
    (未就学 -> ``未就学`` as well as ``就学``); honorific お/ご/御 are dropped. A kanji+okurigana
    lemma also yields its kanji stem (預ける, 預かり -> ``預``) so that related verb and noun forms
    meet. Particles, auxiliaries, symbols, pronouns and hiragana formal nouns are dropped.
    """
    out: list[str] = []
    for token in _content_tokens(text):
        out.append(token.term)
        if token.stem is not None:
            out.append(token.stem)
    return out


def terms(text: str) -> list[str]:
    """Lemma terms of raw ``text`` for the BM25 lemma index: ``tokenize(normalize(text))``."""
    return tokenize(normalize(text))


def _bigrams(kana: str) -> list[str]:
    """Character bigrams of a reading (none for a reading shorter than two characters)."""
    return [kana[i : i + 2] for i in range(len(kana) - 1)]


def reading_terms(text: str, *, bigrams: bool = True) -> list[str]:
    """Hiragana reading terms of raw ``text`` for the BM25 reading index.

    The reading index lets a question typed in hiragana (じどうかん, あずけたい, こそだて) find
    kanji text. unidic-lite often misreads such questions (じどう -> 自動, こそだて -> こそ + 伊達),
    so matching cannot rely on its lemmas; it relies on sounds instead. The terms are:

    * for each content word, the reading of its surface and of its lemma (預け: あずけ, あずける);
    * for runs of directly adjacent nouns/suffixes (a compound such as 児童館事業), each adjacent
      pair joined (じどうかん, かんじぎょう) and the whole compound (じどうかんじぎょう);
    * every hiragana run of two or more characters as written (mostly what a question typed
      in hiragana looks like: じどうかん);
    * numbers and Latin words as in ``tokenize``;
    * with ``bigrams`` (the default), the character bigrams of all those readings and runs, so
      that a misanalysed or differently inflected word still shares sounds (あずけたい and 預かり
      share あず; こそだてのそうだん contains こそ, そだ, だて of 子育て).

    Runs and bigrams are emitted for passages and queries alike, so the function stays symmetric.
    """
    text = normalize(text)
    out: list[str] = []
    readings: list[str] = []

    def emit(reading: str) -> None:
        out.append(reading)
        readings.append(reading)

    compound: list[str] = []  # surface readings of the current compound

    def close_compound() -> None:
        if len(compound) >= 2:
            for left, right in zip(compound, compound[1:]):
                emit(left + right)
            if len(compound) >= 3:
                emit("".join(compound))
        compound.clear()

    for token in _content_tokens(text):
        if token.attached:
            out.extend(token.readings)  # みしゅうがく: extra whole term; its bigrams add nothing new
            continue
        if not (token.nominal and token.joined):
            close_compound()
        for reading in token.readings:
            if reading.isascii():
                out.append(reading)  # numbers and Latin words: no bigrams of "1091"
            else:
                emit(reading)
        if token.nominal and token.readings and not token.readings[0].isascii():
            compound.append(token.readings[0])
        else:
            close_compound()
    close_compound()
    for run in _HIRAGANA_RUN.findall(text):
        emit(_hiragana(run))
    if bigrams:
        for reading in readings:
            out.extend(_bigrams(reading))
    return out


# --------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------

# A sentence is text up to and including its end marks (and closing brackets after them), or up to
# a line break; the line break itself is dropped.
_SENTENCE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+[」』）)\]]*)?|[。！？!?]+[」』）)\]]*")


def split_sentences(text: str, *, unwrap: bool = False) -> list[str]:
    """Sentences of ``text``: split after 。！？ (and ASCII !?) and at line breaks.

    The end marks stay on their sentence (``"実施した。"``), items are stripped and never empty.
    The text is not otherwise normalised. The source PDFs hard-wrap lines mid-sentence; with
    ``unwrap`` a single line break between two Japanese characters is joined first, so only real
    sentence ends and paragraph breaks split.
    """
    if unwrap:
        text = _unwrap_lines(text)
    return [s for s in (piece.strip() for piece in _SENTENCE.findall(text)) if s]


@lru_cache(maxsize=1)
def tokenizer_signature() -> str:
    """``TOKENIZER_VERSION`` plus a hash of the terms and readings of a fixed probe set."""
    import hashlib  # noqa: PLC0415

    digest = hashlib.sha256()
    for text in _PROBE:
        digest.update("\x1f".join(terms(text)).encode("utf-8") + b"\x1e")
        digest.update("\x1f".join(reading_terms(text)).encode("utf-8") + b"\x1d")
    return f"{TOKENIZER_VERSION}/{digest.hexdigest()[:16]}"

