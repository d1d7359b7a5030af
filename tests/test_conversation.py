"""Questions asked in sequence: what the conversation may supply, and what it must not.

The rule under test: a question is first understood on its own; the conversation supplies only
what the question leaves open. So a question with a subject of its own gets the same answer
after any earlier turn as asked alone; a follow-up gets the answer of the question it stands
for, written out in full (「その担当課は？」 after a question about 児童館事業 is answered as
「児童館事業の担当課は？」); and idioms that merely look like references (それぞれ, これから,
そのうち, この資料) refer to nothing.

Fast: the engine over the real index built with the toy encoder (tests/toy_encoder.py).
"""
from __future__ import annotations

from functools import lru_cache

import pytest

from qa.types import AnswerStatus
from tests.reading import first_line

# Behaviour that is being built: strict, so that when it lands the mark must go (an unexpected
# pass fails the suite).

def names(ans) -> list[str]:
    return [p.name for p in ans.projects]


def converse(engine, *questions):
    """Ask ``questions`` in order as one conversation; all the answers."""
    history = []
    for q in questions:
        history.append(engine.answer(q, history))
    return history


def reading(ans) -> dict:
    """What an answer says, apart from its wording: status, operation, projects, indicators and
    the sections it cites (the text may differ, e.g. in saying what came from the conversation)."""
    return {
        "status": ans.status.value,
        "intent": ans.intent,
        "projects": names(ans),
        "indicators": [(i.project, i.name) for i in ans.indicators],
        "cited": sorted({(s.project, s.section) for s in ans.sources}),
    }


def assert_same_reading(follow_up, alone, question: str) -> None:
    got, want = reading(follow_up), reading(alone)
    assert got == want, f"{question!r}: {got} != {want} (asked alone)"


# --- earlier turns of every kind ----------------------------------------------------------------

EARLIER = {
    "lookup": "児童館事業の来館者数は？",
    "list": "R2で計画を下回った事業は？",
    "search": "ひとり親で家事が大変",
    "no_answer": "産後ケア事業の宿泊は1泊いくらかかりますか？",  # names a project the next turn could take
    "off_topic": "図書館の開館時間は？",
    "refused": "",
    "follow_up": ("施策３－２の重点事業を教えて", "二つ目の事業の担当課は？"),
}


def test_the_earlier_turns_are_what_their_names_say(engine):
    # the cases below are only as good as these: each earlier turn is of its kind
    lookup, listed, search, no_answer, off_topic, refused = (
        engine.answer(EARLIER[k]) for k in ("lookup", "list", "search", "no_answer", "off_topic", "refused"))
    assert lookup.intent == "lookup" and names(lookup) == ["児童館事業"] and lookup.frame.has_target
    assert listed.intent == "list" and len(listed.projects) == 6 and len(listed.frame.listed) == 6
    assert search.intent == "search" and search.status is AnswerStatus.ANSWERED and search.frame.remaining
    assert no_answer.status is AnswerStatus.NO_ANSWER and names(no_answer) == ["産後ケア事業"] and no_answer.frame
    assert off_topic.status is AnswerStatus.NO_ANSWER and not off_topic.projects
    assert refused.status is AnswerStatus.NO_ANSWER and refused.intent == "invalid"
    second = converse(engine, *EARLIER["follow_up"])[-1]
    assert names(second) == ["産後ケア事業"]


NEW_TOPICS = [
    "子育て総合相談の相談件数は何件でしたか",  # a lookup of a figure
    "子育て支援ネットワークの担当課は？",  # a lookup of a field
    "保育課の事業一覧",  # a list by department
    "目標4の事業は？",  # a list by goal
    "赤ちゃんのおむつ替えができる場所",  # a search
    "担当課ごとに重点事業の数を数えて",  # a grouping
]


def _earlier(kind: str) -> tuple[str, ...]:
    turn = EARLIER[kind]
    return turn if isinstance(turn, tuple) else (turn,)


@pytest.mark.parametrize("kind, question", [(kind, q) for kind in EARLIER for q in NEW_TOPICS])
def test_a_new_topic_after_each_kind_of_turn_is_answered_as_asked_alone(engine, kind, question):
    after = converse(engine, *_earlier(kind), question)[-1]
    assert_same_reading(after, engine.answer(question), question)


# --- follow-ups: the question they stand for ----------------------------------------------------

