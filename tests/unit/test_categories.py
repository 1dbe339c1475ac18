"""Category trees: the default tree per tenant kind, its legal coverage, and the editing rules."""

from __future__ import annotations

import re
import unicodedata

import pytest

from services.content.categories import (
    CONTENT_KINDS,
    ENGLISH_NAMES,
    MAX_CATEGORIES,
    TENANT_KINDS,
    Category,
    TreeError,
    add_category,
    as_nested,
    breadcrumb,
    default_tree,
    move_category,
    remove_category,
    rename_category,
    validate_tree,
)

FULL_KINDS = ("city", "department", "ward", "commune")
PROTECTED = {
    "tin-tuc": "Tin tức",
    "chi-dao-dieu-hanh": "Chỉ đạo điều hành",
    "thong-bao": "Thông báo",
}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Every information group of NĐ 42/2022 Điều 4 has a home; drop one and this fails.
# Points a–e were checked against published text; later groups cite the article only.
ND42_ARTICLE4 = [
    ("van-ban-quy-pham-phap-luat", "NĐ 42/2022 Điều 4 khoản 1 điểm a"),
    ("van-ban-chi-dao-dieu-hanh", "NĐ 42/2022 Điều 4 khoản 1 điểm a"),
    ("dieu-uoc-quoc-te", "NĐ 42/2022 Điều 4 khoản 1 điểm b"),
    ("thu-tuc-hanh-chinh", "NĐ 42/2022 Điều 4 khoản 1 điểm c"),
    ("pho-bien-phap-luat", "NĐ 42/2022 Điều 4 khoản 1 điểm d"),
    ("chien-luoc-quy-hoach-ke-hoach", "NĐ 42/2022 Điều 4 khoản 1 điểm đ"),
    ("ke-hoach-cong-tac", "NĐ 42/2022 Điều 4 khoản 1 điểm đ"),
    ("gioi-thieu-chung", "NĐ 42/2022 Điều 4 khoản 1 điểm e"),
    ("co-cau-to-chuc", "NĐ 42/2022 Điều 4 khoản 1 điểm e"),
    ("chuc-nang-nhiem-vu", "NĐ 42/2022 Điều 4 khoản 1 điểm e"),
    ("lanh-dao", "NĐ 42/2022 Điều 4 khoản 1 điểm e"),
    ("thong-tin-lien-he", "NĐ 42/2022 Điều 4 khoản 1 điểm e"),
    ("tin-tuc", "NĐ 42/2022 Điều 4"),
    ("chi-dao-dieu-hanh", "NĐ 42/2022 Điều 4"),
    ("du-an-dau-tu-mua-sam-cong", "NĐ 42/2022 Điều 4 khoản 1"),
    ("cong-khai-ngan-sach", "NĐ 42/2022 Điều 4 khoản 1"),
    ("chuong-trinh-de-tai-khoa-hoc", "NĐ 42/2022 Điều 4 khoản 1"),
    ("thong-ke", "NĐ 42/2022 Điều 4 khoản 1"),
    ("lay-y-kien-du-thao", "NĐ 42/2022 Điều 4"),
]

# Luật Tiếp cận thông tin: what Điều 19 khoản 1 puts on the portal (points a–h), and the
# Điều 34 duties that need a place (the published list, the internal rules).
ACCESS_TO_INFORMATION = [
    ("van-ban-quy-pham-phap-luat", "Luật TCTT Điều 19 khoản 1 điểm a"),
    ("thu-tuc-hanh-chinh", "Luật TCTT Điều 19 khoản 1 điểm a"),
    ("pho-bien-phap-luat", "Luật TCTT Điều 19 khoản 1 điểm b"),
    ("chien-luoc-quy-hoach-ke-hoach", "Luật TCTT Điều 19 khoản 1 điểm c"),
    ("du-an-dau-tu-mua-sam-cong", "Luật TCTT Điều 19 khoản 1 điểm d"),
    ("co-cau-to-chuc", "Luật TCTT Điều 19 khoản 1 điểm đ"),
    ("dau-moi-cung-cap-thong-tin", "Luật TCTT Điều 19 khoản 1 điểm đ"),
    ("cong-khai-ngan-sach", "Luật TCTT Điều 19 khoản 1 điểm e"),
    ("thong-ke", "Luật TCTT Điều 19 khoản 1 điểm e"),
    ("chuong-trinh-de-tai-khoa-hoc", "Luật TCTT Điều 19 khoản 1 điểm e"),
    ("danh-muc-thong-tin-cong-khai", "Luật TCTT Điều 19 khoản 1 điểm g"),
    ("thong-tin-vi-loi-ich-cong-cong", "Luật TCTT Điều 19 khoản 1 điểm h"),
    ("danh-muc-thong-tin-cong-khai", "Luật TCTT Điều 34 khoản 1 điểm b"),
    ("quy-che-cung-cap-thong-tin", "Luật TCTT Điều 34 khoản 1 điểm h"),
    ("danh-muc-thong-tin-cong-khai", "Luật TCTT Điều 17 khoản 1"),
]

