"""Open311 GeoReport v2 over HTTP: `/open311/v2/services.{json|xml}`,
`/open311/v2/requests.{json|xml}` (GET with filters, POST a form) and
`/open311/v2/requests/{code}.{json|xml}`. Anyone may call them; see open311.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from pydantic import ValidationError

from runtime.service import Service
from services.feedback import store, views
from services.feedback.abuse import Guard, TooMany
from services.feedback.api import SubmissionIn, client_ip, take_submission
from services.feedback.calendar import Now
from services.feedback.domain import Invalid, new_code, normalise_code
from services.feedback.open311 import (
    MAX_FORM_BYTES,
    MEDIA_TYPES,
    SERVICES,
    Problem,
    created_view,
    jurisdiction,
    parse_query,
    problem_of,
    render,
    render_error,
    request_view,
    split_resource,
    submission_fields,
)

_BY_STATUS = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không tìm thấy.",
    405: "Phương thức không được hỗ trợ.",
    413: f"Dữ liệu gửi lên quá lớn (tối đa {MAX_FORM_BYTES // 1024} KB).",
    415: "Dữ liệu phải gửi dạng application/x-www-form-urlencoded.",
}
MAX_FORM_FIELDS = 50


def _format_of(path: str) -> str:
    return "xml" if path.endswith(".xml") else "json"


def _error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Every error of these routes in the spec's form, in the format asked for."""
    headers: dict[str, str] = {}
    if isinstance(exc, Problem):
        status, description = exc.status, exc.description
        if exc.retry_after is not None:
            headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, HTTPException) and exc.status_code < 500:
        status = exc.status_code
        description = _BY_STATUS.get(status, "Yêu cầu không được chấp nhận.")
    else:
        status, description = 500, "Lỗi máy chủ, xin thử lại sau."
    fmt = _format_of(request.url.path)
    return Response(render_error(fmt, status, description), status_code=status,
                    media_type=MEDIA_TYPES[fmt], headers=headers)  # fmt: skip


def _document(fmt: str, root: str, item: str, rows: list[dict[str, Any]],
              status: int = 200) -> Response[bytes]:  # fmt: skip
    return Response(render(fmt, root, item, rows), status_code=status, media_type=MEDIA_TYPES[fmt])


async def _known_site(service: Service, slug: str | None, *, active: bool = False) -> None:
    if slug is None:
        return
    assert service.db
    async with service.db.read() as session:
        site = await store.site(session, slug)
    if site is None or (active and not site.active):
        raise Problem(400, f"jurisdiction_id {slug} không phải một trang đang nhận yêu cầu.")


class Open311Controller(Controller):
    path = "/open311/v2"
    exception_handlers = {Problem: _error, HTTPException: _error}  # noqa: RUF012

    @get("/{resource:str}", operation_id="Open311List", exclude_from_auth=True)
    async def listing(
        self,
        resource: FromPath[str],
        request: Request[Any, Any, Any],
        service: NamedDependency[Service],
        now: NamedDependency[Now],
    ) -> Response[bytes]:
        """services.{json|xml}: what may be reported; requests.{json|xml}: received
        requests of one site (`jurisdiction_id`), by `service_request_id` (comma
        list) or by `start_date`/`end_date` (at most 90 days, by default the last
        90), `service_code` and `status` (open, closed); at most 1000, newest first."""
        name, fmt = split_resource(resource)
        pairs = list(request.query_params.multi_items())
        if name == "services":
            slug = jurisdiction(request.query_params.get("jurisdiction_id"), required=False)
            await _known_site(service, slug)
            return _document(fmt, "services", "service", [s.as_dict() for s in SERVICES])
        if name != "requests":
            raise Problem(404, "Không có tài nguyên này: chỉ có services và requests.")
        query = parse_query(pairs, now())
        await _known_site(service, query.tenant)
        assert service.db
        async with service.db.read() as session:
            found = await views.requests(session, query)
        return _document(fmt, "service_requests", "request", [request_view(f) for f in found])

    @get("/requests/{resource:str}", operation_id="Open311Request", exclude_from_auth=True)
    async def one(
        self,
        resource: FromPath[str],
        request: Request[Any, Any, Any],
        service: NamedDependency[Service],
    ) -> Response[bytes]:
        """requests/{code}.{json|xml}: one received request, as a list of one."""
        name, fmt = split_resource(resource)
        code = normalise_code(name[:40])
        if code is None:
            raise Problem(400, "Mã yêu cầu không hợp lệ: mã gồm 12 chữ và số, dạng XXXX-XXXX-XXXX.")
        slug = jurisdiction(request.query_params.get("jurisdiction_id"), required=False)
        await _known_site(service, slug)
        assert service.db
        async with service.db.read() as session:
            found = await views.request(session, code)
        if found is None or (slug is not None and found[0] != slug):
            raise Problem(404, f"Không tìm thấy yêu cầu {code}.")
        return _document(fmt, "service_requests", "request", [request_view(found[1])])

    @post(
        "/{resource:str}",
        operation_id="Open311Create",
        exclude_from_auth=True,
        request_max_body_size=MAX_FORM_BYTES,
    )
    async def create(
        self,
        resource: FromPath[str],
        request: Request[Any, Any, Any],
        service: NamedDependency[Service],
        now: NamedDependency[Now],
        guard: NamedDependency[Guard],
    ) -> Response[bytes]:
        """requests.{json|xml}, a form (application/x-www-form-urlencoded): the same
        intake as the site's form and the API (abuse limits, hidden field, sizes). 202:
        the request is received only once the sender opens the link mailed to them;
        `service_request_id` is its tracking code."""
        name, fmt = split_resource(resource)
        if name != "requests":
            raise Problem(404, "Không có tài nguyên này: chỉ gửi được requests.")
        ip = client_ip(request, service)
        try:
            await guard.before_reading(ip)
            if request.content_type[0] != "application/x-www-form-urlencoded":
                raise Problem(415, _BY_STATUS[415])
            data = _submission(await request.body())
            await _known_site(service, data.tenant, active=True)
            code = await take_submission(
                service, guard, client_ip=ip, data=data, files=[], now=now()
            )
        except TooMany as exc:
            raise Problem(429, exc.message, exc.retry_after) from exc
        except Invalid as exc:
            raise Problem(422, str(exc)) from exc
        # A robot caught by the hidden field is answered like anyone (nothing was kept).
        created = created_view(code or new_code())
        return _document(fmt, "service_requests", "request", [created], status=202)


def _submission(body: bytes) -> SubmissionIn:
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS,
            errors="strict",
        )  # fmt: skip
    except UnicodeDecodeError as exc:
        raise Problem(400, "Dữ liệu biểu mẫu phải mã hóa UTF-8.") from exc
    except ValueError as exc:
        raise Problem(400, f"Biểu mẫu có quá nhiều trường (tối đa {MAX_FORM_FIELDS}).") from exc
    fields = submission_fields(pairs)
    try:
        return SubmissionIn.model_validate(fields)
    except ValidationError as exc:
        raise problem_of(exc.errors()) from exc
