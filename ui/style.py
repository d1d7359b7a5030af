"""Look of the web UI: a theme with locally installed Japanese fonts, and the app's CSS.

Fonts are named, never fetched: the server may have no internet, and Gradio's default theme
would otherwise ask Google Fonts for Latin fonts that cannot show Japanese anyway.

Both colour schemes are designed (Gradio follows the system setting with a ``dark`` class):
every text colour below meets WCAG AA (4.5:1) on the background it is used on, which the
browser test measures on the rendered page.
"""
from __future__ import annotations

FONTS = [
    "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Noto Sans JP", "Noto Sans CJK JP",
    "IPAexGothic", "IPAPGothic", "IPAGothic", "Meiryo", "Yu Gothic", "system-ui", "sans-serif",
]
MONO_FONTS = ["IPAGothic", "ui-monospace", "Consolas", "monospace"]

# Light and dark palettes as CSS variables (contrast against --pq-bg / the surface named).
PALETTE = """
:root, body {
  --pq-bg: #ffffff; --pq-surface: #f6f7f9; --pq-text: #1f2937; --pq-muted: #4b5563;
  --pq-border: #d1d5db; --pq-accent: #0f766e; --pq-accent-text: #ffffff; --pq-link: #0f5f58;
  --pq-cite-bg: #e3f4f1; --pq-cite-text: #0b4f49; --pq-q-bg: #eef2f7; --pq-mark-bg: #fde68a; --pq-mark-text: #1f2937;
  --pq-met-bg: #dcfce7; --pq-met-text: #14532d; --pq-short-bg: #fee2e2; --pq-short-text: #8f1d1d;
  --pq-border-bg: #fef3c7; --pq-border-text: #7c2d12; --pq-unclear-bg: #eceff3; --pq-unclear-text: #374151;
  --pq-row-short: #fff1f1; --pq-low-bg: #fff7e6; --pq-low-text: #6b3a05; --pq-low-border: #d97706;
  --pq-bar-base: #8b95a5; --pq-bar-met: #15803d; --pq-bar-short: #dc2626; --pq-bar-borderline: #d97706;
  --pq-bar-unclear: #6b7280; --pq-error: #9b1c1c; --pq-over: #9b1c1c;
  --pq-focus: #0b57d0; --pq-track: #eef0f3; --pq-reading: #4b5563;
}
.dark {
  --pq-bg: #0f141c; --pq-surface: #18202b; --pq-text: #e8ebef; --pq-muted: #b9c0ca;
  --pq-border: #3a4452; --pq-accent: #0f766e; --pq-accent-text: #ffffff; --pq-link: #7ee0d3;
  --pq-cite-bg: #123f3b; --pq-cite-text: #c9f5ee; --pq-q-bg: #202a37; --pq-mark-bg: #8a5a00; --pq-mark-text: #fff8e1;
  --pq-met-bg: #14432a; --pq-met-text: #c6f6d5; --pq-short-bg: #5c1d1d; --pq-short-text: #ffd9d9;
  --pq-border-bg: #5a3a0a; --pq-border-text: #ffe7b3; --pq-unclear-bg: #313a47; --pq-unclear-text: #e5e7eb;
  --pq-row-short: #2e1a1e; --pq-low-bg: #3a2a0c; --pq-low-text: #ffe7b3; --pq-low-border: #d97706;
  --pq-bar-base: #8b95a5; --pq-bar-met: #34c26b; --pq-bar-short: #f26b6b; --pq-bar-borderline: #f0a43a;
  --pq-bar-unclear: #9aa3b0; --pq-error: #ffb4b4; --pq-over: #ffb4b4;
  --pq-focus: #8ab4f8; --pq-track: #1c2531; --pq-reading: #b9c0ca;
}
"""

