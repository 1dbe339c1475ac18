"""What every page of a site shares (pure): the site as pages see it, its category
tree (menu, breadcrumbs), and the chrome's words in Vietnamese and in English.

The layout follows Thông tư 22/2023/TT-BTTTT: the site's name at the top, a menu
of its information groups, search, and in the footer the facts a state agency's
site must show (Nghị định 42/2022/NĐ-CP Điều 4 khoản 1 điểm a).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contracts.content import LANGUAGES

#: Profile fields shown in the footer, in this order, when set.
FOOTER_FACTS = ("governing_body", "responsible_person", "licence", "address", "phone", "email")

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "skip": "Bỏ qua, đến nội dung chính",
        "menu": "Chuyên mục",
        "menu_nav": "Chuyên mục của trang",
        "menu_all": "Tất cả",
        "home": "Trang chủ",
        "languages": "Ngôn ngữ",
        "breadcrumb": "Đường dẫn",
        "search": "Tìm kiếm",
        "search_label": "Tìm kiếm trên trang",
        "search_button": "Tìm",
        "governing_body": "Cơ quan chủ quản",
        "responsible_person": "Người chịu trách nhiệm chính",
        "licence": "Giấy phép",
        "address": "Địa chỉ",
        "phone": "Điện thoại",
        "email": "Thư điện tử",
        "domain": "Tên miền",
        "trust": "Tín nhiệm mạng",
        "footer_links": "Liên kết",
        "rss": "Tin RSS",
        "atom": "Tin Atom",
        "saved": "Bài đã lưu",
        "sitemap": "Sơ đồ trang",
        "ethnic": "Tiếng dân tộc",
        "updated": "Cập nhật",
        "read_more": "Xem tất cả",
        "other_languages": "Ngôn ngữ khác",
        "pager": "Phân trang",
        "prev": "Trang trước",
        "next": "Trang sau",
        "page_of": "Trang {page}/{pages}",
        "no_articles": "Chưa có bài viết nào.",
    },
    "en": {
        "skip": "Skip to main content",
        "menu": "Sections",
        "menu_nav": "Sections of the site",
        "menu_all": "All",
        "home": "Home",
        "languages": "Languages",
        "breadcrumb": "Breadcrumb",
        "search": "Search",
        "search_label": "Search this site (Vietnamese)",
        "search_button": "Search",
        "governing_body": "Governing body",
        "responsible_person": "Person in charge",
        "licence": "Licence",
        "address": "Address",
        "phone": "Telephone",
        "email": "Email",
        "domain": "Domain",
        "trust": "Network trust",
        "footer_links": "Links",
        "rss": "RSS feed",
        "atom": "Atom feed",
        "saved": "Saved articles",
        "sitemap": "Sitemap",
        "ethnic": "Ethnic languages",
        "updated": "Updated",
        "read_more": "See all",
        "other_languages": "Other languages",
        "pager": "Pages",
        "prev": "Previous page",
        "next": "Next page",
        "page_of": "Page {page} of {pages}",
        "no_articles": "There are no articles yet.",
    },
}


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    parent: str | None
    position: int
    name_en: str = ""


@dataclass(frozen=True)
class MenuItem:
    slug: str
    name: str
    href: str
    #: The language of `name` when it is not the page's (a Vietnamese name on /english).
    lang: str | None = None
    children: tuple[MenuItem, ...] = ()


class Tree:
    """A site's categories as CategoryTreeUpdated carried them (two levels at most)."""

    def __init__(self, items: Sequence[Mapping[str, Any]]) -> None:
        self._by_slug: dict[str, Category] = {}
        for item in items:
            try:
                category = Category(
                    slug=str(item["slug"]),
                    name=str(item["name"]),
                    parent=item.get("parent"),
                    position=int(item.get("position", 0)),
                    name_en=str(item.get("name_en") or ""),
                )
            except (KeyError, TypeError, ValueError):
                continue  # one broken entry must not take the menu down
            self._by_slug[category.slug] = category

    def __bool__(self) -> bool:
        return bool(self._by_slug)

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def get(self, slug: str) -> Category | None:
        return self._by_slug.get(slug)

    def children(self, parent: str | None) -> list[Category]:
        found = (c for c in self._by_slug.values() if c.parent == parent)
        return sorted(found, key=lambda c: (c.position, c.slug))

    def trail(self, slug: str) -> list[Category]:
        """From the top-level category down to `slug`, both included ([] if unknown)."""
        trail: list[Category] = []
        current = self._by_slug.get(slug)
        while current is not None and current not in trail and len(trail) < 5:
            trail.insert(0, current)
            current = self._by_slug.get(current.parent) if current.parent else None
        return trail

    def subtree(self, slug: str) -> list[str]:
        """`slug` and its children: what a category page lists."""
        return [slug, *(c.slug for c in self.children(slug))]

    def name(self, slug: str, fallback: str = "", lang: str = "vi") -> str:
        category = self._by_slug.get(slug)
        if category is None:
            return fallback or slug
        if lang == "en" and category.name_en:
            return category.name_en
        return category.name

    def menu(self, lang: str = "vi") -> list[MenuItem]:
        def item(category: Category, children: tuple[MenuItem, ...] = ()) -> MenuItem:
            english = lang == "en" and bool(category.name_en)
            return MenuItem(
                slug=category.slug,
                name=category.name_en if english else category.name,
                href=f"/{category.slug}",
                lang="vi" if lang != "vi" and not english else None,
                children=children,
            )

        return [
            item(top, tuple(item(child) for child in self.children(top.slug)))
            for top in self.children(None)
        ]


