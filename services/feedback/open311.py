"""Open311 GeoReport v2 for citizens' feedback and questions (pure: no I/O).

GeoReport v2 (http://wiki.open311.org/GeoReport_v2) lets any application list the
services a city takes reports for, file a report, and follow reports. Here:

- a *service* is one kind (phản ánh, kiến nghị or hỏi đáp) in one field (lĩnh vực),
  with a stable code such as `feedback-dat-dai`; `group` is the kind;
- `jurisdiction_id` is the site's slug (`hoankiem`), required where it matters;
- a *service request* is a question, known by its tracking code. A report filed
  here goes through the same intake as the site's form: it is only received once
  the sender opens the link mailed to them, and only received requests are listed;
- `requested_datetime` is the moment of receipt (the confirmation, from which the
  legal clock counts), `expected_datetime` the legal due date of the answer
  (Quy chế 004 Điều 13.1.e, after pauses and progress notices), and the public
  status history is the `updates` extension;
- no personal data is ever shown: the citizen's own text only once the board has
  published it with names, emails and phone numbers removed; the location a
  reporter gives is part of that text, not shown apart from it.

Errors follow the spec: `[{"code": 400, "description": "…"}]`, or
`<errors><error><code>400</code><description>…</description></error></errors>`.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.feedback.calendar import TZ
from services.feedback.domain import (
    FIELD_CODES,
    FIELDS,
    KIND_VI,
    OTHER_FIELD,
    STATUS_VI,
    Status,
    field_code,
    normalise_code,
)

FORMATS = ("json", "xml")
MEDIA_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
#: GeoReport v2: a query returns at most 1000 requests, by default those of the last
#: 90 days, and a date range may not span more than 90 days.
MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
MAX_IDS = 200
#: The largest form a POST may carry (a 10,000-character description, percent-encoded).
MAX_FORM_BYTES = 256 * 1024
SLUG = re.compile(r"^[a-z0-9-]{1,50}$")
CLOSED = frozenset({Status.PUBLISHED, Status.OUT_OF_SCOPE})

NOTICE = (
    "Đã nhận. Yêu cầu chỉ được tiếp nhận chính thức khi Quý vị mở đường dẫn xác nhận "
    "trong thư gửi tới email đã khai; thời hạn xử lý tính từ lúc xác nhận. "
    "Dùng mã này để tra cứu."
)


class Problem(Exception):
    """A request GeoReport answers with an error: its HTTP status and description."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        #: For 429: the seconds to wait (the Retry-After header).
        self.retry_after = retry_after


# --- services ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Service:
    kind: str
    slug: str
    field: str

    @property
    def code(self) -> str:
        return f"{self.kind}-{self.slug}"

    @property
    def name(self) -> str:
        return f"{KIND_VI[self.kind]}: {self.field}"

    def as_dict(self) -> dict[str, Any]:
        what = "Phản ánh, kiến nghị" if self.kind == "feedback" else "Câu hỏi"
        about = "ngoài các lĩnh vực trên" if self.field == OTHER_FIELD else "về " + self.field
        return {
            "service_code": self.code,
            "service_name": self.name,
            "description": f"{what} {about.lower()} gửi cơ quan nhà nước thành phố Hà Nội.",
            "metadata": False,
            "type": "realtime",
            "keywords": f"{KIND_VI[self.kind].lower()}, {self.field.lower()}",
            "group": KIND_VI[self.kind],
        }


SERVICES: tuple[Service, ...] = tuple(
    Service(kind, FIELD_CODES[label], label)
    for kind in ("feedback", "question")
    for label in FIELDS
)
BY_CODE = {service.code: service for service in SERVICES}
#: The labels of the fields other than "Khác": a stored field not among them is "Khác".
LISTED_FIELDS = tuple(label for label in FIELDS if label != OTHER_FIELD)


def service_of(kind: str, field: str) -> Service:
    """The service a stored question falls under."""
    return BY_CODE[f"{kind}-{field_code(field)}"]