# Quy chế 004's own groups: the Q&A channel and the comments on drafts.
QUY_CHE_004 = [
    ("hoi-dap", "QC 004 Điều 4 khoản 3 điểm a"),
    ("hoi-dap", "QC 004 Điều 13 khoản 1 điểm e"),
    ("lay-y-kien-du-thao", "QC 004 Điều 4 khoản 3 điểm b"),
]


def by_slug(tree: list[Category]) -> dict[str, Category]:
    return {c.slug: c for c in tree}


def citations(category: Category) -> list[str]:
    return category.legal_basis.split("; ")


def small_tree() -> list[Category]:
    """a (a1, a2), b, c — enough to move things around."""
    return [
        Category("a", "A", None, 0, (), ""),
        Category("a1", "A1", "a", 0, (), ""),
        Category("a2", "A2", "a", 1, (), ""),
        Category("b", "B", None, 1, (), ""),
        Category("c", "C", None, 2, (), ""),
    ]


# --- the default tree -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", TENANT_KINDS)
def test_default_tree_validates(kind: str) -> None:
    validate_tree(default_tree(kind))


@pytest.mark.parametrize("kind", TENANT_KINDS)
def test_default_tree_keeps_the_three_published_categories(kind: str) -> None:
    tree = by_slug(default_tree(kind))
    for slug, name in PROTECTED.items():
        assert tree[slug].name == name
        assert tree[slug].parent is None


@pytest.mark.parametrize("kind", FULL_KINDS)
@pytest.mark.parametrize(("slug", "citation"), ND42_ARTICLE4)
def test_default_tree_covers_nd42_article4(kind: str, slug: str, citation: str) -> None:
    assert citation in citations(by_slug(default_tree(kind))[slug])


@pytest.mark.parametrize("kind", FULL_KINDS)
@pytest.mark.parametrize(("slug", "citation"), ACCESS_TO_INFORMATION + QUY_CHE_004)
def test_default_tree_covers_access_to_information_and_quy_che(
    kind: str, slug: str, citation: str
) -> None:
    assert citation in citations(by_slug(default_tree(kind))[slug])


@pytest.mark.parametrize("kind", FULL_KINDS)
def test_full_trees_have_10_to_20_top_level_groups(kind: str) -> None:
    top = [c for c in default_tree(kind) if c.parent is None]
    assert 10 <= len(top) <= 20


def test_wards_and_communes_get_the_same_groups_phrased_for_their_level() -> None:
    city, ward, commune = (by_slug(default_tree(k)) for k in ("city", "ward", "commune"))
    assert set(ward) == set(city) == set(commune)
    assert ward["lanh-dao"].name == "Lãnh đạo phường"
    assert commune["lanh-dao"].name == "Lãnh đạo xã"
    assert "phường" in ward["co-cau-to-chuc"].description
    assert "xã" in commune["gioi-thieu-chung"].description


def test_special_sites_get_a_minimal_tree() -> None:
    tree = default_tree("special")
    assert [c.slug for c in tree] == ["tin-tuc", "chi-dao-dieu-hanh", "thong-bao", "van-ban"]


