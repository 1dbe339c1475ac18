"""Each site's category tree (chuyên mục): the default tree and its editing rules, with no I/O.

A new tenant starts with a tree that has one place for every information group
the law requires a state agency's portal to publish; tenant admins then add,
rename, move and remove categories within the rules below. Every function takes
a tree (a list of `Category`) and returns a new one, or raises `TreeError` with
a message the editor reads.

Legal sources (clause references are in each category's `legal_basis`):

- Nghị định 42/2022/NĐ-CP, Điều 4 khoản 1: the information a state agency must
  provide on the network. Checked points: a) văn bản QPPL and văn bản quản lý
  hành chính, b) điều ước quốc tế, c) thủ tục hành chính, dịch vụ công trực
  tuyến, d) phổ biến, hướng dẫn pháp luật, chính sách, đ) chiến lược, quy
  hoạch, kế hoạch, e) chức năng, nhiệm vụ, cơ cấu tổ chức, đầu mối liên hệ.
  The letters of the later points could not be checked against the official
  text, so categories for them cite "Điều 4" without a point, beside the
  parallel clause of the law or of Quy chế 004 that was checked. Điều 7 khoản 2:
  what must also be in English. Nghị định 224/2026 (Điều 9), said to replace it,
  was not available; revisit the citations when it is.
- Luật Tiếp cận thông tin 2016 (Luật TCTT): Điều 17 khoản 1 is the list of
  information that must be disclosed; Điều 19 khoản 1 (a–h) is the part of it
  that must be on the portal; Điều 34 khoản 1 is the agency's duty to draw up,
  publish and keep current its Danh mục thông tin phải được công khai (điểm b)
  and its internal rules on providing information (điểm h). Nghị định 13/2018
  Điều 11 asks for an "access to information" section holding that list.
- Quy chế 004 (UBND Hà Nội, the portal regulation): Điều 4 (functions: Q&A,
  comments on draft documents, multimedia), Điều 13 khoản 1 (update deadlines
  per information group).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypedDict

from services.content.domain import slugify

CONTENT_KINDS = (
    "news",
    "direction",
    "announcement",
    "document",
    "gallery",
    "video",
    "audio",
    "infographic",
    "page",
)
TENANT_KINDS = ("city", "department", "ward", "commune", "special")

MAX_CATEGORIES = 200
MAX_DEPTH = 2
SLUG_MAX = 60  # categories.slug is String(60)
NAME_MAX = 200  # categories.name is String(200)
LEGAL_BASIS_MAX = 300  # categories.legal_basis is String(300)
DESCRIPTION_MAX = 2000

# Published articles already point at these three; they stay on every site.
PROTECTED: dict[str, str] = {
    "tin-tuc": "Tin tức",
    "chi-dao-dieu-hanh": "Chỉ đạo điều hành",
    "thong-bao": "Thông báo",
}

_SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class TreeError(ValueError):
    """The change would break a rule of the category tree; the message is for the editor."""


@dataclass(frozen=True)
class Category:
    slug: str  # unique within the tenant, ^[a-z0-9]+(-[a-z0-9]+)*$, ≤ 60 chars
    name: str  # Vietnamese, NFC, 1..200 chars
    parent: str | None  # slug of the parent, None at the top
    position: int  # order among siblings, 0-based
    kinds: tuple[str, ...]  # content types usually filed here, from CONTENT_KINDS
    legal_basis: str  # e.g. "NĐ 42/2022 Điều 4 khoản 1" or "" for tenant-made ones
    description: str = ""


# --- citations ------------------------------------------------------------------------------

_ND42 = "NĐ 42/2022 Điều 4"
_ND42_K1 = "NĐ 42/2022 Điều 4 khoản 1"
_TCTT = "Luật TCTT"
_QC = "QC 004"


# --- the default tree -----------------------------------------------------------------------

# How each level names itself where a name or description depends on it.
_LEVEL = {
    "city": ("Thành phố", "của UBND Thành phố"),
    "department": ("cơ quan", "của cơ quan"),
    "ward": ("phường", "của UBND phường"),
    "commune": ("xã", "của UBND xã"),
}

_INTRO_VI = {
    "city": "Điều kiện tự nhiên, lịch sử, truyền thống văn hóa, di tích, danh thắng của Thủ đô; "
    "tổ chức bộ máy hành chính và địa giới hành chính.",
    "department": "Quá trình hình thành và phát triển của cơ quan.",
    "ward": "Điều kiện tự nhiên, lịch sử, truyền thống văn hóa, di tích, danh thắng của phường.",
    "commune": "Điều kiện tự nhiên, lịch sử, truyền thống văn hóa, di tích, danh thắng của xã.",
}

# (slug, name, kinds, legal_basis, description, children); children have no children.
_Spec = tuple[str, str, tuple[str, ...], str, str, tuple["_Spec", ...]]

_NEWS_KINDS = ("news", "gallery", "video", "audio", "infographic")


def _full_specs(tenant_kind: str) -> tuple[_Spec, ...]:
    """The legally complete tree, phrased for the tenant's level."""
    who, of = _LEVEL[tenant_kind]
    org = f"{_ND42_K1} điểm e; {_TCTT} Điều 19 khoản 1 điểm đ"
    return (
        (
            "gioi-thieu",
            "Giới thiệu",
            ("page",),
            org,
            f"Thông tin giới thiệu {of}.",
            (
                (
                    "gioi-thieu-chung",
                    "Giới thiệu chung",
                    ("page",),
                    org,
                    _INTRO_VI[tenant_kind],
                    (),
                ),
                (
                    "co-cau-to-chuc",
                    "Cơ cấu tổ chức",
                    ("page",),
                    org,
                    f"Sơ đồ, cơ cấu tổ chức {of} và các đơn vị trực thuộc.",
                    (),
                ),
                (
                    "chuc-nang-nhiem-vu",
                    "Chức năng, nhiệm vụ",
                    ("page",),
                    org,
                    f"Chức năng, nhiệm vụ, quyền hạn {of} và các đơn vị trực thuộc.",
                    (),
                ),
                (
                    "lanh-dao",
                    f"Lãnh đạo {who}",
                    ("page",),
                    f"{_ND42_K1} điểm e; NĐ 42/2022 Điều 7 khoản 2",
                    "Họ tên, chức vụ, tiểu sử tóm tắt và nhiệm vụ đảm nhiệm của lãnh đạo.",
                    (),
                ),
                (
                    "thong-tin-lien-he",
                    "Thông tin liên hệ",
                    ("page",),
                    org,
                    f"Địa chỉ, điện thoại, thư điện tử {of}; cán bộ làm đầu mối liên hệ.",
                    (),
                ),
            ),
        ),
        (
            "tin-tuc",
            PROTECTED["tin-tuc"],
            _NEWS_KINDS,
            f"{_ND42}; {_QC} Điều 13 khoản 1 điểm a",
            f"Tin, bài về hoạt động và các vấn đề thuộc phạm vi quản lý {of}.",
            (),
        ),
        (
            "chi-dao-dieu-hanh",
            PROTECTED["chi-dao-dieu-hanh"],
            ("direction", "document", "news"),
            f"{_ND42}; {_QC} Điều 4 khoản 2 điểm a; {_QC} Điều 13 khoản 1 điểm a",
            "Ý kiến chỉ đạo, điều hành của lãnh đạo đã ban hành bằng văn bản; ý kiến xử lý, "
            "phản hồi kiến nghị của tổ chức, cá nhân.",
            (
                (
                    "lich-cong-tac",
                    "Lịch công tác",
                    ("direction", "page"),
                    f"{_ND42}; {_QC} Điều 13 khoản 1 điểm a",
                    f"Lịch làm việc của lãnh đạo {who}.",
                    (),
                ),
            ),
        ),
        (
            "thong-bao",
            PROTECTED["thong-bao"],
            ("announcement", "document"),
            f"{_TCTT} Điều 18 khoản 1 điểm a",
            f"Thông báo {of} gửi tổ chức, cá nhân.",
            (),
        ),
        (
            "van-ban",
            "Văn bản",
            ("document",),
            f"{_ND42_K1} điểm a, b; {_TCTT} Điều 19 khoản 1 điểm a; {_QC} Điều 13 khoản 1 điểm c",
            "Văn bản thuộc thẩm quyền ban hành hoặc được giao chủ trì soạn thảo.",
            (
                (
                    "van-ban-quy-pham-phap-luat",
                    "Văn bản quy phạm pháp luật",
                    ("document",),
                    f"{_ND42_K1} điểm a; {_TCTT} Điều 19 khoản 1 điểm a",
                    "Đồng bộ với Cơ sở dữ liệu quốc gia về pháp luật và Công báo.",
                    (),
                ),
                (
                    "van-ban-chi-dao-dieu-hanh",
                    "Văn bản chỉ đạo, điều hành",
                    ("document", "direction"),
                    f"{_ND42_K1} điểm a",
                    "Văn bản quản lý hành chính.",
                    (),
                ),
                (
                    "dieu-uoc-quoc-te",
                    "Điều ước, thỏa thuận quốc tế",
                    ("document",),
                    f"{_ND42_K1} điểm b; {_TCTT} Điều 19 khoản 1 điểm a",
                    "Điều ước quốc tế mà Việt Nam là thành viên, thỏa thuận quốc tế mà Việt Nam "
                    "là một bên, trong phạm vi quản lý.",
                    (),
                ),
            ),
        ),
        (
            "pho-bien-phap-luat",
            "Tuyên truyền, phổ biến pháp luật",
            ("news", "document", "infographic", "video"),
            f"{_ND42_K1} điểm d; {_TCTT} Điều 17 khoản 1 điểm b; {_TCTT} Điều 19 khoản 1 điểm b",
            "Phổ biến, hướng dẫn thực hiện pháp luật, chế độ, chính sách thuộc phạm vi quản lý.",
            (),
        ),
        (
            "thu-tuc-hanh-chinh",
            "Thủ tục hành chính, dịch vụ công",
            ("page", "document"),
            f"{_ND42_K1} điểm c; {_TCTT} Điều 19 khoản 1 điểm a",
            "Thủ tục hành chính, dịch vụ công trực tuyến, quy trình giải quyết công việc; "
            "tích hợp từ Cổng Dịch vụ công quốc gia.",
            (),
        ),
        (
            "chien-luoc-quy-hoach-ke-hoach",
            "Chiến lược, quy hoạch, kế hoạch",
            ("document", "page"),
            f"{_ND42_K1} điểm đ; {_TCTT} Điều 19 khoản 1 điểm c; {_QC} Điều 13 khoản 1 điểm d",
            "Chiến lược, chương trình, đề án, kế hoạch, quy hoạch phát triển kinh tế - xã hội; "
            "phương thức và kết quả thực hiện.",
            (
                (
                    "ke-hoach-cong-tac",
                    "Chương trình, kế hoạch công tác",
                    ("document",),
                    f"{_ND42_K1} điểm đ; {_TCTT} Điều 19 khoản 1 điểm c",
                    f"Chương trình, kế hoạch công tác hằng năm {of}.",
                    (),
                ),
            ),
        ),
        (
            "du-an-dau-tu-mua-sam-cong",
            "Dự án đầu tư, đấu thầu, mua sắm công",
            ("document", "announcement"),
            f"{_ND42_K1}; {_TCTT} Điều 19 khoản 1 điểm d; {_QC} Điều 13 khoản 1 điểm d",
            "Danh mục dự án, chương trình và kết quả thực hiện đầu tư công, đấu thầu, "
            "mua sắm công; quản lý, sử dụng vốn đầu tư công, các nguồn vốn vay.",
            (),
        ),
        (
            "cong-khai-ngan-sach",
            "Công khai ngân sách, tài chính",
            ("document",),
            f"{_ND42_K1}; {_TCTT} Điều 17 khoản 1; {_TCTT} Điều 19 khoản 1 điểm e",
            "Dự toán, tình hình thực hiện, quyết toán ngân sách; báo cáo tài chính năm.",
            (),
        ),
        (
            "chuong-trinh-de-tai-khoa-hoc",
            "Chương trình, đề tài khoa học",
            ("document", "news"),
            f"{_ND42_K1}; {_TCTT} Điều 19 khoản 1 điểm e; {_QC} Điều 13 khoản 1 điểm f",
            "Danh mục và kết quả chương trình, đề tài khoa học.",
            (),
        ),
        (
            "thong-ke",
            "Thông tin thống kê",
            ("document", "infographic"),
            f"{_ND42_K1}; {_TCTT} Điều 19 khoản 1 điểm e; {_QC} Điều 13 khoản 1 điểm g",
            "Thông tin thống kê về ngành, lĩnh vực quản lý.",
            (),
        ),
        (
            "lay-y-kien-du-thao",
            "Lấy ý kiến dự thảo văn bản",
            ("document",),
            f"{_ND42}; {_QC} Điều 4 khoản 2 điểm d; {_QC} Điều 4 khoản 3 điểm b",
            "Dự thảo văn bản quy phạm pháp luật, chủ trương, chính sách lấy ý kiến "
            "tổ chức, cá nhân.",
            (),
        ),
        (
            "hoi-dap",
            "Hỏi đáp, phản ánh kiến nghị",
            ("page",),
            f"{_QC} Điều 4 khoản 2 điểm d; {_QC} Điều 4 khoản 3 điểm a; "
            f"{_QC} Điều 13 khoản 1 điểm e",
            "Câu hỏi, phản ánh, kiến nghị của người dân, doanh nghiệp và câu trả lời.",
            (),
        ),
        (
            "tiep-can-thong-tin",
            "Tiếp cận thông tin",
            ("page", "document"),
            f"{_TCTT} Điều 34 khoản 1; NĐ 13/2018 Điều 11",
            "Chuyên mục về tiếp cận thông tin theo Luật Tiếp cận thông tin.",
            (
                (
                    "danh-muc-thong-tin-cong-khai",
                    "Danh mục thông tin phải được công khai",
                    ("document", "page"),
                    f"{_TCTT} Điều 17 khoản 1; {_TCTT} Điều 19 khoản 1 điểm g; "
                    f"{_TCTT} Điều 34 khoản 1 điểm b",
                    "Địa chỉ, hình thức, thời điểm, thời hạn công khai của từng loại thông tin.",
                    (),
                ),
                (
                    "dau-moi-cung-cap-thong-tin",
                    "Đầu mối cung cấp thông tin",
                    ("page",),
                    f"{_TCTT} Điều 19 khoản 1 điểm đ; NĐ 13/2018 Điều 11",
                    "Người làm đầu mối, địa chỉ tiếp nhận yêu cầu cung cấp thông tin; "
                    "mẫu phiếu và hướng dẫn.",
                    (),
                ),
                (
                    "quy-che-cung-cap-thong-tin",
                    "Quy chế cung cấp thông tin",
                    ("document",),
                    f"{_TCTT} Điều 34 khoản 1 điểm h",
                    f"Quy chế nội bộ về tổ chức cung cấp thông tin {of}.",
                    (),
                ),
                (
                    "thong-tin-vi-loi-ich-cong-cong",
                    "Thông tin vì lợi ích công cộng",
                    ("announcement", "document"),
                    f"{_TCTT} Điều 19 khoản 1 điểm h",
                    "Thông tin cần công khai vì lợi ích công cộng, sức khỏe của cộng đồng.",
                    (),
                ),
            ),
        ),
        (
            "da-phuong-tien",
            "Đa phương tiện",
            ("gallery", "video", "audio", "infographic"),
            f"{_QC} Điều 4 khoản 2; {_QC} Điều 4 khoản 4",
            "Ảnh, video, âm thanh, infographic.",
            (
                ("thu-vien-anh", "Thư viện ảnh", ("gallery",), f"{_QC} Điều 4 khoản 2", "", ()),
                ("video", "Video", ("video",), f"{_QC} Điều 4 khoản 2", "", ()),
                ("am-thanh", "Âm thanh", ("audio",), f"{_QC} Điều 4 khoản 2", "", ()),
                ("infographic", "Infographic", ("infographic",), f"{_QC} Điều 4 khoản 2", "", ()),
            ),
        ),
    )


