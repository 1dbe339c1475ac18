"""The one HTML policy: what body markup the platform stores and serves."""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}


def sanitize_html(html: str) -> str:
    """Body HTML safe to show: no scripts, no event handlers, no javascript: URLs."""
    return nh3.clean(
        unicodedata.normalize("NFC", html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


_TAG = re.compile(r"<[^>]*>")
_BLOCK = re.compile(r"</?(p|div|li|h[1-6]|br|tr|td|th|blockquote|section)\b[^>]*>", re.I)


def plain_text(markup: str) -> str:
    """Readable text of sanitised HTML: block tags become spaces, entities decoded."""
    text = _TAG.sub("", _BLOCK.sub(" ", markup))
    return " ".join(html.unescape(text).split())
