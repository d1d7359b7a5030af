"""The ways of asking that understanding recognises, as named data.

Every entry is a general construction of Japanese (or English) questions about a plan
evaluation: an interrogative, a field name, a status verb, a demonstrative, a comparative. None
is the phrasing of a particular question. Each ``Cue`` says which construction it covers; the
stages after understanding read the typed ``Query``, never these words. Answer strings live in
``qa.compose.templates``.

All matching is on the normalised text (``index.text.normalize``: NFKC, R2 for 令和2年度 …).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Cue:
    """A construction recognised by literal words and/or a regular expression (case-insensitive)."""

    covers: str  # the general construction, in a few words
    words: tuple[str, ...] = ()
    pattern: str = ""

    @cached_property
    def _regex(self) -> re.Pattern[str] | None:
        return re.compile(self.pattern, re.IGNORECASE) if self.pattern else None

    def search(self, text: str) -> re.Match[str] | None:
        """The first regex match (``None`` when only words matched or nothing did)."""
        return self._regex.search(text) if self._regex is not None else None

    def __call__(self, text: str) -> bool:
        return any(w in text for w in self.words) or (self._regex is not None and self._regex.search(text) is not None)


# --- fields a question can ask for (qa.query.Field values) -------------------------------------------
FIELDS: dict[str, Cue] = {
    "department": Cue("who runs it: 担当課, どこの課, 所管",
                      ("担当課", "担当部署", "担当は", "担当して", "どこの課", "どの課", "何課", "所管", "たんとう", "どこのか",
                       "課の担当", "どこが担当", "どこがやって"),
                      r"\bdepartment\b|\bdivision\b|\bwhich (section|office)\b|\bin charge\b"),
    "comment": Cue("the council's comments: 会議意見, 委員の意見",
                   ("会議意見", "会議の意見", "子ども・子育て会議", "子供・子育て会議", "委員の意見", "かいぎ"),
                   r"\bcouncil\b|\bcommittee\b|\bcomments?\b"),
    "explanation": Cue("why / what was done / what comes next: 理由, 課題, 今後, 取組",
                       ("結果の説明", "説明", "理由", "なぜ", "なんで", "どうして", "原因", "課題", "今後", "次年度", "来年度",
                        "検討内容", "取り組", "取組", "何をした", "やったこと", "実際", "振り返り", "要点", "要約",
                        "進捗", "進ん", "進み", "進め", "どこまで", "どうなった", "うまくいっ"),
                       r"(どんな|どのような|どういう|何の)[^。？?]{0,8}(をした|をして|を行|に取り組|した\?|しました)"
                       r"|(次|翌)の年度?に?[^。？?]{0,6}(何を|何する|どう|する|やる|取り組)|翌年度"  # 「次の年度に何をする」: what the explanation says comes next
                       r"|\bwhy\b|\breason\b|\bexplanation\b|\bchallenges?\b|\bnext year\b"),
    "value": Cue("a figure: 何人, 件数, 実績, どのくらい",
                 ("何人", "何件", "何回", "何世帯", "何団体", "何機関", "何園", "件数", "人数", "回数", "利用者数", "参加人数",
                  "受給者数", "来館者数", "実績", "数値", "どのくらい", "どれくらい", "どれだけ", "延べ", "数は",
                  "なんにん", "なんけん", "なんかい"),
                 r"結果(?!の説明)|\bhow many\b|\bnumber of\b|\bresult\b|\brecord(ed)?\b"),
    "baseline": Cue("the baseline: H30, 基準", ("H30", "基準", "ベースライン", "当初")),
    "plan": Cue("the plan values: 計画, 予定, 目標値", ("計画", "予定", "見込み", "目標値"), r"\bplan(ned)?\b|\btarget\b"),
    "status": Cue("whether the plan was met: 達成, 下回 (評価表 names the document)", ("達成", "未達", "下回", "上回", "届い", "届か", "判定"),
                  r"評価(?!表)|\bachiev|\bmet\b|\bfell short\b"),
    "content": Cue("what the programme is: 内容, とは, 何をする",
                   ("どういう事業", "どんな事業", "どのような事業", "事業の内容", "内容", "何をする", "とは", "って何", "ってなに",
                    "なにをして", "何をして")),
    "indicators": Cue("which indicators it has", ("指標は", "どんな指標", "指標を", "指標の一覧", "すべての指標", "全ての指標")),
}
COUNCIL_SAID = Cue("「会議で何か言われた」: the council named with a verb of saying", ("意見", "言わ", "言って", "言った", "指摘", "コメント", "評価され", "何か"))
OVERVIEW = Cue("everything about one programme", ("詳しく", "くわしく", "詳細", "概要を", "すべて教えて", "全部教えて"))
INTENTION = Cue("what is planned or intended for a programme (not a figure): 予定, つもり, 今後, ふやす予定",
                ("予定", "つもり", "今後", "これから", "見通し", "方針", "考えは"), r"(する|作る|つくる|増やす|ふやす|広げる|設ける)(計画|予定)")
ASKS_RESULT = Cue("asks what happened (a result), not what was planned",
                  ("実績", "結果", "でしたか", "だった", "でした", "ましたか", "されました", "された", "できた", "何人", "何件",
                   "何回", "実際"))

# --- status of an indicator against its plan ---------------------------------------------------------
SHORTFALL = Cue("fell short of the plan",
                ("下回", "未達", "届かな", "届いていな", "達成できな", "達成しなかった", "達成していな", "達成されな", "足りな",
                 "不足", "及ばな", "満たな", "満たせな", "達しな", "達していな", "うまくいかな", "計画割れ", "目標割れ",
                 "fell short", "not met", "short of"))
ACHIEVED = Cue("met the plan", ("達成した", "達成して", "達成された", "達成できた", "上回", "クリア", "順調", "計画どおり",
                                "計画通り", "目標どおり", "目標通り", "満たした", "met the plan", "achieved"))
ACHIEVED_CONTEXT = Cue("an achievement word is about the plan (目標 as a goal number is not)",
                       ("計画", "達成", "順調", "クリア"), r"目標(?!\s*[0-9一二三四五六七八九])")
# 「H30の実績を上回った」「H30より減った」: a comparison with the baseline is a change, not a status
VERSUS_BASELINE = re.compile(r"(H30|基準年|基準値|前回|平成30年度?)\s*(の)?\s*(実績|値|数値|結果)?\s*(を|より|から|と比べ(て|る)と?|に比べ(て)?)"
                             r"[^。?？]{0,8}?(上回|下回|超え|増|減|伸|多く|少なく|落ち|下が|上が)")
SINCE_WHEN = Cue("from which year: 何年度から, いつから", (), r"(何|なん)\s*年度?\s*から|いつ\s*から|どの年度から|\bfrom (which|what) year\b")
# 「計画を下回った」 compares with the plan (a status), not with H30 (a change)
AGAINST_PLAN = re.compile(r"(計画|目標)(値)?\s*(を|に|より)?\s*(下回|上回)")
UPWARD_VERBS = frozenset({"上回", "超え", "増", "伸", "多く", "上が"})
NOT_STARTED = Cue("not yet carried out: the year's plan is still to study or prepare (検討・準備)",
                  ("未実施", "まだ実施", "実施できていな", "実施していな", "実施されていな", "実施に至っていな", "始まっていな",
                   "開始していな", "まだ始ま"))
UNCLEAR = Cue("no result to judge", ("判定でき", "判定不能", "判定不明", "結果が不明", "結果が分から", "結果がわから",
                                     "結果の記載がない", "評価できな"))
BORDERLINE = Cue("nearly met", ("ほぼ達成", "わずかに", "ぎりぎり", "要注意", "あと少し", "惜しい"))

# --- list conditions ---------------------------------------------------------------------------------
PLAN_SLOT = Cue("a plan word is a condition on the plan column (目標 as the target, not a goal number)",
                ("計画", "計画値", "計画欄", "予定", "目標値", "plan"), r"目標(?!\s*[0-9一二三四五六七八九])")
PLAN_ALL_YEARS = Cue("the plan word holds in every year: ずっと, のまま, 毎年度", ("ずっと", "のまま", "一貫して", "全年度", "すべての年度",
                                                                                 "全ての年度", "毎年度", "変わらず"))
BASELINE_NONE = Cue("indicators with no baseline figure (「－」)", (),
                    r"(H30|基準)[^。?？]{0,6}(が|は)?\s*[「『]?\s*(－|-|ー|―)\s*[」』]?|(H30|基準)[^。?？]{0,6}(ない|なし|空欄)")
# the result against its baseline as a ratio: 半分未満, 2倍以上, 20%以上増えた
RATIO_CONDITION = re.compile(r"(半分|半数|2分の1|二分の一)\s*(未満|以下|を下回|より少な)"
                             r"|([0-9.]+)\s*倍\s*(以上|超|を超え|に)"
                             r"|([0-9.]+)\s*(%|割)\s*(以上|超|を超え)?\s*(増|伸|上が|減|落|下が)")
PLAN_WORD_AS_CONDITION = r"[「『]?{word}[」』]?\s*(に|と|の|が|で)?\s*(なって|である|だった|とされ|の指標|の事業|な|)"
QUALITATIVE = Cue("indicators stated in words, not figures", ("文言", "定性"), r"数値(ではなく|でなく|以外)|文章(で|だけ)")
NUMERIC = Cue("indicators stated in figures", ("定量",), r"数値(の|で示される|で表される|による)?(参考)?指標|数値で(管理|示)")
ONLY = Cue("「だけ」: every one of them, not some", ("だけ", "のみ", "only"))
INCREASE = Cue("went up", (), r"(増え|増加|伸び|上が|多くな|上回|超え)")
DECREASE = Cue("went down", (), r"(減っ|減少|下が|少なくな|落ち|下回)")
DECREASE_ANY = Cue("any decrease word (ranking direction)", (), r"(減っ|減少|下が|落ち|減)")
CHANGE_AGAINST = Cue("a change is measured against something (a project's figures, for 「減った事業」)",
                     ("H30", "実績より", "比べ", "から", "指標", "事業"))
UNIT_FILTER = Cue("indicators measured in a unit: 単位が件, 割合で示される", (),
                  r"単位が\s*[「『]?\s*(%|件|人|回|世帯|団体|機関|園)[」』]?|(割合|%|率)\s*[（(]?[%％]?[）)]?\s*(で|を)(示|表|測|管理|見)")
NUMBER_WITH_UNIT = re.compile(r"([0-9][0-9,]*(?:\.[0-9]+)?)\s*(%|件|人|回|世帯|団体|機関|園|か所|箇所)")
RESULT_CONDITION_TAIL = Cue("a figure used as a condition: 100%だった, 50人以上", (), r"(だった|である|の指標|以上|以下|を超え|未満)")
AT_LEAST = Cue("at least", ("以上", "超え"))
AT_MOST = Cue("at most", ("以下", "未満"))
INDICATOR_COUNT = re.compile(r"指標が\s*([0-9一二三四五]+)\s*(?:つ|個)\s*(しか|だけ|のみ|以上|以下)?|(複数)の指標|指標が(複数)")
COMMENT_PRESENCE = Cue("a comment is (not) there", (), r"(意見|記載)(が|の|は)?(ある|あった|ない|無い|なかった|つ(い|け)て|付いて|書かれて|出て)")
COMMENT_ABSENCE = Cue("no comment", (), r"(意見|記載)(が|の|は)?(ない|無い|なかった|ついていない|付いていない)")
TOPIC_IN_EXPLANATION = Cue("a list of projects whose result explanation says something", (),
                           r"(説明|結果の説明|課題)[^。?？]{0,24}(触れ|書かれ|書いて|記載|言及|説明され|挙げ|とある|と出て|が出て)"
                           r"|説明されている|と説明")
TOPIC_IN_COMMENT = Cue("a list of projects whose council comment says something", (),
                       r"(意見|会議)[^。?？]{0,24}(触れ|書かれ|書いて|記載|言及|求め|指摘|とある|と出て|が出て)")
NEGATED_SPAN = re.compile(r"[^、。?？]*(ではなく|でなく|以外の|を除く|を除いた)")
# nouns that say how a topic relates, not what it is (「相談に関係する」「コロナの影響で」)
TOPIC_NOISE = frozenset(("関係 関連 影響 対象 向け 内容 部分 もの 場合 ため 以上 以下 未満 半分 半数 倍 割 以降 時点 状況 取組 "
                         "取り組み 記述 説明 意見 課題 理由 項目 分野 種類 全部 すべて 一覧 重点 事業 場所 実施 増加 減少 合計 差").split())
WHICH_OR_HOW_MANY = Cue("which / how many of a set", (), r"(いくつ|何件|何事業|どれ|どの)")
OTHERS = Cue("「ほかの課」「他にも」: outside what was shown", (), r"(ほか|他|別)の(重点)?(課|事業|部署)|(ほか|他)に(も|は)?|\bother\b")
OTHER_DEPARTMENTS = Cue("「ほかの課」: departments other than the target's", (), r"(ほか|他|別)の(課|部署)")
SAME_DEPARTMENT = Cue("「同じ課」「その課」: the department of the previous target (「その事業の担当課」 asks it)",
                      (), r"(同じ|その|この|当該|そこの)(?:(?!事業|制度|取り?組み?|サービス).){0,8}(課|部署)|担当課(は|が|の)?.{0,12}(ほか|他)")

# --- operations --------------------------------------------------------------------------------------
PLURAL = Cue("a set is asked for: 一覧, どれ, すべて",
             ("一覧", "リスト", "どの事業", "どんな事業がありますか", "どの指標", "すべて", "全て", "全部", "列挙",
              "挙げ", "あげて", "持つ事業", "ある事業", "事業は?", "事業を教え", "重点事業は", "事業がありますか", "指標を持つ",
              "指標は?", "ものは", "どんな重点事業"),
             r"どれ(?!くらい|ぐらい|だけ|ほど|位)"  # どれ (which of them), not どれくらい (how much)
             r"|(る|た|い)(重点)?事業(は|を|って)?\s*(どれ|ある|ありますか)?\s*[?？。]?\s*$"  # 「…に触れている事業」
             r"|\b(which|list|all)\b.*\b(projects|programmes|programs)\b")
COUNT_WORDS = Cue("how many of a set", (), r"(いくつ|何件|何事業|何個|幾つ|件数|事業数|指標数|数は|数を)")
COUNTED_SET = Cue("what is counted is projects or indicators", ("事業", "指標"))
PER_GROUP = Cue("「課ごと」「目標別」: per group", (), r"(担当課|課|部署|目標|施策)(ごと|別|それぞれ|毎)|それぞれ.{0,12}(何件|いくつ|何事業)")
GROUP_RANKED = Cue("「いちばん多い課」: groups ranked by count", (), r"(多い|少ない|多く)(の)?(は)?(どの|どこの)?(課|部署|担当課|目標|施策)")
GROUPS_COMPARED = Cue("「どちらが多く」: named groups compared", (), r"(どちら|どっち|どの).{0,12}(多|少)")
MANY_FEW = Cue("many / few", (), r"(多い|少ない|多く)")
SUPERLATIVE = Cue("the most / least of a measure (「一番近い児童館」 is not a ranking of the records)", (),
                  r"(いちばん|一番|最も|もっとも)[^。?？、]{0,12}?(多|少|大き|小さ|高|低|増|減|伸|落ち|下が|上が|変化|差|率)"
                  r"|最大|最小|最高|最低|トップ|1位|\b(most|largest|biggest|highest|lowest|smallest)\b")
SMALLEST = Cue("the smallest", (), r"(最小|最低|小さ|少な)")
COMPARATIVE = Cue("which of two / a comparison", (), r"(どっち|どちら|比べ|比較|差は|違い)|\b(compare|which is (bigger|larger|higher))\b")
CHANGE_WORDS = Cue("a change between years", (), r"(増え|増加|伸び|上が|減っ|減少|下が|落ち|減り|変化|差)")
SIZE_WORDS = Cue("a size of the result itself (いちばん多い)", (), r"(多い|少ない|高い|低い|大きい|小さい|多かった|少なかった)")
LOW_WORDS = Cue("small / low / few", (), r"(少な|低|小さ)")
RATE_WORDS = Cue("a rate or share", (), r"(率|割合)")
TREND = Cue("across the years", (), r"(推移|経年|年度ごと|毎年|年次|移り変わり)|\b(trend|over the years)\b")
SUMMARY = Cue("the whole document in brief", ("全体", "概要", "まとめ", "総括", "全体像", "サマリー", "進捗状況は", "どうなって"))
MORE_PREFIXES = ("ほかには", "他には", "ほかに", "他に", "それ以外", "もっと", "次は")
MORE_DETAIL = Cue("「もっと詳しく」: more about the same thing, not further candidates", (), r"詳し|くわし|詳細|しょうさい")
MORE_MAX_CHARS = 20  # 「ほかには？」 is short; a long question starting with ほかに asks something of its own
# verbs and adjectives that carry no need of their own (「よろしくお願いします」「いいね」「すごい」)
LIGHT_PREDICATES = frozenset("為る 有る 居る 成る 良い 善い 御座る 願う 出来る 思う 凄い 無い 来る 行く 見る 知る 分かる "
                             "教える 言う 遣る 貰う 呉れる 頂く 下さる 致す 申す 参る 御願い".split())
NEED = Cue("a need or a wish: 〜たい, 困って, ありますか", (), r"(たい|ほしい|欲しい|困っ|大変|しんど|つらい|限界|ありますか|ある\?|できますか|もらえ|くれる)")
ASKS_CHANGE = Cue("how much a figure changed over the years: どれだけ増えた, 何件減った, 増加率", (),
                  r"(どれ|どの)(だけ|くらい|ぐらい|程度)\s*(増|減|伸|変わ|上が|下が)|(何|なん)\s*(人|件|回|%|ポイント|団体|世帯|機関)\s*(増|減|伸)"
                  r"|(増加|減少|増減|伸び)(数|幅|率|量|した数)|\bhow much (did .* (increase|decrease|grow|fall))\b")
ASKS_DIFFERENCE = Cue("how far apart two figures are: 何人差, 差は, どれだけ多い", (),
                      r"(何|なん)\s*(人|件|回|団体|世帯|機関|園)\s*差|差は|差を|の差|違いは|(どれ|どの)(だけ|くらい|ぐらい)\s*(多|少)"
                      r"|(何|なん|いくつ)\s*(人|件|回)?\s*(多|少な)い|\bhow (many|much) more\b|\bdifference\b")
ASKS_RATIO = Cue("one figure as a multiple of another: 何倍, 何割, 何%", (), r"何倍|なんばい|何割|(H30|前)[^。?？]{0,8}(何|なん)\s*(%|パーセント)|\bhow many times\b")
TOTAL = Cue("a total of several figures", (), r"(合計|合わせ|あわせ|合算|総数|トータル|足すと|足し)|\b(total|in all|combined)\b")
NOT_A_QUESTION = Cue("a task that is not a question about the documents: writing, calculating, translating", (),
                     r"(俳句|短歌|川柳|詩|歌詞|小説|物語|ジョーク|冗談|作文|レシピ|ラップ)[^。?？]{0,6}(を|で)?\s*(作|書|詠|考え|教え|聞かせ)"
                     r"|^[\s0-9０-９一二三四五六七八九十百千万.,、]+\s*(たす|足す|ひく|引く|かける|掛ける|わる|割る|\+|-|×|÷|\*|/)"
                     r"|計算して|翻訳して|\b(write|compose) (me )?(a|an) (poem|haiku|story|song|joke)\b")
EVERY_YEAR = Cue("in each of the loaded years", (), r"(両年度|両方の年度|どちらの年度|各年度|毎年|連続)")

# --- references to the conversation ---------------------------------------------------------------------
# A demonstrative word (by its part of speech, so 「むすこの」 holds none) points back unless the
# word after it makes an idiom (これから, そのうち, その後, そのあいだ) or names the document (この資料).
DEMONSTRATIVES = frozenset("その この あの それ これ あれ そこ ここ そっち こっち そちら こちら".split())
DEMONSTRATIVE_POS = frozenset({"連体詞", "代名詞", "感動詞"})  # unidic tags あの as an interjection too
NOT_POINTING_AFTER = frozenset("から まで うち 後 前 ため とき 時 頃 ころ まま 間 あいだ ほか 他 以外 なり でも とも 計画 資料 プラン 評価表 辺 へん".split())
JOINING_PARTICLES = frozenset("と や および 及び ならびに 並びに".split())  # 「AとそのB」: its B, said in the question
SETTING_ASIDE = re.compile(r"(は|を)?(さておき|ともかく|別として|置いと|おいと)")  # 「それはさておき」: not a reference
# Pointing words of Chinese, Korean and Vietnamese: a pronoun for the programme (它, 그것, nó) or a
# demonstrative before a word for it (那个事业, 그 사업, chương trình đó); 该 alone is in 应该 (should).
POINTING_ZH = r"它|這個事業|这个事业|那個事業|那个事业|该事业|該事業|该项|該項|这项|這項|那项|那項|此事业|此事業|上述"
POINTING_KO = (r"그것|그거|그건|그게|거기|그곳|해당\s?(사업|프로그램|서비스|제도)"
               r"|(?<![가-힣])[그이저]\s+(사업|프로그램|서비스|제도|센터|시설|곳|담당|부서|결과|실적|회의|의견|계획)")
POINTING_VI = r"(?<!\w)(nó|chương trình (đó|này|ấy)|dịch vụ (đó|này|ấy)|chế độ (đó|này|ấy)|cái (đó|này)|ở đó|chỗ đó)(?!\w)"
ANAPHORA = Cue("「先ほどの」「上記の」「〜のほう」, English pronouns, Chinese, Korean and Vietnamese pointing words",
               (), r"上記|先ほど|さっき|同じ(事業|課)|(の|な)ほう|\b(it|its)\b"
                   rf"|{POINTING_ZH}|{POINTING_KO}|{POINTING_VI}")
SUBSET = Cue("「その中で」: a narrowing of the previous list", (), r"(その中|そのうち|この中|これらのうち|それらのうち|このうち)")
SOME_DAY = Cue("「そのうち…たい」: some day, with a wish or plan, not 'among them'", (), r"そのうち[^。?？]*(たい|つもり|予定|しよう|なったら)")
PLURAL_REFERENCE = Cue("「その3つ」「それら」「これらの事業」: every item of the previous list", (),
                      r"(その|この|これらの|それらの|上記の|前記の)\s*([0-9一二三四五六七八九十]+)\s*(つ|事業|件|個)|(それ|これ|あれ)ら"
                      r"|\b(these|those|all of them|both of them)\b")
EACH_ASKED = Cue("「それぞれ計画どおりだったか」: a status asked of every item, not a filter", (),
                 r"(それぞれ|各事業|ひとつずつ|一つずつ|個別に|ごとに)[^。?？]{0,16}(達成|計画どおり|計画通り|どう|評価|だったか)")
EACH_OF_THEM = Cue("「それぞれ」「両方」: every item of the previous answer", (), r"(それぞれ|両方|どちらも|各)")
ORDINAL = re.compile(r"(?:([0-9一二三四五1-9])\s*(?:つ目|番目|個目|件目))|(最初|はじめ|初め)に?(?:聞いた|質問した|尋ねた|の)"
                     r"|(最後)に?(?:挙げた|あげた|出た|聞いた|の)|\bthe (first|second|third|last)(?: one)?\b(?! \w+ (?:of|in)\b)"
                     r"|\b(first|second|third|last) one\b", re.IGNORECASE)
ELLIPSIS_LEAD = ("じゃあ", "では", "それでは", "なら", "じゃ", "ちなみに", "あと", "では、", "じゃあ、")
FRAGMENT_REST = re.compile(r"[\s、,。.!！?？]*(の?ほう|って|の)?\s*(は|も|だと|では)?\s*(どう|どうなの|どうですか)?[\s、,。.!！?？]*")
ELLIPTIC_MAX_CHARS = 16  # 「じゃあ二つ目のは？」「今後の課題は？」: short and naming nothing
# 「那儿童馆呢？」「아동관은요?」「Còn nhà thiếu nhi thì sao?」「What about the children's centre?」: another
# subject, nothing asked of it, so the previous ask goes on (a fragment, as 「じゃあ児童館は？」 is)
FOREIGN_ELLIPSIS = Cue("「那…呢？」「…은요?」「còn … thì sao?」「what about …?」: the same ask about another subject", (),
                       r"呢\s*[？?]?\s*$|^\s*(那么|那麼|那|还有|還有)\s*\S+\s*[？?]\s*$"
                       r"|(은요|는요|도요)\s*[？?]?\s*$|^\s*(그럼|그러면|그렇다면)\s"
                       r"|^\s*((vậy|thế)\s+)?còn\s|(thì|thi)\s+(sao|thế nào|the nao)\s*[？?]?\s*$"
                       r"|^\s*(and |so )?(what|how) about\b")

# --- what exactly is asked (qa.query.Focus) -------------------------------------------------------------
ASK_AMOUNT = Cue("money", ("いくら", "金額", "何円", "料金", "費用は", "値段", "月額", "利用料", "自己負担額"),
                 # asked with an interrogative ("what are the fees", "does it cost"), not named ("help with costs")
                 r"how much|\b(what|which)\b[^.?]{0,24}\b(fees?|prices?|costs?|(?<!\bin )charges?)\b|\bdoes\b[^.?]{0,24}\bcost\b"
                 r"|\byen\b")
ASK_NAME = Cue("a person's name: 氏名, 誰, or 名前 of a person (課長の名前); 「誰かに相談」 is someone, not a name",
               ("氏名", "誰が", "だれが", "誰です", "だれです", "誰なの", "誰なん"),
               r"(長|者|員|委員|先生|職員|さん|担当|方|人)(の|さんの)?(お)?名前|\bwho (is|was|are|were)\b|\bname of the (head|director|manager|person|chair)")
ASK_TITLE = Cue("the name of a thing: 何という名前, 名称, タイトル", ("名称", "タイトル", "何という名前", "なんという名前", "名前は"),
                r"\b(title|name) of\b")
ASK_CONTACT = Cue("contact details", ("電話番号", "連絡先", "住所", "メールアドレス", "URL", "ホームページのアドレス"),
                  r"phone|address|e-?mail|website|\burl\b")
ASK_PROCEDURE = Cue("how to apply or register: 申し込み方法, 手続き", ("申し込み方法", "申込方法", "申し込み先", "申込先", "申請方法",
                                                                   "手続き", "手続", "申し込むには", "どうやって申し込"),
                    r"\bhow (do|can) (i|we) (apply|register|sign up)\b|\bhow to (apply|register)\b")
ASK_BREAKDOWN = Cue("a breakdown into categories, or a part of a figure (「相談のうち、新規は何件」)", ("内訳", "内容別", "種類別", "種別ごと"),
                    r"(?<!指標)(?<!事業)のうち[、,]?\s*[^。？?]{1,12}?(は|が)?\s*(何件|何人|何回|何世帯|何団体|なんけん|なんにん)|breakdown")
ASK_TIME = Cue("a time of day", (), r"何時|なんじ|what time|until when .*open|opening hours")
# "when" asks a date at the head of a question ("When does it start?", "and since when?"), not in a
# clause ("what did they do when events were cancelled")
ASK_DATE = Cue("a date or period", (), r"いつ|何月|何日|なんにち|何年から|since when|\bdate\b"
                                       r"|(^|[,.?!;]\s*)when\b|\bwhen (is|was|are|were|does|did|do|will|can|should)\b")
def is_focus_word(word: str) -> bool:
    """A noun that is itself the kind of fact asked (料金, 連絡先, 名称): the ask, not a subject."""
    return len(word) >= 2 and any(word in w.rstrip("は") for cue in (ASK_AMOUNT, ASK_TITLE, ASK_CONTACT, ASK_PROCEDURE, ASK_BREAKDOWN)
                                  for w in cue.words)


ASK_FIGURE = Cue("a figure: 〜数は, how many", (), r"[\u3400-\u9fff]数(は|を|って|が知りたい)|how many|number of")

# counters a question may ask for: 何園 -> 園
COUNTERS = ("人", "件", "回", "世帯", "園", "団体", "機関", "か所", "箇所", "校", "館", "円", "%", "組", "日", "時間", "時", "歳", "分")
COUNTER = re.compile(r"(?:何|なん)\s*(" + "|".join(map(re.escape, COUNTERS)) + r")")
# counters that count people or events (not projects): 「何人」 is never 「何事業」
NON_PROJECT_COUNTERS = ("人", "回", "世帯", "団体", "機関", "園")

# --- vocabulary of the documents -------------------------------------------------------------------------
# nouns that speak of the document itself: a summary question has no other subject
DOCUMENT_WORDS = frozenset("質問 回答 答え 本題 確認 お願い 計画 資料 事業 重点 重点事業 全体 全体像 概要 進捗 状況 評価 結果 目標 施策 年度 令和 平成 内容 まとめ 総括 指標 参考 本 今回 市 プラン".split())
# nouns that refer or quantify, not name a subject (最後に挙げた, それぞれの, 全部で): they end a compound
FUNCTION_NOUNS = frozenset("それぞれ 最後 最初 両方 全部 すべて 全て ほか 他 以外 うち 中 各 次 前 後 今回 前回 一部 大半 ほとんど".split())
# words of a figure question that say "a number" rather than what is counted
GENERIC_NOUNS = frozenset("人数 件数 回数 数値 実績 結果 計画 年度 令和 平成 事業 利用 合計 全体 資料 状況 何人 何件 去年 今年 昨年".split())
# nouns of a list question that name the list, not its subject
LIST_NOUNS = frozenset("重点 事業 重点事業 一覧 担当 担当課 指標 参考 目標 施策 計画 結果 評価 全部 すべて リスト 所管 一つ 部署".split())
# generic tails of project names: 「子育て支援ネットワーク事業」 is named by 「子育て支援ネットワーク」
GENERIC_NAME_SUFFIXES = ("事業", "の推進", "の拡充", "の改善", "の提供", "制度", "活動", "相談")
# after a place name, these make 〇〇市 a word of its own (市民, 市内 …), not another city
CITY_WORD_TAILS = "民内外役立長議営有税政報場"


# nouns that name a field of a project (what is asked of it), never its subject
FIELD_NOUNS = frozenset(("担当 課 担当課 部署 所管 会議 意見 会議意見 委員 説明 理由 原因 課題 今後 次年度 来年度 内容 実績 結果 数値 "
                         "件数 人数 回数 利用者数 計画 予定 目標値 達成 評価 判定 指標 参考指標 基準 進捗 状況 取組 取り組み "
                         "事業名 指標名 課名 名称").split())


def field_words() -> frozenset[str]:
    """Every literal field word and field noun (what is asked of a project, not a subject)."""
    return frozenset(w for cue in FIELDS.values() for w in cue.words) | FIELD_NOUNS


# field words of several words (子ども・子育て会議): their parts are no subject of the question
FIELD_PHRASES = tuple(sorted((w for w in field_words() if len(w) >= 5), key=len, reverse=True))


def is_field_word(word: str) -> bool:
    """A field noun, or a word that is most of a field word (担当 of 担当課; not 子ども of 子ども・子育て会議)."""
    return word in FIELD_NOUNS or any(word in w and len(w) <= len(word) + 2 for w in field_words())
