"""feedback's citizen pages for participation, on every site, in Vietnamese: the site's
satisfaction rating and its results, the rating of a published answer, consultation
on draft documents and online dialogues. The same framework as pages.py: the site
comes from the gateway's `x-portal-tenant` (or the Host header), forms are plain HTML
that work without JavaScript and are never stored by a cache, and links mailed for
confirmation open a page with a button (POST), so a mail scanner cannot confirm.
Comments and dialogue questions count against the abuse limits of questions
(services/feedback/abuse.py), wrong confirmation links against its link limits.

    /danh-gia                         rate the site (form) and its results (?nam=)
    /hoi-dap/{code}/danh-gia          rate a published answer (POST, from the answer page)
    /du-thao                          the site's consultations: open, upcoming, closed
    /du-thao/{id}                     a draft, its published comments and, after closing,
                                      the agency's summary and responses
    /du-thao/{id}/gop-y?muc=          the comment form (GET) and its submission (POST)
    /du-thao/xac-nhan/{token}         confirm a comment (GET shows a button, POST confirms)
    /doi-thoai                        the site's online dialogues: upcoming, live, past
    /doi-thoai/{id}                   a session: its answers while live, then the transcript
    /doi-thoai/{id}/hoi               the question form (GET) and its submission (POST)
    /doi-thoai/xac-nhan/{token}       confirm a question
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from pydantic import ValidationError

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
from services.feedback.api import client_ip
from services.feedback.calendar import TZ, Now
from services.feedback.commands import NotFound
from services.feedback.domain import Invalid, NotAllowed, normalise_code
from services.feedback.pages import (
    NO_STORE,
    SHORT,
    Site,
    _token_ok,
    _too_many,
    find_site,
    hanoi,
    hanoi_day,
    message,
    page,
    unknown_site,
    vietnamese_errors,
)
from services.feedback.participation_api import (
    CommentIn,
    DialogueQuestionIn,
    new_comment,
    new_question,
)
from services.feedback.recent_votes import RecentVotes

MAX_FORM_BYTES = 64 * 1024
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
LABELS = {
    "article": "Điều, khoản góp ý", "name": "Họ và tên", "email": "Email", "text": "Nội dung",
    "show_name": "Công khai họ tên", "website": "Ô để trống",
}  # fmt: skip
THANKS = ["Cảm ơn Quý vị đã đánh giá. Đánh giá không gắn với tên, địa chỉ hay thiết bị của "
          "Quý vị: hệ thống chỉ cộng thêm một lượt vào số liệu tổng hợp theo tháng."]  # fmt: skip
REPEAT = ["Từ mạng của Quý vị vừa có đánh giá cho nội dung này; mỗi nội dung chỉ nhận một "
          "đánh giá từ một mạng trong một giờ. Xin thử lại sau."]  # fmt: skip


def _uuid(raw: str) -> str | None:
    """An id as we issue them (a UUID); anything else finds nothing."""
    try:
        return str(uuid.UUID(raw[:40]))
    except ValueError:
        return None


async def _site(service: Service, request: Request[Any, Any, Any]) -> Site | None:
    assert service.db
    async with service.db.read() as session:
        return await find_site(session, request)


async def _form(request: Request[Any, Any, Any]) -> dict[str, str] | None:
    """The posted form's text fields, or None if it was not a form."""
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return None
    raw = await request.form()
    return {k: v for k, v in raw.items() if isinstance(v, str)}


def _bad_request(
    site: Site, lines: list[str], back: str, label: str, status: int = 400
) -> Response[str]:
    return message(site, "Yêu cầu không hợp lệ", lines, status=status, back_href=back,
                   back_label=label)  # fmt: skip


# --- mailed confirmations (comments and dialogue questions) ------------------------------------


@dataclass(frozen=True)
class Link:
    """What a mailed confirmation link confirms on a section (`du-thao`, `doi-thoai`),
    and the texts the sender reads on the way."""

    section: str
    index_label: str  # back to the section's index
    item_label: str  # back to the draft or the session
    noun: str  # what is sent: "góp ý", "câu hỏi"
    form_title: str
    refused: str  # title when the phase or session no longer takes it
    done: str
    done_lines: list[str]
    confirm: Callable[[UnitOfWork, str, datetime], Awaitable[Any]]