@pytest.mark.parametrize("first, follow_up, stands_for", [
    # no subject of its own: the conversation's project, the field asked now
    ("児童館事業の来館者数は？", "その担当課は？", "児童館事業の担当課は？"),
    ("児童館事業の来館者数は？", "会議の意見は？", "児童館事業への会議の意見は？"),
    ("ひとり親で家事が大変", "その担当課は？", "ひとり親家庭へのホームヘルプサービス派遣の担当課は？"),
    ("産後ケア事業の宿泊は1泊いくらかかりますか？", "その担当課は？", "産後ケア事業の担当課は？"),
    # back-references
    ("児童館事業の来館者数は？", "その事業の結果の説明は？", "児童館事業の結果の説明は？"),
    ("児童館事業について教えて", "それの令和3年度の計画は？", "児童館事業の令和3年度の計画は？"),
    ("児童館事業の来館者数は？", "それの令和3年度の計画は？", "児童館事業の来館者数の令和3年度の計画は？"),
    ("児童館事業の来館者数は？", "そこの担当課は？", "児童館事業の担当課は？"),
    # 「その事業の担当課」 asks that project's department, not for the projects of 「その課」
    ("児童館事業の来館者数は？", "その事業の担当課は？", "児童館事業の担当課は？"),
    ("市の施設っておむつ替えできるところある？", "その事業の担当課は？", "子育てに配慮した公共施設の改善の担当課は？"),
    # 「どれくらい」 asks how much, not which of a set; the same indicator's change
    ("虐待相談件数は増えた？", "どれくらい増えた？", "虐待相談件数はどれくらい増えた？"),
    # a noun that is itself the kind of fact asked (料金, 連絡先) is the ask about the topic
    ("産後ケア事業の利用者数は？", "料金は？", "産後ケア事業の料金は？"),
    ("児童館事業の来館者数は？", "連絡先は？", "児童館事業の連絡先は？"),
    # the council's name (子ども・子育て会議) is the ask, not words of a subject of its own
    ("虐待対応事業の担当課は？", "それに対する子ども・子育て会議の意見はある？", "虐待対応事業への子ども・子育て会議の意見は？"),
    # a reference keeps its referent when a sibling project using the same words would explain them too
    ("施設等利用給付の上乗せ（幼稚園）の事業の内容は？", "それ、対象の人のうち実際にもらえた人の割合は？",
     "施設等利用給付の上乗せ（幼稚園）の対象の人のうち実際にもらえた人の割合は？"),
    # a distinctive part (two characters) picks one of the indicators just shown
    ("乳幼児健康相談と出張健康相談の利用者数は？", "出張のほうは？", "出張健康相談の利用者数は？"),
    # ordinals over the projects the previous answer listed
    ("施策３－２の重点事業を教えて", "二つ目の事業の担当課は？", "産後ケア事業の担当課は？"),
    ("施策３－２の重点事業を教えて", "最後に挙げた事業の会議意見は？", "産後ケア事業の会議意見は？"),
    # ellipsis: the same ask about a new subject
    ("産後ケア事業の担当課は？", "じゃあ児童館は？", "児童館の担当課は？"),
    ("産後ケア事業への会議の意見は？", "じゃあ児童館は？", "児童館事業への会議の意見は？"),
    # ellipsis: the part of a sibling project's name that differs is the new subject
    ("施設等利用給付の上乗せ（認可外保育施設）の受給者数は？", "じゃあ幼稚園のほうは？",
     "施設等利用給付の上乗せ（幼稚園）の受給者数は？"),
    # ellipsis: the same subject and ask, another year
    ("児童館の来館者数はR2で何人？", "じゃあH30は？", "児童館の来館者数はH30で何人？"),
    ("児童館事業の来館者数のR3の計画は？", "じゃあR4は？", "児童館事業の来館者数のR4の計画は？"),
])
def test_a_follow_up_is_answered_as_the_question_it_stands_for(engine, first, follow_up, stands_for):
    answer = converse(engine, first, follow_up)[-1]
    assert_same_reading(answer, engine.answer(stands_for), follow_up)


def test_the_explicit_questions_the_follow_ups_stand_for(engine):
    # so that the comparisons above compare against the right thing
    assert "児童青少年課" in engine.answer("児童館の担当課は？").text
    assert [i.name for i in engine.answer("児童館の来館者数はH30で何人？").indicators] == ["来館者数（人）"]
    assert "R4 漸増" in engine.answer("児童館事業の来館者数のR4の計画は？").text
    assert [i.name for i in engine.answer("出張健康相談の利用者数は？").indicators] == ["出張健康相談利用者数（人）"]
    no_comment = engine.answer("産後ケア事業の会議意見は？")  # none recorded: said so
    assert names(no_comment) == ["産後ケア事業"] and "会議意見の記載はありません" in no_comment.text


