"""Every Japanese string the web UI shows (labels, messages, example questions) in one place."""
from __future__ import annotations

TITLE = "計画資料 Q&A"
HEADER_TITLE = "計画資料 Q&A"
PRIVACY_NOTE = (
    "会話はこのタブの中だけに残ります（接続が切れて画面が読み込み直されても消えないよう、このタブの"
    "sessionStorageに置きます）。「新しい会話」を押すかタブを閉じると消え、ほかのタブやサーバーには残りません。"
    "👍👎で評価を送ったときだけ、その質問・回答の種類・出典を記録の改善のためにサーバーに保存します。"
    "お名前などの個人情報は書かないでください。"
)
DOCUMENT_LABEL = "対象の資料"
DOCUMENT_ALL = "すべての資料（{n}件）"

# Tabs
TAB_CHAT = "質問"
TAB_PROJECTS = "事業一覧"
TAB_COMMENTS = "会議意見"
TAB_CHART = "グラフ"

# Chat
CHAT_LABEL = "会話"
QUESTION_LABEL = "質問"
QUESTION_PLACEHOLDER = "質問を入力してください"
ENTER_HINT = "Enterで送信・Shift+Enterで改行"
SEND = "送信"
NEW_CHAT = "新しい会話"
SAVE_CHAT = "会話を保存（Markdown）"
SAVE_CHAT_FILE = "会話の記録.md"
COUNTER = "{n:,} / {limit:,}文字"
COUNTER_OVER = "{n:,} / {limit:,}文字：{over:,}文字多いため送信できません"
PENDING = "回答を作成中…"
PENDING_FAILED = "回答を受け取れませんでした。少し待ってからもう一度送信してください。"
YOU = "あなたの質問"
ASSISTANT = "回答"
FOLLOWUPS_HEADING = "次の質問の候補"
CHOICES_HEADING = "知りたいことに近いものを選んでください（言い方を変えて質問することもできます）"
LOW_CONFIDENCE = "確かな当てはまりではありません。近いと思われるものを示しています。"
SOURCES_HEADING = "出典（{n}件・押すと資料のページを表示します）"
INDICATORS_HEADING = "指標の状況"
TABLE_SHOW = "同じ指標を表で見る（{n}指標）"
READING_LABEL = "質問の受け取り方："
CARRIED_CHIP = "{topic}"  # qa says what was carried (「前の質問の 産後ケア事業」「前の回答の4事業」)
CARRIED_CHIP_ACTION = "「{topic}」を引き継がずに、この質問だけで聞き直す"
ANNOUNCE = "回答が届きました。{text}"
SKIP_TO_QUESTION = "質問の入力欄へ移動"
PLAIN_TOGGLE = "やさしい日本語"
PLAIN_TOGGLE_HINT = "ふりがなと短い文で表示します"
CONNECTION_LOST = "サーバーとの接続が切れました。つながりしだい画面を読み込み直します。会話はこのタブに残ります。"
RECONNECTED = "接続が戻りました。会話はそのまま残っています（続きの質問では、事業名などをもう一度書いてください）。"
RESEND = "送信中だった質問を入力欄に戻しました。もう一度送信してください。"
TAB_LIST_LABEL = "表示の切り替え"
# Link previews (LINE, mail) read these from the served page
PAGE_DESCRIPTION = "{documents}について、資料の記載だけをもとに質問に答えます。回答には資料のページ（出典）が付きます。"
CITATION_LINE = "出典："
CITE_LABEL = "出典{n}：{label}（資料のページを表示）"
PAGE = "p.{page}"
COPY = "回答をコピー"
COPIED = "コピーしました"
VOTE_UP = "役に立った"
VOTE_DOWN = "役に立たなかった"
FEEDBACK_COMMENT = "ご意見（任意・個人情報は書かないでください）"
FEEDBACK_SEND = "意見を送る"
FEEDBACK_THANKS = "評価を送りました。ありがとうございました。"
FEEDBACK_COMMENT_THANKS = "ご意見を送りました。ありがとうございました。"
FEEDBACK_FAILED = "評価を送れませんでした。ページを再読み込みしてからお試しください。"
CSV_INDICATORS = "この表をCSVで保存"
CSV_INDICATORS_FILE = "指標の状況.csv"
VIEWER_CLOSE = "閉じる"
VIEWER_HINT = "資料のこのページの文字をそのまま表示し、引用した箇所に色を付けています。"
VIEWER_NOT_FOUND = "引用した箇所をこのページの中で特定できませんでした。引用した文："