def _special_specs() -> tuple[_Spec, ...]:
    """A chuyên trang (Công báo, CCHC, Đề án 06 …) is about one subject: keep it small.

    Its agency's own site carries the full set. The three protected categories stay
    because articles already filed under them must keep their place; "Văn bản" fits
    both the gazette and the reform pages.
    """
    return (
        (
            "tin-tuc",
            PROTECTED["tin-tuc"],
            _NEWS_KINDS,
            f"{_ND42}; {_QC} Điều 13 khoản 1 điểm a",
            "Tin, bài về chủ đề của chuyên trang.",
            (),
        ),
        (
            "chi-dao-dieu-hanh",
            PROTECTED["chi-dao-dieu-hanh"],
            ("direction", "document", "news"),
            f"{_ND42}; {_QC} Điều 13 khoản 1 điểm a",
            "Chỉ đạo, điều hành về chủ đề của chuyên trang.",
            (),
        ),
        (
            "thong-bao",
            PROTECTED["thong-bao"],
            ("announcement", "document"),
            f"{_TCTT} Điều 18 khoản 1 điểm a",
            "",
            (),
        ),
        (
            "van-ban",
            "Văn bản",
            ("document",),
            f"{_ND42_K1} điểm a; {_TCTT} Điều 19 khoản 1 điểm a",
            "",
            (),
        ),
    )