def _sent(site: Site, link: Link, row: Any) -> Response[str]:
    return message(
        site, "Đã nhận, xin xác nhận qua email",
        ["Chúng tôi đã gửi thư có đường dẫn xác nhận tới email của Quý vị.",
         "Nội dung chỉ được gửi chính thức sau khi Quý vị mở đường dẫn đó và bấm "
         "“Xác nhận gửi”."],
        status=202, back_href=f"/{link.section}/{row.id}", back_label=link.item_label,
    )  # fmt: skip


async def _submit(
    request: Request[Any, Any, Any], service: Service, guard: Guard, site: Site, row: Any,
    link: Link, *, model: type[CommentIn] | type[DialogueQuestionIn],
    fields_to_raw: Callable[[dict[str, str]], dict[str, Any]],
    form_page: Callable[[dict[str, str], list[str], int], Response[str]],
    refused: Callable[[NotAllowed], Response[str]],
    save: Callable[[UnitOfWork, Any, str], Awaitable[Any]],
) -> Response[str]:  # fmt: skip
    """A posted comment or question: abuse limits, the form, the honeypot, then `save`
    (uow, the validated input, the site's URL) waiting for the mailed confirmation."""
    ip = client_ip(request, service)
    try:
        await guard.before_reading(ip)
    except TooMany as exc:
        return _too_many(site, exc)
    fields = await _form(request)
    if fields is None:
        return form_page({}, ["Biểu mẫu gửi không đúng định dạng."], 415)
    form = {k: fields.get(k, "") for k in LABELS}
    raw = {**fields_to_raw(fields), "show_name": fields.get("show_name") in ("1", "on", "true")}
    try:
        data = model.model_validate(raw)
    except ValidationError as exc:
        return form_page(form, vietnamese_errors(exc, LABELS), 422)
    if data.website:
        return _sent(site, link, row)
    try:
        await guard.admit(ip, str(data.email), None)
    except TooMany as exc:
        return _too_many(site, exc)
    try:
        async with service.unit_of_work() as uow:
            await save(uow, data, service.settings.site_url(site.slug, site.domain))
            await uow.commit()
    except NotAllowed as exc:
        return refused(exc)
    except Invalid as exc:
        return form_page(form, [str(exc)], 422)
    return _sent(site, link, row)


async def _confirm_form(
    request: Request[Any, Any, Any], service: Service, token: str, link: Link
) -> Response[str]:
    """A mailed link opens a page with a button (POST), so a mail scanner cannot confirm."""
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    return page("confirm.html", site, title=link.form_title, noindex=True,
                section=link.section,
                lead=f"Bấm nút dưới đây để gửi chính thức {link.noun} của Quý vị.",
                action=f"/{link.section}/xac-nhan/{token[:100]}",
                button="Xác nhận gửi")  # fmt: skip


async def _confirmed(service: Service, token: str, now: Now, link: Link) -> Any:
    """Run a mailed link's confirmation; NotFound for a token we cannot have issued."""
    if not _token_ok(token):
        raise NotFound("Đường dẫn xác nhận không đúng.")
    async with service.unit_of_work() as uow:
        row = await link.confirm(uow, token, now())
        await uow.commit()
    return row


async def _confirm_link(
    request: Request[Any, Any, Any], service: Service, guard: Guard, now: Now, token: str,
    link: Link,
) -> Response[str]:  # fmt: skip
    """The button was pressed: confirm, counting wrong links against the link limits."""
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    used = ["Đường dẫn xác nhận không đúng hoặc đã được dùng."]
    back = {"back_href": f"/{link.section}", "back_label": link.index_label}
    ip = client_ip(request, service)
    try:
        await guard.check("token", ip)
    except TooMany as exc:
        return _too_many(site, exc)
    try:
        row = await _confirmed(service, token, now, link)
    except NotFound:
        await guard.failed("token", ip)
        return message(site, "Không xác nhận được", used, status=404, **back)
    except NotAllowed as exc:
        return message(site, link.refused, [str(exc)], status=409, **back)
    return message(site, link.done, link.done_lines, back_href=f"/{link.section}/{row.id}",
                   back_label=link.item_label)  # fmt: skip