@pytest.mark.parametrize("kind", TENANT_KINDS)
def test_default_slugs_are_ascii_names_nfc_and_everything_fits_its_column(kind: str) -> None:
    for c in default_tree(kind):
        assert SLUG.fullmatch(c.slug), c.slug
        assert len(c.slug) <= 60
        assert c.name == unicodedata.normalize("NFC", c.name)
        assert 1 <= len(c.name) <= 200
        assert c.description == unicodedata.normalize("NFC", c.description)
        assert c.legal_basis, c.slug  # every default category says why it is there
        assert len(c.legal_basis) <= 300
        assert c.kinds
        assert set(c.kinds) <= set(CONTENT_KINDS)


@pytest.mark.parametrize("kind", TENANT_KINDS)
def test_every_default_slug_has_an_english_name(kind: str) -> None:
    for c in default_tree(kind):
        assert ENGLISH_NAMES.get(c.slug, "").strip(), c.slug
        assert ENGLISH_NAMES[c.slug].isascii()


def test_unknown_tenant_kind_is_refused() -> None:
    with pytest.raises(TreeError, match="Loại trang không hợp lệ"):
        default_tree("district")


# --- adding ---------------------------------------------------------------------------------


def test_add_makes_the_slug_from_a_clean_nfc_name_and_appends() -> None:
    tree = default_tree("ward")
    decomposed = unicodedata.normalize("NFD", "  Đường   phố\tvăn minh ")
    new_tree, cat = add_category(tree, name=decomposed, parent="tin-tuc", kinds=["news", "news"])
    assert cat.name == "Đường phố văn minh"
    assert cat.name == unicodedata.normalize("NFC", cat.name)
    assert cat.slug == "duong-pho-van-minh"
    assert cat.parent == "tin-tuc"
    assert cat.position == 0  # tin-tuc had no children
    assert cat.kinds == ("news",)
    assert cat.legal_basis == ""
    assert new_tree[-1] == cat
    assert len(new_tree) == len(tree) + 1
    validate_tree(new_tree)


def test_add_goes_after_its_existing_siblings() -> None:
    tree = default_tree("city")
    top = sum(1 for c in tree if c.parent is None)
    _, cat = add_category(tree, name="Chuyển đổi số")
    assert cat.position == top
    assert cat.parent is None


def test_duplicate_names_get_numbered_slugs() -> None:
    tree = default_tree("commune")
    tree, first = add_category(tree, name="Tin tức")
    tree, second = add_category(tree, name="Tin tức")
    assert (first.slug, second.slug) == ("tin-tuc-2", "tin-tuc-3")
    validate_tree(tree)


def test_add_leaves_the_input_tree_alone() -> None:
    tree = small_tree()
    before = list(tree)
    add_category(tree, name="D")
    assert tree == before


def test_a_name_without_latin_letters_still_gets_a_slug() -> None:
    _, cat = add_category(small_tree(), name="中文")
    assert cat.slug == "chuyen-muc"


def test_long_names_give_slugs_within_60_characters_even_numbered() -> None:
    name = "Thông tin về " + "quy hoạch phát triển kinh tế xã hội " * 4
    tree, first = add_category(small_tree(), name=name)
    _, second = add_category(tree, name=name)
    assert len(first.slug) <= 60
    assert len(second.slug) <= 60
    assert second.slug.endswith("-2")
    assert SLUG.fullmatch(second.slug)


def test_an_explicit_slug_is_used_as_given() -> None:
    _, cat = add_category(small_tree(), name="Dự án 06", slug="de-an-06")
    assert cat.slug == "de-an-06"


def test_an_explicit_slug_already_in_use_is_refused() -> None:
    with pytest.raises(TreeError, match="“b” đã được dùng cho chuyên mục “B”"):
        add_category(small_tree(), name="Bê", slug="b")


@pytest.mark.parametrize("slug", ["Tin-Tuc", "tin tức", "-tin", "tin--tuc", "a" * 61])
def test_an_invalid_explicit_slug_is_refused(slug: str) -> None:
    with pytest.raises(TreeError, match="không hợp lệ"):
        add_category(small_tree(), name="X", slug=slug)


def test_adding_under_a_missing_parent_is_refused() -> None:
    with pytest.raises(TreeError, match="Không tìm thấy chuyên mục cha “zzz”"):
        add_category(small_tree(), name="X", parent="zzz")


