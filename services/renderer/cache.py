"""The cache contract with the gateway (pure).

Every public page says how long a shared cache may keep it (`s-maxage`; browsers
revalidate every time) and which surrogate keys it carries. When the read model
changes, the handlers emit `PagesChanged` with keys, and the gateway drops every
cached page carrying one of them. A page carries:

- `site:<tenant>` always (the menu, the footer, the site's name are on every page);
- `article:<id>` for each article it shows (on lists: each listed one);
- `list:<tenant>` on the site-wide lists (home, /english, /dan-toc, /van-ban, the
  site's RSS and sitemap) and on 404s, since a page may appear there later;
- `category:<tenant>:<slug>` on a category's page and feed;
- `sitemaps` on the city's sitemap index;
- `components` on the city's pages that show its component sites (the directory
  /trang-thanh-phan, and the home page's news from the component sites): a component's
  news, or a site's name, address or state, changes them.

Search results, the reader's saved list and the editors' preview are never stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from litestar import Response

PUBLIC = "public, max-age=0, s-maxage=300"
NO_STORE = "no-store"
SITEMAPS = "sitemaps"
COMPONENTS = "components"


def site_key(tenant: str) -> str:
    return f"site:{tenant}"


def list_key(tenant: str) -> str:
    return f"list:{tenant}"


def article_key(article_id: str) -> str:
    return f"article:{article_id}"


def category_key(tenant: str, slug: str) -> str:
    return f"category:{tenant}:{slug}"


def keys(tenant: str, *more: str | Iterable[str]) -> list[str]:
    """`site:<tenant>` first, then the others in order, without repeats."""
    out: dict[str, None] = {site_key(tenant): None}
    for item in more:
        for key in [item] if isinstance(item, str) else item:
            out[key] = None
    return list(out)


def article_keys(rows: Iterable[object]) -> list[str]:
    """`article:<id>` of each row (anything with an `article_id`)."""
    return [article_key(str(row.article_id)) for row in rows]  # type: ignore[attr-defined]


def public(response: Response[str], surrogate_keys: Iterable[str]) -> Response[str]:
    response.headers["cache-control"] = PUBLIC
    response.headers["surrogate-key"] = " ".join(surrogate_keys)
    return response


def private(response: Response[str]) -> Response[str]:
    response.headers["cache-control"] = NO_STORE
    response.headers.pop("surrogate-key", None)
    return response