# --- ratings -----------------------------------------------------------------------------------


def _year(raw: str, now: datetime) -> int | None:
    this = now.astimezone(TZ).year
    if not raw:
        return this
    return int(raw) if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= this else None


async def _rating_page(
    service: Service, site: Site, now: datetime, year: int, *, status: int = 200,
    errors: list[str] | None = None, chosen: dict[str, str] | None = None,
) -> Response[str]:  # fmt: skip
    assert service.db
    async with service.db.read() as session:
        raw = await participation_store.ratings_between(
            session, site.slug, date(year, 1, 1), date(year, 12, 1)
        )
    shown = rating_rules.report(raw)
    rows = [
        {"label": rating_rules.CRITERIA_VI[c], "total": p.total_label(), "average": p.average,
         "cells": [p.label(s) for s in rating_rules.SCORES]}
        for c, p in shown.items()
    ]  # fmt: skip
    return page(
        "rating.html", site, status=status, cache=NO_STORE, title="Đánh giá trang thông tin",
        section="danh-gia", criteria=rating_rules.SITE_CRITERIA, score_names=rating_rules.SCORE_VI,
        scores=rating_rules.SCORES, rows=rows, year=year, minimum=rating_rules.MINIMUM,
        errors=errors or [], chosen=chosen or {}, crumbs=[("Đánh giá", None)],
        this_year=now.astimezone(TZ).year,
    )  # fmt: skip


@get("/danh-gia", exclude_from_auth=True, include_in_schema=False)
async def rating_page(
    request: Request[Any, Any, Any], service: NamedDependency[Service], now: NamedDependency[Now]
) -> Response[str]:
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    moment = now()
    year = _year(request.query_params.get("nam", "")[:10], moment)
    if year is None:
        return _bad_request(site, ["Năm không hợp lệ."], "/danh-gia", "Về trang Đánh giá")
    return await _rating_page(service, site, moment, year)


@post("/danh-gia", exclude_from_auth=True, include_in_schema=False,
      request_max_body_size=MAX_FORM_BYTES)  # fmt: skip
async def rate_site(
    request: Request[Any, Any, Any], service: NamedDependency[Service],
    now: NamedDependency[Now], recent_votes: NamedDependency[RecentVotes],
) -> Response[str]:  # fmt: skip
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    fields = await _form(request)
    moment = now()
    year = moment.astimezone(TZ).year
    if fields is None:
        return await _rating_page(service, site, moment, year, status=415,
                                  errors=["Biểu mẫu gửi không đúng định dạng."])  # fmt: skip
    chosen = {c: fields.get(c, "")[:2] for c in rating_rules.SITE_CRITERIA}
    if fields.get("website"):
        return message(site, "Đã ghi nhận đánh giá", THANKS, back_href="/danh-gia",
                       back_label="Xem kết quả đánh giá")  # fmt: skip
    try:
        scores = rating_rules.check_scores(
            {c: fields.get(c, "") for c in rating_rules.SITE_CRITERIA}, rating_rules.SITE_CRITERIA
        )
    except ValueError as exc:
        return await _rating_page(service, site, moment, year, status=422, errors=[str(exc)],
                                  chosen=chosen)  # fmt: skip
    if not recent_votes.first(client_ip(request, service), f"site:{site.slug}"):
        return message(site, "Đã có đánh giá", REPEAT, status=429, back_href="/danh-gia",
                       back_label="Xem kết quả đánh giá")  # fmt: skip
    async with service.unit_of_work() as uow:
        await participation_commands.rate(uow, tenant=site.slug, scores=scores, now=moment)
        await uow.commit()
    return message(site, "Đã ghi nhận đánh giá", THANKS, back_href="/danh-gia",
                   back_label="Xem kết quả đánh giá")  # fmt: skip


@post("/hoi-dap/{code:str}/danh-gia", exclude_from_auth=True, include_in_schema=False,
      request_max_body_size=MAX_FORM_BYTES)  # fmt: skip
