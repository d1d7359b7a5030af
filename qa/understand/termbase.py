"""Chinese, Korean and Vietnamese questions bridged to the documents' Japanese terms, for retrieval only.

The multilingual encoder reads these languages, but lemma BM25 (the strongest ranker on these
documents) reads Japanese only. As ``qa.bilingual`` does for English, the retrieval query of a
foreign question gets the Japanese terms of the field's vocabulary it uses: a translator's term
base of municipal child and childcare plans (one row per concept, the same concepts in every
language), never what is shown to the user.

Chinese shares most of its characters with the project names, so a Chinese question is also
rewritten in Japanese character forms (儿童馆 -> 児童館, 醫療費 -> 医療費, 育儿 -> 育児) with
OpenCC (simplified -> traditional -> Japanese shinjitai), and the term base is matched on one
simplified form of either script. Vietnamese is matched without its diacritics, so a question
typed without them finds the same terms.

``retrieval_text(text, lang)`` is the one entry point; ``lang`` is ``qa.understand.languages.detect``'s
code (or ``answer_language``'s). English goes to ``qa.bilingual``; Japanese and other
languages come back unchanged.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

from qa.understand.bilingual import japanese_terms as english_terms
from qa.understand.languages import without_marks

__all__ = ["TERMS", "japanese_forms", "japanese_terms", "matching_form", "retrieval_text"]

# (Japanese terms, Chinese (simplified), Korean, Vietnamese without diacritics): each foreign
# entry is a regular expression of the concept's usual words; "" where a language needs none.
TERMS: tuple[tuple[str, str, str, str], ...] = (
    # --- places and services for children
    ("学童保育所 学童",
     r"学童保育|学童|课后(照顾|照护|托管|班|辅导)|放学后.{0,4}(托管|照顾|看护|保育)|安亲班|课后托育",
     r"학동\s?보육|학동|방과\s?후|돌봄\s?교실",
     r"sau gio hoc|sau khi tan hoc|tan truong|ban tru|gakudo|giu tre sau gio hoc"),
    ("児童館",
     r"儿童馆|儿童会馆|儿童中心|儿童活动中心|少年宫|儿童之家",
     r"아동관|지도칸|어린이\s?회관|아동\s?회관|아동\s?센터|어린이\s?센터|청소년\s?센터",
     r"nha thieu nhi|trung tam thieu nhi|cung thieu nhi|jidokan"),
    ("保育所 保育園",
     r"托儿所|保育园|保育所|托育|日托|幼托",
     r"보육원|어린이집|보육소|탁아소|보육\s?시설",
     r"nha tre|nha giu tre|giu tre|trung tam giu tre|hoikuen"),
    ("認可外保育施設",
     r"认可外|无证|未经(认可|许可|立案)|未认证|非认可|未立案|没有(认可|执照)",
     r"인가\s?외|무인가|비인가|미인가|인가\s?받지",
     r"khong (duoc )?cap phep|chua (duoc )?cap phep|khong chinh thuc|ngoai cong lap"),
    ("幼稚園",
     r"幼稚园|幼儿园",
     r"유치원",
     r"mau giao|mam non|yochien"),
    ("無償化",
     r"免费|免学费|无偿化|不用花钱",
     r"무상|무료",
     r"mien phi|mien hoc phi"),
    # --- money
    ("助成 給付",
     r"补助|补贴|津贴|资助|给付|助成|报销|援助金|补偿",
     r"보조금|지원금|수당|급여|보조|지원비|환급|돌려받",
     r"tro cap|phu cap|hoan tien|tai tro|ho tro (tien|chi phi|tai chinh)|tien ho tro"),
    ("上乗せ",
     r"额外|追加|加码|上乘|另外再",
     r"추가|가산|더\s?받",
     r"them|bo sung|cong them"),
    ("医療費 助成",
     r"医疗费|医药费|看病|就医|就诊|医院|诊所|医疗补助|药费",
     r"의료비|병원비|진료비|약값|치료비|의료",
     r"chi phi y te|vien phi|tien kham|kham benh|benh vien|tien thuoc|chua benh|y te"),
    ("所得制限",
     r"收入限制|所得限制|收入上限|收入标准",
     r"소득\s?제한|소득\s?기준",
     r"gioi han thu nhap|han muc thu nhap|muc thu nhap"),
    # --- birth, babies, health
    ("産後ケア 産後",
     r"产后|坐月子|月子|产妇|生完孩子|分娩后|生产后|刚生|新生儿",
     r"산후|출산\s?후|산모|신생아",
     r"sau sinh|sau khi sinh|hau san|o cu|moi sinh|so sinh"),
    ("宿泊",
     r"过夜|住宿|留宿",
     r"숙박|1박|하룻밤",
     r"qua dem|o lai dem|luu tru"),
    ("デイ",
     r"日间|白天",
     r"주간|데이",
     r"ban ngay"),
    ("妊娠 出産",
     r"怀孕|孕妇|孕期|妊娠|分娩|出产|生孩子",
     r"임신|임산부|출산",
     r"mang thai|co thai|thai ky|sinh no|sinh con|ba bau"),
    ("保健師",
     r"保健师|助产士|护士",
     r"보건사|보건소|조산사|간호사",
     r"y ta|dieu duong|ho sinh"),
    ("乳幼児 乳児",
     r"婴儿|宝宝|婴幼儿|幼儿|乳儿|小宝宝",
     r"영유아|영아|유아|아기|갓난",
     r"em be|\bbe\b|tre nho|nhu nhi|tre so sinh"),
    ("健康相談",
     r"健康咨询|健康相谈|健康检查|体检",
     r"건강\s?상담|건강\s?검진",
     r"suc khoe|kham suc khoe"),
    ("母子保健",
     r"母子保健|妇幼保健|母婴健康",
     r"모자\s?보건",
     r"me va be|suc khoe ba me"),
    # --- counselling and support
    ("相談",
     r"咨询|商量|商谈|相谈|求助|请教|倾诉|谈谈",
     r"상담|상의|문의|의논|조언",
     r"tu van|hoi y kien|tham van|giai dap|chia se"),
    ("窓口 相談",
     r"窗口|热线|专线|求助电话",
     r"창구|핫라인|전화\s?상담",
     r"dau moi|duong day nong|dien thoai tu van"),
    ("子育て 育児",
     r"育儿|带孩子|养孩子|抚养|养育|育婴|照顾孩子|教养",
     r"육아|양육|아이를?\s?키우|자녀\s?양육|아이\s?돌보",
     r"nuoi con|nuoi day|cham con|cham soc con|nuoi tre|day con"),
    ("小学生 中学生 義務教育 就学児",
     r"小学|初中|国中|义务教育|学龄",
     r"초등|중학|의무\s?교육|취학",
     r"tieu hoc|trung hoc co so|cap 1|cap 2|hoc sinh|giao duc bat buoc|tuoi di hoc"),
    ("中・高校生 中学生 高校生",
     r"中学生|高中生|青少年|中高生",
     r"청소년|고등학생|중고생|중학생",
     r"thanh thieu nien|trung hoc pho thong|cap 3"),
    ("子育て総合相談 子ども家庭支援センター",
     r"综合咨询|家庭支援中心|家庭支持中心|家庭服务中心",
     r"종합\s?상담|가정\s?지원\s?센터",
     r"tu van tong hop|trung tam ho tro gia dinh"),
    ("育児不安 相談",
     r"焦虑|压力|担心|不安|烦恼|苦恼|崩溃|疲惫",
     r"불안|스트레스|걱정|고민|힘들|지치|우울",
     r"lo lang|cang thang|ap luc|met moi|bat an|stress|kho khan"),
    ("グループ",
     r"小组|互助|家长会|其他家长|家长之间|妈妈们|交流会|聚会",
     r"그룹|모임|엄마들|자조",
     r"\bnhom\b|hoi cha me|cac me|phu huynh khac|giao luu"),
    ("孤立",
     r"孤立|孤独|孤单",
     r"고립|외로",
     r"co lap|co don"),
    ("保護者",
     r"家长|父母|监护人|妈妈|爸爸|母亲|父亲",
     r"보호자|부모|엄마|아빠",
     r"phu huynh|bo me|cha me|ba me"),
    # --- protection and rights
    ("虐待 体罰",
     r"虐待|家暴|体罚|打孩子|忽视|暴力|虐童",
     r"학대|방임|폭력|체벌|때리",
     r"nguoc dai|bao hanh|bao luc|danh dap|danh con|bo be|bo mac"),
    ("児童相談所",
     r"儿童相谈所|儿童咨询所|儿童福利",
     r"아동\s?상담소|아동\s?보호\s?전문\s?기관",
     r"trung tam bao ve tre em|trung tam tu van tre em"),
    ("子どもオンブズパーソン 子どもの権利",
     r"儿童权利|孩子的权利|儿童权益|儿童的权利|权利救济|监察专员|申诉专员|保护儿童权利",
     r"옴부즈|아동\s?권리|어린이\s?권리|아이들?의?\s?권리|권리\s?구제|권리\s?침해",
     r"quyen tre em|quyen cua tre|quyen loi (cua )?tre em|thanh tra vien|ombuds"),
    ("広報 リーフレット 啓発",
     r"宣传|传单|小册子|宣导|推广|普及|启发|广报|活动宣传|海报",
     r"홍보|리플릿|전단|팸플릿|계몽|캠페인|인식\s?개선",
     r"tuyen truyen|to roi|quang ba|nang cao nhan thuc|chien dich|pho bien"),
    # --- disability and care
    ("障がい児 障がい 特別支援",
     r"残疾|残障|障碍|身心障碍|发育迟缓|发展迟缓|自闭|特殊需要|特殊教育|特别支援|特别照顾",
     r"장애|발달\s?지연|자폐|특수\s?교육|특별\s?지원",
     r"khuyet tat|tan tat|cham phat trien|tu ky|nhu cau dac biet|giao duc dac biet|roi loan phat trien"),
    ("医療的ケア児",
     r"医疗照护|医疗护理|医疗性照顾",
     r"의료적\s?케어",
     r"cham soc y te"),
    ("緊急 一時預かり",
     r"紧急|临时|暂时|短期|一时",
     r"긴급|일시|임시|단기|잠시",
     r"khan cap|tam thoi|ngan han|gui tam|trong tam"),
    ("預かり",
     r"托管|寄托|照看|帮忙带|代为照顾",
     r"맡기|맡길|맡아|돌봐\s?주",
     r"gui con|gui tre|trong tre|trong con|trong giup"),
    ("病気",
     r"生病|患病|住院|病了|疾病",
     r"아플|아파|아픈|질병|입원",
     r"bi om|om dau|benh tat|nam vien|bi benh"),
    ("ケア",
     r"护理|照护|照料|看护",
     r"케어|돌봄|조리|보살핌",
     r"cham soc"),
    # --- families
    ("ひとり親",
     r"单亲|单身妈妈|单身母亲|单身爸爸|单身父亲|母子家庭|父子家庭|离婚",
     r"한\s?부모|싱글\s?맘|싱글\s?대디|미혼모|편부|편모|모자\s?가정|부자\s?가정",
     r"don than|nuoi con mot minh|mot cha|mot me"),
    ("ホームヘルプ ホームヘルパー 家事",
     r"家务|家事|家政|保姆|帮手|帮佣|钟点工|上门帮忙|做饭|打扫",
     r"가사|집안일|홈\s?헬퍼|홈\s?헬프|도우미|청소|요리",
     r"giup viec|viec nha|viec gia dinh|nguoi giup|osin|don dep|nau an"),
    ("派遣",
     r"派遣|上门|派人|派来",
     r"파견|보내\s?주|보내\s?줄",
     r"cu nguoi|gui nguoi|den nha"),
    # --- places to be and information
    ("居場所",
     r"去处|去的地方|地方去|待的地方|玩的地方|可去的地方|活动场所|容身|落脚",
     r"거처|머물|놀\s?곳|갈\s?곳|있을\s?곳|쉼터",
     r"noi de|cho de|cho choi|noi vui choi|noi sinh hoat|noi nao"),
    ("交流",
     r"交流|交朋友|认识朋友|结识",
     r"교류|친구\s?사귀|만남",
     r"gap go|ket ban|giao luu"),
    ("情報提供 子育て情報",
     r"信息|资讯|情报|网站|官网|手册|指南|应用程序",
     r"정보|홈페이지|웹\s?사이트|소식지|안내\s?책자",
     r"thong tin|trang web|website|ung dung|ban tin|so tay|cam nang"),
    ("子育て支援ネットワーク 団体",
     r"网络|团体|协会|社团|志愿者|NPO|协议会",
     r"네트워크|단체|협의회|자원\s?봉사|동아리|서클",
     r"mang luoi|to chuc|doan the|tinh nguyen|cau lac bo"),
    ("赤ちゃん休憩室 授乳 おむつ",
     r"哺乳|喂奶|母乳|尿布|尿片|换尿布|婴儿室|育婴室|母婴室",
     r"수유|기저귀|모유|아기\s?휴게실",
     r"cho con bu|cho be bu|bu me|thay ta|ta lot|phong em be"),
    ("公共施設",
     r"公共设施|公共场所|市政设施|公共建筑",
     r"공공\s?시설|공공\s?장소|공공\s?건물",
     r"co so cong cong|noi cong cong|cong trinh cong cong"),
    ("開館時間 延長",
     r"开放时间|开馆|延长|营业时间|几点",
     r"개관\s?시간|운영\s?시간|연장|몇\s?시",
     r"gio mo cua|mo cua|keo dai|gio hoat dong|may gio"),
    # --- the evaluation itself
    ("子ども・子育て会議 意見",
     r"会议|委员会|审议会",
     r"회의|위원회|심의회",
     r"hoi dong|uy ban"),
    ("意見",
     r"意见|评论|建议|看法",
     r"의견|코멘트|논평|제언",
     r"y kien|nhan xet|gop y|binh luan"),
    ("担当課",
     r"部门|科室|负责|主管|哪个课|哪一课|哪个科|担当",
     r"부서|담당|어느\s?과|주관",
     r"phong ban|bo phan|phu trach|co quan nao|ban nao|phong nao|don vi nao"),
    ("計画",
     r"计划|目标值|预定|规划",
     r"계획|목표",
     r"ke hoach|muc tieu|du kien"),
    ("実績 件数 利用者数",
     r"结果|实绩|实际|多少|人数|件数|次数|数量|几个|几次|几人|几名|几件",
     r"결과|실적|몇\s?(명|건|개|회|번)|인원|건수|이용자\s?수",
     r"ket qua|so nguoi|so luong|bao nhieu|so vu|so lan|so ca|thuc te"),
    ("来館者数",
     r"来馆|来访|访客|参观人数|到访",
     r"방문자|방문객|내관|이용객",
     r"nguoi den|luot den|khach den|tham quan"),
    ("受給者数",
     r"领取|受领|受给|领到|受益人",
     r"수급|받는\s?사람|받은\s?사람",
     r"nguoi nhan|duoc nhan"),
    ("割合",
     r"比例|比率|百分比",
     r"비율|퍼센트",
     r"ty le|phan tram"),
    ("参加人数",
     r"参加|参与",
     r"참가|참여",
     r"tham gia"),
    ("私立",
     r"私立|民办",
     r"사립",
     r"tu thuc|tu lap|dan lap"),
    ("公立",
     r"公立|市立",
     r"공립|시립",
     r"cong lap"),
    ("達成 評価",
     r"评价|达成|完成|目标达到",
     r"평가|달성",
     r"danh gia|dat duoc|hoan thanh"),
    ("課題",
     r"课题|问题|今后|下一年度",
     r"과제|문제점|향후",
     r"van de|thach thuc|nam toi|sap toi"),
)

_COLUMNS = {"zh": 1, "ko": 2, "vi": 3}
_LANG_CODES = {"zh-Hans": "zh", "zh-Hant": "zh"}


def _compile(lang: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    col = _COLUMNS[lang]
    out = []
    for row in TERMS:
        pattern = row[col]
        if not pattern:
            continue
        # Vietnamese syllables are words: match whole words only (tre is not in "trẻ em" … "tren")
        if lang == "vi":
            pattern = rf"(?<![a-z])(?:{pattern})(?![a-z])"
        out.append((re.compile(pattern, re.IGNORECASE), row[0]))
    return tuple(out)


_PATTERNS = {lang: _compile(lang) for lang in _COLUMNS}

# OpenCC converters: created once, lazily (loading their dictionaries takes a moment)
_lock = threading.Lock()
_converters: dict[str, object] = {}


def _convert(config: str, text: str) -> str:
    with _lock:
        converter = _converters.get(config)
        if converter is None:
            import opencc  # noqa: PLC0415 - lazy on purpose, see above

            converter = _converters[config] = opencc.OpenCC(config)
    return converter.convert(text)


@lru_cache(maxsize=1024)
def japanese_forms(text: str) -> str:
    """Chinese text (either script) in Japanese character forms: 儿童馆的医疗费 -> 児童館的医療費."""
    return _convert("t2jp", _convert("s2t", text))


@lru_cache(maxsize=1024)
def _simplified(text: str) -> str:
    """One form of either Chinese script to match the term base on (Taiwan words too: 網路 -> 网络)."""
    return _convert("tw2sp", text)


def matching_form(text: str, lang: str) -> str:
    """The form a question is matched on: one simplified Chinese form, Vietnamese without
    diacritics in lower case, other languages as written."""
    lang = _LANG_CODES.get(lang, lang)
    if lang == "zh":
        return _simplified(text)
    if lang == "vi":
        return without_marks(text)
    return text


def japanese_terms(text: str, lang: str) -> str:
    """The Japanese terms for the field's words in a question of language ``lang`` ("" when none)."""
    lang = _LANG_CODES.get(lang, lang)
    if lang == "en":
        return english_terms(text)
    if lang not in _PATTERNS:
        return ""
    form = matching_form(text, lang)
    out: list[str] = []
    for pattern, ja in _PATTERNS[lang]:
        if pattern.search(form):
            out += ja.split()
    return " ".join(dict.fromkeys(out))


def retrieval_text(text: str, lang: str) -> str:
    """A question with the Japanese it needs for retrieval appended (Japanese and other: unchanged).

    Chinese: the question in Japanese character forms (the encoder reads those as well, and the
    lemma ranker then finds 児童館, 医療費, 幼稚園 …), then the terms; keeping the Chinese forms
    beside them ranked no better on the tuning questions. Korean, Vietnamese, English: the
    question, then the terms.
    """
    lang = _LANG_CODES.get(lang, lang)
    parts = [japanese_forms(text) if lang == "zh" else text]
    terms = japanese_terms(text, lang)
    if terms:
        parts.append(terms)
    return " ".join(parts)