CSS = PALETTE + """
.gradio-container { max-width: min(1100px, 100%) !important; min-width: 0 !important; margin: 0 auto !important; overflow: visible !important; }
#planqa-header { flex-wrap: wrap; }
/* nothing may widen the page past the window (a phone must never scroll sideways) */
.gradio-container .main, .gradio-container .wrap, .gradio-container .contain, .gradio-container .column,
#planqa-tabs, #planqa-tabs .tabitem, #planqa-conversation, #planqa-log, .planqa-turn, .planqa-a { min-width: 0 !important; max-width: 100%; }
.planqa-answer-text, .planqa-q, .planqa-source, .planqa-page-text { overflow-wrap: anywhere; }
.planqa-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.planqa-empty, .planqa-muted, .planqa-meta, .planqa-hint { color: var(--pq-muted); }
#planqa-header h1 { font-size: 1.35rem; margin: 0.2rem 0; color: var(--pq-text); }
#planqa-header { align-items: end; gap: 0.5rem 1rem; }
/* tabs: every tab stays in the tab list (Gradio's "wrap" mode) and wraps on a small phone */
#planqa-tabs .tab-wrapper, #planqa-tabs [role=tablist] { flex-wrap: wrap; overflow: visible; height: auto; }
#planqa-tabs [role=tab] { color: var(--pq-text); font-size: 1rem; min-height: 44px; min-width: 44px; }
#planqa-tabs [role=tab][aria-selected=true] { color: var(--pq-link); font-weight: bold; }

/* keyboard: a visible focus ring everywhere, and a skip link as the first Tab stop */
:is(button, a, summary, textarea, input, select, [role=tab], [tabindex]):focus-visible,
#planqa-question textarea:focus {
  outline: 3px solid var(--pq-focus) !important; outline-offset: 2px; }
.planqa-skip { position: absolute; left: 0.5rem; top: -100px; z-index: 100; background: var(--pq-bg); color: var(--pq-link);
  padding: 0.6rem 1rem; border: 2px solid var(--pq-focus); border-radius: 8px; min-height: 44px; box-sizing: border-box;
  transition: none; }
.planqa-skip:focus { top: 0.5rem; }

/* やさしい日本語: the page holds both renderings of an answer; the switch shows one */
.planqa-plain { display: none; }
/* (!important: Gradio repeats every rule scoped under its container, which outranks a body class) */
body.planqa-plain-on .planqa-plain { display: block !important; }
body.planqa-plain-on span.planqa-plain { display: inline !important; }
body.planqa-plain-on .planqa-normal { display: none !important; }
.planqa-answer-plain { line-height: 2.1; }
.planqa-answer-plain rt, .planqa-reading rt, #planqa-plain-toggle rt { font-size: 0.62em; color: inherit; }
#planqa-plain-toggle ruby, #planqa-plain-toggle rt { color: inherit !important; }
.planqa-title-row { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.3rem 0.8rem; }
#planqa-plain-toggle { font: inherit; font-size: 0.95rem; cursor: pointer; border-radius: 999px; border: 1px solid var(--pq-border);
  background: var(--pq-bg); color: var(--pq-text); padding: 0.25rem 0.9rem; min-height: 44px; line-height: 1.9;
  transition: none; }
#planqa-plain-toggle[aria-pressed=true] { background: var(--pq-accent) !important; color: var(--pq-accent-text) !important;
  border-color: var(--pq-accent) !important; }

/* how the question was read, and the carried topic that one tap removes */
.planqa-reading { font-size: 0.85rem; color: var(--pq-reading); margin: 0.1rem 0 0.3rem; line-height: 1.6; }
button.planqa-carried { font: inherit; font-size: 0.88rem; cursor: pointer; min-height: 44px; border-radius: 999px;
  border: 1px solid var(--pq-border); background: var(--pq-surface); color: var(--pq-text); padding: 0.2rem 0.9rem; margin: 0 0 0.3rem; }
button.planqa-carried:hover { border-color: var(--pq-accent); }

/* the indicator table folded under the list that shows the same rows */
.planqa-table-details > summary { cursor: pointer; color: var(--pq-link); min-height: 44px; display: flex; align-items: center;
  text-decoration: underline; text-underline-offset: 3px; }
details.planqa-project > summary { min-height: 44px; box-sizing: border-box; }

/* tap targets: 44 px for buttons, tabs and links; question text 16 px so phones do not zoom on focus */
#planqa-question textarea { font-size: 16px !important; min-height: 44px; line-height: 1.5; }
#planqa-send, #planqa-tools button, #planqa-plain-toggle { min-height: 44px; }
/* Gradio's dropdowns (filters, document): the text field itself is the tap target */
.gradio-container input.border-none { min-height: 44px; }
.gradio-container label:has(input[type=checkbox]) { min-height: 44px; display: flex; align-items: center; }

/* start screen */
.planqa-start { color: var(--pq-text); }
.planqa-lead { margin: 0.2rem 0 0.6rem; }
.planqa-examples-heading { font-size: 1.05rem; margin: 0.4rem 0; }
.planqa-example-groups { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 0.75rem; }
.planqa-example-group h3 { font-size: 0.95rem; margin: 0 0 0.35rem; color: var(--pq-text); }
.planqa-example-group { display: flex; flex-direction: column; gap: 0.35rem; }
.planqa-privacy { font-size: 0.88rem; color: var(--pq-muted); margin-top: 0.7rem; }
body.planqa-has-turns #planqa-start { display: none !important; }
button.planqa-ask { font: inherit; font-size: 0.95rem; text-align: left; cursor: pointer; border-radius: 10px;
  border: 1px solid var(--pq-border); background: var(--pq-bg); color: var(--pq-link); padding: 0.45rem 0.7rem;
  line-height: 1.45; min-height: 44px; }
button.planqa-ask:hover { background: var(--pq-cite-bg); }

/* conversation */
#planqa-log { display: flex; flex-direction: column; gap: 1.1rem; color: var(--pq-text); }
.planqa-turn { scroll-margin-top: 8px; }
.planqa-q { background: var(--pq-q-bg); color: var(--pq-text); border-radius: 12px; padding: 0.55rem 0.85rem;
  margin: 0 0 0.5rem auto; max-width: 88%; width: fit-content; overflow-wrap: anywhere; }
.planqa-q p { margin: 0; }
.planqa-a { border-left: 3px solid var(--pq-accent); padding: 0.1rem 0 0.2rem 0.85rem; line-height: 1.75; outline: none; }
.planqa-a p { margin: 0.35rem 0; }
.planqa-a ul { margin: 0.2rem 0 0.5rem 1.2rem; padding: 0; list-style: disc; }
.planqa-a ul ul { list-style: circle; margin-bottom: 0.2rem; }
.planqa-a li { margin: 0.15rem 0; }
.planqa-a blockquote { margin: 0.4rem 0; padding: 0.1rem 0.7rem; border-left: 3px solid var(--pq-border); color: var(--pq-text); }
.planqa-a h3, .planqa-a h2.planqa-h { font-size: 0.98rem; margin: 0.8rem 0 0.3rem; color: var(--pq-text); }
details.planqa-sources > summary { cursor: pointer; min-height: 44px; display: flex; align-items: center; gap: 0.3rem; }
details.planqa-sources > summary h2.planqa-h { display: inline; margin: 0; }
.planqa-detail h2, .planqa-comment-project h3 { font-size: 1rem; }
.planqa-goal { font-size: 1.1rem; }
.planqa-wait { color: var(--pq-muted); display: flex; align-items: center; gap: 0.5rem; }
.planqa-spinner { width: 1rem; height: 1rem; border-radius: 50%; border: 2px solid var(--pq-border);
  border-top-color: var(--pq-accent); animation: planqa-spin 0.8s linear infinite; }
@keyframes planqa-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .planqa-spinner { animation: none; } }
.planqa-error { color: var(--pq-error); font-weight: bold; }
button.planqa-cite { font: inherit; font-size: 0.85em; cursor: pointer; border: 1px solid transparent; border-radius: 6px;
  background: var(--pq-cite-bg); color: var(--pq-cite-text); padding: 0 0.3em; margin: 0 0.1em; line-height: 1.5;
  min-width: 24px; min-height: 24px; }
button.planqa-cite:hover, button.planqa-cite:focus-visible { border-color: var(--pq-accent); }
.planqa-lowconf { background: var(--pq-low-bg); color: var(--pq-low-text); border: 1px solid var(--pq-low-border);
  border-radius: 8px; padding: 0.5rem 0.7rem; font-weight: bold; }
.planqa-choices, .planqa-followups { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.5rem 0; }
.planqa-choices-heading, .planqa-followups-heading { width: 100%; margin: 0.2rem 0 0; font-weight: bold; font-size: 0.92rem; }
.planqa-turn:not(:last-child) .planqa-followups { display: none; }
.planqa-sources { margin-top: 0.6rem; }
.planqa-source-list { margin: 0; padding: 0; list-style: none; display: flex; flex-direction: column; gap: 0.35rem; }
.planqa-source { border: 1px solid var(--pq-border); border-radius: 8px; padding: 0.35rem 0.6rem; background: var(--pq-bg); }
button.planqa-cite-item { display: block; width: 100%; text-align: left; background: transparent; color: var(--pq-link);
  font-size: 0.92rem; padding: 0.1rem 0; text-decoration: underline; text-underline-offset: 3px; min-height: 44px; }
.planqa-source-project { font-weight: bold; }
.planqa-source-text { white-space: pre-line; margin: 0.15rem 0 0; line-height: 1.6; font-size: 0.9rem; color: var(--pq-text);
  display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; }
.planqa-source-text mark, .planqa-page-text mark { background: var(--pq-mark-bg); color: var(--pq-mark-text); border-radius: 2px; padding: 0 1px; }
.planqa-actions { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem; margin-top: 0.6rem; }
.planqa-actions button, .planqa-feedback-form button { font: inherit; font-size: 0.9rem; cursor: pointer; border-radius: 8px;
  border: 1px solid var(--pq-border); background: var(--pq-bg); color: var(--pq-text); padding: 0.3rem 0.65rem; min-height: 44px; }
.planqa-vote[aria-pressed=true] { border-color: var(--pq-accent); background: var(--pq-cite-bg); color: var(--pq-cite-text); }
.planqa-action-status { font-size: 0.9rem; color: var(--pq-muted); }
.planqa-feedback-form { margin-top: 0.4rem; display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: end; }
.planqa-feedback-form[hidden] { display: none; }
.planqa-feedback-form label { display: flex; flex-direction: column; flex: 1 1 16rem; font-size: 0.9rem; color: var(--pq-text); }
.planqa-feedback-form textarea { font: inherit; color: var(--pq-text); background: var(--pq-bg); border: 1px solid var(--pq-border);
  border-radius: 8px; padding: 0.3rem 0.5rem; }
a.planqa-download { display: inline-flex; align-items: center; gap: 0.3rem; min-height: 44px; box-sizing: border-box;
  margin: 0.4rem 0; padding: 0.3rem 0.7rem; border-radius: 8px;
  border: 1px solid var(--pq-border); color: var(--pq-link); background: var(--pq-bg); text-decoration: none; font-size: 0.92rem; }
a.planqa-download:hover { background: var(--pq-cite-bg); }

/* composer: always in view at the bottom of the window */
#planqa-composer { position: sticky; bottom: 0; z-index: 5; background: var(--pq-bg); padding: 0.5rem 0 0.4rem;
  border-top: 1px solid var(--pq-border); margin-top: 0.8rem; }
#planqa-composer { gap: 0.25rem !important; }
#planqa-composer .planqa-composer-row { gap: 0.5rem; align-items: stretch; }
#planqa-notice { min-height: 0 !important; padding: 0 !important; }
#planqa-send { min-width: 5rem; font-size: 1rem; transition: none; }
#planqa-tabs [role=tab], .planqa-ask, .planqa-cite { transition: none; }
#planqa-send:disabled, #planqa-send[aria-disabled=true] { opacity: 1; background: var(--pq-surface); color: var(--pq-muted);
  border-color: var(--pq-border); cursor: not-allowed; }
#planqa-status { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.2rem 1rem; font-size: 0.88rem; }
#planqa-counter { color: var(--pq-muted); }
#planqa-client-notice { flex-basis: 100%; }
#planqa-client-notice:empty { display: none; }
#planqa-counter.planqa-over, #planqa-client-notice, #planqa-notice p { color: var(--pq-over); font-weight: bold; }
#planqa-notice p { margin: 0.2rem 0; font-size: 0.92rem; }
#planqa-tools { gap: 0.5rem; margin-top: 0.8rem; }
body:not(.planqa-has-turns) #planqa-tools { display: none; }
#planqa-tools button { flex: 0 1 auto; }

/* cited page viewer */
/* the head (title, 閉じる) stays put; only the page text scrolls */
#planqa-viewer { width: min(860px, 94vw); max-height: 88vh; border: 1px solid var(--pq-border); border-radius: 12px;
  padding: 0; background: var(--pq-bg); color: var(--pq-text); overflow: hidden; }
#planqa-viewer[open] { display: flex; flex-direction: column; }
#planqa-viewer::backdrop { background: rgba(0, 0, 0, 0.55); }
.planqa-viewer-head { display: flex; gap: 0.5rem; align-items: start; justify-content: space-between;
  padding: 0.7rem 0.9rem 0.4rem; border-bottom: 1px solid var(--pq-border); flex: none; position: sticky; top: 0;
  background: var(--pq-bg); }
.planqa-viewer-title { font-size: 1.02rem; margin: 0; color: var(--pq-text); }
.planqa-viewer-doc, .planqa-viewer-note { font-size: 0.85rem; color: var(--pq-muted); margin: 0.15rem 0 0; }
.planqa-viewer-close { font: inherit; cursor: pointer; border-radius: 8px; border: 1px solid var(--pq-border);
  background: var(--pq-surface); color: var(--pq-text); padding: 0.3rem 0.8rem; min-height: 44px; min-width: 44px; flex: none; }
.planqa-page-text { white-space: pre-wrap; margin: 0; padding: 0.7rem 0.9rem 1rem; overflow-y: auto; flex: 1 1 auto; min-height: 0;
  font-size: 0.92rem; line-height: 1.7; color: var(--pq-text); background: var(--pq-bg); font-family: inherit; }

/* tables */
.planqa-table-scroll { overflow-x: auto; }
table.planqa-indicators { border-collapse: collapse; width: 100%; font-size: 0.88rem; color: var(--pq-text); }
table.planqa-indicators th, table.planqa-indicators td { border: 1px solid var(--pq-border);
  padding: 0.3rem 0.45rem; vertical-align: top; text-align: left; color: var(--pq-text); }
table.planqa-indicators th { background: var(--pq-surface); white-space: nowrap; }
table.planqa-indicators td { background: var(--pq-bg); }
tr.planqa-row-fell_short td { background: var(--pq-row-short); }
td.planqa-project-cell { background: var(--pq-bg) !important; font-weight: bold; }
.planqa-reason { font-size: 0.82rem; color: var(--pq-muted); margin-top: 0.15rem; }
tr.planqa-row-fell_short .planqa-reason { color: var(--pq-text); }
.planqa-badge { display: inline-block; border-radius: 999px; padding: 0 0.5rem; font-weight: bold; white-space: nowrap; }
.planqa-badge.planqa-st-met { background: var(--pq-met-bg); color: var(--pq-met-text); }
.planqa-badge.planqa-st-fell_short { background: var(--pq-short-bg); color: var(--pq-short-text); }
.planqa-badge.planqa-st-borderline { background: var(--pq-border-bg); color: var(--pq-border-text); }
.planqa-badge.planqa-st-unclear { background: var(--pq-unclear-bg); color: var(--pq-unclear-text); }

/* project list */
.planqa-projects-bar { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem; }
.planqa-count { font-weight: bold; color: var(--pq-text); margin: 0; }
.planqa-project-list { list-style: none; margin: 0.4rem 0; padding: 0; display: flex; flex-direction: column; gap: 0.4rem; }
details.planqa-project { border: 1px solid var(--pq-border); border-radius: 8px; background: var(--pq-bg); color: var(--pq-text); }
details.planqa-project > summary { cursor: pointer; padding: 0.5rem 0.7rem; display: grid; gap: 0.15rem 1rem;
  grid-template-columns: minmax(0, 2fr) minmax(0, 2fr) minmax(0, 1.3fr); align-items: baseline; }
.planqa-project-name { font-weight: bold; color: var(--pq-link); }
.planqa-meta { font-size: 0.88rem; font-weight: normal; }
.planqa-project-status { font-size: 0.9rem; }
.planqa-detail { padding: 0 0.8rem 0.6rem; }
.planqa-detail h2 { margin: 0.8rem 0 0.2rem; }
.planqa-comment-project { border-left: 4px solid var(--pq-accent); padding: 0.1rem 0.75rem; margin: 0.5rem 0 1rem; color: var(--pq-text); }
.planqa-comment-project.planqa-no-comments { border-left-color: var(--pq-border); }
.planqa-comment-project h3 { margin: 0.2rem 0; }
.planqa-goal { margin-top: 1.2rem; color: var(--pq-text); }
.planqa-summary { margin: 0.25rem 0 0.75rem; color: var(--pq-text); }

/* chart */
.planqa-chart { margin: 0.5rem 0; color: var(--pq-text); }
.planqa-chart figcaption { font-weight: bold; font-size: 1rem; }
.planqa-chart-legend { list-style: none; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; padding: 0; margin: 0.4rem 0;
  font-size: 0.88rem; }
.planqa-swatch { display: inline-block; width: 0.9rem; height: 0.7rem; margin-right: 0.3rem; border-radius: 2px; vertical-align: baseline; }
.planqa-chart-rows { list-style: none; margin: 0; padding: 0; }
.planqa-chart-row { display: grid; grid-template-columns: minmax(0, 34%) minmax(0, 1fr) 9.5rem; gap: 0.3rem 0.8rem;
  padding: 0.45rem 0.4rem; border-bottom: 1px solid var(--pq-border); align-items: center; }
.planqa-chart-row.planqa-st-fell_short { background: var(--pq-row-short); }
.planqa-chart-label { display: flex; flex-direction: column; }
.planqa-chart-project { font-size: 0.85rem; color: var(--pq-muted); }
.planqa-chart-row.planqa-st-fell_short .planqa-chart-project { color: var(--pq-text); }
.planqa-chart-name { font-size: 0.95rem; }
/* each bar is a share of a full-width track, the same for both years of a row, so lengths are to scale */
.planqa-bar-line { display: grid; grid-template-columns: 2.2rem minmax(0, 1fr) 6.5rem; align-items: center; gap: 0.4rem;
  font-size: 0.88rem; margin: 0.1rem 0; }
.planqa-bar-track { display: block; height: 0.8rem; background: var(--pq-track); border-radius: 2px; min-width: 0; }
.planqa-bar { display: block; height: 100%; border-radius: 2px; }
.planqa-bar-base { background: var(--pq-bar-base); }
.planqa-bar-met { background: var(--pq-bar-met); }
.planqa-bar-fell_short { background: var(--pq-bar-short); }
.planqa-bar-borderline { background: var(--pq-bar-borderline); }
.planqa-bar-unclear { background: var(--pq-bar-unclear); }
.planqa-strong { font-weight: bold; }
.planqa-chart-status { display: flex; flex-direction: column; align-items: flex-start; gap: 0.15rem; font-size: 0.88rem; }

/* phone */
@media (max-width: 640px), (pointer: coarse) {
  #planqa-status .planqa-hint { display: none; }  /* no Shift key on a phone's keyboard */
}
@media (max-width: 640px) {
  .gradio-container { padding: 0 0.5rem !important; }
  #planqa-document .block-title, #planqa-document [data-testid=block-info] { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  #planqa-document { padding: 0 !important; }
  #planqa-header h1 { font-size: 1.1rem; }
  #planqa-tabs [role=tablist] button { padding: 0 10px; }
  #planqa-composer { padding-bottom: 0.2rem; }
  .planqa-lead { font-size: 0.92rem; }
  .planqa-example-groups { grid-template-columns: minmax(0, 1fr); gap: 0.4rem; }
  #planqa-header { flex-direction: column; align-items: stretch; gap: 0.2rem; }
  #planqa-header > * { width: 100%; min-width: 0 !important; }
  .planqa-example-group { display: grid; grid-auto-flow: column; grid-auto-columns: 14.5rem; grid-template-rows: auto auto;
    overflow-x: auto; gap: 0.2rem 0.4rem; padding-bottom: 0.3rem; }
  .planqa-example-group h3 { grid-row: 1; grid-column: 1; font-size: 0.88rem; margin: 0; white-space: nowrap; }
  button.planqa-ask.planqa-example { grid-row: 2; white-space: normal; }
  .planqa-q { max-width: 100%; }
  .planqa-a { padding-left: 0.6rem; }
  details.planqa-project > summary { grid-template-columns: minmax(0, 1fr); }
  .planqa-chart-row { grid-template-columns: minmax(0, 1fr); }
  .planqa-chart-status { flex-direction: row; gap: 0.6rem; align-items: center; }
  table.planqa-indicators { font-size: 0.84rem; }
}
"""