async def rate_answer(
    code: FromPath[str], request: Request[Any, Any, Any], service: NamedDependency[Service],
    now: NamedDependency[Now], recent_votes: NamedDependency[RecentVotes],
) -> Response[str]:  # fmt: skip
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    missing = ["Không có câu trả lời đã đăng với mã này."]
    canonical = normalise_code(code[:40])
    if canonical is None:
        return message(site, "Không tìm thấy câu trả lời", missing, status=404)
    assert service.db
    async with service.db.read() as session:
        row = await store.by_code(session, canonical)
    if row is None or row.tenant != site.slug or row.status != "published":
        return message(site, "Không tìm thấy câu trả lời", missing, status=404)
    back = f"/hoi-dap/{row.code}"
    fields = await _form(request)
    if fields is None:
        return _bad_request(site, ["Biểu mẫu gửi không đúng định dạng."], back,
                            "Về câu trả lời", 415)  # fmt: skip
    try:
        scores = rating_rules.check_scores(
            {rating_rules.ANSWER: fields.get("muc", "")}, [rating_rules.ANSWER]
        )
    except ValueError as exc:
        return _bad_request(site, [str(exc)], back, "Về câu trả lời", 422)
    if not recent_votes.first(client_ip(request, service), f"answer:{row.code}"):
        return message(site, "Đã có đánh giá", REPEAT, status=429, back_href=back,
                       back_label="Về câu trả lời")  # fmt: skip
    async with service.unit_of_work() as uow:
        await participation_commands.rate(uow, tenant=site.slug, scores=scores, now=now())
        await uow.commit()
    return message(site, "Đã ghi nhận đánh giá", THANKS, back_href=back,
                   back_label="Về câu trả lời")  # fmt: skip


# --- consultations -------------------------------------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


@get("/du-thao", exclude_from_auth=True, include_in_schema=False)
async def consultations_index(
    request: Request[Any, Any, Any], service: NamedDependency[Service], now: NamedDependency[Now]
) -> Response[str]:
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    assert service.db
    async with service.db.read() as session:
        rows = await participation_store.consultations_of(session, site.slug)
    moment = now()
    groups: dict[str, list[dict[str, Any]]] = {p.value: [] for p in consultation_rules.Phase}
    for r in rows:
        current = consultation_rules.phase(r.opens_at, r.closes_at, moment)
        groups[current.value].append(
            {"id": r.id, "title": r.title, "opens": hanoi_day(r.opens_at),
             "closes": hanoi_day(r.closes_at), "report": r.report_published_at is not None}
        )  # fmt: skip
    return page(
        "consultations.html", site, cache=SHORT, title="Góp ý dự thảo văn bản",
        section="du-thao", groups=groups, canonical="/du-thao",
        crumbs=[("Góp ý dự thảo", None)],
    )  # fmt: skip


async def _consultation(service: Service, site: Site, raw_id: str) -> Any:
    consultation_id = _uuid(raw_id)
    if consultation_id is None:
        return None
    assert service.db
    async with service.db.read() as session:
        row = await participation_store.consultation(session, consultation_id)
    return row if row is not None and row.tenant == site.slug else None


def _no_consultation(site: Site) -> Response[str]:
    return message(site, "Không tìm thấy dự thảo", ["Không có dự thảo này trên trang."],
                   status=404, back_href="/du-thao",
                   back_label="Về trang Góp ý dự thảo")  # fmt: skip


def _localise_comments(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**c, "when": hanoi(c["confirmed_at"]), "paras": _paragraphs(c["text"])} for c in items]


@get("/du-thao/{consultation_id:str}", exclude_from_auth=True, include_in_schema=False)
async def consultation_page(
    consultation_id: FromPath[str], request: Request[Any, Any, Any],
    service: NamedDependency[Service], now: NamedDependency[Now],
) -> Response[str]:  # fmt: skip
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    row = await _consultation(service, site, consultation_id)
    if row is None:
        return _no_consultation(site)
    assert service.db
    async with service.db.read() as session:
        view = await participation_views.public_consultation(session, row, now())
    for article in view["articles"]:
        article["paras"] = _paragraphs(article["text"])
        article["comments"] = _localise_comments(article["comments"])
    view["general"]["comments"] = _localise_comments(view["general"]["comments"])
    if view["report"]:
        view["report"]["when"] = hanoi(view["report"]["published_at"])
        for response in view["report"]["responses"]:
            response["paras"] = _paragraphs(response["text"])
    return page(
        "consultation.html", site, cache=SHORT, title=row.title, section="du-thao", c=view,
        summary_paras=_paragraphs(row.summary), opens=hanoi_day(row.opens_at),
        closes=hanoi_day(row.closes_at), canonical=f"/du-thao/{row.id}",
        crumbs=[("Góp ý dự thảo", "/du-thao"), (row.title, None)],
        description=row.summary[:160],
    )  # fmt: skip