def test_the_last_listed_project_of_a_long_list(engine):
    listed, last = converse(engine, "R2で計画を下回った事業は？", "最後に挙げた事業の担当課は？")
    assert names(last) == [names(listed)[-1]]
    assert last.projects[0].departments[0] in last.text


def test_another_year_leads_with_that_years_figure(engine):
    _, h30 = converse(engine, "児童館の来館者数はR2で何人？", "じゃあH30は？")
    line = first_line(h30)
    assert "98,875人" in line and "51,840" not in line  # the H30 baseline is the answer


@pytest.mark.parametrize("first, narrowing, department", [
    ("施策3-1の重点事業を教えて", "その中で保育課のは？", "保育課"),
    ("目標1の事業は？", "その中で児童青少年課のは？", "児童青少年課"),
    ("R2で計画を下回った事業は？", "その中で健康課が担当しているのは？", "健康課"),
])
def test_narrowing_keeps_the_list_and_adds_the_department(engine, first, narrowing, department, plan):
    listed, narrowed = converse(engine, first, narrowing)
    expected = {p.name for p in plan.projects if p.name in names(listed) and department in p.departments}
    assert expected and len(expected) < len(listed.projects)  # a real narrowing
    assert set(names(narrowed)) == expected


@pytest.mark.parametrize("first, narrowing", [
    ("施策３－２の重点事業を教えて", "その中で計画を下回ったのは？"),  # a list of two
    ("目標3の事業は？", "その中で計画を下回ったのは？"),
])
def test_narrowing_keeps_the_list_and_adds_the_condition(engine, plan, first, narrowing):
    from corpus import project_status
    from corpus.records import Status

    listed, narrowed = converse(engine, first, narrowing)
    expected = {p.name for p in plan.projects if p.name in names(listed) and project_status(p) is Status.FELL_SHORT}
    assert expected and len(expected) < len(listed.projects)  # a real narrowing
    assert set(names(narrowed)) == expected
    assert any(str(len(listed.projects)) in c for c in narrowed.interpretation.conditions)  # the list, said


def test_a_reference_with_nothing_before_it_asks_which_project(engine):
    for question in ("その担当課は？", "それの会議の意見は？", "二つ目の事業の担当課は？"):
        ans = engine.answer(question)
        assert ans.status is AnswerStatus.NO_ANSWER and "どの事業" in ans.text, question


# --- idioms that are not references -------------------------------------------------------------

@pytest.mark.parametrize("earlier, question", [
    ("児童館事業の来館者数は？", "担当課ごとにそれぞれ何事業ありますか"),  # それぞれ: each group
    ("R2で計画を下回った事業は？", "目標1と目標2の事業をそれぞれ教えて"),
    ("児童館事業の来館者数は？", "義務教育就学児医療費助成制度の拡充、うちは対象外だったけどこれからどうなる？"),  # これから: from now on
    # no name of its own, and words 児童館事業's texts hold too (相談窓口): read alone, they fit 子育て総合相談 as well
    ("児童館事業の来館者数は？", "子どもの相談の窓口は、これからどうなるのでしょうか？"),
    ("R2で計画を下回った事業は？", "そのうち子どもを預けて働きたいので、預けられるところを知りたい"),  # そのうち: some day
    ("児童館事業の来館者数は？", "この資料に載っている重点事業はいくつありますか"),  # この資料: the document itself
    ("児童館事業の来館者数は？", "この資料で保育課が担当している事業は？"),
])
def test_an_idiom_is_not_a_reference_to_the_conversation(engine, earlier, question):
    assert_same_reading(converse(engine, earlier, question)[-1], engine.answer(question), question)


def test_the_idiom_questions_are_answered_on_their_own(engine, plan):
    # what the questions above mean, so that "the same as alone" is the right answer
    assert "20事業" in engine.answer("この資料に載っている重点事業はいくつありますか").text
    assert engine.answer("担当課ごとにそれぞれ何事業ありますか").intent == "group"
    both = engine.answer("目標1と目標2の事業をそれぞれ教えて")
    assert {p.goal for p in both.projects} == {1, 2} and len(both.projects) == 6
    hoiku = engine.answer("この資料で保育課が担当している事業は？")
    assert set(names(hoiku)) == {p.name for p in plan.projects if "保育課" in p.departments}
    assert names(engine.answer("義務教育就学児医療費助成制度の拡充、うちは対象外だったけどこれからどうなる？"))[0] == \
        "義務教育就学児医療費助成制度の拡充"
    assert names(engine.answer("子どもの相談の窓口は、これからどうなるのでしょうか？"))[0] == "子育て総合相談"
    childcare = engine.answer("そのうち子どもを預けて働きたいので、預けられるところを知りたい")
    assert childcare.intent == "search" and names(childcare)[0] == "障がい児の緊急・一時預かり"


