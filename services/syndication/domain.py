"""Rules of syndication with no I/O: who may send an article to which sites, which
category a copy goes under, where it lives, and when a publication's copies are all
confirmed (Quy chế 004 Điều 12; plan 000 II.4).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runtime.auth import Principal, Role


class SyndicationError(ValueError):
    """A request the rules refuse; the message is for the editor (Vietnamese)."""


class Forbidden(SyndicationError):
    pass


#: Copy ids are derived, so the same article on the same site is always the same copy.
_NAMESPACE = uuid.UUID("3b0f3f0e-6f1c-4f5e-9a43-5d1c2f7a8e10")

#: What the target kinds are called on the editors' screens.
KIND_LABELS_VI = {
    "department": "Sở, ban, ngành",
    "ward": "Phường",
    "commune": "Xã",
    "special": "Trang chuyên đề",
}

#: A copy's status in the editors' words.
COPY_STATUS_VI = {
    "pending": "Chờ Ban Biên tập Cổng duyệt",
    "live": "Đang hiển thị",
    "declined": "Trang nhận đã từ chối",
    "withdrawn": "Đã gỡ",
    "rejected": "Ban Biên tập Cổng không duyệt",
}

#: Why a copy was taken off its site.
REASON_VI = {
    "declined": "Ban Biên tập trang nhận từ chối đăng lại",
    "origin_withdrawn": "Bài gốc đã bị gỡ",
    "stopped": "Trang gốc dừng đăng lại",
}

PROPOSAL_STATUS_VI = {
    "pending": "Chờ duyệt",
    "approved": "Đã đăng trên Cổng",
    "rejected": "Không duyệt",
    "withdrawn": "Bài gốc đã gỡ",
}

MAX_TARGETS = 200
MAX_REASON = 2000


@dataclass(frozen=True)
class Site:
    slug: str
    kind: str
    name: str
    domain: str
    parent: str | None
    active: bool


def copy_id(article_id: str, tenant: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{article_id}/{tenant}"))


def copy_path(category: str, slug: str, copy: str) -> str:
    """Where a copy lives on its site: under its category, the origin's slug with a
    short suffix of the copy id, so it never takes the address of the site's own article."""
    return f"/{category}/{slug[:80]}-{copy.replace('-', '')[:6]}"


def check_may_crosspost(by: Principal, origin: Site | None) -> Site:
    """Only the city's editorial board sends its articles to the component sites."""
    if origin is None or not origin.active:
        raise SyndicationError("Không tìm thấy trang gốc của bài.")
    if origin.kind != "city":
        raise Forbidden(
            "Chỉ Cổng Thông tin điện tử thành phố đăng lại bài xuống các trang thành phần "
            "(Điều 12.1.b Quy chế); trang thành phần đề xuất bài lên Cổng (Điều 12.1.a)."
        )
    if not by.has(origin.slug, Role.board_member):
        raise Forbidden(
            f"Tài khoản {by.username} cần quyền Thành viên Ban Biên tập trên trang "
            f"{origin.slug} để đăng lại bài."
        )
    return origin


def resolve_targets(selector: Mapping[str, Any], sites: Iterable[Site], origin: Site) -> list[Site]:
    """The component sites a selector names: {"all": true}, {"kinds": [...]} or
    {"sites": [...]}. Only active sites whose parent is the origin; a site named that
    is not one of them is an error, not silently dropped."""
    components = {s.slug: s for s in sites if s.parent == origin.slug and s.active}
    keys = [k for k in ("all", "kinds", "sites") if selector.get(k)]
    if len(keys) != 1:
        raise SyndicationError(
            "Chọn đúng một cách chọn trang nhận: tất cả, theo loại trang, hoặc danh sách trang."
        )
    if keys[0] == "all":
        chosen = list(components.values())
    elif keys[0] == "kinds":
        kinds = set(selector["kinds"])
        unknown = sorted(kinds - set(KIND_LABELS_VI))
        if unknown:
            raise SyndicationError(f"Loại trang không có: {', '.join(unknown)}.")
        chosen = [s for s in components.values() if s.kind in kinds]
    else:
        wanted = list(dict.fromkeys(selector["sites"]))
        missing = [slug for slug in wanted if slug not in components]
        if missing:
            raise SyndicationError(
                "Không phải trang thành phần đang hoạt động của Cổng: "
                + ", ".join(missing[:10])
                + ("…" if len(missing) > 10 else "")
                + "."
            )
        chosen = [components[slug] for slug in wanted]
    if not chosen:
        raise SyndicationError("Không có trang nhận nào khớp lựa chọn.")
    if len(chosen) > MAX_TARGETS:
        raise SyndicationError(f"Mỗi lần đăng lại tối đa {MAX_TARGETS} trang.")
    return sorted(chosen, key=lambda s: s.slug)


def pick_category(
    tree: Sequence[Mapping[str, Any]], wanted: str | None, origin_category: str
) -> tuple[str, str]:
    """A copy's category on its site: the one asked for if the site has it, else the
    origin's if the site has one of that slug, else the site's first top category."""
    by_slug = {c["slug"]: c for c in tree}
    for slug in (wanted, origin_category):
        if slug and slug in by_slug:
            return slug, str(by_slug[slug]["name"])
    roots = sorted(
        (c for c in tree if not c.get("parent")), key=lambda c: int(c.get("position", 0))
    )
    if roots:
        return str(roots[0]["slug"]), str(roots[0]["name"])
    return "tin-tuc", "Tin tức"


def check_may_decide_copy(by: Principal, tenant: str) -> None:
    """A target site's board decides on what stands on its site."""
    if not by.has(tenant, Role.board_member):
        raise Forbidden(
            f"Tài khoản {by.username} cần quyền Thành viên Ban Biên tập trên trang {tenant}."
        )


def decline(status: str) -> str:
    if status == "declined":
        raise SyndicationError("Trang đã từ chối bài này rồi.")
    if status != "live":
        raise SyndicationError("Chỉ từ chối được bài đăng lại đang hiển thị trên trang.")
    return "declined"


def check_may_propose(by: Principal, origin: Site | None, city: Site | None) -> Site:
    """A component site's board proposes its articles to the portal it belongs to."""
    if origin is None or not origin.active:
        raise SyndicationError("Không tìm thấy trang của bài.")
    if not by.has(origin.slug, Role.board_member):
        raise Forbidden(
            f"Tài khoản {by.username} cần quyền Thành viên Ban Biên tập trên trang "
            f"{origin.slug} để đề xuất bài."
        )
    if origin.parent is None or city is None or city.slug != origin.parent:
        raise SyndicationError("Trang này không phải trang thành phần của Cổng.")
    return city


def revived_after_republication(status: str, reason: str) -> bool:
    """A copy taken off because its origin was withdrawn comes back when the origin is
    published again; one its site declined, or a stopped cross-post, does not."""
    return status == "withdrawn" and reason == "origin_withdrawn"


def all_confirmed(copies: Iterable[Mapping[str, Any]], origin_sequence: int) -> bool:
    """Every copy that shows (or was taken off at) this publication confirmed it."""
    relevant = [c for c in copies if c["origin_sequence"] == origin_sequence]
    return all((c["confirmed_sequence"] or 0) >= c["sequence"] for c in relevant)