def _comment_page(
    site: Site, row: Any, form: dict[str, str], errors: list[str], status: int
) -> Response[str]:
    articles = [(i, consultation_rules.article_label(row.articles, i))
                for i in range(1, len(row.articles) + 1)]  # fmt: skip
    return page(
        "comment_form.html", site, status=status, title=f"Góp ý: {row.title}",
        section="du-thao", c=row, articles=articles, form=form, errors=errors, noindex=True,
        closes=hanoi_day(row.closes_at),
        crumbs=[("Góp ý dự thảo", "/du-thao"), (row.title, f"/du-thao/{row.id}"),
                ("Gửi góp ý", None)],
    )  # fmt: skip


COMMENT = Link(
    section="du-thao", index_label="Về trang Góp ý dự thảo", item_label="Về dự thảo",
    noun="góp ý", form_title="Xác nhận góp ý dự thảo", refused="Không nhận góp ý",
    done="Đã nhận góp ý",
    done_lines=["Góp ý của Quý vị đã được tiếp nhận chính thức.",
                "Ý kiến được đăng công khai sau khi Ban Biên tập duyệt; cơ quan soạn thảo sẽ "
                "tổng hợp, tiếp thu, giải trình sau khi hết thời gian góp ý."],
    confirm=participation_commands.confirm_comment,
)  # fmt: skip


def _comment_raw(fields: dict[str, str]) -> dict[str, Any]:
    article = fields.get("article", "")
    return {
        **fields,
        "article": None if article == "" else int(article) if article.isdigit() else article,
    }


def _closed(site: Site, row: Any, exc: NotAllowed, status: int = 409) -> Response[str]:
    return message(site, "Không nhận góp ý", [str(exc)], status=status,
                   back_href=f"/du-thao/{row.id}", back_label="Về dự thảo")  # fmt: skip


@get("/du-thao/{consultation_id:str}/gop-y", exclude_from_auth=True, include_in_schema=False)
async def comment_form(
    consultation_id: FromPath[str], request: Request[Any, Any, Any],
    service: NamedDependency[Service], now: NamedDependency[Now],
) -> Response[str]:  # fmt: skip
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    row = await _consultation(service, site, consultation_id)
    if row is None:
        return _no_consultation(site)
    try:
        consultation_rules.require_open(
            consultation_rules.phase(row.opens_at, row.closes_at, now())
        )
    except NotAllowed as exc:
        return _closed(site, row, exc)
    chosen = request.query_params.get("muc", "")[:5]
    return _comment_page(site, row, {"article": chosen if chosen.isdigit() else ""}, [], 200)


@post("/du-thao/{consultation_id:str}/gop-y", exclude_from_auth=True, include_in_schema=False,
      request_max_body_size=MAX_FORM_BYTES)  # fmt: skip
async def comment(
    consultation_id: FromPath[str], request: Request[Any, Any, Any],
    service: NamedDependency[Service], guard: NamedDependency[Guard],
    now: NamedDependency[Now],
) -> Response[str]:  # fmt: skip
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    row = await _consultation(service, site, consultation_id)
    if row is None:
        return _no_consultation(site)

    async def save(uow: UnitOfWork, data: CommentIn, url: str) -> None:
        await participation_commands.comment(
            uow, row.id, new_comment(data), now=now(), site_url=url
        )

    return await _submit(
        request, service, guard, site, row, COMMENT, model=CommentIn,
        fields_to_raw=_comment_raw, save=save,
        form_page=lambda form, errors, status: _comment_page(site, row, form, errors, status),
        refused=lambda exc: _closed(site, row, exc),
    )  # fmt: skip


