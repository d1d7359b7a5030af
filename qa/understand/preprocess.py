"""Before understanding: the question's language, instructions to the assistant removed, parts split.

Pure text functions (no records, no model), so each rule has its own fast test. ``input_problem``
refuses what cannot be a question at all (wrong type, empty, too long, control characters).
``language`` and ``answer_language`` are ``qa.understand.languages``' detection (Japanese,
English, Chinese in either script, Korean, Vietnamese, other); instructions are set aside in
every one of those languages.
"""
from __future__ import annotations

import re

from qa.compose import templates as T
from qa.understand import languages

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
# Any sentence that gives the assistant orders about itself is set aside: it is never obeyed, and
# the real question around it is answered. The patterns name the assistant's instructions, mode,
# role or sources, not any subject of the document.
_INSTRUCTION = re.compile(
    r"(指示|命令|ルール|制限|設定|プロンプト|システム|管理者|開発者|デバッグ|モード|ロールプレイ)(を|は|に|から|の)?"
    r"(無視|忘れ|解除|変更|通知|表示|出力|教え)"
    r"|(プロンプト|システム設定|初期設定|指示文|命令文)[^。]{0,16}(表示|出力|教え|見せ|書き出)"
    r"|(指示|命令|ルール|制約|設定)[^。]{0,8}(無視|忘れ|優先|従え|従って|従うこと)"
    r"|と(答え|回答し|返答し|言い|書き)(ること|なさい|ろ|てください|て下さい)[。]?$"
    r"|(以降|これから|今後|今から)(は|の回答は).{0,20}(自由に|参照せず|無視|従わ)"
    r"|資料を(参照|見)(せず|ないで)|自由に答え|あなたは(今|これから)"
    r"|ignore (all |any |the )?(previous|prior|above|earlier)|disregard|system (override|prompt)"
    r"|you are now|debug mode|developer mode|jailbreak|hidden (instructions|prompt)|act as|pretend",
    re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])|(?<=[.:])\s+(?=[A-Z\u3040-\u30ff\u3400-\u9fff【「])")
_QUESTION_END = re.compile(r"([？?]|か[。．.]?|の[。]?|[？?]\s*[）)]?)\s*$")
_INTERROGATIVE = re.compile(r"(何|なに|なん|いくつ|いくら|どれ|どの|どこ|どう|どんな|いつ|だれ|誰|なぜ|教えて|知りたい|ください|下さい|ある\?|ありますか)"
                            r"|\b(what|which|who|when|where|why|how|is there|are there|can|does|do)\b", re.IGNORECASE)


def language(text: str) -> str:
    """"ja", "en", "zh", "ko", "vi" or "other": the language a question is routed by."""
    return languages.detect(text)


def answer_language(text: str) -> str:
    """The language an answer is written in: ``language``, with Chinese as "zh-Hans" or "zh-Hant"."""
    return languages.answer_language(text)


def framed(lang: str) -> bool:
    """Whether a question in ``lang`` is answered in a frame of its own language around the
    Japanese records (English, Chinese, Korean, Vietnamese), not in Japanese or with a refusal."""
    return lang not in ("ja", "other")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def strip_instructions(text: str) -> tuple[str, bool]:
    """The text without sentences that address the assistant's own instructions (in Japanese,
    English, Chinese, Korean or Vietnamese); whether any was removed."""
    kept, removed = [], False
    for sent in sentences(text):
        # 【…】 headers such as 【管理者からの通知】 go with their sentence
        if _INSTRUCTION.search(sent):
            removed = True
            continue
        kept.append(sent)
    spaced = _LATIN_WORD.search(text) or _HANGUL.search(text)
    text = (" ".join(kept) if spaced else "".join(kept)).strip()
    text, foreign = languages.strip_instructions(text)
    return text, removed or foreign


def is_question(sentence: str) -> bool:
    return bool(_QUESTION_END.search(sentence) or _INTERROGATIVE.search(sentence))




def split_parts(text: str, max_parts: int = 3) -> list[str]:
    """Two or three asks in one message -> one text per ask.

    Statements before a question belong to it (「母子家庭です。ヘルパーは頼めますか？」 is one
    ask); statements after the last question join it. Split only where sentences end.
    """
    sents = sentences(text)
    parts: list[str] = []
    pending = ""
    for s in sents:
        pending += s
        if is_question(s):
            parts.append(pending)
            pending = ""
    if pending:
        if parts:
            parts[-1] += pending
        else:
            parts.append(pending)
    # a conjunction-led clause inside one sentence (「…は？あと、…も教えて」) is already split by ？
    if len(parts) > max_parts:
        parts = parts[: max_parts - 1] + ["".join(parts[max_parts - 1:])]
    return parts or [text]


def input_problem(raw: object, max_chars: int = 2000) -> str | None:
    """A Japanese message when the input cannot be a question, else None."""
    if not isinstance(raw, str):
        return T.WRONG_TYPE
    if not raw.strip():
        return T.EMPTY_QUESTION
    if len(raw) > max_chars:
        return T.TOO_LONG.format(n=f"{len(raw):,}")
    if _CONTROL.search(raw) or "\ufffd" in raw or re.search(r"[\ud800-\udfff]", raw):
        return T.CONTROL_CHARS
    if not re.sub(r"<[^>]*>|[\s\W_]", "", raw):
        return T.EMPTY_QUESTION
    return None
