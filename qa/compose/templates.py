"""Every sentence an answer is made of, in Japanese, in one place (the frames of answers in other
languages are ``qa.compose.phrases``)."""
from __future__ import annotations

# --- refusals and input --------------------------------------------------------------------
NOT_IN_DOCUMENT = "この資料には記載がありません。"
NO_COMMENT = "子ども・子育て会議意見の記載はありません。"
EMPTY_QUESTION = "質問が空です。知りたいことを日本語で入力してください（例：「ひとり親で家事が大変」「R2で計画を下回った事業は？」）。"
TOO_LONG = "質問が長すぎます（{n}文字）。2,000文字以内で入力してください。"
CONTROL_CHARS = "質問に使えない文字（制御文字や壊れた文字）が含まれています。文字だけで入力してください。"
WRONG_TYPE = "質問は文字列で入力してください。"
NO_HISTORY = "前の質問がないため、どの事業のことか分かりません。事業名を入れて質問してください（例：「児童館事業の担当課は？」）。"
NO_MORE = "ほかに候補となる事業は見つかりませんでした。"
OFF_TOPIC = ("この資料には記載がありません。\nこの資料（{documents}）では、お尋ねの内容に当てはまる事業が見つかりませんでした。")
NOTHING_ASKED = ("この資料には記載がありません。知りたい事業やお困りごとを入れて質問してください"
                 "（例：「ひとり親で家事が大変」「児童館の来館者数は？」「R2で計画を下回った事業は？」）。")
NOT_A_QUESTION = ("この資料には記載がありません。ここでは、読み込まれている計画資料について質問にお答えします"
                  "（文章の作成や計算などはできません）。")
ONLY_INSTRUCTIONS = "資料についての質問が見つかりませんでした。知りたい事業や数値を日本語で入力してください。"
# languages the questions are not read in (Chinese, Korean and Vietnamese are: qa.compose.phrases)
OTHER_LANGUAGE = {
    "other": ("This document is in Japanese: please ask in Japanese, English, Chinese, Korean or Vietnamese. / "
              "この資料は日本語の資料です。日本語・英語・中国語・韓国語・ベトナム語のいずれかで質問してください。"),
}

# --- scope ------------------------------------------------------------------------------------
NO_SUCH_GOAL = "目標{goal}はこの資料にありません。この資料の重点事業がある目標は{goals}です。"
NO_SUCH_POLICY = "施策{policy}はこの資料にありません。この資料の重点事業がある施策は{policies}です。"
NO_PROJECTS = "{scope}に当てはまる重点事業は、この資料にはありません。"
NO_RESULT_YEAR = "読み込まれている資料は{have}の評価で、{year}の結果（実績）は記載がありません。"
OTHER_CITY = "この資料は{city}の資料で、{other}についての記載はありません。"

# --- focus not covered ------------------------------------------------------------------------
FOCUS_NAMES = {"amount": "金額", "time": "時刻（何時まで等）", "date": "日付・時期", "name": "人の名前", "title": "名称", "contact": "連絡先",
               "procedure": "申し込み・手続きの方法",
               "breakdown": "内訳", "figure": "数値"}
FOCUS_MISSING = "この資料には{what}についての記載がありません。"
WHAT_IT_HOLDS = "**{project}**（担当：{departments}）について記載があるのは、事業の内容{more}です。"