def split_resource(name: str) -> tuple[str, str]:
    """("requests", "json") for "requests.json"; 404 for a format other than json, xml."""
    stem, dot, fmt = name.rpartition(".")
    if not dot or fmt not in FORMATS:
        raise Problem(404, "Không có tài nguyên này: định dạng phải là .json hoặc .xml.")
    return stem, fmt


# --- input ---------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DECIMAL = re.compile(r"^-?\d{1,3}(\.\d{1,12})?$")
_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})", re.ASCII
)
#: What POST requests may carry (GeoReport v2, and the site form's hidden field).
POST_FIELDS = frozenset({
    "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string",
    "address_id", "email", "device_id", "account_id", "first_name", "last_name", "phone",
    "description", "media_url", "website",
})  # fmt: skip
QUERY_FIELDS = frozenset(
    {"jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date", "status"}
)


def _single(pairs: Iterable[tuple[str, str]], known: frozenset[str]) -> dict[str, str]:
    """The known parameters, each once; 400 for a repeated one or control characters
    (NUL, which no database should store, first of all)."""
    values: dict[str, str] = {}
    for key, value in pairs:
        if key not in known:
            continue
        if "\x00" in value:
            raise Problem(400, f"Tham số {key} chứa ký tự NUL, không hợp lệ.")
        if _CONTROL.search(value):
            raise Problem(400, f"Tham số {key} chứa ký tự điều khiển, không hợp lệ.")
        if key in values:
            raise Problem(400, f"Tham số {key} chỉ được gửi một lần.")
        values[key] = value.strip()
    return values


def jurisdiction(value: str | None, *, required: bool) -> str | None:
    if not value:
        if required:
            raise Problem(400, "Thiếu jurisdiction_id: mã trang nhận yêu cầu, ví dụ hoankiem.")
        return None
    if not SLUG.match(value):
        raise Problem(400, "jurisdiction_id không hợp lệ: mã trang gồm chữ thường, số và dấu -.")
    return value


def _coordinate(name: str, value: str, limit: int) -> str:
    if not _DECIMAL.match(value) or not -limit <= float(value) <= limit:
        raise Problem(400, f"{name} phải là số thập phân từ -{limit} đến {limit} (WGS84).")
    return value


def _title(description: str, fallback: str) -> str:
    """A title for the board's list: the description's first line, cut at a word."""
    first = " ".join(description.strip().splitlines()[0].split()) if description.strip() else ""
    if len(first) > 120:
        first = first[:120].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
    return first if len(first) >= 5 else fallback


