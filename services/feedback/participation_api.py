"""feedback's HTTP API for participation: satisfaction ratings, consultation on draft
documents and online dialogues.

    POST /api/v1/feedback/ratings/answers/{code}        rate a published answer (anyone)
    POST /api/v1/feedback/ratings/sites/{tenant}        rate a site on four criteria (anyone)
    GET  /api/v1/feedback/ratings?tenant=&from=&to=     the report, small counts hidden (board)

    POST /api/v1/feedback/consultations                 publish a draft for comment (board)
    GET  /api/v1/feedback/consultations?tenant=         a site's consultations (anyone)
    GET  /api/v1/feedback/consultations/{id}            the draft, comments, summary (anyone)
    POST /api/v1/feedback/consultations/{id}/comments   comment; confirmed by email (anyone)
    POST /api/v1/feedback/consultations/confirm         the mailed link's token (anyone)
    GET  /api/v1/feedback/consultations/{id}/comments   every comment, with contacts (board)
    POST /api/v1/feedback/consultations/{id}/comments/{comment}/moderation   (board)
    PUT  /api/v1/feedback/consultations/{id}/report     summary and responses (board)

    POST /api/v1/feedback/dialogues                     schedule a session (board)
    GET  /api/v1/feedback/dialogues?tenant=             a site's sessions (anyone)
    GET  /api/v1/feedback/dialogues/{id}                the session, answers (anyone)
    POST /api/v1/feedback/dialogues/{id}/questions      ask; confirmed by email (anyone)
    POST /api/v1/feedback/dialogues/confirm             the mailed link's token (anyone)
    GET  /api/v1/feedback/dialogues/{id}/questions      confirmed questions (board)
    POST /api/v1/feedback/dialogues/{id}/questions/{question}/answer  (board, while live)
    POST /api/v1/feedback/dialogues/{id}/end            end the session early (board)
    POST /api/v1/feedback/dialogues/{id}/transcript     publish the transcript (board)

Invalid bodies and parameters get 400 with the problems said in Vietnamese (the
controllers' own handler); a rule that the state forbids gets 409, a value that cannot
be accepted 422, an unknown or forged id 404. Comments and dialogue questions count
against the abuse limits of questions (services/feedback/abuse.py: per address and per
email, since each sends a mail), and wrong confirmation links against its link limits.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import (
    ClientException,
    NotFoundException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.params import FromPath, JSONBody, QueryParameter
from pydantic import (
    AwareDatetime,
    BeforeValidator,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from runtime.api import Input
from runtime.auth import Principal, Role
from runtime.messaging import UnitOfWork
from runtime.service import Service
from services.feedback import (
    consultation_rules,
    dialogue_rules,
    participation_commands,
    participation_store,
    participation_views,
    rating_rules,
    store,
)
from services.feedback.abuse import Guard, TooMany
from services.feedback.api import SLUG, Caller, ConfirmIn, client_ip, too_many_response
from services.feedback.calendar import TZ, Now
from services.feedback.commands import NotFound
from services.feedback.domain import Invalid, NotAllowed, normalise_code
from services.feedback.recent_votes import RecentVotes

T = TypeVar("T")
TenantSlug = Annotated[str, QueryParameter(pattern=SLUG)]
THANKS = "Cảm ơn Quý vị đã đánh giá."
REPEAT = "Từ mạng của Quý vị vừa có đánh giá cho nội dung này; xin thử lại sau."

# --- errors in Vietnamese -------------------------------------------------------------------

_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Value error, (.*)", re.S), lambda m: m.group(1)),
    (re.compile(r"Field required"), lambda m: "thiếu mục này"),
    (re.compile(r"String should have at least (\d+) characters?"),
     lambda m: f"quá ngắn, cần ít nhất {m.group(1)} ký tự"),
    (re.compile(r"String should have at most (\d+) characters?"),
     lambda m: f"quá dài, tối đa {m.group(1)} ký tự"),
    (re.compile(r"String should match pattern"), lambda m: "không đúng định dạng"),
    (re.compile(r"List should have at least (\d+) items?"),
     lambda m: f"cần ít nhất {m.group(1)} mục"),
    (re.compile(r"List should have at most (\d+) items?"),
     lambda m: f"tối đa {m.group(1)} mục"),
    (re.compile(r"Input should be greater than or equal to (\S+)"),
     lambda m: f"phải lớn hơn hoặc bằng {m.group(1)}"),
    (re.compile(r"Input should be less than or equal to (\S+)"),
     lambda m: f"phải nhỏ hơn hoặc bằng {m.group(1)}"),
    (re.compile(r"Input should be a valid integer"), lambda m: "phải là một số nguyên"),
    (re.compile(r"Input should be a valid string"), lambda m: "phải là một chuỗi ký tự"),
    (re.compile(r"Input should be a valid boolean"), lambda m: "phải là true hoặc false"),
    (re.compile(r"Input should be a valid list"), lambda m: "phải là một danh sách"),
    (re.compile(r"Input should be a valid (dictionary|object)"),
     lambda m: "phải là một đối tượng JSON"),
    (re.compile(r"Input should be a valid date"), lambda m: "phải là một ngày dạng YYYY-MM-DD"),
    (re.compile(r"Input should (be a valid datetime|have timezone info)"),
     lambda m: "phải là thời điểm ISO 8601 có múi giờ, ví dụ 2026-12-01T09:00:00+07:00"),
    (re.compile(r"Input should be '"), lambda m: "lựa chọn không hợp lệ"),
    (re.compile(r"value is not a valid email address"), lambda m: "địa chỉ email không hợp lệ"),
    # msgspec's words, for query and path parameters
    (re.compile(r"Expected `str` matching regex"), lambda m: "không đúng định dạng"),
    (re.compile(r"Expected `str` of length <= (\d+)"), lambda m: f"tối đa {m.group(1)} ký tự"),
    (re.compile(r"Expected `str` of length >= (\d+)"), lambda m: f"ít nhất {m.group(1)} ký tự"),
    (re.compile(r"Expected `int` <= (\S+)"), lambda m: f"phải nhỏ hơn hoặc bằng {m.group(1)}"),
    (re.compile(r"Expected `int` >= (\S+)"), lambda m: f"phải lớn hơn hoặc bằng {m.group(1)}"),
    (re.compile(r"Expected `int`"), lambda m: "phải là một số nguyên"),
]  # fmt: skip
_MISSING = re.compile(r"Missing required (query|path|header|cookie) parameter '([^']{1,50})'")


def vietnamese(message: str) -> str:
    for pattern, say in _MESSAGES:
        found = pattern.match(message)
        if found:
            return say(found)
    return "giá trị không hợp lệ"


def validation_in_vietnamese(
    _request: Request[Any, Any, Any], exc: ValidationException
) -> Response:
    """Litestar's 400 for a bad body or parameter, with the problems said in Vietnamese."""
    problems: list[dict[str, str]] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or "").removesuffix("_")  # from_ is the parameter "from"
        problems.append({"key": key, "message": vietnamese(str(item.get("message", "")))})
    missing = _MISSING.match(str(exc.detail))
    if missing:
        problems.append({"key": missing.group(2), "message": "thiếu mục này"})
    said = "; ".join(f"{p['key']}: {p['message']}" if p["key"] else p["message"] for p in problems)
    detail = f"Dữ liệu gửi lên không hợp lệ: {said}." if said else "Dữ liệu gửi lên không hợp lệ."
    return Response(
        {"status_code": 400, "detail": detail, "extra": problems},
        status_code=400,
        media_type=MediaType.JSON,
    )


