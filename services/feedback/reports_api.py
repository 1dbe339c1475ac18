"""The reports over HTTP: the dashboards' figures as JSON, and the same figures as
XLSX or CSV for the 6-month and yearly reports. See reports.py for what is counted."""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from litestar.params import QueryParameter

from runtime.auth import Principal, Role
from runtime.service import Service
from services.feedback import reports, store, views
from services.feedback.api import Caller
from services.feedback.calendar import TZ, Now, local_day

SLUG = re.compile(r"^[a-z0-9-]{1,50}$")
Text = Annotated[str | None, QueryParameter()]
From = Annotated[str | None, QueryParameter(name="from")]
Format = Annotated[str | None, QueryParameter(name="format")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _allowed(service: Service, user: Principal, tenant: str | None) -> str:
    """The report's scope in words, if `user` may see it: a site's report for its
    board (and the city's board, and operators); the city-wide one for operators and
    the city portal's board."""
    if tenant is not None and not SLUG.match(tenant):
        raise ClientException("Mã trang (tenant) không hợp lệ.")
    assert service.db
    async with service.db.read() as session:
        city = await views.city(session)
        site = await store.site(session, tenant) if tenant else None
    city_board = city is not None and user.has(city, Role.board_member)
    if tenant is None:
        if not (user.operator or city_board):
            raise PermissionDeniedException(
                "Báo cáo toàn thành phố chỉ dành cho người vận hành và Ban Biên tập Cổng thành phố."
            )
        return "Toàn thành phố"
    if not (city_board or user.has(tenant, Role.board_member)):
        raise PermissionDeniedException(
            f"Tài khoản {user.username} cần quyền Thành viên Ban Biên tập trên trang {tenant} "
            "để xem báo cáo."
        )
    if site is None:
        raise NotFoundException(f"Không có trang {tenant}.")
    return str(site.name)


async def _report(
    service: Service, now: Now, tenant: str | None, start: str | None, end: str | None
) -> dict[str, Any]:
    moment = now().astimezone(TZ)
    try:
        period = reports.parse_period(start, end, local_day(moment))
    except reports.BadPeriod as exc:
        raise ClientException(str(exc)) from exc
    assert service.db
    async with service.db.read() as session:
        sites = await views.all_sites(session)
        cells = await views.period_cells(session, period, tenant)
        snapshot = await views.snapshot(session, moment, tenant)
    return reports.assemble(
        tenant=tenant, period=period, generated_at=moment, sites=sites, cells=cells,
        snapshot=snapshot,
    )  # fmt: skip


class ReportsController(Controller):
    """Received, classified and answered on time; open and overdue now."""

    path = "/api/v1/feedback/reports"

    @get("/", operation_id="FeedbackReport")
    async def report(
        self,
        service: NamedDependency[Service],
        request: Caller,
        now: NamedDependency[Now],
        tenant: Text = None,
        start: From = None,
        to: Text = None,
    ) -> dict[str, Any]:
        """`tenant` (omit for the whole city), `from` and `to` (YYYY-MM-DD, Hanoi days,
        inclusive, at most 2 years; by default 1 January to today)."""
        tenant = tenant or None
        await _allowed(service, request.user, tenant)
        return await _report(service, now, tenant, start, to)

    @get("/labels", operation_id="FeedbackReportLabels", exclude_from_auth=True)
    async def labels(self) -> dict[str, str]:
        """Each counter of the report in words, as the exports head their columns."""
        return reports.COUNTER_LABELS

    @get("/export", operation_id="ExportFeedbackReport")
    async def export(
        self,
        service: NamedDependency[Service],
        request: Caller,
        now: NamedDependency[Now],
        fmt: Format = None,
        tenant: Text = None,
        start: From = None,
        to: Text = None,
        table: Text = None,
    ) -> Response[bytes]:
        """The report as `format=xlsx` (sheets by site, by month, and what it covers) or
        `format=csv` (`table=sites`, the default, or `table=months`)."""
        if fmt not in ("xlsx", "csv"):
            raise ClientException("Tham số format phải là xlsx hoặc csv.")
        if table not in (None, "sites", "months"):
            raise ClientException("Tham số table phải là sites hoặc months.")
        tenant = tenant or None
        scope = await _allowed(service, request.user, tenant)
        report = await _report(service, now, tenant, start, to)
        if fmt == "xlsx":
            body, media_type = reports.to_xlsx(report, scope), XLSX
            name = reports.filename(report, fmt)
        else:
            body, media_type = reports.to_csv(report, table or "sites"), "text/csv; charset=utf-8"
            name = reports.filename(report, fmt, table or "sites")
        return Response(
            body,
            media_type=media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "private, no-store",
            },
        )