# --- pieces -------------------------------------------------------------------------------------
CITE = "（p.{page} {project}・{section}）"
CITE_DOC = "（{document} p.{page} {project}・{section}）"
SEARCH_HEAD = "**{name}**（担当：{departments}）が当てはまりそうです。"
SEARCH_HEAD_LOW = "はっきり当てはまる事業は見つかりませんでした。近いものとして **{name}**（担当：{departments}）があります。"
CONTENT_LINE = "- 事業の内容：{content} {cite}"
RELATED_LINE = "- 関連する記述：「{quote}」{cite}"
CLOSE_HEAD = "ほかに関係しそうな事業："
CLOSE_LINE = "- **{name}**（担当：{departments}）：{content} {cite}"
OTHERS_LINE = "そのほかの候補：{names}"
DEPARTMENT_LINE = "**{name}**の担当課は**{departments}**です。{cite}"
COMMENT_HEAD = "**{name}**（担当：{departments}）への子ども・子育て会議意見です。"
COMMENT_LIST_HEAD = "{scope}で子ども・子育て会議意見の記載がある重点事業は{n}事業です。"
COMMENT_LIST_NONE = "子ども・子育て会議意見の記載はありません：{names}"
COMMENT_NONE = "**{name}**（担当：{departments}）について、この資料には子ども・子育て会議意見の記載はありません。"
EXPLANATION_HEAD = "**{name}**（担当：{departments}）の結果の説明及び次年度に向けての課題です。"
SENTENCES_HEAD = "**{name}**（担当：{departments}）について、資料には次の記載があります。"
OVERVIEW_HEAD = "**{name}**（担当：{departments}、目標{goal}・施策{policy}・No.{number}）"
INDICATORS_HEAD = "参考指標（{year}の評価）："
COMMENT_COUNT = "子ども・子育て会議意見：{n}件"
VALUE_LINE = "- **{project}**：{year}の{indicator}は **{result}** でした（{baseline_year} {baseline}、{year}計画 {plan}）。評価：**{status}**（{reason}）{cite}"
VALUE_TEXT_LINE = ("- **{project}**：{indicator}（{baseline_year} {baseline}、{year}計画 {plan}）。{year}の結果は数値ではなく、"
                   "「{evidence}」と記載されています。評価：**{status}**{cite}")
VALUE_NONE_LINE = "- **{project}**：{indicator}（{baseline_year} {baseline}、{year}計画 {plan}）。{year}の結果は資料に記載がありません。{cite}"
BASELINE_LINE = "- **{project}**：{baseline_year}の{indicator}の実績は **{baseline}** です（{year}計画 {plan}）。{cite}"
PLAN_STARTS = "- **{project}**：{indicator}は、計画では**{year}**から「{word}」となっています。"
PLAN_LINE = "- **{project}**：{indicator}の計画は {plans} です（{baseline_year} {baseline}、{year}結果 {result}）。{cite}"
LIST_HEAD = "{scope}の重点事業は{n}事業です。"
LIST_HEAD_COND = "{scope}で{conditions}重点事業は **{n}事業** です。"
COND_COMMENT = "子ども・子育て会議意見の記載が{has}"
COND_TOPIC = {"about": "「{words}」に関する", "explanation": "結果の説明に「{words}」とある",
              "comment": "会議意見に「{words}」とある"}
COND_INDICATOR_COUNT = "参考指標が{n}つ{op}の"
LIST_ITEM = "- **{name}**（{departments}／施策{policy}・No.{number}・p.{page}）{status}"
REASON_LINE = "- {name}の結果の説明：「{quote}」"
TOPIC_QUOTE = "  - 「{quote}」"
LIST_STATUS = "　{year}評価：{label}"
SELECT_HEAD = "{scope}で{condition}は{n}事業・{m}指標です。"
SELECT_NONE = "{scope}には、{condition}はありません。"
COUNT_HEAD = "{scope}の重点事業は **{n}事業** です（参考指標は合わせて{m}指標）。"
GROUP_HEAD = "{scope}の重点事業{n}事業を{by}ごとに数えました（複数の課が担当する事業は、それぞれの課に数えています）。"
GROUP_HEAD_GOAL = "{scope}の重点事業を目標ごとに数えました。"
GROUP_TOP = "{condition}がいちばん多い{by}は **{top}**（{n}指標）です。"
GROUP_IND_LINE = "- **{key}**：{n}指標（{names}）"
GROUP_LINE = "- **{key}**：{n}事業（{names}）"
EXTREME_HEAD = "{baseline_year}実績から{year}結果への{what}が{most}指標は、**{project}**の「{indicator}」です。"
EXTREME_VALUE_HEAD = "{year}の結果が{most}指標は、**{project}**の「{indicator}」（{result}）です。"
GROUP_SOURCES = "出典：各事業の事業名称（担当課）と事業の内容 {refs}"
VALUE_RANK_LINE = "- {project}：{indicator}　{year} {result}（{baseline_year} {baseline}） {cite}"
CHANGE_HEAD = "{baseline_year}から{year}への増減："
CHANGE_LINE = "- {project}：{indicator}　{baseline_year} {before} → {year} {after}（{delta}）{cite}"
COMPARE_HEAD = "{baseline_year}から{year}への変化を比べると、{what}が大きいのは「{indicator}」（{project}）です。"
TOTAL_LINE = "{year}の合計：**{total}**（{parts}）"
TOTAL_CHANGE = "{baseline_year}から{year}への合計の増減：**{delta}**"
DIFFERENCE_LINE = "{year}の差：**{diff}**（{first} {a} − {second} {b}）"
COMPUTED_DIFFERENCE_NOTE = "※差は、資料の数値から計算した値です。"
COMPUTED_TOTAL_NOTE = "※合計は、資料の数値から計算した値です。"
COMPUTED_NOTE = "※増減、増減率と倍率は、資料の数値から計算した値です。"
SHORTFALL_NOTE = ("判定のしかた：漸増・拡充は{baseline_year}からの増減、維持は{baseline_year}以上で達成（5%以内の減少は「ほぼ達成」）、"
                  "実施・継続・検討などは結果の説明の記載で判定しています。")