def test_a_third_level_is_refused() -> None:
    with pytest.raises(TreeError, match="tối đa 2 cấp: “A1” đã là chuyên mục con"):
        add_category(small_tree(), name="X", parent="a1")


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_an_empty_name_is_refused(name: str) -> None:
    with pytest.raises(TreeError, match="không được để trống"):
        add_category(small_tree(), name=name)


def test_a_name_over_200_characters_is_refused() -> None:
    with pytest.raises(TreeError, match="dài quá 200 ký tự"):
        add_category(small_tree(), name="a" * 201)


def test_an_unknown_content_kind_is_refused() -> None:
    with pytest.raises(TreeError, match="Loại nội dung không hợp lệ: podcast"):
        add_category(small_tree(), name="X", kinds=("news", "podcast"))


def test_a_tenant_has_at_most_200_categories() -> None:
    tree = [Category(f"c{i}", f"C{i}", None, i, (), "") for i in range(MAX_CATEGORIES - 1)]
    tree, _ = add_category(tree, name="Cuối cùng")
    assert len(tree) == MAX_CATEGORIES
    with pytest.raises(TreeError, match="tối đa 200 chuyên mục"):
        add_category(tree, name="Thêm nữa")


# --- renaming -------------------------------------------------------------------------------


def test_rename_keeps_the_slug_so_addresses_stay_valid() -> None:
    tree = default_tree("department")
    renamed = rename_category(tree, "thong-ke", "  Số liệu   thống kê ")
    cat = by_slug(renamed)["thong-ke"]
    assert cat.name == "Số liệu thống kê"
    assert cat.slug == "thong-ke"
    assert cat.position == by_slug(tree)["thong-ke"].position
    assert by_slug(tree)["thong-ke"].name == "Thông tin thống kê"  # input untouched


def test_rename_refuses_an_empty_name_and_an_unknown_slug() -> None:
    with pytest.raises(TreeError, match="không được để trống"):
        rename_category(small_tree(), "a", " ")
    with pytest.raises(TreeError, match="Không tìm thấy chuyên mục “zzz”"):
        rename_category(small_tree(), "zzz", "Z")


# --- moving ---------------------------------------------------------------------------------


def order(tree: list[Category], parent: str | None) -> list[str]:
    return [c.slug for c in sorted(tree, key=lambda c: c.position) if c.parent == parent]


def test_move_reorders_siblings() -> None:
    tree = move_category(small_tree(), "c", parent=None, position=0)
    assert order(tree, None) == ["c", "a", "b"]
    assert sorted(c.position for c in tree if c.parent is None) == [0, 1, 2]
    validate_tree(tree)


def test_move_to_another_parent_renumbers_both_sides() -> None:
    tree = move_category(small_tree(), "a1", parent="b", position=0)
    assert by_slug(tree)["a1"].parent == "b"
    assert order(tree, "a") == ["a2"]
    assert by_slug(tree)["a2"].position == 0
    assert order(tree, "b") == ["a1"]
    validate_tree(tree)


def test_move_a_child_to_the_top_level() -> None:
    tree = move_category(small_tree(), "a2", parent=None, position=1)
    assert order(tree, None) == ["a", "a2", "b", "c"]
    assert order(tree, "a") == ["a1"]
    validate_tree(tree)


def test_move_into_itself_is_refused() -> None:
    with pytest.raises(TreeError, match="vào chính nó"):
        move_category(small_tree(), "a", parent="a", position=0)


def test_move_into_its_own_child_is_refused_as_a_cycle() -> None:
    with pytest.raises(TreeError, match="vốn là chuyên mục con của nó"):
        move_category(small_tree(), "a", parent="a1", position=0)


def test_move_that_would_make_a_third_level_is_refused() -> None:
    with pytest.raises(TreeError, match="“A” đang có chuyên mục con"):
        move_category(small_tree(), "a", parent="b", position=0)
    with pytest.raises(TreeError, match="tối đa 2 cấp: “A2” đã là chuyên mục con"):
        move_category(small_tree(), "b", parent="a2", position=0)


