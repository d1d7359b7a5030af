"""やさしい日本語: furigana readings against known ones, and shorter sentences that keep every figure."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from qa import plain
from tests.ui_fakes import FakeEngine

READINGS = Path(__file__).parent / "fixtures" / "readings.tsv"
KATAKANA = re.compile(r"[\u30a1-\u30f6]")


def known_readings() -> list[tuple[str, str]]:
    rows = []
    for line in READINGS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, reading = line.split("\t")
            rows.append((word, reading))
    return rows


def test_the_reading_list_is_large_enough():
    rows = known_readings()
    assert len(rows) >= 300 and len({w for w, _ in rows}) == len(rows)


def test_known_readings():
    wrong = [(w, r, plain.reading_of(w)) for w, r in known_readings() if plain.reading_of(w) != r]
    assert not wrong, f"{len(wrong)} readings differ (word, expected, got): {wrong[:20]}"


def test_readings_are_hiragana_and_okurigana_stay_outside():
    assert plain.furigana("預かり") == (plain.Piece("預", "あず"), plain.Piece("かり"))
    assert plain.furigana("手続き") == (plain.Piece("手続", "てつづ"), plain.Piece("き"))  # not folded to てつずき
    for word, _ in known_readings():
        for p in plain.furigana(word):
            assert p.reading is None or not KATAKANA.search(p.reading), (word, p)


def test_figures_keep_their_digits():
    pieces = plain.furigana("R2の来館者数（人）は51,840人で、4月4日から5月31日まで閉館")
    assert "".join(p.text for p in pieces) == "R2の来館者数（人）は51,840人で、4月4日から5月31日まで閉館"
    assert plain.Piece("51,840") in pieces or any(p.text.endswith("51,840") and p.reading is None for p in pieces)
    assert plain.Piece("4日", "よっか") in pieces and plain.Piece("人", "にん") in pieces


def answers() -> list[str]:
    engine = FakeEngine()
    texts = [engine(q).text for q in ("R2で計画を下回った事業は？", "あかちゃんをあずけたい", "児童館の来館者数は？")]
    plan = engine.plan
    texts += [p.content for p in plan.projects] + [p.result_explanation or "" for p in plan.projects]
    return texts


@pytest.mark.parametrize("i", range(3))
def test_every_kanji_run_has_a_reading_and_nothing_is_lost(i):
    for text in answers()[i::3]:
        pieces = plain.furigana(text)
        assert "".join(p.text for p in pieces) == text
        bare = [p.text for p in pieces if p.reading is None and plain.has_kanji(p.text)]
        assert not bare, bare


FIGURE = re.compile(r"\d[\d,.]*")


def test_simplify_keeps_figures_names_quotes_and_citations():
    for text in answers():
        out = plain.simplify(text)
        assert Counter(FIGURE.findall(out)) == Counter(FIGURE.findall(text))
        assert Counter(re.findall(r"\[\d+\]", out)) == Counter(re.findall(r"\[\d+\]", text))
        assert Counter(re.findall(r"「[^「」]*」", out)) == Counter(re.findall(r"「[^「」]*」", text))
        assert Counter(re.findall(r"\*\*[^*]+\*\*", out)) >= Counter(
            m for m in re.findall(r"\*\*[^*]+\*\*", text) if "達成" not in m)


def test_simplify_makes_sentences_shorter():
    text = "R2の来館者数は51,840人でしたが、閉館中は「おうちで児童館」を公開しました。次年度も続けます。"
    out = plain.simplify(text)
    assert out == "R2の来館者数は51,840人でした。\nでも、閉館中は「おうちで児童館」を公開しました。\n次年度も続けます。"
    longest = lambda t: max(len(s) for s in re.split(r"[。\n]", t))  # noqa: E731
    assert longest(out) < longest(text)
    # a quote keeps its own sentences and commas
    quoted = "記載：「閉館したが、公開した。続ける。」と書かれています。"
    assert "「閉館したが、公開した。続ける。」" in plain.simplify(quoted)


def test_simplify_explains_a_plan_word_once():
    out = plain.simplify("- 漸増の計画に対し減少\n- 漸増の計画に対し増加")
    assert out.count("漸増（少しずつ増やす）") == 1 and out.count("漸増") == 2
    assert plain.simplify("**ほぼ達成（要注意）**") == "**ほぼ達成（要注意）**"
