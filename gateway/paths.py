"""What the gateway makes of a request line before anything is proxied or cached
(pure): paths that could climb out of their prefix are refused, internal endpoints are
not public, and a page's cache key holds only the query fields pages read.

uvicorn percent-decodes the path, so `/media/%2e%2e/metrics` arrives as
`/media/../metrics`; an HTTP client normalises that to `/metrics` on the way to the
service, so a dot segment would reach whatever the prefix was meant to fence off.
Nothing on the portal has a dot segment, an encoded slash or a backslash in its path:
such requests are refused (400), not normalised and guessed at.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode

#: Endpoints of every service that are for the cluster (probes, Prometheus, OpenAPI),
#: never for a citizen's browser.
INTERNAL_PREFIXES = ("/metrics", "/readyz", "/healthz", "/schema")
#: Raw-path escapes that would change the path's structure once decoded.
_STRUCTURAL_ESCAPES = re.compile(rb"%(2f|5c|00|2e)", re.IGNORECASE)

BAD_PATH = "Yêu cầu không hợp lệ: đường dẫn có thành phần không được phép."

#: Every query field a cached page reads (renderer, search and feedback pages); the
#: rest (utm_*, fbclid, cache busters) neither change the page nor make a new entry.
PAGE_QUERY_FIELDS = frozenset(
    {
        # renderer: paging, the documents filters, the asset version
        "trang", "nam", "hieu-luc", "loai", "co-quan", "linh-vuc", "v",
        # search
        "q", "pham-vi", "chuyen-muc", "trang-web", "tu", "den",
        # feedback: the look-up code, the rating's unit
        "ma", "muc",
    }
)  # fmt: skip
MAX_QUERY_BYTES = 2048
MAX_FIELDS = 20


def path_problem(path: str, raw_path: bytes) -> str | None:
    """Why this path is refused, or None. `path` is decoded, `raw_path` as sent."""
    if "\\" in path or "\x00" in path:
        return BAD_PATH
    if any(segment in (".", "..") for segment in path.split("/")):
        return BAD_PATH
    # A %2e that decodes into a dot segment is caught above; one inside a name
    # (`file%2ename`) is harmless, but encoded slashes and NULs never are.
    for match in _STRUCTURAL_ESCAPES.finditer(raw_path):
        if match.group(1).lower() != b"2e":
            return BAD_PATH
    return None


def is_internal(path: str) -> bool:
    """Paths a service answers for the cluster only (see INTERNAL_PREFIXES)."""
    return any(
        path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + "?")
        for prefix in INTERNAL_PREFIXES
    )


def page_query(raw: bytes) -> str | None:
    """The query a page is rendered from and cached under: the fields pages read,
    the first of each, in name order. None when the query is malformed (too long,
    too many fields, not UTF-8): the page refuses it with its own message, and such
    an answer is not cached."""
    if len(raw) > MAX_QUERY_BYTES:
        return None
    try:
        pairs = parse_qsl(
            raw.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeError, ValueError):
        return None
    kept: dict[str, str] = {}
    for name, value in pairs:
        if name in PAGE_QUERY_FIELDS:
            kept.setdefault(name, value)
    return urlencode(sorted(kept.items()), quote_via=quote)


def page_path(path: str) -> str:
    """The decoded path, encoded again one way: `/tin%2Dtuc` and `/tin-tuc` are one page."""
    return quote(path, safe="/-._~!$&'()*+,;=:@")
