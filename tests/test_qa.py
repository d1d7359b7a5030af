"""The answer engine over the real index built with a toy encoder (no model): understanding,
structured answers, honest limits, follow-ups, bad input, and that every figure in an answer is
in the records."""
from __future__ import annotations

import re
import unicodedata

import pytest

from corpus.trace import numbers_in
from qa.engine import Engine
from tests.reading import first_line
from tests.toy_encoder import ChosenEvidence
from qa.types import AnswerStatus
from qa.query import Field, Operation
from qa.understand import understand as _understand


def understand(question, plan):
    return _understand(question, question, plan)


def names(ans):
    return [p.name for p in ans.projects]


def norm(text):
    return unicodedata.normalize("NFKC", text).replace(",", "")


# --- understanding ---------------------------------------------------------------------------

@pytest.mark.parametrize("question, operation, field", [
    ("R2で計画を下回った事業は？", Operation.LIST, None),
    ("令和2年度に目標に届かなかった指標を教えて", Operation.LIST, None),
    ("保育課の事業一覧", Operation.LIST, None),
    ("目標３にはどんな事業がありますか", Operation.LIST, None),
    ("施策４－２の重点事業", Operation.LIST, None),
    ("産後ケア事業への会議の意見は？", Operation.LOOKUP, Field.COMMENT),
    ("児童館事業の結果の説明を見せて", Operation.LOOKUP, Field.EXPLANATION),
    ("子育て総合相談の相談件数は何件でしたか", Operation.LOOKUP, Field.VALUE),
    ("子育て支援ネットワークの担当課は？", Operation.LOOKUP, Field.DEPARTMENT),
    ("ひとり親で家事が大変", Operation.SEARCH, None),
    ("ほかには？", Operation.MORE, None),
    ("担当課ごとに重点事業の数を数えて", Operation.GROUP, None),
    ("H30からR2でいちばん大きく減った指標は？", Operation.EXTREME, None),
    ("乳幼児健康相談と出張健康相談の利用者数、減り方が大きいのはどっち？", Operation.COMPARE, None),
    ("重点事業はいくつありますか", Operation.COUNT, None),
])
def test_operations_and_fields(plan, question, operation, field):
    q = understand(question, plan)
    assert q.operation is operation, q.scores
    if field is not None:
        assert field in q.fields


def test_years_goals_policies_departments(plan):
    q = understand("令和２年度の目標３、施策3-2で健康課が担当する事業", plan)
    assert q.years == ("R2",) and q.filters.goals == (3,) and q.filters.policies == ("3-2",)
    assert q.filters.departments == ("健康課",)
    assert understand("2020年度の実績", plan).years == ("R2",)
    assert understand("平成30年度の実績は", plan).years == ("H30",)
    assert understand("How many people used it in FY2020?", plan).years == ("R2",)
    assert understand("目標六の事業", plan).filters.goals == (6,)


# --- structured answers ------------------------------------------------------------------------

def test_shortfall_list_is_exact(engine, plan):
    ans = engine.answer("R2で計画を下回った事業はどれ？")
    assert ans.status is AnswerStatus.ANSWERED
    assert set(names(ans)) == {"虐待対応事業", "児童館事業", "母子保健健康相談事業", "子育て中の保護者グループ相談",
                               "ひとり親家庭へのホームヘルプサービス派遣", "子育てに配慮した公共施設の改善"}
    assert all(i.status == "fell_short" for i in ans.indicators)
    assert "来館者数" in ans.text and "51,840人" in ans.text and ans.sources


def test_shortfall_with_department_filter(engine):
    ans = engine.answer("児童青少年課の事業でR2に計画を下回ったものは？")
    assert names(ans) == ["児童館事業"]


def test_list_by_department_includes_shared_projects(engine):
    ans = engine.answer("児童青少年課が担当している重点事業の一覧")
    assert set(names(ans)) == {"子どもオンブズパーソン", "子どもの権利の広報活動", "子どもの居場所づくりの推進",
                               "児童館事業", "学童保育所での障がい児保育"}