EXAMPLES_HEADING = "質問の例（押すとそのまま質問します）"
KIND_CITIZEN = "子育て中の市民の方"
KIND_STAFF = "市職員の方"
KIND_ANALYST = "議員・分析の方"
# Hand-picked examples for the bundled document; other documents get examples made from their records.
EXAMPLES_PLAN_ID = "koganei-r2"
EXAMPLE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        KIND_CITIZEN,
        (
            "ひとり親で仕事と家事の両立が大変です。市の支援はありますか？",
            "じどうかんは なにをしているところ？",
            "出産したあと、体を休められるサービスはありますか？",
            "子どもが悩みを相談できる窓口はありますか？",
        ),
    ),
    (
        KIND_STAFF,
        (
            "児童館事業の子ども・子育て会議意見を教えて",
            "母子保健健康相談事業の結果の説明は？",
            "虐待対応事業のケース検討会の回数はなぜ減ったの？",
            "乳幼児健康相談の利用者が減ったのはなぜ？",
        ),
    ),
    (
        KIND_ANALYST,
        (
            "R2で計画を下回った事業は？",
            "保育課が担当する事業の一覧",
            "施策3-2の事業と指標の状況",
        ),
    ),
)

EXAMPLE_ABOUT = "{project}はどんな事業ですか？"
EXAMPLE_COMMENTS = "{project}の子ども・子育て会議意見を教えて"
EXAMPLE_RESULT = "{project}の結果の説明は？"
EXAMPLE_SHORTFALL = "{year}で計画を下回った事業は？"
EXAMPLE_DEPARTMENT = "{department}が担当する事業の一覧"
EXAMPLE_POLICY = "施策{policy}の事業と指標の状況"
LEAD_ONE = "「{label}」について、資料の記載だけをもとにお答えします。回答の[1]などを押すと、資料のページの該当箇所を表示します。"
LEAD_MANY = "読み込んだ{n}件の資料について、資料の記載だけをもとにお答えします。回答の[1]などを押すと、資料のページの該当箇所を表示します。"

# Messages
TOO_LONG = "質問が長すぎます（{n:,}文字）。{limit:,}文字以内にまとめてもう一度お試しください（入力した文はそのまま残っています）。"
EMPTY_QUESTION = "質問を入力してください。"
TOO_LONG_SHORT = "質問が長すぎます。{limit:,}文字以内にまとめてください（入力した文はそのまま残っています）。"
SAVE_TITLE = "計画資料 Q&A 会話の記録"
SAVED_AT = "保存日時："
NOTHING_TO_SAVE = "保存する会話がまだありません。"
ERROR = (
    "申し訳ありません。回答を作成する途中で問題が発生しました。"
    "少し時間をおいてもう一度お試しいただくか、質問の言い方を変えてみてください。"
)

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
PROJECT_DETAIL_HINT = "事業名を押すと、事業の内容・指標・結果の説明・会議意見を表示します。"
DETAIL_CONTENT = "事業の内容"
DETAIL_RESULT = "結果の説明"
DETAIL_COMMENTS = "子ども・子育て会議意見"
DETAIL_INDICATORS = "参考指標"
NO_RESULT_EXPLANATION = "結果の説明の記載はありません"

# Council comments
COMMENTS_SUMMARY = "子ども・子育て会議の意見があるのは {with_comments} 事業（全{total}事業中）です。"
NO_COMMENTS = "会議意見の記載はありません"

PROJECTS_CSV = "この一覧をCSVで保存"
PROJECTS_CSV_FILE = "事業一覧.csv"
PROJECTS_CSV_COLUMNS = ("目標", "施策", "番号", "事業名", "担当課", "指標数", "判定", "ページ")

# Chart
CHART_CSV = "グラフのデータをCSVで保存"
CHART_CSV_FILE = "指標グラフ.csv"
CHART_CSV_COLUMNS = ("事業", "指標", "単位", "H30（基準）", "R2実績", "H30比（%）", "判定")
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
CLI_DESCRIPTION = "計画資料 Q&A のWeb画面を起動します（feedback: 寄せられた評価の一覧）"
CLI_FEEDBACK_EMPTY = "評価はまだありません（{path}）。"
CLI_FEEDBACK_COLUMNS = ("日時", "評価", "状態", "質問", "出典", "意見")
CLI_WARMING_UP = "検索インデックスとモデルを準備しています（初回は数分かかることがあります）…"
CLI_READY = "準備ができました（{seconds:.1f}秒）。"
CLI_NO_WARM_UP = "注意: qa.warm_up が見つからないため、最初の質問のときに準備を行います。"
CLI_SERVING = "http://{host}:{port} で公開します（終了は Ctrl+C）。"
CHART_ONLY_SHORT = "未達成の指標だけを表示"
