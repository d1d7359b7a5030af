"""Tests for ``index.text``: normalisation, era years, lemma terms, reading terms, sentences.

They use the real fugashi + unidic-lite tagger (loaded once, well under a second).
"""
from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import index.text as text_module
from index.text import (
    analyse,
    canonical_years,
    get_tagger,
    normalize,
    reading_terms,
    split_sentences,
    terms,
    tokenize,
)

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "corpus" / "data" / "000_125627a5caafc882.txt"


# ------------------------------------------------------------------ normalize


def test_nfkc_width() -> None:
    assert normalize("ＡＢＣ１２３") == "ABC123"
    assert normalize("ｹｰｽﾜｰｶｰ") == "ケースワーカー"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１，０９１", "1091"),
        ("1,091件", "1091件"),
        ("2,941人", "2941人"),
        ("51,840人", "51840人"),
        ("1,234,567円", "1234567円"),
        ("100.0%", "100.0%"),
        ("1,091.5", "1091.5"),
        ("1、2", "1、2"),  # list items are never joined
        ("1,2", "1,2"),
        ("1,2,3", "1,2,3"),
        ("12,34", "12,34"),
    ],
)
def test_thousands_separators(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_separator_number_is_one_token() -> None:
    assert terms("1,091件") == ["1091", "件"]
    assert terms("１，０９１件") == ["1091", "件"]
    assert "100.0" in terms("達成率100.0%")
    assert "2941" in terms("受給者数　2,941人（4月～3月分）")


def test_dashes_tildes_and_long_vowel() -> None:
    assert normalize("4月～3月") == normalize("4月〜3月") == "4月~3月"
    assert normalize("a‐b–c—d―e−f") == "a-b-c-d-e-f"
    assert normalize("－") == "-"
    assert normalize("ケース・ホームページ") == "ケース・ホームページ"  # ー is part of words
    assert normalize("4ー6") == "4-6"


def test_whitespace() -> None:
    assert normalize("  虐待相談件数（件）　　1,091件\t ") == "虐待相談件数(件) 1091件"
    # a PDF hard wrap inside a sentence is joined; paragraph breaks and indents become a space
    assert normalize("実施可能\nな意見聴取") == "実施可能な意見聴取"
    assert normalize("会議意見\n\n結果の説明") == "会議意見 結果の説明"
    assert normalize("思われる。\n　ケース") == "思われる。 ケース"
    assert normalize("H30\nR2") == "H30 R2"


@pytest.mark.parametrize(
    "raw",
    ["R2", "Ｒ２", "r2", "R2年度", "令和2年度", "令和２年度", "令和二年度", "令和 2 年度", "2020年度", "令和2(2020)年度", "平成32年度"],
)
def test_era_r2(raw: str) -> None:
    assert normalize(raw) == "R2"
    assert canonical_years(raw) == ["R2"]


@pytest.mark.parametrize("raw", ["令和元年度", "平成31年度", "2019年度", "R1", "Ｒ１"])
def test_era_r1(raw: str) -> None:
    assert normalize(raw) == "R1"


@pytest.mark.parametrize("raw", ["H30", "Ｈ３０", "平成30年度", "平成三十年度", "2018年度", "H30年度"])
def test_era_h30(raw: str) -> None:
    assert normalize(raw) == "H30"


@pytest.mark.parametrize(
    ("raw", "code"),
    [("令和3年度", "R3"), ("令和４年度", "R4"), ("令和五年度", "R5"), ("令和6年度", "R6"),
     ("2021年度", "R3"), ("2022年度", "R4"), ("2023年度", "R5"), ("2024年度", "R6")],
)
def test_era_later_years(raw: str, code: str) -> None:
    assert normalize(raw) == code


def test_era_in_running_text() -> None:
    assert normalize("令和２年度の実績はH30と比べて") == "R2の実績はH30と比べて"
    assert terms("令和2年度の来館者数") == terms("R2の来館者数") == terms("2020年度の来館者数")
    assert "r2" in terms("Ｒ２の実績")


def test_date_is_not_a_fiscal_year() -> None:
    assert normalize("令和2年4月4日から") == "R2年4月4日から"
    assert normalize("令和元年１０月に") == "R1年10月に"
    assert canonical_years("令和2年4月4日") == ["R2"]  # still reported…
    assert canonical_years("令和2年4月4日", fiscal_only=True) == []  # …but marked as a date
    assert canonical_years("令和2年4月から令和3年3月の受給者数") == ["R2", "R3"]


def test_canonical_years_order_and_uniqueness() -> None:
    assert canonical_years("H30 R2 R3 R4 R5 R6 R2") == ["H30", "R2", "R3", "R4", "R5", "R6"]
    assert canonical_years("令和３年度と平成30年度、令和2年度") == ["R3", "H30", "R2"]
    assert canonical_years("虐待相談件数は1,091件") == []


def test_era_lookalikes_untouched() -> None:
    assert normalize("H2O と R2D2 と COVID-19") == "H2O と R2D2 と COVID-19"
    assert normalize("平成の時代") == "平成の時代"
    assert normalize("2020年") == "2020年"  # a western calendar year alone is not a fiscal year


def test_normalize_is_idempotent_on_source() -> None:
    raw = SOURCE.read_text(encoding="utf-8")
    once = normalize(raw)
    assert normalize(once) == once
    assert "\n" not in once
    assert "1091件" in once and "R2" in once


# ------------------------------------------------------------------ lemma terms


def test_lemmas() -> None:
    assert "預ける" in tokenize("預けたい")
    got = terms("相談したい")
    assert "相談" in got
    assert not {"為る", "たい", "し"} & set(got)  # auxiliary する and たい dropped


def test_particles_symbols_dropped() -> None:
    got = terms("子どもの居場所づくりの推進。")
    assert "子供" in got and "場所" in got and "推進" in got
    assert not {"の", "。", "を"} & set(got)


def test_loanwords_keep_surface_and_glosses_are_stripped() -> None:
    assert terms("ホームページやケースワーカー") == ["ホーム", "ページ", "ケースワーカー"]
    assert all("-" not in t for t in terms("サービスとファミリー・サポート・センター事業"))
    assert all("-" not in t for t in terms("小4-小6"))


def test_ascii_lowercase_and_numbers() -> None:
    assert "npo" in terms("ＮＰＯ法人")
    assert terms("45回") == ["45", "回"]


def test_prefixes_attached_and_honorifics_dropped() -> None:
    got = terms("未就学児")
    assert "未就学" in got and "就学" in got
    assert terms("御検討いただきたい") == ["検討"]


def test_verb_and_noun_forms_meet() -> None:
    # 預けたい (預ける) and 預かり / 一時預かり (預かり, 預かる) share the kanji stem 預
    assert set(terms("子どもを預けたい")) & set(terms("一時的な預かりを行う"))
    assert set(terms("預けたい")) & set(terms("一時預かり事業"))


def test_odd_input_does_not_break() -> None:
    for raw in ["", "   ", "。、！", "𠮷野家の髙橋さん☃", "ｱｲｳ😀", "ABC-123 1.2.3"]:
        assert isinstance(terms(raw), list)
        assert isinstance(reading_terms(raw), list)
    assert terms("") == reading_terms("") == []
    assert canonical_years("R0と令和0年度") == []


def test_terms_deterministic_across_threads() -> None:
    lines = [line for line in SOURCE.read_text(encoding="utf-8").splitlines() if line.strip()][:200]
    serial = [terms(line) for line in lines]
    analyse.cache_clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(terms, lines))
    assert parallel == serial