ERRORS = {ValidationException: validation_in_vietnamese}


async def run(service: Service, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """One unit of work, the domain's refusals mapped to 404, 409 and 422."""
    try:
        async with service.unit_of_work() as uow:
            result = await work(uow)
            await uow.commit()
    except NotFound as exc:
        raise NotFoundException(str(exc)) from exc
    except NotAllowed as exc:
        raise ClientException(str(exc), status_code=409) from exc
    except Invalid as exc:
        raise ClientException(str(exc), status_code=422) from exc
    return result


def parse_id(value: str, missing: str) -> str:
    """A path id as we issue them (a UUID), or 404: a forged id finds nothing."""
    try:
        return str(uuid.UUID(value[:40]))
    except ValueError as exc:
        raise NotFoundException(missing) from exc


async def site_url(service: Service, tenant: str) -> str:
    assert service.db
    async with service.db.read() as session:
        site = await store.site(session, tenant)
    if site is None or not site.active:
        raise NotFoundException(f"Không có trang {tenant}.")
    return service.settings.site_url(site.slug, site.domain)


async def admitted(guard: Guard, ip: str, email: str) -> None:
    """Count a comment or a dialogue question against the abuse limits shared with
    questions (per address, per email: each sends a confirmation mail), or 429."""
    try:
        await guard.admit(ip, email, None)
    except TooMany as exc:
        raise too_many_response(exc) from exc


async def with_link(guard: Guard, ip: str, work: Callable[[], Awaitable[T]]) -> T:
    """A mailed confirmation link tried from `ip`: refused while `ip` has tried too many
    wrong ones, and counted when it is wrong."""
    try:
        await guard.check("token", ip)
    except TooMany as exc:
        raise too_many_response(exc) from exc
    try:
        return await work()
    except NotFoundException:
        await guard.failed("token", ip)
        raise


def _one_line(value: str) -> str:
    return " ".join(value.split())


# --- ratings ------------------------------------------------------------------------------------


def exactly(kind: type, message: str) -> BeforeValidator:
    """Refuse a value of another JSON type ("4" for 4, true for 1): Litestar validates
    bodies in pydantic's lax mode, which would quietly convert them."""

    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise ValueError(message)
        return value

    return BeforeValidator(check)


Score = Annotated[
    int, exactly(int, "Điểm đánh giá phải là một số nguyên từ 1 đến 5."), Field(ge=1, le=5)
]
Flag = Annotated[bool, exactly(bool, "Phải là true hoặc false.")]
ArticleNumber = Annotated[
    int,
    exactly(int, "Phải là số thứ tự của một điều trong dự thảo (1, 2, 3…)."),
    Field(ge=1, le=1000),
]


class AnswerRatingIn(Input):
    score: Score


class SiteRatingIn(Input):
    interface: Score | None = None
    content: Score | None = None
    quality: Score | None = None
    support: Score | None = None

    @model_validator(mode="after")
    def _some(self) -> SiteRatingIn:
        if not self.scores():
            raise ValueError("Xin chọn mức đánh giá cho ít nhất một tiêu chí.")
        return self

    def scores(self) -> dict[str, int]:
        return {c: v for c in rating_rules.SITE_CRITERIA if (v := getattr(self, c)) is not None}


_MONTH = re.compile(r"(\d{4})-(\d{2})(-\d{2})?", re.ASCII)


def parse_month(value: str, name: str) -> date:
    found = _MONTH.fullmatch(value)
    example = f"{name} phải là một tháng dạng YYYY-MM (hoặc một ngày YYYY-MM-DD), ví dụ 2026-01."
    if not found:
        raise ClientException(example)
    year, month = int(found.group(1)), int(found.group(2))
    if not 2000 <= year <= 2100 or not 1 <= month <= 12:
        raise ClientException(example)
    if found.group(3):
        try:
            date.fromisoformat(value)
        except ValueError as exc:
            raise ClientException(example) from exc
    return date(year, month, 1)


def period(first: str | None, last: str | None, now: datetime) -> tuple[date, date]:
    """The months a report adds up: `from` and `to` given as months (or days, which
    count for their month); by default this year up to this month, Hanoi time."""
    this_month = rating_rules.month_of(now)
    start = parse_month(first, "from") if first else date(this_month.year, 1, 1)
    end = parse_month(last, "to") if last else this_month
    if end < start:
        raise ClientException("Tháng kết thúc (to) phải không trước tháng bắt đầu (from).")
    if (end.year - start.year) * 12 + end.month - start.month >= 120:
        raise ClientException("Một báo cáo gồm tối đa 120 tháng.")
    return start, end


def report_json(
    tenant: str, start: date, end: date, shown: dict[str, rating_rules.Published]
) -> dict:
    return {
        "tenant": tenant,
        "from": f"{start:%Y-%m}",
        "to": f"{end:%Y-%m}",
        "minimum": rating_rules.MINIMUM,
        "note": (
            f"null: không công bố; shown_as ghi “< {rating_rules.MINIMUM}” khi có ít hơn "
            f"{rating_rules.MINIMUM} lượt đánh giá, “ẩn” khi được ẩn để không suy ra được một số "
            "liệu như vậy từ các số liệu khác."
        ),
        "criteria": {
            criterion: {"label": rating_rules.CRITERIA_VI[criterion], **published.as_json()}
            for criterion, published in shown.items()
        },
    }


async def rate_answer(
    service: Service, votes: RecentVotes, address: str, tenant: str | None, code: str,
    score: int, now: datetime,
) -> None:  # fmt: skip
    """Count one rating of a published answer (of site `tenant`, when given); 404 for
    anything else, 429 for a repeat from the same network within the hour."""
    canonical = normalise_code(code[:40])
    if canonical is None:
        raise NotFoundException("Không có câu trả lời đã đăng với mã này.")
    assert service.db
    async with service.db.read() as session:
        row = await store.by_code(session, canonical)
    if row is None or row.status != "published" or (tenant and row.tenant != tenant):
        raise NotFoundException("Không có câu trả lời đã đăng với mã này.")
    if not votes.first(address, f"answer:{row.code}"):
        raise TooManyRequestsException(REPEAT)
    async with service.unit_of_work() as uow:
        await participation_commands.rate(uow, tenant=row.tenant,
                                          scores={rating_rules.ANSWER: score}, now=now)  # fmt: skip
        await uow.commit()


async def rate_site(
    service: Service, votes: RecentVotes, address: str, tenant: str,
    scores: dict[str, int], now: datetime,
) -> None:  # fmt: skip
    if not votes.first(address, f"site:{tenant}"):
        raise TooManyRequestsException(REPEAT)
    async with service.unit_of_work() as uow:
        await participation_commands.rate(uow, tenant=tenant, scores=scores, now=now)
        await uow.commit()


class RatingsController(Controller):
    """Satisfaction ratings that keep the rater private (see services/feedback/rating_rules.py)."""

    path = "/api/v1/feedback/ratings"
    exception_handlers = ERRORS  # type: ignore[assignment]

    @post("/answers/{code:str}", operation_id="RateAnswer", exclude_from_auth=True,
          status_code=202)  # fmt: skip
    async def rate_answer(
        self, code: FromPath[str], data: JSONBody[AnswerRatingIn], request: Caller,
        service: NamedDependency[Service], now: NamedDependency[Now],
        recent_votes: NamedDependency[RecentVotes],
    ) -> dict[str, str]:  # fmt: skip
        await rate_answer(service, recent_votes, client_ip(request, service), None, code,
                          data.score, now())  # fmt: skip
        return {"message": THANKS}

    @post("/sites/{tenant:str}", operation_id="RateSite", exclude_from_auth=True,
          status_code=202)  # fmt: skip
    async def rate_site(
        self, tenant: FromPath[str], data: JSONBody[SiteRatingIn], request: Caller,
        service: NamedDependency[Service], now: NamedDependency[Now],
        recent_votes: NamedDependency[RecentVotes],
    ) -> dict[str, str]:  # fmt: skip
        if not re.fullmatch(SLUG, tenant):
            raise NotFoundException("Không có trang này.")
        await site_url(service, tenant)
        await rate_site(service, recent_votes, client_ip(request, service), tenant,
                        data.scores(), now())  # fmt: skip
        return {"message": THANKS}

    @get("/", operation_id="RatingsReport")
    async def report(
        self, tenant: TenantSlug, request: Caller, service: NamedDependency[Service],
        now: NamedDependency[Now],
        from_: Annotated[str | None, QueryParameter(name="from", max_length=10)] = None,
        to: Annotated[str | None, QueryParameter(max_length=10)] = None,
    ) -> dict[str, Any]:  # fmt: skip
        """A site's ratings over whole months, every figure below five hidden."""
        request.user.require(tenant, Role.board_member)
        start, end = period(from_, to, now())
        assert service.db
        async with service.db.read() as session:
            raw = await participation_store.ratings_between(session, tenant, start, end)
        return report_json(tenant, start, end, rating_rules.report(raw))


# --- consultations -------------------------------------------------------------------------------


class ArticleIn(Input):
    number: str = Field(min_length=1, max_length=50)
    heading: str = Field(default="", max_length=300)
    text: str = Field(min_length=1, max_length=20_000)

    @field_validator("number", "heading")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return _one_line(value)

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Nội dung điều, khoản không được để trống.")
        return value.strip()


class ConsultationIn(Input):
    tenant: str = Field(pattern=SLUG)
    title: str = Field(min_length=5, max_length=300)
    summary: str = Field(min_length=10, max_length=5000)
    articles: list[ArticleIn] = Field(min_length=1, max_length=300)
    opens_on: date
    closes_on: date
    attachment_url: str | None = Field(
        default=None, max_length=500, pattern=r"^https://[^\s<>\"'\\`]+$"
    )

    @field_validator("title")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return _one_line(value)

    @model_validator(mode="after")
    def _size(self) -> ConsultationIn:
        if sum(len(a.text) for a in self.articles) > 1_000_000:
            raise ValueError("Dự thảo quá dài: tổng nội dung các điều tối đa 1.000.000 ký tự.")
        return self


class CommentIn(Input):
    article: ArticleNumber | None = None
    name: str = Field(min_length=2, max_length=200)
    email: EmailStr
    show_name: Flag = False
    text: str = Field(min_length=10, max_length=5000)
    #: The honeypot: hidden from people, filled in by form-filling robots.
    website: str = Field(default="", max_length=500)

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return _one_line(value)


class ModerationIn(Input):
    decision: Literal["publish", "reject"]


class ResponseIn(Input):
    text: str = Field(min_length=2, max_length=10_000)
    comment_ids: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=1000
    )