def default_tree(tenant_kind: str) -> list[Category]:
    """The tree a new tenant of this kind starts with (parents before their children)."""
    if tenant_kind == "special":
        specs = _special_specs()
    elif tenant_kind in _LEVEL:
        specs = _full_specs(tenant_kind)
    else:
        raise TreeError(
            f"Loại trang không hợp lệ: “{tenant_kind}” (chọn một trong: {', '.join(TENANT_KINDS)})."
        )
    tree: list[Category] = []
    for position, (slug, name, kinds, basis, description, children) in enumerate(specs):
        tree.append(Category(slug, name, None, position, kinds, basis, description))
        for child_position, (cslug, cname, ckinds, cbasis, cdescription, _) in enumerate(children):
            tree.append(Category(cslug, cname, slug, child_position, ckinds, cbasis, cdescription))
    return tree


# English edition (hanoi.gov.vn/english): names for the default slugs; tenant-made
# categories carry their own English name, if any, in storage.
ENGLISH_NAMES: dict[str, str] = {
    "gioi-thieu": "About",
    "gioi-thieu-chung": "Overview",
    "co-cau-to-chuc": "Organisational structure",
    "chuc-nang-nhiem-vu": "Functions and duties",
    "lanh-dao": "Leadership",
    "thong-tin-lien-he": "Contact",
    "tin-tuc": "News",
    "chi-dao-dieu-hanh": "Direction and administration",
    "lich-cong-tac": "Work schedule",
    "thong-bao": "Announcements",
    "van-ban": "Documents",
    "van-ban-quy-pham-phap-luat": "Legal documents",
    "van-ban-chi-dao-dieu-hanh": "Administrative documents",
    "dieu-uoc-quoc-te": "International treaties and agreements",
    "pho-bien-phap-luat": "Legal dissemination",
    "thu-tuc-hanh-chinh": "Administrative procedures and public services",
    "chien-luoc-quy-hoach-ke-hoach": "Strategies, master plans and plans",
    "ke-hoach-cong-tac": "Work programmes and plans",
    "du-an-dau-tu-mua-sam-cong": "Investment projects, bidding and public procurement",
    "cong-khai-ngan-sach": "Budget and finance disclosure",
    "chuong-trinh-de-tai-khoa-hoc": "Science programmes and projects",
    "thong-ke": "Statistics",
    "lay-y-kien-du-thao": "Consultation on draft documents",
    "hoi-dap": "Questions, feedback and petitions",
    "tiep-can-thong-tin": "Access to information",
    "danh-muc-thong-tin-cong-khai": "List of information to be disclosed",
    "dau-moi-cung-cap-thong-tin": "Information contact point",
    "quy-che-cung-cap-thong-tin": "Rules on providing information",
    "thong-tin-vi-loi-ich-cong-cong": "Information in the public interest",
    "da-phuong-tien": "Multimedia",
    "thu-vien-anh": "Photos",
    "video": "Videos",
    "am-thanh": "Audio",
    "infographic": "Infographics",
}