@get("/du-thao/xac-nhan/{token:str}", exclude_from_auth=True, include_in_schema=False)
async def confirm_comment_form(
    token: FromPath[str], request: Request[Any, Any, Any], service: NamedDependency[Service]
) -> Response[str]:
    return await _confirm_form(request, service, token, COMMENT)


@post("/du-thao/xac-nhan/{token:str}", exclude_from_auth=True, include_in_schema=False,
      request_max_body_size=MAX_FORM_BYTES)  # fmt: skip
async def confirm_comment(
    token: FromPath[str], request: Request[Any, Any, Any], service: NamedDependency[Service],
    guard: NamedDependency[Guard], now: NamedDependency[Now],
) -> Response[str]:  # fmt: skip
    return await _confirm_link(request, service, guard, now, token, COMMENT)


# --- dialogues -----------------------------------------------------------------------------------


@get("/doi-thoai", exclude_from_auth=True, include_in_schema=False)
async def dialogues_index(
    request: Request[Any, Any, Any], service: NamedDependency[Service], now: NamedDependency[Now]
) -> Response[str]:
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    assert service.db
    async with service.db.read() as session:
        rows = await participation_store.dialogues_of(session, site.slug)
    moment = now()
    groups: dict[str, list[dict[str, Any]]] = {"live": [], "scheduled": [], "past": []}
    for r in rows:
        current = dialogue_rules.current_state(r, moment)
        live_or_next = (dialogue_rules.State.LIVE, dialogue_rules.State.SCHEDULED)
        key = current.value if current in live_or_next else "past"
        groups[key].append(
            {"id": r.id, "topic": r.topic, "leader": f"{r.leader_title} {r.leader_name}",
             "starts": hanoi(r.starts_at), "state": dialogue_rules.STATE_VI[current]}
        )  # fmt: skip
    groups["scheduled"].reverse()  # the next one first
    return page(
        "dialogues.html", site, cache=SHORT, title="Đối thoại trực tuyến", section="doi-thoai",
        groups=groups, canonical="/doi-thoai", crumbs=[("Đối thoại trực tuyến", None)],
    )  # fmt: skip


async def _dialogue(service: Service, site: Site, raw_id: str) -> Any:
    dialogue_id = _uuid(raw_id)
    if dialogue_id is None:
        return None
    assert service.db
    async with service.db.read() as session:
        row = await participation_store.dialogue(session, dialogue_id)
    return row if row is not None and row.tenant == site.slug else None


def _no_dialogue(site: Site) -> Response[str]:
    return message(site, "Không tìm thấy buổi đối thoại", ["Không có buổi đối thoại này."],
                   status=404, back_href="/doi-thoai",
                   back_label="Về trang Đối thoại trực tuyến")  # fmt: skip


@get("/doi-thoai/{dialogue_id:str}", exclude_from_auth=True, include_in_schema=False)
async def dialogue_page(
    dialogue_id: FromPath[str], request: Request[Any, Any, Any],
    service: NamedDependency[Service], now: NamedDependency[Now],
) -> Response[str]:  # fmt: skip
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    row = await _dialogue(service, site, dialogue_id)
    if row is None:
        return _no_dialogue(site)
    assert service.db
    async with service.db.read() as session:
        view = await participation_views.public_dialogue(session, row, now())
    for item in view["answered"]:
        item["paras"] = _paragraphs(item["question"])
        item["when"] = hanoi(item["answered_at"])
    live = view["state"] == dialogue_rules.State.LIVE
    return page(
        "dialogue.html", site, cache=NO_STORE if live else SHORT, title=row.topic,
        section="doi-thoai", d=view, starts=hanoi(row.starts_at), ends=hanoi(row.ends_at),
        description_paras=_paragraphs(row.description),
        published=hanoi(row.transcript_published_at),
        note_paras=_paragraphs(row.transcript_note or ""), canonical=f"/doi-thoai/{row.id}",
        crumbs=[("Đối thoại trực tuyến", "/doi-thoai"), (row.topic, None)],
    )  # fmt: skip