class ReportIn(Input):
    report_html: str = Field(min_length=1, max_length=200_000)
    responses: list[ResponseIn] = Field(default_factory=list, max_length=1000)


SENT = "Đã nhận. Xin mở thư xác nhận gửi tới email của Quý vị để hoàn tất."


def consultation_summary(row: Any, now: datetime) -> dict[str, Any]:
    current = consultation_rules.phase(row.opens_at, row.closes_at, now)
    return {
        "id": row.id, "tenant": row.tenant, "title": row.title, "summary": row.summary,
        "opens_at": row.opens_at, "closes_at": row.closes_at, "phase": current.value,
        "phase_label": consultation_rules.PHASE_VI[current],
        "report_published": row.report_published_at is not None,
    }  # fmt: skip


def comment_out(row: Any) -> dict[str, Any]:
    """A comment as the board sees it, with the sender's contact."""
    return {
        "id": row.id, "article": row.article, "name": row.name, "email": row.email,
        "show_name": row.show_name, "text": row.text, "status": row.status,
        "status_label": consultation_rules.COMMENT_STATUS_VI[row.status],
        "submitted_at": row.submitted_at, "confirmed_at": row.confirmed_at,
        "moderated_by": row.moderated_by, "response_id": row.response_id,
    }  # fmt: skip