def theme():
    """The Gradio theme (imported lazily so this module stays cheap to import)."""
    import gradio as gr

    return gr.themes.Default(primary_hue="teal", secondary_hue="slate", font=FONTS, font_mono=MONO_FONTS).set(
        body_text_color_subdued="#4b5563",
        body_text_color_subdued_dark="#b9c0ca",
        input_placeholder_color="#5b6472",
        input_placeholder_color_dark="#b9c0ca",
        button_primary_background_fill="#0f766e",
        button_primary_background_fill_hover="#115e59",
        button_primary_background_fill_dark="#0f766e",
        button_primary_background_fill_hover_dark="#115e59",
        button_primary_text_color="#ffffff",
        button_primary_text_color_dark="#ffffff",
        block_label_text_color="#374151",
        block_label_text_color_dark="#d1d5db",
        block_info_text_color="#4b5563",
        block_info_text_color_dark="#b9c0ca",
        body_background_fill_dark="#0f141c",
        background_fill_primary_dark="#0f141c",
        # Gradio's own panels (selector, filters, checkbox) in the page's dark palette, not zinc grey
        background_fill_secondary_dark="#18202b",
        block_background_fill_dark="#0f141c",
        block_border_color_dark="#3a4452",
        border_color_primary_dark="#3a4452",
        border_color_accent_dark="#3a4452",
        panel_background_fill_dark="#18202b",
        input_background_fill_dark="#18202b",
        input_border_color_dark="#3a4452",
        input_border_color_focus_dark="#7ee0d3",
        checkbox_background_color_dark="#18202b",
        checkbox_border_color_dark="#8b95a5",
        checkbox_label_background_fill_dark="#18202b",
        button_secondary_background_fill_dark="#18202b",
        button_secondary_background_fill_hover_dark="#202a37",
        button_secondary_border_color_dark="#3a4452",
        button_secondary_text_color_dark="#e8ebef",
        color_accent_soft_dark="#202a37",
        table_even_background_fill_dark="#0f141c",
        table_odd_background_fill_dark="#18202b",
    )