def submission_fields(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The fields of the site form's submission (api.SubmissionIn) for a GeoReport POST
    form; 400 for what the form cannot express. Length, email and phone rules are the
    form's own, checked by SubmissionIn."""
    form = _single(pairs, POST_FIELDS)
    tenant = jurisdiction(form.get("jurisdiction_id"), required=True)
    code = form.get("service_code", "")
    if not code:
        raise Problem(400, "Thiếu service_code: xem danh sách dịch vụ tại services.json.")
    service = BY_CODE.get(code)
    if service is None:
        raise Problem(400, "service_code không có trong danh sách dịch vụ (services.json).")
    description = form.get("description", "")
    if not description:
        raise Problem(400, "Thiếu description: nội dung phản ánh, kiến nghị hoặc câu hỏi.")
    if len(description) < 10:
        raise Problem(400, _FIELD_PROBLEMS["text"])
    lat, long = form.get("lat", ""), form.get("long", "")
    if bool(lat) != bool(long):
        raise Problem(400, "Tọa độ cần đủ cả lat và long.")
    place = []
    address = " ".join(form.get("address_string", "").split())
    if len(address) > 500:
        raise Problem(400, "address_string dài tối đa 500 ký tự.")
    if address:
        place.append(f"Địa điểm: {address}")
    if lat:
        place.append(f"Tọa độ: {_coordinate('lat', lat, 90)}, {_coordinate('long', long, 180)}")
    text = description + ("\n\n" + "\n".join(place) if place else "")
    name = " ".join(f"{form.get('first_name', '')} {form.get('last_name', '')}".split())
    return {
        "tenant": tenant,
        "kind": service.kind,
        "field": service.field,
        "title": _title(description, service.name),
        "text": text,
        "name": name,
        "email": form.get("email") or None,
        "phone": form.get("phone") or None,
        "website": form.get("website", ""),
    }


_FIELD_PROBLEMS = {
    "tenant": "jurisdiction_id không hợp lệ.",
    "text": "description phải dài từ 10 đến 10.000 ký tự (kể cả địa chỉ, tọa độ).",
    "title": "description không hợp lệ.",
    "name": "Xin cho biết họ tên (first_name, last_name), từ 2 đến 200 ký tự.",
    "email": "Địa chỉ email không hợp lệ.",
    "phone": "Số điện thoại không hợp lệ.",
    "website": "Dữ liệu không hợp lệ.",
}


def problem_of(errors: Sequence[Mapping[str, Any]]) -> Problem:
    """The first of pydantic's errors for SubmissionIn, said in Vietnamese."""
    first = errors[0] if errors else {}
    where = first.get("loc") or ("",)
    if where[0] in _FIELD_PROBLEMS:
        return Problem(400, _FIELD_PROBLEMS[str(where[0])])
    # Model-level rules (an email is required, no NUL) already speak Vietnamese.
    message = str(first.get("msg", "")).removeprefix("Value error, ")
    return Problem(400, message or "Dữ liệu không hợp lệ.")


@dataclass(frozen=True, slots=True)
class Query:
    """GET requests: by codes (which override every other filter), or by date range
    on requested_datetime, services and open/closed."""

    tenant: str
    codes: tuple[str, ...] | None
    services: tuple[Service, ...] | None
    start: datetime
    end: datetime
    statuses: frozenset[str] | None


def moment(name: str, value: str) -> datetime:
    example = "ví dụ 2026-11-23T09:30:00+07:00"
    if not _MOMENT.fullmatch(value):
        raise Problem(400, f"{name} phải là thời điểm ISO 8601 có múi giờ, {example}.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Problem(400, f"{name} không phải một thời điểm có thật, {example}.") from exc
    if not 2000 <= parsed.year <= 2100:
        raise Problem(400, f"{name} phải nằm trong khoảng năm 2000–2100.")
    return parsed


def _listed(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_query(pairs: Iterable[tuple[str, str]], now: datetime) -> Query:
    params = _single(pairs, QUERY_FIELDS)
    tenant = jurisdiction(params.get("jurisdiction_id"), required=True)
    assert tenant is not None
    codes: tuple[str, ...] | None = None
    if "service_request_id" in params:
        raw = _listed(params["service_request_id"])
        if not raw:
            raise Problem(400, "service_request_id trống.")
        if len(raw) > MAX_IDS:
            raise Problem(400, f"Tra cứu tối đa {MAX_IDS} mã mỗi lần.")
        found = [normalise_code(each[:40]) for each in raw]
        if None in found:
            raise Problem(
                400, "service_request_id không hợp lệ: mã gồm 12 chữ và số, dạng XXXX-XXXX-XXXX."
            )
        codes = tuple(dict.fromkeys(c for c in found if c))
    services: tuple[Service, ...] | None = None
    if params.get("service_code"):
        wanted = _listed(params["service_code"])
        if any(code not in BY_CODE for code in wanted):
            raise Problem(400, "service_code không có trong danh sách dịch vụ (services.json).")
        services = tuple(BY_CODE[code] for code in dict.fromkeys(wanted))
    statuses: frozenset[str] | None = None
    if params.get("status"):
        statuses = frozenset(_listed(params["status"]))
        if not statuses <= {"open", "closed"}:
            raise Problem(400, "status chỉ nhận open, closed hoặc cả hai (open,closed).")
    start = moment("start_date", params["start_date"]) if params.get("start_date") else None
    end = moment("end_date", params["end_date"]) if params.get("end_date") else None
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if start > end:
        raise Problem(400, "start_date phải trước end_date.")
    if end - start > MAX_SPAN:
        raise Problem(400, "Khoảng từ start_date đến end_date không được dài quá 90 ngày.")
    return Query(tenant, codes, services, start, end, statuses)


# --- output --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Update:
    at: datetime
    status: str
    note: str


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What may be shown of a question: nothing that names or reaches its sender."""

    code: str
    kind: str
    field: str
    status: str
    received_at: datetime
    out_of_scope_notice_due: datetime | None
    answer_due: datetime | None
    #: The question as published, personal data removed (None until published).
    published_question: str | None
    #: Plain text of the published answer, or of the out-of-scope notice.
    answer_text: str | None
    competent_body: str | None
    #: The name of the unit the board forwarded it to.
    agency: str | None
    overdue: bool
    updates: tuple[Update, ...]


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in Hanoi time, to the second: 2026-12-15T23:59:59+07:00."""
    return moment.astimezone(TZ).isoformat(timespec="seconds") if moment else None


def open_or_closed(status: str) -> str:
    return "closed" if status in CLOSED else "open"


def expected(facts: RequestFacts) -> datetime | None:
    """When the agency must have answered: the legal answer deadline (None while the
    clock waits for the citizen), or for an out-of-scope question the same working
    day's notice deadline that applied to it."""
    if facts.status == Status.OUT_OF_SCOPE:
        return facts.out_of_scope_notice_due
    if facts.status == Status.WAITING_CITIZEN:
        return None
    return facts.answer_due


def status_notes(facts: RequestFacts) -> str:
    label = STATUS_VI[Status(facts.status)]
    if facts.status == Status.PUBLISHED:
        return f"{label}: {facts.answer_text}" if facts.answer_text else label
    if facts.status == Status.OUT_OF_SCOPE:
        parts = [label + ".", facts.answer_text or ""]
        if facts.competent_body:
            parts.append(f"Cơ quan có thẩm quyền: {facts.competent_body}.")
        return " ".join(p for p in parts if p)
    return f"{label}. Đã quá hạn xử lý." if facts.overdue else label


def request_view(facts: RequestFacts) -> dict[str, Any]:
    """One service request as GeoReport v2 shows it, with the `updates` extension."""
    service = service_of(facts.kind, facts.field)
    updates = [
        {
            "updated_datetime": iso(u.at),
            "status": open_or_closed(u.status),
            "description": STATUS_VI[Status(u.status)] + (f". {u.note}" if u.note else ""),
        }
        for u in facts.updates
        if u.status != Status.UNCONFIRMED
    ]
    return {
        "service_request_id": facts.code,
        "status": open_or_closed(facts.status),
        "status_notes": status_notes(facts),
        "service_name": service.name,
        "service_code": service.code,
        "description": facts.published_question,
        "agency_responsible": facts.agency,
        "requested_datetime": iso(facts.received_at),
        "updated_datetime": updates[-1]["updated_datetime"] if updates else iso(facts.received_at),
        "expected_datetime": iso(expected(facts)),
        "address": None,
        "lat": None,
        "long": None,
        "media_url": None,
        "updates": updates,
    }


def created_view(code: str) -> dict[str, Any]:
    return {"service_request_id": code, "service_notice": NOTICE, "account_id": None}


# XML 1.0 has no way to write most control characters, nor lone surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for entry in value:
                _fill(ET.SubElement(child, key.removesuffix("s")), entry)
        elif isinstance(value, Mapping):
            _fill(child, value)
        else:
            child.text = _xml_text(value)


def render(fmt: str, root: str, item: str, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """A GeoReport document: a JSON array, or <root><item>…</item>…</root> in XML."""
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False).encode()
    document = ET.Element(root)
    for row in rows:
        _fill(ET.SubElement(document, item), row)
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)


def render_error(fmt: str, status: int, description: str) -> bytes:
    return render(fmt, "errors", "error", [{"code": status, "description": description}])