# ------------------------------------------------------------------ reading terms


@pytest.mark.parametrize(
    ("query", "passage"),
    [
        ("じどうかん", "児童館事業"),
        ("あずけたい", "一時的な預かりを行う"),
        ("ひとりおや", "ひとり親家庭"),
        ("こそだて", "子育て"),
        ("ふーどどらいぶ", "フードドライブ"),
        ("がくどうほいくじょ", "学童保育所"),
    ],
)
def test_hiragana_query_matches_kanji(query: str, passage: str) -> None:
    assert set(reading_terms(query)) & set(reading_terms(passage))


def test_whole_readings_match_without_bigrams() -> None:
    # the stronger, whole-word matches exist too (bigrams are only the fallback)
    assert "じどうかん" in reading_terms("児童館事業", bigrams=False)
    assert "じどう" in reading_terms("児童館事業", bigrams=False)
    assert "じどうかん" in reading_terms("じどうかん", bigrams=False)
    assert "ひとりおや" in reading_terms("ひとり親家庭", bigrams=False)
    assert "こそだて" in reading_terms("子育て", bigrams=False)
    assert "こそだて" in reading_terms("こそだて", bigrams=False)
    assert "あずける" in reading_terms("預けたい", bigrams=False)
    assert "あず" in set(reading_terms("あずけたい")) & set(reading_terms("一時的な預かりを行う"))


def test_reading_terms_keep_numbers_and_eras() -> None:
    got = reading_terms("令和2年度の虐待相談件数は1,091件")
    assert "r2" in got and "1091" in got
    assert not any(t in ("10", "09", "91") for t in got)  # no bigrams of digits


# ------------------------------------------------------------------ tagger lifecycle


def test_tagger_created_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = text_module._new_tagger

    def counting() -> object:
        calls.append(1)
        return real()

    monkeypatch.setattr(text_module, "_new_tagger", counting)
    get_tagger.cache_clear()
    analyse.cache_clear()
    try:
        for i in range(50):
            terms(f"児童館の来館者数は{i}人")
            reading_terms(f"じどうかん{i}")
        assert len(calls) == 1
    finally:
        get_tagger.cache_clear()
        analyse.cache_clear()


def test_tagger_not_created_at_import() -> None:
    code = "import sys, index.text as t; assert 'fugashi' not in sys.modules; print(t.normalize('Ｒ２'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "R2"


# ------------------------------------------------------------------ sentences


def test_split_sentences() -> None:
    raw = "実施した。次年度は\n検討する！本当？\n\n\n「はい。」最後"
    assert split_sentences(raw) == ["実施した。", "次年度は", "検討する！", "本当？", "「はい。」", "最後"]
    assert split_sentences(raw, unwrap=True) == ["実施した。", "次年度は検討する！", "本当？", "「はい。」", "最後"]
    assert split_sentences("") == []
    assert split_sentences("\n　\n。") == ["。"]
    assert split_sentences("終わり。。") == ["終わり。。"]


def test_split_sentences_source_has_no_empty_items() -> None:
    sentences = split_sentences(SOURCE.read_text(encoding="utf-8"), unwrap=True)
    assert sentences and all(s and s == s.strip() for s in sentences)
