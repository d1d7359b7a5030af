"""The served page's head: a Japanese title, description and link-preview tags, and lang="ja".

Gradio serves one HTML template for every app, with ``lang="en"`` and link-preview tags that
say "Gradio" and "Click to try out the app!" (what LINE or a mail client shows when a parent
shares the link). Its ``head=`` option only adds tags after the page's script runs, which link
previews never do. So the template itself is rewritten once, from Gradio's own file: the
``<html>`` element says ``lang="ja"``, Gradio's preview tags and external image are dropped, and
the page's own title, description and Open Graph tags take their place.
"""
from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.types import DocumentRef
from ui import strings as S

log = logging.getLogger(__name__)

TEMPLATE = "frontend/index.html"
_PREVIEW_META = re.compile(r'\s*<meta\s+(?:property="og:[^"]*"|name="twitter:[^"]*")[^>]*?/?>', re.S)
_HTML_LANG = re.compile(r'(<html\b[^>]*?)\blang="[^"]*"', re.S)
_HEAD_END = "</head>"


@dataclass(frozen=True)
class PageHead:
    title: str
    description: str

    def tags(self) -> str:
        t, d = html.escape(self.title, quote=True), html.escape(self.description, quote=True)
        return (
            f"<title>{t}</title>"
            f'<meta name="description" content="{d}">'
            f'<meta property="og:title" content="{t}">'
            f'<meta property="og:description" content="{d}">'
            '<meta property="og:type" content="website">'
            '<meta property="og:locale" content="ja_JP">'
            f'<meta property="og:site_name" content="{html.escape(S.TITLE, quote=True)}">'
            '<meta name="twitter:card" content="summary">'
        )


def page_head(documents: Sequence[DocumentRef]) -> PageHead:
    """Title and description naming the loaded documents."""
    labels = [d.label for d in documents]
    if not labels:
        return PageHead(S.TITLE, S.PAGE_DESCRIPTION.format(documents="計画資料"))
    named = "・".join(f"「{label}」" for label in labels[:3]) + (f"ほか{len(labels) - 3}件" if len(labels) > 3 else "")
    title = f"{S.TITLE}｜{labels[0]}" + (f"ほか{len(labels) - 1}件" if len(labels) > 1 else "")
    return PageHead(title, S.PAGE_DESCRIPTION.format(documents=named))


def rewrite(template: str, head: PageHead) -> str:
    """Gradio's index template with lang="ja", its preview tags removed and ``head``'s added.

    Raises ValueError when the template no longer has the parts rewritten here.
    """
    if not _HTML_LANG.search(template) or _HEAD_END not in template:
        raise ValueError("Gradio's index template has no <html lang> or </head>")
    out = _HTML_LANG.sub(r'\1lang="ja"', template, count=1)
    out = _PREVIEW_META.sub("", out)
    # the added text is literal for Jinja too (a title with "{{" must not become an expression)
    return out.replace(_HEAD_END, "{% raw %}" + head.tags() + "{% endraw %}" + _HEAD_END, 1)


_loader = None


def install(head: PageHead) -> bool:
    """Serve Gradio's page with ``head`` from now on (in this process); False when not possible."""
    global _loader
    try:
        from jinja2 import ChoiceLoader, DictLoader, TemplateNotFound

        from gradio.routes import templates
    except ImportError:  # another Gradio layout: the page keeps Gradio's head
        log.warning("page head not installed: Gradio's templates are not where expected")
        return False
    try:
        if _loader is None:
            original = templates.env.loader
            source = original.get_source(templates.env, TEMPLATE)[0]
            _loader = (DictLoader({}), source)
            templates.env.loader = ChoiceLoader([_loader[0], original])
        _loader[0].mapping[TEMPLATE] = rewrite(_loader[1], head)
    except (ValueError, OSError, AttributeError, TemplateNotFound) as e:
        log.warning("page head not installed: %s", e)
        return False
    return True


__all__ = ["PageHead", "install", "page_head", "rewrite"]
