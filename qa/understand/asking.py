"""How a Chinese, Korean or Vietnamese question asks: which fields of a project, and what exactly.

The counterpart of ``qa.lexicon.FIELD_WORDS`` / ``FIELD_WORDS_EN`` and of the focus words of
``qa.understand`` for the other languages: general ways of asking (which department, how many,
the council's comment, how much money, what time), never phrasings of particular questions.
Keys are the values of ``qa.query.Field`` and ``qa.query.Focus``. Patterns are matched on
``qa.termbase.matching_form`` (one simplified Chinese form; Vietnamese without diacritics, whole
words).

Use them instead of running the Japanese understanding over the term base's Japanese terms: those
include whole project names (子育て総合相談, 子どもオンブズパーソン) that would name a target.
"""
from __future__ import annotations

import re

from qa.understand.termbase import matching_form

__all__ = ["FIELD_WORDS", "FOCUS_WORDS", "asked_fields", "asked_focus"]

FIELD_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "department": r"部门|科室|哪个课|哪一课|哪个科|负责|主管|担当|哪个单位",
        "comment": r"会议|委员会|意见|评论",
        "explanation": r"为什么|原因|理由|说明|课题|今后|下一年度|明年|做了什么|怎么办的|进展|怎么样了|疫情",
        "value": r"多少|几个|几次|几人|几名|几件|人数|件数|次数|数量|实绩|结果|比例",
        "plan": r"计划|目标|预定",
        "status": r"达成|达到|未达|评价|没达到",
        "content": r"是什么|做什么|内容|什么样的|哪些服务|介绍",
    },
    "ko": {
        "department": r"부서|담당|어느\s?과|주관|창구",
        "comment": r"회의|위원회|의견|코멘트",
        "explanation": r"왜|이유|원인|설명|과제|향후|내년|어떻게\s?진행|어떤\s?활동|무엇을\s?했|코로나",
        "value": r"몇\s?(명|건|개|회|번|세대|단체|곳)|인원|건수|횟수|이용자\s?수|실적|결과|비율",
        "plan": r"계획|목표|예정",
        "status": r"달성|미달|평가|밑돌",
        "content": r"무엇인가요|뭐예요|무슨\s?사업|어떤\s?사업|내용|소개",
    },
    "vi": {
        "department": r"phong ban|bo phan|phu trach|co quan nao|ban nao|phong nao|don vi nao",
        "comment": r"hoi dong|uy ban|y kien|nhan xet|gop y",
        "explanation": r"tai sao|vi sao|ly do|nguyen nhan|giai thich|van de|nam toi|nam sau|da lam gi|covid|dich benh",
        "value": r"bao nhieu|so nguoi|so luong|so lan|so vu|so ca|ket qua|thuc te|ty le",
        "plan": r"ke hoach|muc tieu|du kien",
        "status": r"dat duoc|hoan thanh|khong dat|chua dat|danh gia",
        "content": r"la gi|noi dung|gioi thieu|lam gi",
    },
}

# In the order qa.understand checks them: money before a count ("bao nhiêu tiền" before "bao nhiêu").
FOCUS_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "breakdown": r"明细|细分|分别是|各自",
        "name": r"叫什么名字|姓名|名字|是谁",
        "contact": r"电话|地址|邮箱|联系方式|网址",
        "amount": r"多少钱|收费|价格|费用是多少|要花多少|金额|几块钱|几元|多少日元",
        "time": r"几点|开到",
        "date": r"什么时候|何时|哪天|日期|几月",
        "figure": r"多少|几个|几次|几人|几名|几件|人数|件数|次数",
    },
    "ko": {
        "breakdown": r"내역|항목별|분류별|각각",
        "name": r"이름|성함|누구",
        "contact": r"전화|주소|이메일|연락처",
        "amount": r"얼마|요금|금액|가격|비용은|비용이",
        "time": r"몇\s?시",
        "date": r"언제|날짜|몇\s?월|며칠",
        "figure": r"몇\s?(명|건|개|회|번|세대|단체|곳)|인원|건수|횟수",
    },
    "vi": {
        "breakdown": r"chi tiet|phan loai|theo tung",
        "name": r"ten (la gi|gi)|ai la|ho ten|ten cua",
        "contact": r"so dien thoai|dia chi|email|lien he|lien lac",
        "amount": r"bao nhieu tien|muc phi|le phi|hoc phi|gia bao nhieu|ton bao nhieu|mat bao nhieu|so tien",
        "time": r"may gio",
        "date": r"khi nao|bao gio|ngay nao|thang nao|tu khi nao",
        "figure": r"bao nhieu|so nguoi|so luong|so lan|so vu|so ca",
    },
}

# Opening hours named as a thing: asked as a time only when no count is asked of them
# ("开放时间是？" asks the hours, "延长开放时间时有多少人使用？" how many used the extended hours).
TIME_NOUNS: dict[str, str] = {
    "zh": r"营业时间|开放时间",
    "ko": r"운영\s?시간|개관\s?시간",
    "vi": r"gio mo cua|gio dong cua",
}

_LANG_CODES = {"zh-Hans": "zh", "zh-Hant": "zh"}


def _compile(table: dict[str, dict[str, str]]) -> dict[str, dict[str, re.Pattern[str]]]:
    out = {}
    for lang, words in table.items():
        wrap = (lambda p: rf"(?<![a-z])(?:{p})(?![a-z])") if lang == "vi" else (lambda p: p)
        out[lang] = {key: re.compile(wrap(p), re.IGNORECASE) for key, p in words.items()}
    return out


_FIELDS = _compile(FIELD_WORDS)
_FOCUS = _compile(FOCUS_WORDS)
_TIME_NOUNS = _compile({lang: {"time": p} for lang, p in TIME_NOUNS.items()})


def asked_fields(text: str, lang: str) -> tuple[str, ...]:
    """The project fields a question asks for (``qa.query.Field`` values), in table order."""
    lang = _LANG_CODES.get(lang, lang)
    if lang not in _FIELDS:
        return ()
    form = matching_form(text, lang)
    return tuple(key for key, p in _FIELDS[lang].items() if p.search(form))


def asked_focus(text: str, lang: str) -> str | None:
    """What exactly a question asks for (a ``qa.query.Focus`` value), or ``None``."""
    lang = _LANG_CODES.get(lang, lang)
    if lang not in _FOCUS:
        return None
    form = matching_form(text, lang)
    found = next((key for key, p in _FOCUS[lang].items() if p.search(form)), None)
    if found is None and _TIME_NOUNS[lang]["time"].search(form):
        return "time"
    return found
