"""feedback's abuse limits (services/feedback/abuse.py) on the in-memory limiter, and
the checks on attached files (services/feedback/attachments.py, runtime/uploads.py)."""

from __future__ import annotations

from io import BytesIO

import pytest
from conftest import make_pdf
from PIL import Image

from runtime.ratelimit import Limiter
from runtime.settings import Settings
from runtime.uploads import Rejected, inspect, safe_filename
from services.feedback import attachments
from services.feedback.abuse import Guard, Limits, TooMany, contact_key, wait_vi
from services.feedback.api import content_disposition
from services.feedback.domain import Invalid

MB = 1024 * 1024


def guard(**limits: str) -> Guard:
    return Guard(Limiter(Settings().with_overrides(redis_url=None), "test"), Limits(**limits))


# --- limits ------------------------------------------------------------------------


async def test_one_address_is_held_back_and_others_are_not() -> None:
    g = guard(per_ip="3 per hour", per_contact="100 per hour")
    for i in range(3):
        await g.admit("203.0.113.1", f"a{i}@example.vn", None)
    with pytest.raises(TooMany) as refused:
        await g.admit("203.0.113.1", "b@example.vn", None)
    assert refused.value.retry_after > 3500
    assert refused.value.message.startswith("Có quá nhiều câu hỏi, phản ánh")
    assert refused.value.message.endswith("Xin thử lại sau 60 phút.")
    await g.admit("203.0.113.2", "b@example.vn", None)


async def test_an_address_over_its_limit_is_refused_before_its_body_is_read() -> None:
    g = guard(per_ip="1 per hour")
    await g.before_reading("203.0.113.1")
    await g.before_reading("203.0.113.1")  # looking counts nothing
    await g.admit("203.0.113.1", "a@example.vn", None)
    with pytest.raises(TooMany):
        await g.before_reading("203.0.113.1")


async def test_a_contact_is_held_back_across_addresses() -> None:
    g = guard(per_ip="100 per hour", per_contact="2 per hour")
    await g.admit("203.0.113.1", "An@Example.vn", "0912345678")
    await g.admit("203.0.113.2", "an+hai@example.vn", None)
    with pytest.raises(TooMany, match="email hoặc số điện thoại"):
        await g.admit("203.0.113.3", "AN@example.vn", None)
    await g.admit("203.0.113.4", "khac@example.vn", "0912345678")
    with pytest.raises(TooMany, match="email hoặc số điện thoại"):
        await g.admit("203.0.113.5", "moi@example.vn", "0912345678")
    # The refused submission counted nothing for its new email.
    await g.admit("203.0.113.6", "moi@example.vn", None)
    await g.admit("203.0.113.7", "moi@example.vn", None)


async def test_a_flood_from_one_address_does_not_lock_out_the_contacts_it_names() -> None:
    g = guard(per_ip="1 per hour", per_contact="1 per hour")
    await g.admit("203.0.113.1", "robot@example.vn", None)
    with pytest.raises(TooMany):
        await g.admit("203.0.113.1", "citizen@example.vn", None)
    await g.admit("203.0.113.9", "citizen@example.vn", None)


async def test_only_failures_count_for_links_and_codes() -> None:
    g = guard(link_failures="2 per minute", lookup_failures="1 per minute")
    for _ in range(5):
        await g.check("token", "203.0.113.1")  # right links: nothing counted
    await g.failed("token", "203.0.113.1")
    await g.failed("token", "203.0.113.1")
    with pytest.raises(TooMany, match="đường dẫn xác nhận hoặc bổ sung không đúng"):
        await g.check("token", "203.0.113.1")
    await g.check("lookup", "203.0.113.1")  # counted apart
    await g.failed("lookup", "203.0.113.1")
    with pytest.raises(TooMany, match="tra cứu mã không đúng"):
        await g.check("lookup", "203.0.113.1")


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_FEEDBACK_LIMIT_PER_IP", "100 per minute")
    assert Limits().per_ip == "100 per minute"
    assert Limits().per_contact == "3 per hour; 10 per day"
    monkeypatch.setenv("PORTAL_FEEDBACK_LIMIT_PER_CONTACT", "ba lần một giờ")
    with pytest.raises(ValueError, match="couldn't parse"):
        Limits()


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(0, "1 giây"), (45, "45 giây"), (60, "1 phút"), (61, "2 phút"), (599, "10 phút"),
     (5399, "90 phút"), (5400, "2 giờ"), (86_400, "24 giờ")],
)  # fmt: skip
def test_waits_are_said_as_people_say_them(seconds: int, said: str) -> None:
    assert wait_vi(seconds) == said


@pytest.mark.parametrize(
    ("email", "key"),
    [("An@Example.VN", "an@example.vn"), ("an+hoidap@example.vn", "an@example.vn"),
     (" an@example.vn ", "an@example.vn"), (None, None), ("", None), ("khong-co", None)],
)  # fmt: skip
def test_one_mailbox_however_written(email: str | None, key: str | None) -> None:
    assert contact_key(email) == key


# --- attachments -------------------------------------------------------------------


def image(fmt: str) -> bytes:
    out = BytesIO()
    Image.new("RGB", (20, 10), "blue").save(out, fmt)
    return out.getvalue()