# --- a question with its own subject: the same answer after any other question ------------------

OWN_SUBJECT = [
    "児童館事業の来館者数は？",
    "子育て総合相談の相談件数は何件でしたか",
    "産後ケア事業への会議の意見は？",
    "子育て支援ネットワークの担当課は？",
    "虐待対応事業の結果の説明を見せて",
    "R2で計画を下回った事業は？",
    "保育課の事業一覧",
    "目標4の事業は？",
    "施策３－２の重点事業を教えて",
    "ひとり親で家事が大変",
    "赤ちゃんのおむつ替えができる場所",
    "担当課ごとに重点事業の数を数えて",
    "重点事業はいくつありますか",
    "H30からR2でいちばん大きく減った指標は？",
    "令和5年度の虐待相談件数は何件でしたか",
    "産後ケア事業の宿泊は1泊いくらかかりますか？",
    "児童館の職員は何人いますか",
    "判定できない指標はありますか",
]
# earlier conversations: each question above alone, and follow-ups that leave the conversation
# in each state (a project from a list, a field asked, more candidates, a refused line)
BEFORE = [*((q,) for q in OWN_SUBJECT),
          ("R2で計画を下回った事業は？", "二つ目のは？"),
          ("児童館事業の来館者数は？", "その担当課は？"),
          ("ひとり親で家事が大変", "ほかには？"),
          ("児童館事業の来館者数は？", "")]


@lru_cache(maxsize=None)
def _history(engine, questions: tuple[str, ...]) -> tuple:
    return tuple(converse(engine, *questions))


def _project_and_status(ans) -> tuple:
    return ans.status.value, ans.intent, tuple(names(ans))


@pytest.mark.parametrize("question", OWN_SUBJECT)
def test_a_question_with_its_own_subject_is_answered_the_same_after_any_question(engine, question):
    alone = _project_and_status(engine.answer(question))
    wrong = {}
    for before in BEFORE:
        if before == (question,):
            continue
        got = _project_and_status(engine.answer(question, list(_history(engine, before))))
        if got != alone:
            wrong[before] = got
    assert not wrong, (alone, wrong)


def test_an_ellipsis_names_its_new_subject_and_the_ask_it_keeps(engine):
    answer = converse(engine, "産後ケア事業の担当課は？", "じゃあ児童館は？")[-1]
    assert "児童館事業 について" in answer.interpretation.text and "同じ問い（担当課）" in answer.interpretation.text


@pytest.mark.parametrize("line", ["ありがとう", "はい", "よろしくお願いします"])
def test_a_thanks_or_a_yes_is_no_question_about_the_topic_and_keeps_it(engine, line):
    before, said, after = converse(engine, "児童館事業の来館者数は？", line, "その担当課は？")
    assert said.status is AnswerStatus.NO_ANSWER and not said.projects  # not the previous answer again
    assert names(after) == ["児童館事業"]


def test_more_detail_is_about_the_same_programme_not_further_candidates(engine):
    _, detail = converse(engine, "児童館事業の来館者数は？", "もっと詳しく")
    assert detail.status is AnswerStatus.ANSWERED and names(detail) == ["児童館事業"]


def test_how_to_apply_after_a_programme_is_asked_of_it_and_said_missing(engine):
    _, how = converse(engine, "産後ケア事業の利用者数は？", "申し込み方法は？")
    assert how.status is AnswerStatus.NO_ANSWER and names(how) == ["産後ケア事業"]
    assert "申し込み・手続きの方法についての記載がありません" in how.text



def test_they_in_english_is_no_pointing_word_but_it_is():
    # "what did they do" speaks of the city or its staff; "what does it cost" of the programme
    from qa.understand import lexicon as lx

    assert not lx.ANAPHORA("Does Koganei run a campaign? What did they do in 2020?")
    assert not lx.ANAPHORA("Can they help me with housework?")
    assert lx.ANAPHORA("What does it cost?") and lx.ANAPHORA("Who runs its programme?")
