"""Which language a question is written in: Japanese, English, Chinese, Korean, Vietnamese or other.

Pure text functions (no records, no model). The hard cases are the mixed ones: residents paste
the documents' Japanese names into their own sentences (「児童館」 inside Chinese or Korean), a
Japanese question may be all kanji (「児童館事業担当課」), Vietnamese is often typed without
its diacritics, and input may carry markup (``<img src=x onerror=…>児童館``). So:

* markup, URLs and e-mail addresses are removed before anything is counted;
* Hangul decides Korean; Latin words against the kana/kanji decide a Latin-script frame;
* between Japanese and Chinese, only what Japanese does not write counts as Chinese: characters
  outside the common kanji of Japanese (JIS X 0208 level 1) that Chinese encodings have, and
  Chinese grammatical words (吗, 什么, 有没有 …); text inside 「」 and 『』 is left out of the
  count, because that is where a pasted Japanese name usually sits;
* kanji with no Chinese evidence stay Japanese: the documents are Japanese, and a Japanese
  question needs no kana to be one.

``detect`` gives the coarse code used for routing ("zh" for both scripts); ``answer_language``
splits Chinese into "zh-Hans" and "zh-Hant" for the phrases an answer is framed in.

``INSTRUCTION_PATTERNS`` holds, per language, the sentence patterns that address the assistant's
own instructions (ignore previous instructions, show the system prompt, you are now …), in the
same spirit as the Japanese and English ones of ``qa.understand.preprocess``: such a sentence is set aside,
never obeyed, and the question around it is answered.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["INSTRUCTION_PATTERNS", "LANGUAGES", "answer_language", "detect", "gives_orders", "strip_instructions", "without_marks"]

LANGUAGES = ("ja", "en", "zh", "ko", "vi", "other")

# --- cleaning ---------------------------------------------------------------------------------
_SCRIPT = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^<>]*>|<[A-Za-z/!][^<>]*$")  # a tag, or an unclosed one at the end
_ENTITY = re.compile(r"&#?\w+;")
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.-]+", re.IGNORECASE)
_QUOTED = re.compile(r"「[^「」]*」|『[^『』]*』")

# --- scripts ----------------------------------------------------------------------------------
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_KANA = re.compile(r"[\u3041-\u30ff\u31f0-\u31ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+(?:['’][A-Za-z]+)?")
_LETTER = re.compile(r"[^\W\d_]")
# letters only Vietnamese uses among Latin-script languages: ă đ ơ ư and the stacked tone marks
_VIETNAMESE_LETTER = re.compile(r"[ăĂđĐơƠưƯ\u1ea0-\u1ef9]")
# letters of other Latin-script languages that Vietnamese does not write (ç, ñ, ü …, ¿ ¡)
_NOT_VIETNAMESE_LETTER = re.compile(r"[çÇñÑäÄëËïÏöÖüÜÿåÅæÆøØœŒß¿¡]")
# year and era codes are not words of any language (FY2020, R2, H30)
_CODE_WORDS = frozenset({"fy", "r", "h", "no", "p"})

_ENGLISH_WORDS = frozenset(
    "a an the is are was were be been do does did can could will would should my our your his her their it its "
    "i we you he she they what which who whom when where why how many much of in on at for to from with about "
    "and or but if there this that these those any some have has had not no yes please tell me us city "
    "get find need want help there's what's how's".split())
# Frequent Vietnamese words written without diacritics that are not English words: pronouns,
# question words, particles and everyday nouns and verbs of any question to a city office.
_VIETNAMESE_PLAIN = frozenset(
    "toi chung ban anh chi em con chau ong ba bo cha vo chong minh ho "
    "co khong la cua va voi cho nhung cac mot hai nhieu it rat lam "
    "gi nao dau sao bao nhieu may khi luc nay kia day thi ma nen vi neu "
    "duoc bi da dang se van chua roi xong cung hay hoac "
    "nha truong lop hoc tre be sinh nuoi day giup viec choi gap "
    "thanh pho phuong quan tinh nam thang ngay gio tuan "
    "tien phi tro cap tu hoi y te benh vien kham thuoc "
    "muon can phai biet hieu noi tim xin goi den di ve o "
    "nguoi dan gia dinh cong dong dich vu so ke hoach ket qua luong "
    "ai ve tai sau truoc trong ngoai duoi tren".split()) - _ENGLISH_WORDS
# The shape of one Vietnamese syllable without its diacritics: an onset, a vowel cluster and one of
# the few codas the language allows. "onde", "centro", "infantil" are not syllables, "da" and "o" are.
_VIETNAMESE_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?")

# Chinese grammatical words that Japanese does not write (with both scripts)
_CHINESE_WORDS = re.compile(
    r"吗|嗎|呢|吧|们|們|什么|什麼|甚么|甚麼|怎么|怎麼|怎样|怎樣|为什么|為什麼|哪里|哪裡|哪儿|哪兒|哪个|哪個|"
    r"有没有|有沒有|是不是|可不可以|能不能|是否|请问|請問|谢谢|謝謝|我们|我們|你们|你們|孩子|这个|這個|那个|那個|"
    r"一下|多少钱|多少錢|的时候|的時候")


@lru_cache(maxsize=8192)
def _jis_level1(char: str) -> bool:
    """A common kanji of Japanese (JIS X 0208 level 1: rows 16-47)."""
    try:
        b = char.encode("euc_jp")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xB0 <= b[0] <= 0xCF


@lru_cache(maxsize=8192)
def _encodable(char: str, codec: str) -> bool:
    try:
        char.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _SCRIPT.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _ENTITY.sub(" ", text)
    return _URL.sub(" ", text)


def _outside_quotes(text: str) -> str:
    """The text without 「…」/『…』 spans, unless that leaves nothing to judge."""
    rest = _QUOTED.sub(" ", text)
    return rest if _LETTER.search(rest) else text


def _chinese_evidence(text: str) -> int:
    """How much of ``text`` is written the way Chinese, not Japanese, writes it."""
    chars = sum(1 for c in _HAN.findall(text)
                if not _jis_level1(c) and (_encodable(c, "gb2312") or _encodable(c, "big5")))
    return chars + len(_CHINESE_WORDS.findall(text))


def _latin_language(words: list[str], text: str) -> str:
    marks = len(_VIETNAMESE_LETTER.findall(text))
    if marks >= 2 or (marks and len(words) <= 4):
        return "vi"
    # a word typed with some of its marks (còn, sóc) is compared as typed without them
    low = [without_marks(w) for w in words]
    # marks shared with French, Spanish, Portuguese (ó, à, ì) on words that are Vietnamese syllables
    # ("Nó do phòng ban nào phụ trách?"); "Dónde está", "você", "crèche" are not syllables
    marked = [plain for w, plain in zip(words, low) if not w.isascii()]
    marked_syllables = sum(1 for w in marked if _VIETNAMESE_SYLLABLE.fullmatch(w))
    syllables = sum(1 for w in low if _VIETNAMESE_SYLLABLE.fullmatch(w))
    if (marked_syllables >= 2 and marked_syllables >= 0.75 * len(marked) and syllables >= 0.75 * len(low)
            and not _NOT_VIETNAMESE_LETTER.search(text)):
        return "vi"
    english = sum(1 for w in low if w in _ENGLISH_WORDS)
    vietnamese = sum(1 for w in low if w in _VIETNAMESE_PLAIN)
    # Portuguese or Spanish share short words with it (o, da, con) but not the shape of their others
    if vietnamese >= max(2, len(low) // 3) and vietnamese > english and syllables >= 0.75 * len(low):
        return "vi"
    if english >= max(1 if len(low) <= 4 else 2, len(low) // 6) or len(low) <= 2:
        # a bare term or two ("daycare hours") is read as English: the assistant answers it
        return "en"
    return "other"


def detect(text: str) -> str:
    """"ja", "en", "zh" (either script), "ko", "vi" or "other" for a question.

    Text with no letters at all (digits, punctuation, nothing left after removing markup) is
    "ja", the language of the documents, so the Japanese path gives its usual message.
    """
    text = _clean(text)
    judged = _outside_quotes(text)
    hangul = len(_HANGUL.findall(judged))
    kana = len(_KANA.findall(judged))
    if hangul >= 2 and hangul > kana or (hangul and not kana and not _HAN.search(judged)):
        return "ko"
    words = [w for w in _LATIN_WORD.findall(judged) if w.lower() not in _CODE_WORDS]
    latin = sum(len(w) for w in words)
    han = len(_HAN.findall(judged))
    hiragana = len(_HIRAGANA.findall(judged))
    letters = len(_LETTER.findall(judged))
    if letters and latin + han + kana + hangul < letters / 2:
        return "other"  # Thai, Cyrillic, Devanagari …: another script carries the sentence
    # a Latin sentence around a pasted Japanese name ("What does 児童館事業 do?"), not a Japanese
    # sentence with an acronym in it (「NPO団体」)
    cjk = han + kana
    if words and (cjk == 0 or (hiragana <= 1 and latin >= cjk and (len(words) >= 2 or latin >= 2 * cjk))):
        return _latin_language(words, judged)
    evidence = _chinese_evidence(judged)
    if evidence >= 2 and evidence > hiragana or (evidence and not kana):
        return "zh"
    return "ja"


def answer_language(text: str) -> str:
    """The language of the phrases an answer is framed in: ``detect``, with Chinese as
    "zh-Hans" (simplified) or "zh-Hant" (traditional)."""
    lang = detect(text)
    if lang != "zh":
        return lang
    judged = _outside_quotes(_clean(text))
    simplified = traditional = 0
    for c in _HAN.findall(judged):
        if _jis_level1(c):
            continue  # shared with Japanese (会, 館, 費 …): says nothing about the script
        gb, big5 = _encodable(c, "gb2312"), _encodable(c, "big5")
        simplified += gb and not big5
        traditional += big5 and not gb
    return "zh-Hant" if traditional > simplified else "zh-Hans"


# --- instructions to the assistant --------------------------------------------------------------
# Per language, one regular expression over a sentence. They name the assistant's instructions,
# prompt, role or mode, never a subject of the documents. Vietnamese is matched with and without
# its diacritics (the sentence is also tested with them removed).
INSTRUCTION_PATTERNS: dict[str, str] = {
    "zh": (
        r"(忽略|无视|無視|忘记|忘記|忘掉|不要理会|不要理會|跳过|跳過).{0,8}(之前|以前|先前|上面|上述|前面|以上|所有|全部|一切)?.{0,4}"
        r"(指示|指令|说明|說明|规则|規則|提示|设定|設定|要求|限制)"
        r"|(显示|顯示|输出|輸出|打印|告诉我|告訴我|透露|泄露|洩露|列出).{0,6}(系统|系統|隐藏|隱藏|内部|內部|你的|原始)"
        r".{0,4}(提示|提示词|提示詞|指令|设定|設定|规则|規則|prompt)"
        r"|系统提示|系統提示|你现在是|你現在是|从现在起你|從現在起你|从现在开始你|從現在開始你|扮演|假装|假裝"
        r"|开发者模式|開發者模式|调试模式|調試模式|除錯模式|越狱|越獄|不要(参考|參考|依据|依據)(资料|資料|文件)"),
    "ko": (
        r"(이전|앞의|앞선|위의|위|기존|모든|지금까지의?)\s*(지시|명령|지침|규칙|설정|프롬프트|안내)\w{0,3}\s*(무시|잊어|잊고|따르지)"
        r"|(지시|명령|지침|규칙|설정)\w{0,3}\s*(모두\s*|전부\s*|다\s*)?(무시|잊어|잊고)"
        r"|시스템\s*프롬프트|프롬프트\w{0,2}\s*(보여|출력|알려|공개)|(숨겨진|내부)\s*(지시|명령|설정)"
        r"|지금부터\s*(너는|당신은)|이제\s*(너는|당신은)|역할극|인\s*척|척\s*해|개발자\s*모드|디버그\s*모드|탈옥"
        r"|자료(를|는)?\s*참고하지\s*(말고|않고)"),
    "vi": (
        r"(bo qua|lo di|phot lo|quen di|quen)\s+(tat ca\s+|moi\s+|cac\s+|nhung\s+)*(huong dan|chi dan|chi thi|lenh|yeu cau|quy tac|loi nhac)"
        r"|(hien thi|cho (toi )?xem|in ra|tiet lo|noi cho (toi )?biet)\s+.{0,20}(loi nhac|prompt|chi dan|huong dan)\s+(he thong|an)"
        r"|(loi nhac|prompt) he thong|tu (bay )?gio (ban|may) la|ban bay gio la|ban la mot .{0,20} khong gioi han"
        r"|dong vai|gia vo|che do (nha phat trien|go loi|developer|debug)|jailbreak"
        r"|khong (can )?(dua vao|tham khao) tai lieu"),
}
_COMPILED = {lang: re.compile(p, re.IGNORECASE) for lang, p in INSTRUCTION_PATTERNS.items()}
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])|(?<=[.;])\s+")


def without_marks(text: str) -> str:
    """Vietnamese (or any Latin text) without diacritics, lower case: "Bỏ qua" -> "bo qua"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def gives_orders(sentence: str) -> bool:
    """Whether a Chinese, Korean or Vietnamese sentence addresses the assistant's own instructions."""
    plain = without_marks(sentence)
    return any(p.search(sentence) or (lang == "vi" and p.search(plain)) for lang, p in _COMPILED.items())


def strip_instructions(text: str) -> tuple[str, bool]:
    """The text without the sentences that give the assistant orders; whether any was removed."""
    kept, removed = [], False
    for sentence in _SENTENCE_END.split(text):
        if not sentence or not sentence.strip():
            continue
        if gives_orders(sentence):
            removed = True
            continue
        kept.append(sentence.strip())
    joiner = " " if _LATIN_WORD.search(text) or _HANGUL.search(text) else ""
    return joiner.join(kept).strip(), removed