def test_good_files_are_kept_with_safe_names_and_real_types() -> None:
    pdf, jpeg = make_pdf("Đơn kiến nghị"), image("JPEG")
    kept = attachments.check([("C:\\Users\\an\\đơn.pdf", pdf), ("anh.png", jpeg)])
    assert [(a.filename, a.media_type, a.size) for a in kept] == [
        ("đơn.pdf", "application/pdf", len(pdf)),
        ("anh.jpg", "image/jpeg", len(jpeg)),  # a JPEG named .png
    ]
    assert kept[1].data == jpeg
    assert "data" not in repr(kept[1]).split("sha256")[1]


def test_empty_file_fields_are_no_attachments() -> None:
    assert attachments.check([("", b""), ("", b"")]) == []
    with pytest.raises(Invalid, match="rỗng"):
        attachments.check([("trong.pdf", b"")])


def test_at_most_three_files() -> None:
    with pytest.raises(Invalid, match="tối đa 3 tệp; Quý vị đã chọn 4 tệp"):
        attachments.check([(f"{i}.png", image("PNG")) for i in range(4)])


def test_at_most_twenty_megabytes_together() -> None:
    attachments.check_count_and_total([10 * MB, 10 * MB])
    with pytest.raises(Invalid, match="là 20,1 MB, vượt giới hạn 20 MB"):
        attachments.check_count_and_total([10 * MB, 10 * MB, 100 * 1024])


def test_at_most_ten_megabytes_each_before_any_parsing() -> None:
    with pytest.raises(Invalid, match="nặng 10,1 MB, vượt giới hạn 10 MB cho mỗi tệp"):
        attachments.check([("lon.pdf", b"%PDF-1.4\n" + b"x" * (10 * MB + 50_000))])


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [("hoso.pdf", b"MZ\x90\x00" + b"\x00" * 100, "có đuôi .pdf nhưng nội dung là tệp chạy được"),
     ("hoso.pdf", b"\x7fELF" + b"\x00" * 100, "chương trình Linux ELF"),
     ("run.pdf", b"#!/usr/bin/env python\nimport os\n", "tập lệnh script"),
     ("x.png", b"<svg onload='alert(1)'/>", "SVG"),
     ("x.pdf", b"<!doctype html><script>alert(1)</script>", r"trang web \(HTML\)"),
     ("x.pdf", b"just text", "không khớp định dạng nào")],
)  # fmt: skip
def test_dangerous_files_are_refused_by_their_content(name: str, data: bytes, says: str) -> None:
    with pytest.raises(Invalid, match=says):
        attachments.check([(name, data)])


def test_gif_is_not_taken_for_questions() -> None:
    with pytest.raises(Invalid, match="có định dạng image/gif; chỉ nhận tệp PDF, DOCX, XLSX"):
        attachments.check([("dong.gif", image("GIF"))])


def test_webp_is_taken() -> None:
    [kept] = attachments.check([("anh.webp", image("WEBP"))])
    assert kept.media_type == "image/webp"


def test_pdf_text_can_be_skipped() -> None:
    found = inspect(make_pdf("Trang một", "Trang hai"), "x.pdf", pdf_text=False)
    assert (found.pages, found.text) == (2, "")
    with pytest.raises(Rejected, match="bị hỏng"):
        inspect(make_pdf("Trang một")[:150], "x.pdf", pdf_text=False)


def test_inspect_refuses_past_the_callers_cap() -> None:
    with pytest.raises(Rejected, match="vượt giới hạn 1 MB cho mỗi tệp"):
        inspect(make_pdf("x") + b"%" + b"x" * MB, "lon.pdf", max_bytes=MB)
    assert inspect(make_pdf("x"), "nho.pdf", max_bytes=MB).media_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "extension", "safe"),
    [("bien-ban.pdf", ".pdf", "bien-ban.pdf"),
     ("ảnh.JPEG", ".jpg", "ảnh.jpeg"),
     ("anh.png", ".jpg", "anh.jpg"),
     ("hoso.exe", ".pdf", "hoso.pdf"),
     ("hoso", ".pdf", "hoso.pdf"),
     ("../../etc/passwd", ".pdf", "passwd.pdf"),
     ("C:\\Users\\an\\don.docx", ".docx", "don.docx"),
     ("\u202egnp.exe", ".png", "gnp.png"),
     ('a"b<c>d|e?.pdf', ".pdf", "a_b_c_d_e_.pdf"),
     ("  .an  danh .pdf", ".pdf", "an danh.pdf"),
     ("ten\x00gia\r\n.pdf", ".pdf", "tengia.pdf"),
     ("", ".png", "tep.png"),
     ("...", ".png", "tep.png"),
     ("Đơn" + "x" * 300 + ".pdf", ".pdf", "Đơn" + "x" * 113 + ".pdf")],
)  # fmt: skip
def test_names_are_made_safe(name: str, extension: str, safe: str) -> None:
    assert safe_filename(name, extension) == safe


def test_downloads_name_the_file_for_every_client() -> None:
    assert content_disposition("đơn kiến nghị.pdf") == (
        'attachment; filename="don kien nghi.pdf"; '
        "filename*=UTF-8''%C4%91%C6%A1n%20ki%E1%BA%BFn%20ngh%E1%BB%8B.pdf"
    )