BORDERLINE_NOTE = "なお、次の指標は「ほぼ達成（要注意）」と判定しており、上の一覧には含めていません："
SUMMARY_HEAD = "{title}（{city}・{year}）には、{n_goals}つの目標の下に重点事業が{n_projects}事業、参考指標が{n_indicators}指標あります。"
SUMMARY_STATUS = "{year}の評価：{counts}"
TREND_HEAD = "**{project}**の「{indicator}」の推移です（読み込まれている各年度の評価から）。"
TREND_LINE = "- {year}：{value}{cite}"
TREND_ONE = "読み込まれている評価は{have}の1年度分だけのため、推移は示せません。"
PART_HEAD = "**（{n}）{question}**"
LOW_CONFIDENCE = "お尋ねの内容にはっきり当てはまる事業は見つかりませんでした。次のどれかについて知りたい場合は、選んでください。"
DOCUMENT_LINE = "資料：{documents}"
EVERY_YEAR_HEAD = "{years}のすべての年度で{condition}がある重点事業は{n}事業です。"
EVERY_YEAR_NONE = "どの年度でも当てはまる事業はありません。"
MULTI_DOC_NOTE = "（{document}）"

CONDITIONS = {
    "fell_short": "{year}に計画を下回った（未達成の）指標",
    "met": "{year}に計画を達成した指標",
    "borderline": "{year}にほぼ達成（要注意）と判定した指標",
    "unclear": "{year}の結果の記載がなく判定できない指標",
    "plan_word": "{years}の計画が「{word}」の指標",
    "baseline_none": "{baseline_year}の実績が「－」（数値なし）の指標",
    "ratio": "{year}結果が{baseline_year}実績の{ratio}の指標",
    "not_started": "{year}の計画が「検討」「準備」の段階の（まだ実施していない）指標",
    "qualitative": "数値ではなく文言（実施・継続・検討など）で計画を示す指標",
    "qualitative_only": "参考指標がすべて数値ではなく文言（実施・継続・検討など）で示される事業の指標",
    "numeric": "数値で示される指標",
    "increase": "{baseline_year}実績より{year}結果が増えた指標",
    "decrease": "{baseline_year}実績より{year}結果が減った指標",
    "result": "{year}の結果が{value}{op}の指標",
    "unit": "単位が「{unit}」の指標",
}
OPS = {"=": "", ">=": "以上", "<=": "以下", "<": "未満", ">": "超"}
ALL_PLAN_YEARS = "{first}～{last}のすべての年度"
RATIO_HALF = {"<": "半分未満", "<=": "半分以下"}
RATIO_WORDS = {">=": "{times}倍以上", "<=": "{times}倍以下", "<": "{times}倍未満", ">": "{times}倍超", "=": "{times}倍"}

