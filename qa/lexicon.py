"""General Japanese (and English) words that mark what a question asks, matched on the normalised text.

These are ways of asking (interrogatives, field names, status verbs), never phrasings of a
particular question. Answer strings live in ``qa.templates``.
"""
from __future__ import annotations

# the fields of a project a question can ask for (qa.query.Field values)
FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "department": ("担当課", "担当部署", "担当は", "担当して", "どこの課", "どの課", "何課", "所管", "たんとう", "どこのか",
                   "課の担当", "どこが担当", "どこがやって"),
    "comment": ("会議意見", "会議の意見", "子ども・子育て会議", "子供・子育て会議", "委員の意見", "かいぎ"),
    "explanation": ("結果の説明", "説明", "理由", "なぜ", "なんで", "どうして", "原因", "課題", "今後", "次年度", "来年度",
                    "検討内容", "取り組", "取組", "何をした", "やったこと", "実際", "どんな準備", "何をしたか", "振り返り",
                    "要点", "要約", "閉所中", "コロナ"),
    "value": ("何人", "何件", "何回", "何世帯", "何団体", "何機関", "何園", "件数", "人数", "回数", "利用者数", "参加人数",
              "受給者数", "来館者数", "実績", "結果", "数値", "どのくらい", "どれくらい", "どれだけ", "延べ", "数は"),
    "baseline": ("H30", "基準", "ベースライン", "当初"),
    "plan": ("計画", "予定", "見込み", "目標値"),
    "status": ("達成", "未達", "下回", "上回", "届い", "届か", "評価", "判定"),
    "content": ("どういう事業", "どんな事業", "どのような事業", "事業の内容", "内容", "何をする", "とは", "って何", "ってなに"),
    "indicators": ("指標は", "どんな指標", "指標を", "指標の一覧", "すべての指標", "全ての指標"),
}
FIELD_WORDS_EN: dict[str, tuple[str, ...]] = {
    "department": (r"\bdepartment\b", r"\bdivision\b", r"\bwhich (section|office)\b", r"\bin charge\b"),
    "comment": (r"\bcouncil\b", r"\bcommittee\b", r"\bcomments?\b"),
    "explanation": (r"\bwhy\b", r"\breason\b", r"\bexplanation\b", r"\bchallenges?\b", r"\bnext year\b"),
    "value": (r"\bhow many\b", r"\bnumber of\b", r"\bresult\b", r"\brecord(ed)?\b"),
    "plan": (r"\bplan(ned)?\b", r"\btarget\b"),
    "status": (r"\bachiev", r"\bmet\b", r"\bfell short\b"),
}
OVERVIEW_WORDS = ("詳しく", "くわしく", "詳細", "概要を", "すべて教えて", "全部教えて")
SAID_WORDS = ("意見", "言わ", "言って", "言った", "指摘", "コメント", "評価され", "何か")

SHORTFALL_WORDS = ("下回", "未達", "届かな", "届いていな", "達成できな", "達成しなかった", "達成していな", "達成されな",
                   "足りな", "不足", "及ばな", "満たな", "満たせな", "達しな", "達していな", "うまくいかな", "計画割れ",
                   "目標割れ", "fell short", "not met", "short of")
ACHIEVED_WORDS = ("達成した", "達成して", "達成された", "達成できた", "上回", "クリア", "順調", "計画どおり", "計画通り",
                  "目標どおり", "目標通り", "満たした", "met the plan", "achieved")
UNCLEAR_WORDS = ("判定でき", "判定不能", "判定不明", "結果が不明", "結果が分から", "結果がわから", "結果の記載がない", "評価できな")
BORDERLINE_WORDS = ("ほぼ達成", "わずかに", "ぎりぎり", "要注意", "あと少し", "惜しい")
PLAN_SLOT_WORDS = ("計画", "計画値", "計画欄", "予定", "目標値", "plan")

PLURAL_WORDS = ("一覧", "リスト", "どの事業", "どんな事業がありますか", "どの指標", "どれ", "すべて", "全て", "全部", "列挙",
                "挙げ", "あげて", "持つ事業", "ある事業", "事業は?", "事業を教え", "重点事業は", "事業がありますか",
                "指標を持つ", "指標は?", "ものは", "どんな重点事業")
SUMMARY_WORDS = ("全体", "概要", "まとめ", "総括", "全体像", "サマリー", "進捗状況は", "どうなって")
# nouns that speak of the document itself: a summary question has no other subject
DOCUMENT_WORDS = frozenset("計画 資料 事業 重点 重点事業 全体 全体像 概要 進捗 状況 評価 結果 目標 施策 年度 令和 平成 内容 まとめ 総括 指標 参考 本 今回 市 プラン".split())
MORE_PREFIXES = ("ほかには", "他には", "ほかに", "他に", "それ以外", "もっと", "次は")
ANAPHORA = ("その", "それ", "この事業", "あの事業", "同じ事業", "そこ", "これ", "上記", "先ほど", "さっき", "同じ課", "そっち",
            "こっち", "そちら", "こちら", "ほう")
# a demonstrative that points back (その事業, それの), not an idiom (これから, それぞれ, そのあいだ, その後)
# nor the document itself (この計画, この資料)
ANAPHORA_RE = (r"(その|それ|これ|あの|この|そこ|そっち|そちら)(?!から|まで|ぞれ|まま|あいだ|間|うち|ほか|他|後|前|ため|とき|時|場|頃|ころ|以外|なり|でも|とも|計画|資料|プラン|評価表)"
               r"|上記|先ほど|さっき|同じ(事業|課)|(の|な)ほう")
ELLIPTIC_MAX_CHARS = 16  # 「じゃあ二つ目のは？」「今後の課題は？」: short and naming nothing

ASK_AMOUNT = ("いくら", "金額", "何円", "料金", "費用は", "値段", "月額", "利用料", "自己負担額")
ASK_NAME = ("名前", "氏名", "誰が", "だれが", "誰か", "誰です", "だれです")
ASK_CONTACT = ("電話番号", "連絡先", "住所", "メールアドレス", "URL", "ホームページのアドレス")
ASK_BREAKDOWN = ("内訳", "内容別", "種類別", "種別ごと")

# counters a question may ask for: 何園 -> 園
COUNTERS = ("人", "件", "回", "世帯", "園", "団体", "機関", "か所", "箇所", "校", "館", "円", "%", "組", "日", "時間", "時", "歳", "分")