@pytest.mark.parametrize("position", [-1, 3])
def test_move_to_a_position_outside_the_siblings_is_refused(position: int) -> None:
    with pytest.raises(TreeError, match="từ 0 đến 2"):
        move_category(small_tree(), "c", parent=None, position=position)


# --- removing -------------------------------------------------------------------------------


def test_remove_an_empty_category_renumbers_its_siblings() -> None:
    tree = remove_category(small_tree(), "a1", article_count=0)
    assert "a1" not in by_slug(tree)
    assert by_slug(tree)["a2"].position == 0
    validate_tree(tree)


def test_remove_refuses_a_category_with_articles() -> None:
    with pytest.raises(TreeError, match="“B” vì còn 3 bài viết"):
        remove_category(small_tree(), "b", article_count=3)


def test_remove_refuses_a_category_with_children() -> None:
    with pytest.raises(TreeError, match="“A” vì còn 2 chuyên mục con"):
        remove_category(small_tree(), "a", article_count=0)


@pytest.mark.parametrize("slug", sorted(PROTECTED))
def test_remove_refuses_the_protected_categories(slug: str) -> None:
    for kind in ("city", "special"):  # in "special" none of them has children
        with pytest.raises(TreeError, match=f"“{PROTECTED[slug]}”: đây là chuyên mục bắt buộc"):
            remove_category(default_tree(kind), slug, article_count=0)


def test_remove_refuses_a_negative_article_count() -> None:
    with pytest.raises(TreeError, match="Số bài viết không hợp lệ"):
        remove_category(small_tree(), "b", article_count=-1)


# --- validating -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tree", "message"),
    [
        ([Category("a", "A", None, 0, (), ""), Category("a", "B", None, 1, (), "")], "bị trùng"),
        ([Category("Tin_Tuc", "A", None, 0, (), "")], "không hợp lệ"),
        ([Category("a", "A", "zzz", 0, (), "")], "không tồn tại"),
        ([Category("a", "A", "a", 0, (), "")], "cha của chính nó"),
        (
            [
                Category("a", "A", None, 0, (), ""),
                Category("b", "B", "a", 0, (), ""),
                Category("c", "C", "b", 0, (), ""),
            ],
            "tối đa 2 cấp",
        ),
        ([Category("a", "A", None, 0, (), ""), Category("b", "B", None, 2, (), "")], "Thứ tự"),
        ([Category("a", unicodedata.normalize("NFD", "Văn bản"), None, 0, (), "")], "chuẩn hóa"),
        ([Category("a", "A  B", None, 0, (), "")], "chuẩn hóa"),
        ([Category("a", "A", None, 0, ("news", "blog"), "")], "Loại nội dung"),
    ],
)
def test_validate_tree_names_the_broken_rule(tree: list[Category], message: str) -> None:
    with pytest.raises(TreeError, match=message):
        validate_tree(tree)


# --- reading --------------------------------------------------------------------------------


def test_breadcrumb_runs_from_the_top_down() -> None:
    tree = default_tree("city")
    assert [c.slug for c in breadcrumb(tree, "lanh-dao")] == ["gioi-thieu", "lanh-dao"]
    assert [c.slug for c in breadcrumb(tree, "tin-tuc")] == ["tin-tuc"]
    with pytest.raises(TreeError, match="Không tìm thấy"):
        breadcrumb(tree, "zzz")


def test_as_nested_follows_positions_not_list_order() -> None:
    tree = list(reversed(move_category(small_tree(), "a2", parent="a", position=0)))
    assert as_nested(tree) == [
        {
            "slug": "a",
            "name": "A",
            "children": [
                {"slug": "a2", "name": "A2", "children": []},
                {"slug": "a1", "name": "A1", "children": []},
            ],
        },
        {"slug": "b", "name": "B", "children": []},
        {"slug": "c", "name": "C", "children": []},
    ]


def test_as_nested_of_the_default_tree_starts_with_the_introduction() -> None:
    menu = as_nested(default_tree("ward"))
    assert menu[0]["slug"] == "gioi-thieu"
    assert [child["slug"] for child in menu[0]["children"]] == [
        "gioi-thieu-chung",
        "co-cau-to-chuc",
        "chuc-nang-nhiem-vu",
        "lanh-dao",
        "thong-tin-lien-he",
    ]