def _ask_page(
    site: Site, row: Any, form: dict[str, str], errors: list[str], status: int
) -> Response[str]:
    return page(
        "dialogue_form.html", site, status=status, title=f"Đặt câu hỏi: {row.topic}",
        section="doi-thoai", d=row, form=form, errors=errors, noindex=True,
        starts=hanoi(row.starts_at),
        crumbs=[("Đối thoại trực tuyến", "/doi-thoai"), (row.topic, f"/doi-thoai/{row.id}"),
                ("Đặt câu hỏi", None)],
    )  # fmt: skip


QUESTION = Link(
    section="doi-thoai", index_label="Về trang Đối thoại trực tuyến",
    item_label="Về buổi đối thoại", noun="câu hỏi",
    form_title="Xác nhận câu hỏi gửi buổi đối thoại", refused="Không nhận câu hỏi",
    done="Đã gửi câu hỏi",
    done_lines=["Câu hỏi của Quý vị đã được gửi tới buổi đối thoại.",
                "Câu hỏi được trả lời sẽ đăng trên trang của buổi đối thoại và trong biên bản."],
    confirm=participation_commands.confirm_question,
)  # fmt: skip


def _not_taking(site: Site, row: Any, exc: NotAllowed) -> Response[str]:
    return message(site, "Không nhận câu hỏi", [str(exc)], status=409,
                   back_href=f"/doi-thoai/{row.id}", back_label="Về buổi đối thoại")  # fmt: skip


@get("/doi-thoai/{dialogue_id:str}/hoi", exclude_from_auth=True, include_in_schema=False)
async def ask_form(
    dialogue_id: FromPath[str], request: Request[Any, Any, Any],
    service: NamedDependency[Service], now: NamedDependency[Now],
) -> Response[str]:  # fmt: skip
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    row = await _dialogue(service, site, dialogue_id)
    if row is None:
        return _no_dialogue(site)
    try:
        dialogue_rules.require("ask", dialogue_rules.current_state(row, now()))
    except NotAllowed as exc:
        return _not_taking(site, row, exc)
    return _ask_page(site, row, {}, [], 200)


@post("/doi-thoai/{dialogue_id:str}/hoi", exclude_from_auth=True, include_in_schema=False,
      request_max_body_size=MAX_FORM_BYTES)  # fmt: skip
async def ask(
    dialogue_id: FromPath[str], request: Request[Any, Any, Any],
    service: NamedDependency[Service], guard: NamedDependency[Guard],
    now: NamedDependency[Now],
) -> Response[str]:  # fmt: skip
    site = await _site(service, request)
    if site is None:
        return unknown_site()
    row = await _dialogue(service, site, dialogue_id)
    if row is None:
        return _no_dialogue(site)

    async def save(uow: UnitOfWork, data: DialogueQuestionIn, url: str) -> None:
        await participation_commands.ask(uow, row.id, new_question(data), now=now(), site_url=url)

    return await _submit(
        request, service, guard, site, row, QUESTION, model=DialogueQuestionIn,
        fields_to_raw=dict, save=save,
        form_page=lambda form, errors, status: _ask_page(site, row, form, errors, status),
        refused=lambda exc: _not_taking(site, row, exc),
    )  # fmt: skip


@get("/doi-thoai/xac-nhan/{token:str}", exclude_from_auth=True, include_in_schema=False)
async def confirm_question_form(
    token: FromPath[str], request: Request[Any, Any, Any], service: NamedDependency[Service]
) -> Response[str]:
    return await _confirm_form(request, service, token, QUESTION)


@post("/doi-thoai/xac-nhan/{token:str}", exclude_from_auth=True, include_in_schema=False,
      request_max_body_size=MAX_FORM_BYTES)  # fmt: skip
async def confirm_question(
    token: FromPath[str], request: Request[Any, Any, Any], service: NamedDependency[Service],
    guard: NamedDependency[Guard], now: NamedDependency[Now],
) -> Response[str]:  # fmt: skip
    return await _confirm_link(request, service, guard, now, token, QUESTION)


ROUTES = [
    rating_page, rate_site, rate_answer,
    consultations_index, consultation_page, comment_form, comment, confirm_comment_form,
    confirm_comment,
    dialogues_index, dialogue_page, ask_form, ask, confirm_question_form, confirm_question,
]  # fmt: skip