# --- reading a tree -------------------------------------------------------------------------


def _find(tree: Sequence[Category], slug: str) -> Category:
    for category in tree:
        if category.slug == slug:
            return category
    raise TreeError(f"Không tìm thấy chuyên mục “{slug}”.")


def children_of(tree: Sequence[Category], parent: str | None) -> list[Category]:
    """The categories directly under `parent` (None: the top level), in menu order."""
    return sorted((c for c in tree if c.parent == parent), key=lambda c: (c.position, c.slug))


class MenuNode(TypedDict):
    """One entry of a site menu, as `as_nested` returns it."""

    slug: str
    name: str
    children: list[MenuNode]


def breadcrumb(tree: Sequence[Category], slug: str) -> list[Category]:
    """The path from the top-level category down to `slug`, both included."""
    path = [_find(tree, slug)]
    while path[0].parent is not None:
        if len(path) > MAX_DEPTH:  # only an invalid tree gets here; do not loop forever
            raise TreeError(f"Cây chuyên mục bị lỗi quanh “{slug}”.")
        path.insert(0, _find(tree, path[0].parent))
    return path


def as_nested(tree: Sequence[Category]) -> list[MenuNode]:
    """[{slug, name, children: [...]}] in menu order, for rendering menus."""

    def node(category: Category) -> MenuNode:
        return {
            "slug": category.slug,
            "name": category.name,
            "children": [node(c) for c in children_of(tree, category.slug)],
        }

    return [node(c) for c in children_of(tree, None)]