async def _load(service: Service, raw_id: str, get: Any, missing: str) -> Any:
    """A consultation or dialogue by the id in a URL; 404 with `missing` if none."""
    found_id = parse_id(raw_id, missing)
    assert service.db
    async with service.db.read() as session:
        row = await get(session, found_id)
    if row is None:
        raise NotFoundException(missing)
    return row


async def _view(service: Service, public_view: Any, row: Any, now: datetime) -> dict[str, Any]:
    assert service.db
    async with service.db.read() as session:
        return await public_view(session, row, now)


async def load_consultation(service: Service, raw_id: str) -> Any:
    return await _load(service, raw_id, participation_store.consultation, "Không có dự thảo này.")


async def board_consultation(service: Service, raw_id: str, user: Principal) -> Any:
    row = await load_consultation(service, raw_id)
    user.require(row.tenant, Role.board_member)
    return row


async def consultation_view(service: Service, row: Any, now: datetime) -> dict[str, Any]:
    return await _view(service, participation_views.public_consultation, row, now)


def new_comment(data: CommentIn) -> participation_commands.Comment:
    return participation_commands.Comment(
        article=data.article, name=data.name, email=str(data.email), show_name=data.show_name,
        text=data.text.strip(),
    )  # fmt: skip


class ConsultationsController(Controller):
    """Drafts published for comment, the comments, and the agency's summary."""

    path = "/api/v1/feedback/consultations"
    exception_handlers = ERRORS  # type: ignore[assignment]

    @post("/", operation_id="CreateConsultation", status_code=201)
    async def create(
        self, data: JSONBody[ConsultationIn], request: Caller,
        service: NamedDependency[Service], now: NamedDependency[Now],
    ) -> dict[str, Any]:  # fmt: skip
        request.user.require(data.tenant, Role.board_member)
        await site_url(service, data.tenant)
        draft = participation_commands.Draft(
            tenant=data.tenant, title=data.title, summary=data.summary.strip(),
            articles=tuple(participation_commands.Article(a.number, a.heading, a.text)
                           for a in data.articles),
            opens_on=data.opens_on, closes_on=data.closes_on, attachment_url=data.attachment_url,
        )  # fmt: skip
        moment = now()
        consultation_id = await run(service, lambda uow: participation_commands.create_consultation(
            uow, draft, by=request.user.username, now=moment))  # fmt: skip
        row = await load_consultation(service, consultation_id)
        return await consultation_view(service, row, moment)

    @get("/", operation_id="ListConsultations", exclude_from_auth=True)
    async def list_consultations(
        self, tenant: TenantSlug, service: NamedDependency[Service], now: NamedDependency[Now]
    ) -> list[dict[str, Any]]:
        assert service.db
        async with service.db.read() as session:
            rows = await participation_store.consultations_of(session, tenant)
        moment = now()
        return [consultation_summary(r, moment) for r in rows]

    @get("/{consultation_id:str}", operation_id="GetConsultation", exclude_from_auth=True)
    async def get_consultation(
        self, consultation_id: FromPath[str], service: NamedDependency[Service],
        now: NamedDependency[Now],
    ) -> dict[str, Any]:  # fmt: skip
        row = await load_consultation(service, consultation_id)
        return await consultation_view(service, row, now())

    @post("/{consultation_id:str}/comments", operation_id="CommentOnDraft",
          exclude_from_auth=True, status_code=202)  # fmt: skip
    async def comment(
        self, consultation_id: FromPath[str], data: JSONBody[CommentIn], request: Caller,
        service: NamedDependency[Service], guard: NamedDependency[Guard],
        now: NamedDependency[Now],
    ) -> dict[str, str]:  # fmt: skip
        row = await load_consultation(service, consultation_id)
        if data.website:
            return {"message": SENT}  # a robot: answered as usual, nothing kept
        await admitted(guard, client_ip(request, service), str(data.email))
        url = await site_url(service, row.tenant)
        await run(service, lambda uow: participation_commands.comment(
            uow, row.id, new_comment(data), now=now(), site_url=url))  # fmt: skip
        return {"message": SENT}

    @post("/confirm", operation_id="ConfirmComment", exclude_from_auth=True, status_code=200)
    async def confirm(
        self, data: JSONBody[ConfirmIn], request: Caller, service: NamedDependency[Service],
        guard: NamedDependency[Guard], now: NamedDependency[Now],
    ) -> dict[str, str]:  # fmt: skip
        row = await with_link(guard, client_ip(request, service), lambda: run(
            service, lambda uow: participation_commands.confirm_comment(uow, data.token, now())
        ))  # fmt: skip
        return {"consultation_id": row.id, "message": "Đã nhận góp ý; ý kiến được đăng sau khi "
                "Ban Biên tập duyệt."}  # fmt: skip

    @get("/{consultation_id:str}/comments", operation_id="ListComments")
    async def list_comments(
        self, consultation_id: FromPath[str], request: Caller,
        service: NamedDependency[Service],
    ) -> list[dict[str, Any]]:  # fmt: skip
        row = await board_consultation(service, consultation_id, request.user)
        assert service.db
        async with service.db.read() as session:
            rows = await participation_store.comments_of(
                session, row.id, [s for s in consultation_rules.CommentStatus if s != "unconfirmed"]
            )
        return [comment_out(r) for r in rows]

    @post("/{consultation_id:str}/comments/{comment_id:str}/moderation",
          operation_id="ModerateComment", status_code=200)  # fmt: skip
    async def moderate(
        self, consultation_id: FromPath[str], comment_id: FromPath[str],
        data: JSONBody[ModerationIn], request: Caller, service: NamedDependency[Service],
        now: NamedDependency[Now],
    ) -> dict[str, Any]:  # fmt: skip
        row = await board_consultation(service, consultation_id, request.user)
        cid = parse_id(comment_id, "Không có ý kiến này trong dự thảo.")
        done = await run(service, lambda uow: participation_commands.moderate_comment(
            uow, row.id, cid, publish=data.decision == "publish", by=request.user.username,
            now=now()))  # fmt: skip
        return comment_out(done)

    @put("/{consultation_id:str}/report", operation_id="PublishConsultationReport",
         status_code=200)  # fmt: skip
    async def report(
        self, consultation_id: FromPath[str], data: JSONBody[ReportIn], request: Caller,
        service: NamedDependency[Service], now: NamedDependency[Now],
    ) -> dict[str, Any]:  # fmt: skip
        row = await board_consultation(service, consultation_id, request.user)
        answers = [
            participation_commands.Response(r.text.strip(), tuple(r.comment_ids))
            for r in data.responses
        ]
        moment = now()
        done = await run(service, lambda uow: participation_commands.publish_report(
            uow, row.id, report_html=data.report_html, responses=answers,
            by=request.user.username, now=moment))  # fmt: skip
        return await consultation_view(service, done, moment)


