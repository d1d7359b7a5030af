"""Every Japanese string the web UI shows (labels, messages, example questions) in one place."""
from __future__ import annotations

TITLE = "小金井市 子どもプラン 事業評価 Q&A"
HEADER = (
    "# 小金井市「のびゆくこどもプラン 小金井」令和2年度 事業評価 Q&A\n"
    "重点事業20件の**令和2年度（R2）の進捗評価**について、資料の記載をもとにお答えします。"
    "回答には資料のページと項目を示します。"
)

# Tabs
TAB_CHAT = "質問する"
TAB_PROJECTS = "事業一覧"
TAB_COMMENTS = "会議意見"
TAB_CHART = "指標グラフ"

# Chat
CHAT_LABEL = "会話"
CHAT_PLACEHOLDER = "下の入力欄に質問を書くか、質問の例を選んでください。"
QUESTION_LABEL = "質問"
QUESTION_PLACEHOLDER = "例：児童館の来館者数はどうなりましたか？（Enterで送信）"
SEND = "送信"
NEW_CHAT = "新しい会話を始める"
FOLLOWUPS_HEADING = "**次の質問の候補**（押すとそのまま質問します）"
SOURCES_HEADING = "### 出典（資料の該当箇所）"
INDICATORS_HEADING = "指標の状況"
NO_SOURCES = "質問すると、回答のもとになった資料の箇所がここに表示されます。"
SOURCES_NONE_FOR_ANSWER = "この回答に対応する資料の箇所はありません。"
CITATION_LINE = "出典："
PAGE = "p.{page}"

EXAMPLES_HEADING = "### 質問の例"
EXAMPLE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "市民の方",
        (
            "ひとり親で仕事と家事の両立が大変です。市の支援はありますか？",
            "じどうかんは なにをしているところ？",
            "出産したあと、体を休められるサービスはありますか？",
            "子どもが悩みを相談できる窓口はありますか？",
        ),
    ),
    (
        "市職員の方",
        (
            "児童館事業の子ども・子育て会議意見を教えて",
            "母子保健健康相談事業の結果の説明は？",
            "虐待対応事業のケース検討会の回数はなぜ減ったの？",
            "乳幼児健康相談の利用者が減ったのはなぜ？",
        ),
    ),
    (
        "分析・評価",
        (
            "R2で計画を下回った事業は？",
            "保育課が担当する事業の一覧",
            "施策3-2の事業と指標の状況",
        ),
    ),
)

# Messages
TOO_LONG = "質問が長すぎます（{n:,}文字）。{limit:,}文字以内にまとめてもう一度お試しください。"
EMPTY_QUESTION = "質問を入力してください。"
ERROR = (
    "申し訳ありません。回答を作成する途中で問題が発生しました。"
    "少し時間をおいてもう一度お試しいただくか、質問の言い方を変えてみてください。"
)
TRUNCATED_QUESTION = "…（全{n:,}文字）"

# Indicator table
COL_PROJECT = "事業"
COL_INDICATOR = "指標"
COL_BASELINE = "H30（基準）"
COL_PLAN = "R2計画"
COL_RESULT = "R2実績"
COL_STATUS = "判定"
NO_RESULT = "記載なし"

# Project list
FILTER_GOAL = "目標"
FILTER_DEPARTMENT = "担当課"
FILTER_STATUS = "判定（指標のうち最も悪いもの）"
FILTER_ALL = "すべて"
PROJECTS_COUNT = "{shown}件 / 全{total}事業"
PROJECT_COLUMNS = ("目標", "施策", "事業名", "担当課", "指標", "判定", "ページ")
NO_INDICATORS = "指標なし"
PROJECT_DETAIL_HINT = "表の行を選ぶと、事業の内容・結果の説明・会議意見をここに表示します。"
DETAIL_CONTENT = "事業の内容"
DETAIL_RESULT = "結果の説明"
DETAIL_COMMENTS = "子ども・子育て会議意見"
DETAIL_INDICATORS = "参考指標"
NO_RESULT_EXPLANATION = "結果の説明の記載はありません"

# Council comments
COMMENTS_SUMMARY = "子ども・子育て会議の意見があるのは {with_comments} 事業（全{total}事業中）です。"
NO_COMMENTS = "会議意見の記載はありません"

# Chart
CHART_INTRO = (
    "数値で比較できる指標 {n} 件について、平成30年度（H30、計画の基準）と令和2年度（R2）の実績を並べています。"
    "棒の長さは指標ごとに大きい方を基準にした相対表示です（単位が指標ごとに異なるため）。"
    "文章で結果が記載された指標はここには含みません。"
)
CHART_TITLE = "参考指標：H30（基準）とR2実績"
CHART_LEGEND_BASELINE = "H30（基準）"
CHART_LEGEND_RESULT = "R2実績"
CHART_RATIO = "H30比 {pct}%"
CHART_NO_BASE = "H30比 －"
CHART_EMPTY = "表示できる数値の指標がありません。"

# Terminal (operators)
CLI_DESCRIPTION = "事業評価 Q&A のWeb画面を起動します"
CLI_WARMING_UP = "検索インデックスとモデルを準備しています（初回は数分かかることがあります）…"
CLI_READY = "準備ができました（{seconds:.1f}秒）。"
CLI_NO_WARM_UP = "注意: qa.warm_up が見つからないため、最初の質問のときに準備を行います。"
CLI_SERVING = "http://{host}:{port} で公開します（終了は Ctrl+C）。"
CHART_ONLY_SHORT = "未達成の指標だけを表示"