def test_list_by_goal_and_policy(engine):
    assert set(names(engine.answer("目標4の事業は？"))) == {
        "ひとり親家庭へのホームヘルプサービス派遣", "認可保育所での特別支援保育", "学童保育所での障がい児保育", "障がい児の緊急・一時預かり"}
    assert names(engine.answer("施策３－２の重点事業を教えて")) == ["母子保健健康相談事業", "産後ケア事業"]


def test_indicator_value_with_source(engine):
    ans = engine.answer("子育て総合相談の相談件数はR2で何件でしたか")
    assert ans.status is AnswerStatus.ANSWERED
    assert names(ans)[0] == "子育て総合相談"
    assert "4,414件" in ans.text and "3,087件" in ans.text
    assert any(s.section == "結果の説明" and s.page == 5 for s in ans.sources)


def test_status_question_gives_both_figures(engine):
    ans = engine.answer("児童館の来館者数はR2の計画を達成しましたか")
    assert names(ans)[0] == "児童館事業"
    assert "51,840" in ans.text and "98,875" in ans.text and "未達成" in ans.text


@pytest.mark.parametrize("question", ["虐待対応事業の検討会の回数は？",
                                      "虐待対応事業の検討会は何件開かれた？"])  # 件 is the other indicator's unit
def test_an_indicator_named_by_a_word_of_its_name_is_the_one_answered(engine, question):
    # 検討会 (three characters) of ケース検討会開催回数 names it beside the project's other indicator,
    # whatever counter the question uses
    ans = engine.answer(question)
    assert [i.name for i in ans.indicators] == ["ケース検討会開催回数（回）"] and "45回" in ans.text


# indicators whose name another indicator of the project shares almost whole, asked by its whole name
# (the project named like its third indicator; 受給者数 inside 受給資格者における受給者数の割合; 民間 and 公立
# differ in two characters)
SIBLING_JOINS = [
    ("子どもの居場所づくりの推進の子どもの居場所に関するネットワークづくりは？", "子どもの居場所に関するネットワークづくり"),
    ("子どもの居場所づくりの推進の関係者による子どもの居場所のあり方の継続的検討は？", "関係者による子どもの居場所のあり方の継続的検討"),
    ("施設等利用給付の上乗せ（幼稚園）の受給資格者における受給者数の割合は？", "受給資格者における受給者数の割合（％）"),
    ("施設等利用給付の上乗せ（認可外保育施設）の受給資格者における受給者数の割合は？", "受給資格者における受給者数の割合（％）"),
    ("認可保育所での特別支援保育の民間保育園の障がい児入所人数は？", "民間保育園の障がい児入所人数（人）"),
    ("認可保育所での特別支援保育の公立保育園の障がい児入所人数は？", "公立保育園の障がい児入所人数（人）"),
]


def test_an_indicator_asked_by_its_whole_name_is_the_only_one_answered(engine, plan):
    """Every indicator of a project with several, asked by its name: that one, not its siblings
    (出張健康相談利用者数 shares 8 of its 10 characters with 乳幼児健康相談利用者数)."""
    wrong = {}
    for p in plan.projects:
        for i in p.indicators if len(p.indicators) > 1 else ():
            question = f"{p.name}の{re.sub(r'（[^）]*）$', '', i.name)}は？"
            got = [(r.project, r.name) for r in engine.answer(question).indicators]
            if got != [(p.name, i.name)]:
                wrong[question] = got
    assert not wrong, wrong
    assert [r.name for r in engine.answer("乳幼児健康相談利用者数は？").indicators] == ["乳幼児健康相談利用者数（人）"]


@pytest.mark.parametrize("question, indicator", SIBLING_JOINS)
def test_an_indicator_sharing_most_of_its_name_with_a_sibling_is_answered_alone(engine, question, indicator):
    assert [r.name for r in engine.answer(question).indicators] == [indicator]


@pytest.mark.parametrize("question, project", [("子どもの居場所づくりの推進について教えて", "子どもの居場所づくりの推進"),
                                               ("グループ相談について教えて", "子育て中の保護者グループ相談")])
def test_a_project_asked_about_shows_all_its_indicators(engine, plan, question, project):
    whole = next(p for p in plan.projects if p.name == project)
    assert [r.name for r in engine.answer(question).indicators] == [i.name for i in whole.indicators]


