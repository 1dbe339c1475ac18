"""Open311 GeoReport v2 for feedback, the pure parts: the service list, reading a POST
form and a GET query, and writing a request as JSON and XML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from services.feedback.calendar import TZ
from services.feedback.domain import FIELD_CODES, FIELDS, canonical_field, new_code
from services.feedback.open311 import (
    BY_CODE,
    SERVICES,
    Problem,
    RequestFacts,
    Update,
    parse_query,
    problem_of,
    render,
    render_error,
    request_view,
    service_of,
    split_resource,
    submission_fields,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


def test_one_service_per_kind_and_field_with_stable_codes() -> None:
    assert len(SERVICES) == 2 * len(FIELDS)
    assert len(BY_CODE) == len(SERVICES)
    land = BY_CODE["feedback-dat-dai"].as_dict()
    assert land == {
        "service_code": "feedback-dat-dai",
        "service_name": "Phản ánh, kiến nghị: Đất đai",
        "description": "Phản ánh, kiến nghị về đất đai gửi cơ quan nhà nước thành phố Hà Nội.",
        "metadata": False,
        "type": "realtime",
        "keywords": "phản ánh, kiến nghị, đất đai",
        "group": "Phản ánh, kiến nghị",
    }
    assert BY_CODE["question-khac"].as_dict()["group"] == "Hỏi đáp"
    assert all(s.as_dict()["type"] == "realtime" for s in SERVICES)


def test_every_field_has_its_own_stable_code() -> None:
    assert set(FIELD_CODES) == set(FIELDS)
    assert len(set(FIELD_CODES.values())) == len(FIELDS)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code) for code in FIELD_CODES.values())


def test_a_stored_field_maps_to_its_service_and_others_to_khac() -> None:
    assert service_of("question", "Giao thông").code == "question-giao-thong"
    assert service_of("feedback", "Thuế").code == "feedback-khac"
    assert canonical_field("  đất   ĐAI ") == "Đất đai"
    assert canonical_field("Thuế  thu nhập") == "Thuế thu nhập"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("services.json", ("services", "json")), ("requests.xml", ("requests", "xml")),
     ("ABCD-EFGH-JKMN.json", ("ABCD-EFGH-JKMN", "json"))],
)  # fmt: skip
def test_resources_name_their_format(name: str, expected: tuple[str, str]) -> None:
    assert split_resource(name) == expected


@pytest.mark.parametrize("name", ["services", "services.csv", "requests.JSON", "requests.", ""])
def test_other_formats_are_not_found(name: str) -> None:
    with pytest.raises(Problem) as caught:
        split_resource(name)
    assert caught.value.status == 404


FORM = {
    "jurisdiction_id": "hoankiem",
    "service_code": "feedback-giao-thong",
    "description": "Ổ gà lớn trước số 12 phố Hàng Bài, nguy hiểm cho xe máy.\nXin xử lý sớm.",
    "first_name": "Văn An",
    "last_name": "Nguyễn",
    "email": "an@example.vn",
    "lat": "21.0245",
    "long": "105.8525",
    "address_string": "12  Hàng Bài,   Hoàn Kiếm",
}


def test_a_post_form_becomes_the_site_forms_submission() -> None:
    fields = submission_fields(FORM.items())
    assert fields == {
        "tenant": "hoankiem",
        "kind": "feedback",
        "field": "Giao thông",
        "title": "Ổ gà lớn trước số 12 phố Hàng Bài, nguy hiểm cho xe máy.",
        "text": FORM["description"]
        + "\n\nĐịa điểm: 12 Hàng Bài, Hoàn Kiếm\nTọa độ: 21.0245, 105.8525",
        "name": "Văn An Nguyễn",
        "email": "an@example.vn",
        "phone": None,
        "website": "",
    }


def test_a_long_first_line_is_cut_at_a_word_for_the_title() -> None:
    fields = submission_fields({**FORM, "description": "Xin hỏi " * 40}.items())
    assert len(fields["title"]) <= 121
    assert fields["title"].endswith("hỏi…")
    short = submission_fields({**FORM, "description": "Ồn\nKaraoke lúc nửa đêm."}.items())
    assert short["title"] == "Phản ánh, kiến nghị: Giao thông"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"jurisdiction_id": ""}, "Thiếu jurisdiction_id"),
        ({"jurisdiction_id": "../admin"}, "jurisdiction_id không hợp lệ"),
        ({"service_code": ""}, "Thiếu service_code"),
        ({"service_code": "feedback-<script>"}, "service_code không có"),
        ({"description": ""}, "Thiếu description"),
        ({"description": "Ổ gà"}, "từ 10 đến 10.000"),
        ({"description": "a\x00b"}, "NUL"),
        ({"first_name": "An\x07"}, "điều khiển"),
        ({"long": ""}, "cả lat và long"),
        ({"lat": "nan"}, "lat phải là số"),
        ({"lat": "1e5"}, "lat phải là số"),
        ({"lat": "91"}, "lat phải là số"),
        ({"long": "-180.5"}, "long phải là số"),
        ({"address_string": "x" * 501}, "address_string"),
    ],
)
def test_a_bad_post_form_is_refused_in_vietnamese(change: dict[str, str], words: str) -> None:
    with pytest.raises(Problem) as caught:
        submission_fields({**FORM, **change}.items())
    assert caught.value.status == 400
    assert words in caught.value.description


def test_a_repeated_parameter_is_refused_and_unknown_ones_are_ignored() -> None:
    with pytest.raises(Problem, match="chỉ được gửi một lần"):
        submission_fields([*FORM.items(), ("service_code", "question-y-te")])
    fields = submission_fields([*FORM.items(), ("attribute[x]", "\x00"), ("media_url", "x")])
    assert fields["kind"] == "feedback"


def test_validation_errors_are_said_in_vietnamese() -> None:
    assert (
        "email"
        in problem_of([{"loc": ("email",), "msg": "value is not a valid email"}]).description
    )
    contact = problem_of([{"loc": (), "msg": "Value error, Xin cho biết địa chỉ email."}])
    assert contact.description == "Xin cho biết địa chỉ email."
    assert "10.000" in problem_of([{"loc": ("text",), "msg": "too long"}]).description


def _pairs(**params: str) -> list[tuple[str, str]]:
    return [("jurisdiction_id", "hoankiem"), *params.items()]


def test_a_query_covers_the_last_90_days_by_default() -> None:
    query = parse_query(_pairs(), NOW)
    assert (query.start, query.end) == (NOW - timedelta(days=90), NOW)
    assert query.codes is None and query.services is None and query.statuses is None
    after = parse_query(_pairs(start_date="2026-01-01T00:00:00+07:00"), NOW)
    assert after.end - after.start == timedelta(days=90)
    before = parse_query(_pairs(end_date="2026-06-01T00:00:00Z"), NOW)
    assert before.end == datetime(2026, 6, 1, tzinfo=UTC)
    assert before.start == before.end - timedelta(days=90)


def test_a_query_by_codes_normalises_them_and_filters_parse() -> None:
    code = new_code()
    pairs = _pairs(
        service_request_id=f"{code.lower()}, {code}",
        service_code="feedback-y-te,question-khac",
        status="open,closed",
    )
    query = parse_query(pairs, NOW)
    assert query.codes == (code,)
    assert [s.code for s in query.services or ()] == ["feedback-y-te", "question-khac"]
    assert query.statuses == {"open", "closed"}


@pytest.mark.parametrize(
    "params",
    [
        {"jurisdiction_id": ""},
        {"service_request_id": "AAAA-AAAA-AAAA"},
        {"service_request_id": "' OR 1=1 --"},
        {"service_request_id": ","},
        {"service_code": "parking"},
        {"status": "pending"},
        {"start_date": "2026-01-01"},
        {"start_date": "2026-02-30T00:00:00+07:00"},
        {"start_date": "<script>"},
        {"start_date": "2026-01-01T00:00:00+07:00", "end_date": "2025-12-01T00:00:00+07:00"},
        {"start_date": "2026-01-01T00:00:00+07:00", "end_date": "2026-05-01T00:00:00+07:00"},
        {"status": "open\x00"},
    ],
)
def test_a_bad_query_is_refused(params: dict[str, str]) -> None:
    pairs = [("jurisdiction_id", "hoankiem"), *params.items()]
    with pytest.raises(Problem) as caught:
        parse_query(pairs, NOW)
    assert caught.value.status == 400


def _facts(**changes: object) -> RequestFacts:
    received = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    values: dict[str, object] = {
        "code": "ABCD-EFGH-JKM0",
        "kind": "feedback",
        "field": "Giao thông",
        "status": "classified",
        "received_at": received,
        "out_of_scope_notice_due": datetime(2026, 11, 23, 16, 59, 59, tzinfo=UTC),
        "answer_due": datetime(2026, 12, 15, 16, 59, 59, tzinfo=UTC),
        "published_question": None,
        "answer_text": None,
        "competent_body": None,
        "agency": "UBND phường Ba Đình",
        "overdue": False,
        "updates": (
            Update(received - timedelta(minutes=5), "unconfirmed", ""),
            Update(received, "received", ""),
            Update(received + timedelta(days=1), "classified", "Chuyển badinh"),
        ),
    }
    values.update(changes)
    return RequestFacts(**values)  # type: ignore[arg-type]


def test_a_request_shows_the_legal_due_date_and_its_history() -> None:
    view = request_view(_facts())
    assert view["service_request_id"] == "ABCD-EFGH-JKM0"
    assert view["status"] == "open"
    assert view["status_notes"] == "Đã chuyển đơn vị trả lời"
    assert view["service_code"] == "feedback-giao-thong"
    assert view["requested_datetime"] == "2026-11-23T09:00:00+07:00"
    assert view["expected_datetime"] == "2026-12-15T23:59:59+07:00"
    assert view["updated_datetime"] == "2026-11-24T09:00:00+07:00"
    assert view["agency_responsible"] == "UBND phường Ba Đình"
    assert view["description"] is None
    assert view["updates"] == [
        {"updated_datetime": "2026-11-23T09:00:00+07:00", "status": "open",
         "description": "Đã tiếp nhận, chờ phân loại"},
        {"updated_datetime": "2026-11-24T09:00:00+07:00", "status": "open",
         "description": "Đã chuyển đơn vị trả lời. Chuyển badinh"},
    ]  # fmt: skip


def test_closed_requests_carry_the_answer_or_the_competent_body() -> None:
    published = request_view(
        _facts(status="published", published_question="Ổ gà [đã ẩn]", answer_text="Đã vá.")
    )
    assert published["status"] == "closed"
    assert published["status_notes"] == "Đã trả lời: Đã vá."
    assert published["description"] == "Ổ gà [đã ẩn]"
    rejected = request_view(
        _facts(status="out_of_scope", answer_text="Thuộc thẩm quyền thuế.",
               competent_body="Thuế thành phố Hà Nội")
    )  # fmt: skip
    assert rejected["status"] == "closed"
    assert rejected["expected_datetime"] == "2026-11-23T23:59:59+07:00"
    assert "Cơ quan có thẩm quyền: Thuế thành phố Hà Nội." in rejected["status_notes"]
    waiting = request_view(_facts(status="waiting_citizen", answer_due=None, overdue=True))
    assert waiting["expected_datetime"] is None
    assert waiting["status_notes"].endswith("Đã quá hạn xử lý.")


def test_json_and_xml_say_the_same_and_xml_is_escaped() -> None:
    view = request_view(
        _facts(status="published", published_question='<script>alert("x")</script> & \x0b',
               answer_text="A < B")
    )  # fmt: skip
    as_json = json.loads(render("json", "service_requests", "request", [view]))
    assert as_json == [view]
    document = render("xml", "service_requests", "request", [view])
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(document)
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert request.findtext("description") == '<script>alert("x")</script> & '
    assert b"<script>" not in document
    assert request.findtext("status_notes") == "Đã trả lời: A < B"
    assert request.findtext("expected_datetime") == "2026-12-15T23:59:59+07:00"
    assert request.findtext("address") == ""
    updates = request.findall("updates/update")
    assert [u.findtext("status") for u in updates] == ["open", "open"]
    assert updates[1].findtext("description") == "Đã chuyển đơn vị trả lời. Chuyển badinh"


def test_services_render_booleans_as_the_spec_writes_them() -> None:
    root = ET.fromstring(render("xml", "services", "service", [SERVICES[0].as_dict()]))
    assert root.find("service/metadata").text == "false"  # type: ignore[union-attr]
    assert root.find("service/type").text == "realtime"  # type: ignore[union-attr]


def test_errors_follow_the_spec() -> None:
    assert json.loads(render_error("json", 400, "Thiếu service_code.")) == [
        {"code": 400, "description": "Thiếu service_code."}
    ]
    root = ET.fromstring(render_error("xml", 404, "Không tìm thấy <x>."))
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"
    assert root.findtext("error/description") == "Không tìm thấy <x>."