# --- follow-up suggestions -------------------------------------------------------------------------
FOLLOW_EXPLANATION = "{name}の結果の説明は？"
FOLLOW_INDICATORS = "{name}の指標の実績は？"
FOLLOW_COMMENT = "{name}の会議意見は？"
FOLLOW_PLAN = "{name}の今後の計画は？"
FOLLOW_MORE = "ほかには？"
FOLLOW_DEPARTMENT = "{name}の担当課は？"
FOLLOW_DEPARTMENT_LIST = "{department}の事業一覧"
FOLLOW_SHORTFALL = "{year}で計画を下回った事業は？"
CHOICE = "{name}について教えて"

# --- labels and small pieces used by the engine -----------------------------------------------------
PROJECT_HEAD = "**{name}**（担当：{departments}）"
NO_EXPLANATION = "**{name}**の結果の説明は、この資料には記載がありません。"
EXPLANATION_STATES = "**{name}**（担当：{departments}）の結果の説明に次の記載があります。"
RELATED_INDICATORS = "関連する参考指標："
COUNT_OF = "数（何{counter}）"
NUMBER_OF = "{what}の数"
ASKED_THING = "お尋ねの事項"
HOLDS_INDICATORS = "、参考指標"
HOLDS_EXPLANATION = "、結果の説明"
DOCUMENT_SHORT = "{city}の{title}（{year}）"
DOCUMENT_LABEL = "{city} {title} {year}評価"
MORE_HEAD = "ほかに関連しそうな事業です。"
GOAL = "目標{number}"
GOAL_LABEL = "目標{number}「{title}」"
POLICY = "施策{code}"
POLICY_LABEL = "施策{code}「{title}」"
SCOPE_DEPARTMENTS = "{departments}が担当"
SCOPE_OTHER_DEPARTMENTS = "{departments}以外の課が担当"
THIS_DOCUMENT = "この資料"
SCOPE_WITHIN = "前の回答の{n}事業のうち"
ANY_PLAN_YEAR = "{first}～{last}のいずれか"
PLAN_VALUES = "　計画 {plans}"
PLAN_WORD_SINCE = "（「{word}」は{year}から）"
COMMENT_LIST_LINE = "- **{name}**：「{quote}」"
BY_DEPARTMENT = "担当課"
BY_GOAL = "目標"
CHANGE_WORDS = {(False, False): "増加", (False, True): "減少", (True, False): "増加率", (True, True): "減少率"}
MOST_LARGE = "いちばん大きい"
MOST_SMALL = "いちばん小さい"
MOST_MANY = "いちばん多い"
MOST_FEW = "いちばん少ない"
SUMMARY_GOAL = "- {goal}：{names}"
RESULT_IN_WORDS = "文章で記載"
RESULT_NONE = "記載なし"
ANOTHER_CITY = "ほかの自治体"
YEAR_OF_CITY = "{year}（{city}）"
FOR_REFERENCE = "参考までに、この資料にある計画値と結果です。"
WITH_RESULT = "、{year}結果 {result}"
PLAN_REFERENCE_LINE = "- {project}：{indicator}　計画 {plans}{result} {cite}"

# --- the reading line: how a question was read -------------------------------------------------------------
READING = "〔質問の読み取り〕{body}（{scope}）"
READING_TARGETS = "{names} について"
READING_CONDITIONS = "条件：{conditions}"
READING_SEARCH = "お尋ねの内容に合う事業を検索"
READING_WHOLE = "資料全体"
READING_NO_ASK = "資料について尋ねていることが見つかりませんでした"
READING_TASK = "資料についての質問ではなく、作業の依頼と読みました"
READING_CARRIED = "{carried} について"
READING_YEARS = "年度：{years}"
READING_JOIN = "／"
CARRIED_TARGET = "前の質問の {name}"
CARRIED_FIRST = "最初に聞いた {name}"
CARRIED_LIST = "前の回答の{n}事業"
CARRIED_LIST_CONDITIONS = "前の一覧と同じ条件"
CARRIED_DEPARTMENT = "前の質問の担当課（{departments}）"
CARRIED_ASK = "前の質問と同じ問い（{fields}）"
CARRIED_MORE = "前の検索のほかの候補"
FIELD_LABELS = {"content": "事業の内容", "department": "担当課", "comment": "会議意見", "explanation": "結果の説明",
                "value": "実績", "baseline": "H30実績", "plan": "計画", "status": "達成状況", "indicators": "参考指標"}