# --- dialogues -----------------------------------------------------------------------------------


class DialogueIn(Input):
    tenant: str = Field(pattern=SLUG)
    topic: str = Field(min_length=5, max_length=300)
    description: str = Field(default="", max_length=5000)
    leader_name: str = Field(min_length=2, max_length=200)
    leader_title: str = Field(min_length=2, max_length=300)
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @field_validator("topic", "leader_name", "leader_title")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return _one_line(value)


class DialogueQuestionIn(Input):
    name: str = Field(min_length=2, max_length=200)
    email: EmailStr
    show_name: Flag = False
    text: str = Field(min_length=10, max_length=3000)
    website: str = Field(default="", max_length=500)

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return _one_line(value)


class AnswerIn(Input):
    answer_html: str = Field(min_length=1, max_length=100_000)


class TranscriptIn(Input):
    note: str = Field(default="", max_length=5000)


def dialogue_summary(row: Any, now: datetime) -> dict[str, Any]:
    current = dialogue_rules.current_state(row, now)
    return {
        "id": row.id, "tenant": row.tenant, "topic": row.topic, "leader_name": row.leader_name,
        "leader_title": row.leader_title, "starts_at": row.starts_at, "ends_at": row.ends_at,
        "state": current.value, "state_label": dialogue_rules.STATE_VI[current],
    }  # fmt: skip