def test_figure_only_in_explanation_is_quoted(engine):
    ans = engine.answer("認可保育所での特別支援保育は民間保育園の何園で実施していますか")
    assert "18園" in ans.text


def test_comment_present_and_absent(engine):
    ans = engine.answer("児童館事業への子ども・子育て会議の意見は？")
    assert "児童館" in ans.text and any(s.section == "子ども・子育て会議意見" for s in ans.sources)
    none = engine.answer("子育て支援ネットワークに対する会議の意見")
    assert none.status is AnswerStatus.ANSWERED and "記載はありません" in none.text
    assert names(none)[0] == "子育て支援ネットワーク"


# --- honest limits -------------------------------------------------------------------------------

def test_future_results_are_not_in_the_document(engine):
    ans = engine.answer("令和5年度の虐待相談件数は何件でしたか")
    assert ans.status is AnswerStatus.NO_ANSWER
    assert "記載がありません" in ans.text and "維持" in ans.text  # the plan is shown


def test_future_plan_is_answered(engine):
    ans = engine.answer("児童館事業の来館者数のR4の計画は？")
    assert ans.status is AnswerStatus.ANSWERED and "R4 漸増" in ans.text


def test_goal_that_does_not_exist(engine):
    ans = engine.answer("目標5の事業は？")
    assert ans.status is AnswerStatus.NO_ANSWER and "目標5" in ans.text


@pytest.mark.parametrize("bad", ["", "   ", "あ" * 2001, "児童館\x00の時間", "¿Qué proyectos no cumplieron el plan?", 42, None])
def test_bad_input(engine, bad):
    ans = engine.answer(bad)
    assert ans.status is AnswerStatus.NO_ANSWER
    assert re.search(r"[ぁ-んァ-ン一-龥]", ans.text)


def test_a_question_of_the_longest_allowed_length_is_read(engine):
    from qa.engine import MAX_CHARS

    question = "児童館の来館者数は？"
    longest = question + "　" * (MAX_CHARS - len(question))  # a long question padded to the limit
    ans = engine.answer(longest)
    assert ans.intent != "invalid" and "51,840人" in ans.text
    assert engine.answer(longest + "　").intent == "invalid"


# --- follow-ups ------------------------------------------------------------------------------------

def test_followups_use_history(engine):
    first = engine.answer("ひとり親家庭のホームヘルプの利用世帯数は？")
    dept = engine.answer("その担当課は？", [first])
    assert "子育て支援課" in dept.text and names(dept)[0] == "ひとり親家庭へのホームヘルプサービス派遣"
    plan_r3 = engine.answer("R3の計画は？", [first])
    assert plan_r3.status is AnswerStatus.ANSWERED and "R3" in plan_r3.text
    search = engine.answer("赤ちゃんのおむつ替えができる場所")
    more = engine.answer("ほかには？", [search])
    assert more.projects and not set(names(more)) & {names(search)[0]}


# --- every figure stated comes from the records ------------------------------------------------------