# --- checking -------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """NFC (TCVN 6909), without control characters, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    return " ".join(text.split())


def _clean_name(name: str) -> str:
    name = _clean(name)
    if not name:
        raise TreeError("Tên chuyên mục không được để trống.")
    if len(name) > NAME_MAX:
        raise TreeError(f"Tên chuyên mục dài quá {NAME_MAX} ký tự.")
    return name


def _clean_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    kinds = tuple(dict.fromkeys(kinds))  # drop repeats, keep the editor's order
    unknown = [k for k in kinds if k not in CONTENT_KINDS]
    if unknown:
        raise TreeError(f"Loại nội dung không hợp lệ: {', '.join(unknown)}.")
    return kinds


def _check_slug(slug: str) -> None:
    if len(slug) > SLUG_MAX or not _SLUG_RE.fullmatch(slug):
        raise TreeError(
            f"Đường dẫn “{slug}” không hợp lệ: chỉ dùng chữ thường không dấu, chữ số và dấu "
            f"gạch ngang, không quá {SLUG_MAX} ký tự."
        )


def validate_tree(tree: Sequence[Category]) -> None:
    """Raise TreeError on the first broken rule; return None when the tree is sound."""
    if len(tree) > MAX_CATEGORIES:
        raise TreeError(f"Mỗi trang chỉ được có tối đa {MAX_CATEGORIES} chuyên mục.")
    by_slug: dict[str, Category] = {}
    for category in tree:
        _check_slug(category.slug)
        if category.slug in by_slug:
            raise TreeError(f"Đường dẫn “{category.slug}” bị trùng giữa hai chuyên mục.")
        by_slug[category.slug] = category
        if category.name != _clean_name(category.name):
            raise TreeError(f"Tên chuyên mục “{category.name}” chưa được chuẩn hóa.")
        if _clean_kinds(category.kinds) != category.kinds:
            raise TreeError(f"Loại nội dung của “{category.name}” bị lặp.")
        if len(category.legal_basis) > LEGAL_BASIS_MAX:
            raise TreeError(f"Căn cứ pháp lý của “{category.name}” quá dài.")
    for category in tree:
        if category.parent is None:
            continue
        if category.parent == category.slug:
            raise TreeError(f"Chuyên mục “{category.name}” không thể là cha của chính nó.")
        parent = by_slug.get(category.parent)
        if parent is None:
            raise TreeError(
                f"Chuyên mục “{category.name}” thuộc chuyên mục “{category.parent}” không tồn tại."
            )
        if parent.parent is not None:
            raise TreeError(
                f"Chuyên mục chỉ có tối đa {MAX_DEPTH} cấp: “{category.name}” nằm dưới "
                f"“{parent.name}” vốn đã là chuyên mục con."
            )
    for parent_slug in {None, *(c.parent for c in tree)}:
        positions = sorted(c.position for c in tree if c.parent == parent_slug)
        if positions != list(range(len(positions))):
            where = "cấp trên cùng" if parent_slug is None else f"chuyên mục “{parent_slug}”"
            raise TreeError(f"Thứ tự các chuyên mục trong {where} bị lỗi: {positions}.")


