"""The short fixed phrases that frame an answer in the reader's language.

The documents are Japanese and stay Japanese in every answer: project names, departments,
figures, indicator names and quoted passages are shown as printed, with their pages. Only the
frame around them is translated, with the Japanese label of each part in brackets so a reader can
match it with the page (事業の内容, 結果の説明, 子ども・子育て会議意見).

``PHRASES[lang][key]`` is a ``str.format`` template. Every language has the same keys as "en",
and each key the same ``{placeholders}`` as the English one: the answer frame of
``qa.execute.foreign`` (intro, content, result … department, stated, no_result_year), the messages
of the engine (only_instructions, no_history), the line before a list or count answered in
Japanese (in_japanese), a choice offered after a weak match (written so
that it is detected as the same language when sent back), the line naming the documents used,
and the reading line of ``qa.compose.answer`` (reading*; list_join joins names and years).
``FOCUS_NAMES[lang][focus]`` names what a question asked for and the document lacks.
``phrases(lang)`` picks the table for a language code of ``qa.understand.languages`` (``answer_language``
or ``detect``), English for anything without its own.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

__all__ = ["FOCUS_NAMES", "PHRASES", "focus_name", "phrases"]

_EN = {
    "intro": ("This document is in Japanese, so names, figures and passages are quoted in Japanese with their pages. "
              "The closest programme in {document} is **{name}** (department: {departments})."),
    "intro_low": ("This document is in Japanese. No programme clearly matches your question; the closest is **{name}** "
                  "(department: {departments})."),
    "content": "- What it does (事業の内容): {content} {cite}",
    "result": "- {year} result (結果): {indicator} **{result}** (baseline {baseline_year}: {baseline}; plan: {plan}) {cite}",
    "result_text": "- {year} result (結果): {indicator}: 「{evidence}」 {cite}",
    "explanation": "- Explanation of the result (結果の説明): 「{quote}」 {cite}",
    "comment": "- Council comment (子ども・子育て会議意見): 「{quote}」 {cite}",
    "no_comment": "- Council comment: none recorded (子ども・子育て会議意見の記載はありません).",
    "not_found": ("This document is in Japanese and covers Koganei City's priority child and childcare projects. "
                  "It has nothing on your question (この資料には記載がありません)."),
    "focus_missing": "The document does not state the {what} you asked for (この資料には{what_ja}の記載はありません).",
    "off_topic": "This document (Koganei City's childcare plan evaluation) has nothing on that (この資料には記載がありません).",
    "department": "The department in charge of **{name}** (担当課) is **{departments}**. {cite}",
    "only_instructions": ("No question about the document was found. Please type the programme or figure you want "
                          "to know about."),
    "stated": "- What the document states on that (記載): 「{quote}」 {cite}",
    "no_result_year": ("The loaded document evaluates {have}; it has no results for {year} "
                       "(この資料には記載がありません)."),
    "no_history": ("There is no earlier question, so it is not clear which programme you mean. Please name it, "
                   "for example 「児童館事業」."),
    "choice": "Tell me about 「{name}」",
    "document_line": "Document: {documents}",
    # the reading line: how the question was read (the answer's first line)
    "reading": "[How your question was read] {body} ({scope})",
    "reading_targets": "about {names}",
    "reading_carried": "about {names}, from the previous question",
    "reading_same_ask": "asked the same as the previous question",
    "reading_conditions": "conditions: {conditions}",
    "reading_search": "searched for the programme that fits your question",
    "reading_whole": "the whole document",
    "reading_years": "year: {years}",
    "reading_join": " / ",
    "list_join": ", ",
    "in_japanese": "Lists, counts and rankings are answered in Japanese, as the document writes them:",
}

_ZH_HANS = {
    "intro": "本资料为日语资料，事业名称、数值和原文均以日语引用，并注明页码。{document}中最相关的事业是 **{name}**（负责部门：{departments}）。",
    "intro_low": "本资料为日语资料。没有找到与您的问题明确对应的事业；最接近的是 **{name}**（负责部门：{departments}）。",
    "content": "- 事业内容（事業の内容）：{content} {cite}",
    "result": "- {year}结果（結果）：{indicator} **{result}**（基准 {baseline_year}：{baseline}；计划：{plan}）{cite}",
    "result_text": "- {year}结果（結果）：{indicator}：「{evidence}」 {cite}",
    "explanation": "- 结果说明（結果の説明）：「{quote}」 {cite}",
    "comment": "- 会议意见（子ども・子育て会議意見）：「{quote}」 {cite}",
    "no_comment": "- 会议意见：无记载（子ども・子育て会議意見の記載はありません）。",
    "not_found": "本资料为日语资料，内容是小金井市儿童及育儿支援计划重点事业的评价，其中没有关于您所问内容的记载（この資料には記載がありません）。",
    "focus_missing": "资料中没有记载您所问的{what}（この資料には{what_ja}の記載はありません）。",
    "off_topic": "本资料（小金井市育儿支援计划的评价）中没有相关记载（この資料には記載がありません）。",
    "department": "**{name}** 的负责部门（担当課）是 **{departments}**。{cite}",
    "only_instructions": "没有找到关于本资料的问题。请输入您想了解的事业或数值。",
    "stated": "- 关于您所问的记载（記載）：「{quote}」 {cite}",
    "no_result_year": "已载入的资料是{have}的评价，没有{year}的结果（この資料には記載がありません）。",
    "no_history": "没有之前的问题，无法判断您指的是哪个事业。请写明事业名称（例如「児童館事業」）。",
    "choice": "介绍一下「{name}」",
    "document_line": "资料：{documents}",
    "reading": "〔问题的理解〕{body}（{scope}）",
    "reading_targets": "关于 {names}",
    "reading_carried": "关于 {names}（沿用上一个问题）",
    "reading_same_ask": "与上一个问题相同的提问",
    "reading_conditions": "条件：{conditions}",
    "reading_search": "检索与您的问题相符的事业",
    "reading_whole": "资料整体",
    "reading_years": "年度：{years}",
    "reading_join": "／",
    "list_join": "、",
    "in_japanese": "列表、数量和排名按资料的写法以日语回答：",
}

_ZH_HANT = {
    "intro": "本資料為日文資料，事業名稱、數值與原文皆以日文引用並註明頁碼。{document}中最相關的事業是 **{name}**（負責單位：{departments}）。",
    "intro_low": "本資料為日文資料。沒有找到與您的問題明確對應的事業；最接近的是 **{name}**（負責單位：{departments}）。",
    "content": "- 事業內容（事業の内容）：{content} {cite}",
    "result": "- {year}結果（結果）：{indicator} **{result}**（基準 {baseline_year}：{baseline}；計畫：{plan}）{cite}",
    "result_text": "- {year}結果（結果）：{indicator}：「{evidence}」 {cite}",
    "explanation": "- 結果說明（結果の説明）：「{quote}」 {cite}",
    "comment": "- 會議意見（子ども・子育て会議意見）：「{quote}」 {cite}",
    "no_comment": "- 會議意見：無記載（子ども・子育て会議意見の記載はありません）。",
    "not_found": "本資料為日文資料，內容是小金井市兒童及育兒支援計畫重點事業的評價，其中沒有關於您所問內容的記載（この資料には記載がありません）。",
    "focus_missing": "資料中沒有記載您所問的{what}（この資料には{what_ja}の記載はありません）。",
    "off_topic": "本資料（小金井市育兒支援計畫的評價）中沒有相關記載（この資料には記載がありません）。",
    "department": "**{name}** 的負責單位（担当課）是 **{departments}**。{cite}",
    "only_instructions": "沒有找到關於本資料的問題。請輸入您想了解的事業或數值。",
    "stated": "- 關於您所問的記載（記載）：「{quote}」 {cite}",
    "no_result_year": "已載入的資料是{have}的評價，沒有{year}的結果（この資料には記載がありません）。",
    "no_history": "沒有先前的問題，無法判斷您指的是哪個事業。請寫明事業名稱（例如「児童館事業」）。",
    "choice": "介紹一下「{name}」",
    "document_line": "資料：{documents}",
    "reading": "〔問題的理解〕{body}（{scope}）",
    "reading_targets": "關於 {names}",
    "reading_carried": "關於 {names}（沿用上一個問題）",
    "reading_same_ask": "與上一個問題相同的提問",
    "reading_conditions": "條件：{conditions}",
    "reading_search": "檢索與您的問題相符的事業",
    "reading_whole": "資料整體",
    "reading_years": "年度：{years}",
    "reading_join": "／",
    "list_join": "、",
    "in_japanese": "列表、數量和排名按資料的寫法以日文回答：",
}

_KO = {
    "intro": ("이 자료는 일본어 자료이므로 사업명, 수치, 본문은 일본어로 인용하고 쪽수를 함께 적습니다. "
              "{document}에서 가장 가까운 사업은 **{name}**(담당: {departments})입니다."),
    "intro_low": ("이 자료는 일본어 자료입니다. 질문에 분명히 해당하는 사업은 찾지 못했습니다. "
                  "가장 가까운 사업은 **{name}**(담당: {departments})입니다."),
    "content": "- 사업 내용(事業の内容): {content} {cite}",
    "result": "- {year} 결과(結果): {indicator} **{result}** (기준 {baseline_year}: {baseline}, 계획: {plan}) {cite}",
    "result_text": "- {year} 결과(結果): {indicator}: 「{evidence}」 {cite}",
    "explanation": "- 결과 설명(結果の説明): 「{quote}」 {cite}",
    "comment": "- 회의 의견(子ども・子育て会議意見): 「{quote}」 {cite}",
    "no_comment": "- 회의 의견: 기재 없음(子ども・子育て会議意見の記載はありません).",
    "not_found": ("이 자료는 고가네이시 어린이·육아 지원 계획의 중점 사업 평가(일본어)이며, 질문하신 내용에 대한 기재가 "
                  "없습니다(この資料には記載がありません)."),
    "focus_missing": "자료에는 질문하신 {what}에 대한 기재가 없습니다(この資料には{what_ja}の記載はありません).",
    "off_topic": "이 자료(고가네이시 육아 지원 계획 평가)에는 해당 내용이 없습니다(この資料には記載がありません).",
    "department": "**{name}**의 담당 부서(担当課)는 **{departments}**입니다. {cite}",
    "only_instructions": "자료에 대한 질문을 찾지 못했습니다. 알고 싶은 사업이나 수치를 입력해 주세요.",
    "stated": "- 질문하신 내용에 대한 기재(記載): 「{quote}」 {cite}",
    "no_result_year": "불러온 자료는 {have} 평가이며, {year} 결과는 기재되어 있지 않습니다(この資料には記載がありません).",
    "no_history": "이전 질문이 없어 어느 사업을 말씀하시는지 알 수 없습니다. 사업 이름을 넣어 질문해 주세요(예: 「児童館事業」).",
    "choice": "「{name}」에 대해 알려 주세요",
    "document_line": "자료: {documents}",
    "reading": "〔질문 이해〕 {body} ({scope})",
    "reading_targets": "{names}에 대하여",
    "reading_carried": "이전 질문의 {names}에 대하여",
    "reading_same_ask": "이전 질문과 같은 질문",
    "reading_conditions": "조건: {conditions}",
    "reading_search": "질문에 맞는 사업을 검색",
    "reading_whole": "자료 전체",
    "reading_years": "연도: {years}",
    "reading_join": " / ",
    "list_join": ", ",
    "in_japanese": "목록, 개수, 순위는 자료의 표기대로 일본어로 답합니다:",
}

_VI = {
    "intro": ("Tài liệu này bằng tiếng Nhật, vì vậy tên, số liệu và đoạn trích được giữ nguyên tiếng Nhật kèm số trang. "
              "Chương trình gần nhất trong {document} là **{name}** (phụ trách: {departments})."),
    "intro_low": ("Tài liệu này bằng tiếng Nhật. Không có chương trình nào khớp rõ với câu hỏi của bạn; gần nhất là "
                  "**{name}** (phụ trách: {departments})."),
    "content": "- Nội dung (事業の内容): {content} {cite}",
    "result": "- Kết quả {year} (結果): {indicator} **{result}** (mốc {baseline_year}: {baseline}; kế hoạch: {plan}) {cite}",
    "result_text": "- Kết quả {year} (結果): {indicator}: 「{evidence}」 {cite}",
    "explanation": "- Giải thích kết quả (結果の説明): 「{quote}」 {cite}",
    "comment": "- Ý kiến của Hội đồng (子ども・子育て会議意見): 「{quote}」 {cite}",
    "no_comment": "- Ý kiến của Hội đồng: không có ghi chép (子ども・子育て会議意見の記載はありません).",
    "not_found": ("Tài liệu này bằng tiếng Nhật, về các chương trình trọng điểm hỗ trợ trẻ em và nuôi dạy con của "
                  "thành phố Koganei. Tài liệu không có thông tin về câu hỏi của bạn (この資料には記載がありません)."),
    "focus_missing": "Tài liệu không ghi {what} mà bạn hỏi (この資料には{what_ja}の記載はありません).",
    "off_topic": ("Tài liệu này (đánh giá kế hoạch hỗ trợ nuôi dạy con của thành phố Koganei) không có thông tin về "
                  "điều đó (この資料には記載がありません)."),
    "department": "Bộ phận phụ trách (担当課) **{name}** là **{departments}**. {cite}",
    "only_instructions": "Không tìm thấy câu hỏi nào về tài liệu. Hãy nhập chương trình hoặc số liệu bạn muốn biết.",
    "stated": "- Tài liệu ghi về điều bạn hỏi (記載): 「{quote}」 {cite}",
    "no_result_year": "Tài liệu đã tải là bản đánh giá {have}; không có kết quả của {year} (この資料には記載がありません).",
    "no_history": ("Không có câu hỏi trước đó nên không rõ bạn hỏi về chương trình nào. Hãy ghi tên chương trình "
                   "(ví dụ 「児童館事業」)."),
    "choice": "Cho tôi biết về 「{name}」",
    "document_line": "Tài liệu: {documents}",
    "reading": "[Cách hiểu câu hỏi] {body} ({scope})",
    "reading_targets": "về {names}",
    "reading_carried": "về {names} (từ câu hỏi trước)",
    "reading_same_ask": "cùng câu hỏi như lần trước",
    "reading_conditions": "điều kiện: {conditions}",
    "reading_search": "tìm chương trình phù hợp với câu hỏi",
    "reading_whole": "toàn bộ tài liệu",
    "reading_years": "năm: {years}",
    "reading_join": " / ",
    "list_join": ", ",
    "in_japanese": "Danh sách, số lượng và xếp hạng được trả lời bằng tiếng Nhật, như tài liệu ghi:",
}

_FOCUS = {
    "en": {"amount": "amount of money", "time": "time of day", "date": "date", "name": "person's name", "title": "name of the thing",
           "contact": "contact details", "procedure": "how to apply", "breakdown": "breakdown", "figure": "figure"},
    "zh-Hans": {"amount": "金额", "time": "时间（几点）", "date": "日期或时期", "name": "人名", "title": "名称",
                "contact": "联系方式", "procedure": "申请方法", "breakdown": "明细", "figure": "数值"},
    "zh-Hant": {"amount": "金額", "time": "時間（幾點）", "date": "日期或時期", "name": "人名", "title": "名稱",
                "contact": "聯絡方式", "procedure": "申請方法", "breakdown": "明細", "figure": "數值"},
    "ko": {"amount": "금액", "time": "시간(몇 시)", "date": "날짜·시기", "name": "사람 이름", "title": "명칭",
           "contact": "연락처", "procedure": "신청 방법", "breakdown": "내역", "figure": "수치"},
    "vi": {"amount": "số tiền", "time": "giờ (mấy giờ)", "date": "ngày hoặc thời điểm", "name": "tên người", "title": "tên gọi",
           "contact": "thông tin liên hệ", "procedure": "cách đăng ký", "breakdown": "chi tiết phân loại", "figure": "số liệu"},
}

PHRASES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    lang: MappingProxyType(table)
    for lang, table in (("en", _EN), ("zh-Hans", _ZH_HANS), ("zh-Hant", _ZH_HANT), ("ko", _KO), ("vi", _VI))
})
FOCUS_NAMES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {lang: MappingProxyType(names) for lang, names in _FOCUS.items()})

# detect() says "zh" for either script; simplified is the default reading
_ALIASES = {"zh": "zh-Hans", "zh-CN": "zh-Hans", "zh-SG": "zh-Hans", "zh-TW": "zh-Hant", "zh-HK": "zh-Hant"}


def _key(lang: str) -> str:
    if lang == "ja":
        raise ValueError("Japanese answers are written with qa.templates, not framed")
    lang = _ALIASES.get(lang, lang)
    return lang if lang in PHRASES else "en"


def phrases(lang: str) -> Mapping[str, str]:
    """The phrase table for a language code; English for a language without its own ("other").

    Raises ``ValueError`` for "ja": Japanese answers are not framed.
    """
    return PHRASES[_key(lang)]


def focus_name(lang: str, focus: str) -> str:
    """What was asked for ("amount", "time" …) in the reader's language."""
    return FOCUS_NAMES[_key(lang)][focus]
