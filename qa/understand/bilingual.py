"""English questions: the domain's English words bridged to the documents' Japanese terms.

The multilingual encoder reads English, but lemma BM25 (the strongest ranker on these
documents) cannot, and e5-small alone confuses close programmes. The retrieval query of an
English question therefore gets the Japanese terms of the childcare-plan vocabulary it uses
(a general glossary of the field, like a translator's term base), never what is shown.
"""
from __future__ import annotations

import re

# English (lower case, regular expression) -> Japanese terms of municipal child and childcare plans
GLOSSARY: tuple[tuple[str, str], ...] = (
    (r"after[- ]school( care| club| program)?|gakudo|school[- ]age child ?care", "学童保育所 学童"),
    (r"children'?s (center|centre|hall)|jidokan|youth center", "児童館"),
    (r"nursery|day ?care|daycare|hoikuen|childcare (center|centre|facility)", "保育所 保育園"),
    (r"unlicensed|uncertified|non-?licensed", "認可外保育施設"),
    (r"kindergarten|preschool|pre-school|yochien", "幼稚園"),
    (r"free (preschool|childcare|education)|free of charge", "無償化"),
    (r"subsid(y|ies|ise|ize)|allowance|benefit|grant|financial (help|support|aid)", "助成 給付"),
    (r"extra|additional|on top", "上乗せ"),
    (r"medical (expenses?|costs?|bills?)|doctor|hospital|clinic|medical care", "医療費 助成"),
    (r"income (limit|cap|threshold|restriction)|over the limit", "所得制限"),
    (r"postpartum|post-?natal|after (giving )?birth|new mother|newborn|after delivery", "産後ケア 産後"),
    (r"overnight|stay(s)? over|lodging", "宿泊"),
    (r"day visit|day care visit|daytime", "デイ"),
    (r"pregnan|expecting", "妊娠 出産"),
    (r"public health nurse|health nurse|midwife", "保健師"),
    (r"infant|baby|babies", "乳幼児 乳児"),
    (r"health (check|consultation)|health counsel", "健康相談"),
    (r"consult|counsel|advice|talk to|someone to talk|helpline|hotline", "相談"),
    (r"rais(e|ing) (a |my |our )?(child|children|kids?|baby)|child-?rearing|parenting|bring(ing)? up", "子育て 育児"),
    (r"elementary|primary school|junior high|middle school|school(-| )?(age|children|kids)|pupil", "小学生 中学生 義務教育 就学児"),
    (r"general (consultation|counsel)|family support cent(er|re)", "子育て総合相談 子ども家庭支援センター"),
    (r"overwhelmed|stress|anxious|anxiety|worr(y|ied)|struggl", "育児不安 相談"),
    (r"group|peer|other (mothers|parents)", "グループ"),
    (r"abuse|neglect|maltreat|violence|hit(ting)? (my|a|the) child|spank", "虐待 体罰"),
    (r"disab|special needs|developmental|autis", "障がい児 障がい 特別支援"),
    (r"emergency|temporar|short[- ]term|respite", "緊急 一時預かり"),
    (r"single (parent|mother|father)|lone parent|one-parent", "ひとり親"),
    (r"home ?help|housework|household chores|helper", "ホームヘルプ ホームヘルパー 家事"),
    (r"ombuds|children'?s rights?|rights of (the )?child", "子どもオンブズパーソン 子どもの権利"),
    (r"leaflet|flyer|brochure|awareness|campaign|publicity", "広報 リーフレット 啓発"),
    (r"place to (stay|hang out|go)|somewhere to go|where (kids|children) can (go|play)|play", "居場所"),
    (r"information|website|app\b|newsletter", "情報提供 子育て情報"),
    (r"network|circle|volunteer group|community group", "子育て支援ネットワーク 団体"),
    (r"nursing room|breast-?feed|diaper|nappy|baby (room|station|changing)", "赤ちゃん休憩室 授乳 おむつ"),
    (r"public facilit", "公共施設"),
    (r"council|committee", "子ども・子育て会議 意見"),
    (r"department|division|section in charge", "担当課"),
    (r"\bplan(ned)?\b|\btarget\b", "計画"),
    (r"result|record(ed)?|how many|number of", "実績 件数 利用者数"),
)
_COMPILED = tuple((re.compile(pat, re.IGNORECASE), ja) for pat, ja in GLOSSARY)


def japanese_terms(text: str) -> str:
    """The Japanese terms for the domain words of an English question ("" when none)."""
    out: list[str] = []
    for pattern, ja in _COMPILED:
        if pattern.search(text):
            out += ja.split()
    return " ".join(dict.fromkeys(out))


def retrieval_text(text: str) -> str:
    """An English question with its Japanese terms appended (for retrieval only)."""
    extra = japanese_terms(text)
    return f"{text} {extra}" if extra else text