# --- editing --------------------------------------------------------------------------------


def _slug_base(name: str) -> str:
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    if not any(c.isascii() and c.isalnum() for c in folded):
        return "chuyen-muc"  # slugify would say "bai-viet", which reads wrong for a category
    return slugify(name, max_length=SLUG_MAX)


def _unique(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1


def _renumber(tree: list[Category], parent: str | None) -> list[Category]:
    """Positions 0..n-1 among the children of `parent`, keeping their order."""
    new_position = {c.slug: i for i, c in enumerate(children_of(tree, parent))}
    return [
        replace(c, position=new_position[c.slug])
        if c.slug in new_position and c.position != new_position[c.slug]
        else c
        for c in tree
    ]


def _check_parent(tree: Sequence[Category], parent: str | None) -> None:
    if parent is None:
        return
    found = next((c for c in tree if c.slug == parent), None)
    if found is None:
        raise TreeError(f"Không tìm thấy chuyên mục cha “{parent}”.")
    if found.parent is not None:
        raise TreeError(
            f"Chuyên mục chỉ có tối đa {MAX_DEPTH} cấp: “{found.name}” đã là chuyên mục con "
            f"nên không thể chứa chuyên mục khác."
        )


def add_category(
    tree: Sequence[Category],
    *,
    name: str,
    parent: str | None = None,
    slug: str | None = None,
    kinds: Iterable[str] = (),
    description: str = "",
) -> tuple[list[Category], Category]:
    """A new category at the end of its siblings; its slug comes from the name unless given."""
    if len(tree) >= MAX_CATEGORIES:
        raise TreeError(f"Mỗi trang chỉ được có tối đa {MAX_CATEGORIES} chuyên mục.")
    name = _clean_name(name)
    _check_parent(tree, parent)
    taken = {c.slug for c in tree}
    if slug is None:
        slug = _unique(_slug_base(name), taken)
    else:
        _check_slug(slug)
        if slug in taken:
            # The editor asked for this exact address; changing it quietly would surprise them.
            raise TreeError(
                f"Đường dẫn “{slug}” đã được dùng cho chuyên mục “{_find(tree, slug).name}”."
            )
    description = unicodedata.normalize("NFC", description).strip()
    if len(description) > DESCRIPTION_MAX:
        raise TreeError(f"Mô tả chuyên mục dài quá {DESCRIPTION_MAX} ký tự.")
    category = Category(
        slug=slug,
        name=name,
        parent=parent,
        position=len(children_of(tree, parent)),
        kinds=_clean_kinds(kinds),
        legal_basis="",
        description=description,
    )
    return [*tree, category], category


def rename_category(tree: Sequence[Category], slug: str, name: str) -> list[Category]:
    """A new name; the slug stays, so addresses already shared keep working."""
    _find(tree, slug)
    name = _clean_name(name)
    return [replace(c, name=name) if c.slug == slug else c for c in tree]


def move_category(
    tree: Sequence[Category], slug: str, *, parent: str | None, position: int
) -> list[Category]:
    """Put `slug` under `parent` (None: top level) at `position` among its new siblings."""
    moving = _find(tree, slug)
    if parent == slug:
        raise TreeError(f"Không thể chuyển chuyên mục “{moving.name}” vào chính nó.")
    if parent is not None:
        target = _find(tree, parent)
        if target.parent == slug:
            raise TreeError(
                f"Không thể chuyển chuyên mục “{moving.name}” vào “{target.name}”, "
                f"vốn là chuyên mục con của nó."
            )
        _check_parent(tree, parent)
        if children_of(tree, slug):
            raise TreeError(
                f"Chuyên mục chỉ có tối đa {MAX_DEPTH} cấp: “{moving.name}” đang có chuyên mục "
                f"con nên chỉ có thể nằm ở cấp trên cùng."
            )
    siblings = [c for c in children_of(tree, parent) if c.slug != slug]
    if not 0 <= position <= len(siblings):
        raise TreeError(f"Vị trí phải nằm trong khoảng từ 0 đến {len(siblings)}.")
    order = [c.slug for c in siblings]
    order.insert(position, slug)
    new_position = {s: i for i, s in enumerate(order)}
    moved = [
        replace(c, parent=parent, position=new_position[c.slug])
        if c.slug == slug
        else replace(c, position=new_position[c.slug])
        if c.slug in new_position
        else c
        for c in tree
    ]
    return _renumber(moved, moving.parent)  # close the gap it left behind


def remove_category(tree: Sequence[Category], slug: str, *, article_count: int) -> list[Category]:
    """Remove an empty category with no children; the three protected ones never go."""
    category = _find(tree, slug)
    if slug in PROTECTED:
        raise TreeError(
            f"Không thể xóa chuyên mục “{category.name}”: đây là chuyên mục bắt buộc của mọi trang."
        )
    children = children_of(tree, slug)
    if children:
        raise TreeError(
            f"Không thể xóa chuyên mục “{category.name}” vì còn {len(children)} chuyên mục con. "
            f"Hãy chuyển hoặc xóa các chuyên mục con trước."
        )
    if article_count < 0:
        raise TreeError("Số bài viết không hợp lệ.")
    if article_count > 0:
        raise TreeError(
            f"Không thể xóa chuyên mục “{category.name}” vì còn {article_count} bài viết. "
            f"Hãy chuyển các bài viết sang chuyên mục khác trước."
        )
    return _renumber([c for c in tree if c.slug != slug], category.parent)