QUESTIONS = [
    "R2で計画を下回った事業はどれ？", "児童館の来館者数はR2の計画を達成しましたか", "子育て総合相談の相談件数は何件",
    "施設等利用給付の上乗せ（幼稚園）の受給者数", "保育課の事業一覧", "虐待対応事業の結果の説明", "目標3にはどんな事業",
    "令和5年度の虐待相談件数は何件でしたか", "この計画の全体の状況をまとめて", "母子保健健康相談事業の指標",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_number_in_an_answer_is_in_the_records(engine, plan, question):
    ans = engine.answer(question)
    allowed = numbers_in(plan.source_text)
    text = norm(ans.text)
    # structural numbers: pages, goals, policies, plan years (also as 令和2年度（2020年度）), project numbers and
    # counts of listed items
    text = re.sub(r"(令和|平成)(\d+|元)年度[（(](19|20)\d\d年度[）)]", "", text)
    text = re.sub(r"p\.\d+|目標\d+|施策\d+-\d+|No\.\d+|[RH]\d+|\d+事業|\d+指標|\d+つの目標", "", text)
    for n in numbers_in(text):
        assert n in allowed or n.rstrip("0").rstrip(".") in allowed, f"{n} in answer to {question!r} is not in the source"


# --- questions outside the document ---------------------------------------------------------------

def chosen(engine, **evidence):
    """An engine whose retriever is the real toy index with chosen evidence for the best project."""
    return Engine(plan=engine.plan, index=ChosenEvidence(engine.index, **evidence))


WEAK = {"dense_score": 0.80, "agreed": False, "coverage": 0.1}
STRONG = {"dense_score": 0.90, "agreed": True, "coverage": 0.6}


def test_unknown_noun_and_weak_evidence_is_no_answer(engine):
    assert engine.context.unknown_nouns("図書館の開館時間は？")  # 図書 is in no document
    ans = chosen(engine, **WEAK).answer("図書館の開館時間は？")
    assert ans.status is AnswerStatus.NO_ANSWER and "記載がありません" in ans.text


@pytest.mark.parametrize("question, noun", [("小金井でおすすめのラーメン屋ってある？", "ラーメン屋"),
                                            ("おいしいパン屋は？", "パン屋")])
def test_a_short_katakana_word_with_a_shop_suffix_is_an_unknown_noun(engine, question, noun):
    # ラーメン alone is too short to count; with 屋 it is a place the documents never name
    assert noun in engine.context.unknown_nouns(question)
    assert chosen(engine, **WEAK).answer(question).status is AnswerStatus.NO_ANSWER


def test_unknown_noun_with_strong_evidence_is_answered(engine):
    # colloquial words the document does not use (費用) must not block a well-supported answer
    assert "費用" in engine.context.unknown_nouns("費用の助けはありますか")
    assert chosen(engine, **STRONG).answer("費用の助けはありますか").status is AnswerStatus.ANSWERED


def test_no_unknown_words_is_answered_even_with_weak_evidence(engine):
    assert engine.context.unknown_nouns("ママをたすけてくれるサービスは？") == []
    assert chosen(engine, **WEAK).answer("ママをたすけてくれるサービスは？").status is AnswerStatus.ANSWERED


def test_off_topic_evidence_at_its_thresholds(engine):
    """With an unknown noun, a question is off-topic below OFF_TOPIC_DENSE unless both retrievers
    agree on a project that holds OFF_TOPIC_AGREED_COVERAGE of its terms, or when the retrievers
    disagree and under OFF_TOPIC_COVERAGE of its terms are found; at the thresholds it is answered.
    English questions have no noun check and a threshold of their own."""
    from qa.answerability import OFF_TOPIC_AGREED_COVERAGE, OFF_TOPIC_COVERAGE, OFF_TOPIC_DENSE, OFF_TOPIC_DENSE_EN

    def status(question, **evidence):
        return chosen(engine, **evidence).answer(question).status

    ja, en = "費用を助けてもらえる制度はありますか", "Is there any help with childcare costs?"
    below = OFF_TOPIC_DENSE - 0.001
    assert status(ja, dense_score=OFF_TOPIC_DENSE, agreed=False, coverage=0.6) is AnswerStatus.ANSWERED
    assert status(ja, dense_score=below, agreed=False, coverage=0.6) is AnswerStatus.NO_ANSWER
    assert status(ja, dense_score=below, agreed=True, coverage=OFF_TOPIC_AGREED_COVERAGE) is AnswerStatus.ANSWERED
    assert status(ja, dense_score=below, agreed=True, coverage=OFF_TOPIC_AGREED_COVERAGE - 0.001) is AnswerStatus.NO_ANSWER
    # agreement does not save a question whose unknown word is what it asks about
    assert status("図書館の開館時間は？", dense_score=below, agreed=True, coverage=0.9) is AnswerStatus.NO_ANSWER
    assert status(ja, dense_score=0.9, agreed=False, coverage=OFF_TOPIC_COVERAGE) is AnswerStatus.ANSWERED
    assert status(ja, dense_score=0.9, agreed=False, coverage=OFF_TOPIC_COVERAGE - 0.001) is AnswerStatus.NO_ANSWER
    assert status(en, dense_score=OFF_TOPIC_DENSE_EN, agreed=False, coverage=0.1) is AnswerStatus.ANSWERED
    assert status(en, dense_score=OFF_TOPIC_DENSE_EN - 0.001, agreed=False, coverage=0.1) is AnswerStatus.NO_ANSWER


# --- more structured questions ---------------------------------------------------------------------

def test_counting_all_projects(engine):
    ans = engine.answer("重点事業はいくつありますか")
    assert ans.status is AnswerStatus.ANSWERED and "20事業" in ans.text and len(ans.projects) == 20


def test_unclear_and_borderline_lists(engine):
    unclear = engine.answer("判定できない指標はありますか")
    assert {i.status for i in unclear.indicators} == {"unclear"} and len(unclear.indicators) == 3
    near = engine.answer("ほぼ達成の指標は？")
    assert {i.status for i in near.indicators} == {"borderline"}
    assert "17,895人" in near.text


def test_baseline_question_leads_with_h30(engine):
    ans = engine.answer("平成30年度の来館者数は？")
    first = first_line(ans)
    assert "98,875人" in first and "H30" in first and "51,840" not in first  # the baseline is the answer


def test_counter_figures_stated_only_in_the_explanation(engine):
    ans = engine.answer("産後ケア事業の利用者は何人でしたか")
    assert "8人" in ans.text and "16人" in ans.text


def test_hiragana_and_anaphora_follow_ups(engine):
    first = engine.answer("児童館の来館者数は？")
    assert "児童青少年課" in engine.answer("そのたんとうは？", [first]).text
    detail = engine.answer("その事業について詳しく教えて", [first])
    assert names(detail) == ["児童館事業"] and "事業の内容" in detail.text and detail.indicators


def test_plan_value_lists(engine):
    ans = engine.answer("R3の計画が拡充の指標はどれ？")
    assert ans.intent == "list"
    assert all(i.plan["R3"].startswith("拡充") for i in ans.indicators) and len(ans.indicators) == 4


def test_whole_plan_and_all_indicators(engine):
    plan = engine.answer("虐待相談件数の計画は？")
    assert all(f"{y} 維持" in plan.text for y in ("R2", "R3", "R4", "R5", "R6"))
    inds = engine.answer("子どもの居場所づくりの推進にはどんな指標がありますか")
    assert len(inds.indicators) == 3


def test_jsonl_batch_survives_a_failing_question(monkeypatch, capsys):
    import io
    import json

    import qa.__main__ as cli

    class Flaky:
        def answer(self, question, history=None):
            if "壊" in question:
                raise RuntimeError("boom")
            from qa.types import Answer, AnswerStatus
            return Answer(question=question, status=AnswerStatus.ANSWERED, text="ok")

    monkeypatch.setattr(cli, "get_engine", lambda: Flaky())
    monkeypatch.setattr("sys.stdin", io.StringIO("一つ目\n壊れる質問\n三つ目\n"))
    assert cli.main(["ask", "--jsonl"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [o["status"] for o in out] == ["answered", "no_answer", "answered"]
    assert "エラー" in out[1]["answer"]


def test_council_versus_case_conference(plan):
    assert Field.COMMENT in understand("産後ケア事業について会議で何か言われていますか", plan).fields
    q = understand("ケース検討会議の回数は？", plan)
    assert Field.COMMENT not in q.fields and Field.VALUE in q.fields


def test_several_goals_or_departments(engine):
    both = engine.answer("健康課と保育課の事業")
    assert set(names(both)) == {"母子保健健康相談事業", "産後ケア事業", "施設等利用給付の上乗せ（幼稚園）",
                                "施設等利用給付の上乗せ（認可外保育施設）", "認可保育所での特別支援保育", "障がい児の緊急・一時預かり"}
    goals = engine.answer("目標1と目標2の事業")
    assert len(goals.projects) == 6 and {p.goal for p in goals.projects} == {1, 2}


def test_asked_unit_not_in_the_document_is_no_answer(engine):
    ans = engine.answer("児童館事業の開館時間は何時まで？")
    assert ans.status is AnswerStatus.NO_ANSWER and "記載がありません" in ans.text


def test_where_to_ask_is_a_programme_question(plan):
    assert understand("子どもが悩みを相談できる窓口はありますか？", plan).operation is Operation.SEARCH
    assert understand("家庭のストレスで困ったとき、どこに相談すればいい？", plan).operation is Operation.SEARCH


def test_why_question_about_an_indicator_quotes_the_explanation(engine):
    ans = engine.answer("虐待対応事業のケース検討会の回数はなぜ減ったの？")
    assert "45回" in ans.text and "結果の説明" in ans.text and "コロナ" in ans.text


def test_comment_lists(engine, plan):
    have = engine.answer("会議意見が書かれている事業はいくつ？")
    assert set(names(have)) == {p.name for p in plan.projects if p.council_comments}
    assert f"{len(have.projects)}事業" in have.text
    lack = engine.answer("会議意見がない事業は？")
    assert set(names(lack)) == {p.name for p in plan.projects if not p.council_comments}
    dept = engine.answer("子育て支援課の事業への会議意見")
    assert names(dept) == ["虐待対応事業"]


@pytest.mark.parametrize("question, projects", [
    ("幼稚園の上乗せ給付の受給者数は？", ["施設等利用給付の上乗せ（幼稚園）"]),
    ("認可外の上乗せ給付、H30の受給者数は？", ["施設等利用給付の上乗せ（認可外保育施設）"]),
    ("幼稚園と認可外の上乗せ給付の受給者数は？", ["施設等利用給付の上乗せ（幼稚園）", "施設等利用給付の上乗せ（認可外保育施設）"]),
])
def test_a_part_of_one_siblings_name_picks_it_among_those_its_indicator_names(engine, question, projects):
    # both 施設等利用給付の上乗せ have an indicator 受給者数: 幼稚園 or 認可外 says which
    assert sorted(r.project for r in engine.answer(question).indicators) == sorted(projects)


def test_a_project_named_by_pieces_of_its_name_is_no_missing_thing(engine):
    # 上乗せ給付 is 施設等利用給付の上乗せ said in another order: not a counted thing the texts lack
    ans = engine.answer("認可外保育施設の上乗せ給付、R2の受給者は何人？")
    assert ans.status is AnswerStatus.ANSWERED and "2,941人" in first_line(ans)
    assert engine.answer("児童館の職員は何人？").status is AnswerStatus.NO_ANSWER  # 職員 is no piece of a name


@pytest.mark.parametrize("question", ["おうちでたたかれてつらいときはどこにいえばいい？", "たすけて"])
def test_a_situation_told_without_nouns_is_searched(engine, question):
    # a child's words: verbs and adjectives only, yet a need; not 「知りたい事業を入れて質問してください」
    ans = engine.answer(question)
    assert ans.projects and ans.intent == "search"


@pytest.mark.parametrize("question", ["こんにちは", "ありがとう", "よろしくお願いします", "すごい", "おはようございます"])
def test_a_greeting_asks_nothing(engine, question):
    ans = engine.answer(question)
    assert ans.status is AnswerStatus.NO_ANSWER and not ans.projects and "質問してください" in ans.text


@pytest.mark.parametrize("question", ["子育て支援ネットワークは、次の年度に何をするって書いてある？",
                                      "子育て支援ネットワークは次の年にどうするの？"])
def test_what_comes_next_year_is_read_from_the_explanation(engine, question):
    # 次の年度に何をする = 次年度に向けての課題, in the result explanation (補助金 is only there)
    assert "補助金" in engine.answer(question).text


def test_an_indicator_named_with_a_no_inside_its_compound_is_found(engine):
    # 虐待の相談件数 is 虐待相談件数 (虐待対応事業), not the 相談件数 of 子育て総合相談
    assert [(r.project, r.name) for r in engine.answer("虐待の相談件数は？").indicators] == [("虐待対応事業", "虐待相談件数（件）")]


def test_how_to_apply_is_answered_only_from_a_sentence_about_it(engine):
    # 母子保健's explanation says its consultations took reservations (予約制): that sentence is quoted
    held = engine.answer("母子保健健康相談事業の予約の方法は？")
    assert held.status is AnswerStatus.ANSWERED and "予約" in held.text
    assert engine.answer("産後ケア事業の申し込み方法は？").status is AnswerStatus.NO_ANSWER