def dialogue_question_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "email": row.email, "show_name": row.show_name,
        "text": row.text, "status": row.status, "confirmed_at": row.confirmed_at,
        "answer_html": row.answer_html, "answered_at": row.answered_at,
        "sequence": row.sequence,
    }  # fmt: skip


async def load_dialogue(service: Service, raw_id: str) -> Any:
    return await _load(
        service, raw_id, participation_store.dialogue, "Không có buổi đối thoại này."
    )


async def board_dialogue(service: Service, raw_id: str, user: Principal) -> Any:
    row = await load_dialogue(service, raw_id)
    user.require(row.tenant, Role.board_member)
    return row


async def dialogue_view(service: Service, row: Any, now: datetime) -> dict[str, Any]:
    return await _view(service, participation_views.public_dialogue, row, now)


def new_question(data: DialogueQuestionIn) -> participation_commands.Asked:
    return participation_commands.Asked(
        name=data.name, email=str(data.email), show_name=data.show_name, text=data.text.strip()
    )


class DialoguesController(Controller):
    """Online dialogues: scheduled by the board, questions in advance, answers live."""

    path = "/api/v1/feedback/dialogues"
    exception_handlers = ERRORS  # type: ignore[assignment]

    @post("/", operation_id="ScheduleDialogue", status_code=201)
    async def schedule(
        self, data: JSONBody[DialogueIn], request: Caller, service: NamedDependency[Service],
        now: NamedDependency[Now],
    ) -> dict[str, Any]:  # fmt: skip
        request.user.require(data.tenant, Role.board_member)
        await site_url(service, data.tenant)
        session = participation_commands.Session(
            tenant=data.tenant, topic=data.topic, description=data.description.strip(),
            leader_name=data.leader_name, leader_title=data.leader_title,
            starts_at=data.starts_at.astimezone(TZ), ends_at=data.ends_at.astimezone(TZ),
        )  # fmt: skip
        moment = now()
        dialogue_id = await run(service, lambda uow: participation_commands.schedule_dialogue(
            uow, session, by=request.user.username, now=moment))  # fmt: skip
        return await dialogue_view(service, await load_dialogue(service, dialogue_id), moment)

    @get("/", operation_id="ListDialogues", exclude_from_auth=True)
    async def list_dialogues(
        self, tenant: TenantSlug, service: NamedDependency[Service], now: NamedDependency[Now]
    ) -> list[dict[str, Any]]:
        assert service.db
        async with service.db.read() as session:
            rows = await participation_store.dialogues_of(session, tenant)
        moment = now()
        return [dialogue_summary(r, moment) for r in rows]

    @get("/{dialogue_id:str}", operation_id="GetDialogue", exclude_from_auth=True)
    async def get_dialogue(
        self, dialogue_id: FromPath[str], service: NamedDependency[Service],
        now: NamedDependency[Now],
    ) -> dict[str, Any]:  # fmt: skip
        return await dialogue_view(service, await load_dialogue(service, dialogue_id), now())

    @post("/{dialogue_id:str}/questions", operation_id="AskDialogue", exclude_from_auth=True,
          status_code=202)  # fmt: skip
    async def ask(
        self, dialogue_id: FromPath[str], data: JSONBody[DialogueQuestionIn], request: Caller,
        service: NamedDependency[Service], guard: NamedDependency[Guard],
        now: NamedDependency[Now],
    ) -> dict[str, str]:  # fmt: skip
        row = await load_dialogue(service, dialogue_id)
        if data.website:
            return {"message": SENT}
        await admitted(guard, client_ip(request, service), str(data.email))
        url = await site_url(service, row.tenant)
        await run(service, lambda uow: participation_commands.ask(
            uow, row.id, new_question(data), now=now(), site_url=url))  # fmt: skip
        return {"message": SENT}

    @post("/confirm", operation_id="ConfirmDialogueQuestion", exclude_from_auth=True,
          status_code=200)  # fmt: skip
    async def confirm(
        self, data: JSONBody[ConfirmIn], request: Caller, service: NamedDependency[Service],
        guard: NamedDependency[Guard], now: NamedDependency[Now],
    ) -> dict[str, str]:  # fmt: skip
        row = await with_link(guard, client_ip(request, service), lambda: run(
            service, lambda uow: participation_commands.confirm_question(uow, data.token, now())
        ))  # fmt: skip
        return {"dialogue_id": row.id, "message": "Câu hỏi đã được gửi tới buổi đối thoại."}

    @get("/{dialogue_id:str}/questions", operation_id="ListDialogueQuestions")
    async def list_questions(
        self, dialogue_id: FromPath[str], request: Caller, service: NamedDependency[Service]
    ) -> list[dict[str, Any]]:
        row = await board_dialogue(service, dialogue_id, request.user)
        assert service.db
        async with service.db.read() as session:
            rows = await participation_store.questions_of(session, row.id)
        return [dialogue_question_out(r) for r in rows]

    @post("/{dialogue_id:str}/questions/{question_id:str}/answer",
          operation_id="AnswerDialogueQuestion", status_code=200)  # fmt: skip
    async def answer(
        self, dialogue_id: FromPath[str], question_id: FromPath[str], data: JSONBody[AnswerIn],
        request: Caller, service: NamedDependency[Service], now: NamedDependency[Now],
    ) -> dict[str, Any]:  # fmt: skip
        row = await board_dialogue(service, dialogue_id, request.user)
        qid = parse_id(question_id, "Không có câu hỏi này trong buổi đối thoại.")
        done = await run(service, lambda uow: participation_commands.answer_question(
            uow, row.id, qid, answer_html=data.answer_html, by=request.user.username,
            now=now()))  # fmt: skip
        return dialogue_question_out(done)

    @post("/{dialogue_id:str}/end", operation_id="EndDialogue", status_code=200)
    async def end(
        self, dialogue_id: FromPath[str], request: Caller, service: NamedDependency[Service],
        now: NamedDependency[Now],
    ) -> dict[str, Any]:  # fmt: skip
        row = await board_dialogue(service, dialogue_id, request.user)
        moment = now()
        done = await run(service, lambda uow: participation_commands.end_dialogue(
            uow, row.id, by=request.user.username, now=moment))  # fmt: skip
        return await dialogue_view(service, done, moment)

    @post("/{dialogue_id:str}/transcript", operation_id="PublishTranscript", status_code=200)
    async def transcript(
        self, dialogue_id: FromPath[str], data: JSONBody[TranscriptIn], request: Caller,
        service: NamedDependency[Service], now: NamedDependency[Now],
    ) -> dict[str, Any]:  # fmt: skip
        row = await board_dialogue(service, dialogue_id, request.user)
        moment = now()
        done = await run(service, lambda uow: participation_commands.publish_transcript(
            uow, row.id, note=data.note.strip(), by=request.user.username, now=moment))  # fmt: skip
        return await dialogue_view(service, done, moment)


CONTROLLERS = [RatingsController, ConsultationsController, DialoguesController]
