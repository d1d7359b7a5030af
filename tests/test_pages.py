"""Pages of a source document and passages located on them (corpus.pages)."""
from __future__ import annotations

from corpus.loader import load_plan
from corpus.pages import locate, plan_pages, split_pages

HEADER = "評価表（重点事業のみ）"


def test_split_pages_by_header_and_number_line():
    text = f"\n{HEADER}\n一ページ目\n\n1\n{HEADER}\n二ページ目\n2\n\n{HEADER}\n最後のページ\n"
    pages = split_pages(text)
    assert [p.number for p in pages] == [1, 2, 3]
    assert pages[0].text == f"{HEADER}\n一ページ目"
    assert pages[1].text == f"{HEADER}\n二ページ目"
    assert pages[2].text == f"{HEADER}\n最後のページ"


def test_a_text_without_repeated_header_is_one_page():
    assert [p.text for p in split_pages("ただの文章\n続き")] == ["ただの文章\n続き"]
    assert split_pages("") == ()


def test_page_numbers_as_printed_full_width():
    pages = split_pages(f"{HEADER}\nA\n５\n{HEADER}\nB")
    assert [p.number for p in pages] == [5, 2]


def test_locate_ignores_line_breaks_padding_and_width():
    page = "前置き\n来館者数（人）\u3000\u3000５１，８４０人\nの記録。\n後書き"
    (span,) = locate(page, "来館者数（人） 51,840人の記録。")
    assert page[span[0]:span[1]] == "来館者数（人）\u3000\u3000５１，８４０人\nの記録。"


def test_locate_finds_a_scattered_passage_line_by_line():
    page = "二行目の文章です。\n関係ない行\n一行目の文章です。"
    spans = locate(page, "一行目の文章です。\n二行目の文章です。")
    assert [page[s:e] for s, e in spans] == ["二行目の文章です。", "一行目の文章です。"]
    assert locate(page, "どこにもない文章") == []


def test_every_record_text_is_found_on_its_page():
    plan = load_plan()
    pages = plan_pages(plan)
    assert sorted(pages) == list(range(1, 8))
    for p in plan.projects:
        for text in (p.content, p.result_explanation, *p.council_comments):
            if text:
                assert locate(pages[p.page], text), (p.name, text[:20])