@dataclass(frozen=True)
class Site:
    """A site as its pages see it."""

    slug: str
    kind: str
    name: str
    domain: str
    languages: tuple[str, ...]
    profile: Mapping[str, str] = field(default_factory=dict)
    tree: Tree = field(default_factory=lambda: Tree([]))

    @classmethod
    def of(cls, row: Any, tree: Sequence[Mapping[str, Any]] = ()) -> Site:
        profile = row.profile if isinstance(row.profile, Mapping) else {}
        return cls(
            slug=row.slug,
            kind=row.kind,
            name=row.name,
            domain=row.domain,
            languages=tuple(row.languages or ("vi",)),
            profile={k: str(v) for k, v in profile.items() if isinstance(v, str) and v.strip()},
            tree=Tree(tree),
        )

    @property
    def base(self) -> str:
        return f"https://{self.domain}"

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def name_en(self) -> str:
        return self.profile.get("name_en", "")

    @property
    def has_english(self) -> bool:
        return "en" in self.languages

    @property
    def ethnic_languages(self) -> list[str]:
        """The site's languages other than Vietnamese and English."""
        return [code for code in self.languages if code not in ("vi", "en")]

    def footer_facts(self, lang: str = "vi") -> list[tuple[str, str, str]]:
        """(field, label, value) of each legal fact the profile sets."""
        labels = LABELS[lang]
        return [(f, labels[f], self.profile[f]) for f in FOOTER_FACTS if self.profile.get(f)]


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def tel_href(phone: str) -> str:
    """tel: link of a written phone number ("(024) 3825 3536" -> "tel:02438253536")."""
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    return f"tel:{digits}" if digits else ""


@dataclass(frozen=True)
class Crumb:
    name: str
    href: str | None = None
    lang: str | None = None


def category_crumbs(site: Site, slug: str, fallback: str, lang: str = "vi") -> list[Crumb]:
    """Trang chủ › parent › category: every one a link."""
    crumbs = [Crumb(LABELS[lang]["home"], "/english" if lang == "en" else "/")]
    trail = site.tree.trail(slug)
    if not trail:
        return [*crumbs, Crumb(fallback or slug, f"/{slug}")]
    return crumbs + [Crumb(site.tree.name(c.slug, lang=lang), f"/{c.slug}") for c in trail]
