"""Look of the web UI: a theme with locally installed Japanese fonts, and the app's CSS.

Fonts are named, never fetched: the server may have no internet, and Gradio's default theme
would otherwise ask Google Fonts for Latin fonts that cannot show Japanese anyway.
"""
from __future__ import annotations

FONTS = [
    "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Noto Sans JP", "Noto Sans CJK JP",
    "IPAexGothic", "IPAPGothic", "IPAGothic", "Meiryo", "Yu Gothic", "system-ui", "sans-serif",
]
MONO_FONTS = ["IPAGothic", "ui-monospace", "Consolas", "monospace"]

CSS = """
.planqa-empty, .planqa-muted { color: var(--body-text-color-subdued); }
.planqa-summary { margin: 0.25rem 0 0.75rem; }
#planqa-sources { max-height: 640px; overflow-y: auto; }
.planqa-source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 0.5rem 0.75rem; margin-bottom: 0.6rem; background: var(--background-fill-primary); }
.planqa-source header { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: baseline;
  font-size: 0.9rem; margin-bottom: 0.3rem; }
.planqa-source-no { color: var(--body-text-color-subdued); }
.planqa-source-project { font-weight: bold; }
.planqa-source-section { background: #e0f2f1; color: #134e4a; border-radius: 4px; padding: 0 0.35rem; }
.planqa-source-page { background: #eef2ff; color: #3730a3; border-radius: 4px; padding: 0 0.35rem; }
.planqa-source-text { white-space: pre-line; margin: 0; line-height: 1.6; font-size: 0.92rem; }
.planqa-source-text mark { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
table.planqa-indicators { border-collapse: collapse; width: 100%; font-size: 0.88rem; }
table.planqa-indicators th, table.planqa-indicators td { border: 1px solid var(--border-color-primary);
  padding: 0.3rem 0.45rem; vertical-align: top; text-align: left; }
table.planqa-indicators th { background: var(--background-fill-secondary); white-space: nowrap; }
.planqa-reason { font-size: 0.78rem; color: var(--body-text-color-subdued); margin-top: 0.15rem; }
.planqa-badge { display: inline-block; border-radius: 999px; padding: 0 0.5rem; font-weight: bold;
  white-space: nowrap; }
.planqa-st-met { background: #dcfce7; color: #166534; }
.planqa-st-fell_short { background: #fee2e2; color: #991b1b; }
.planqa-st-borderline { background: #fef3c7; color: #92400e; }
.planqa-st-unclear { background: #f3f4f6; color: #374151; }
tr.planqa-row-fell_short td { background: #fff5f5; }
td.planqa-project-cell { background: var(--background-fill-primary) !important; font-weight: bold; }
g.planqa-chart-row { background: none; }
.planqa-meta { font-size: 0.8rem; font-weight: normal; color: var(--body-text-color-subdued); }
.planqa-comment-project { border-left: 4px solid #0d9488; padding: 0.1rem 0.75rem; margin: 0.5rem 0 1rem; }
.planqa-comment-project.planqa-no-comments { border-left-color: var(--border-color-primary); }
.planqa-comment-project h4 { margin: 0.2rem 0; }
.planqa-goal { margin-top: 1.2rem; }
.planqa-detail h4 { margin: 0.8rem 0 0.2rem; }
.planqa-example-group { font-weight: bold; margin-top: 0.4rem; }
.planqa-examples button, .planqa-followups button { text-align: left; }
"""


def theme():
    """The Gradio theme (imported lazily so this module stays cheap to import)."""
    import gradio as gr

    return gr.themes.Default(primary_hue="teal", secondary_hue="slate", font=FONTS, font_mono=MONO_FONTS)
