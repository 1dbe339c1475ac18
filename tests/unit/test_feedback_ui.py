"""The editors' UI question screens: the Vietnamese messages, the server-side charts,
and the dashboard page rendered from a report of the reports API's shape (pure: no
services). What a question allows whom, and which deadline runs, are feedback's
rules: tests/unit/test_feedback_staff_actions.py."""

from __future__ import annotations

import re
from datetime import date

import pytest
from jinja2 import Environment, FileSystemLoader

from runtime.auth import Role
from services.admin.ui.backends import BackendError
from services.admin.ui.charts import _nice_step, bar_chart
from services.admin.ui.common import TEMPLATES_DIR, api_message, percent, vn_date
from services.admin.ui.feedback import _context
from services.feedback.reports import COUNTER_LABELS as COUNTERS


def test_dates_are_hanoi_days() -> None:
    assert vn_date("2026-11-26T16:59:59Z") == "26/11/2026"
    assert vn_date("2026-11-26T17:00:00+00:00") == "27/11/2026"
    assert vn_date("2027-01-15") == "15/01/2027"
    assert vn_date(None) == ""
    assert percent(2, 3) == "66,7 %"
    assert percent(0, 0) == "—"


def test_the_service_s_message_and_schema_refusals_in_vietnamese() -> None:
    plain = BackendError(409, "Không thể thực hiện thao tác này.")
    assert api_message(plain) == "Không thể thực hiện thao tác này."
    refused = BackendError(400, "Validation failed for POST /api/v1/feedback/questions/x/clarify", {
        "errors": [
            {"message": "String should have at least 5 characters", "key": "note"},
            {"message": "Value error, Số điện thoại không hợp lệ.", "key": "phone"},
            {"message": "Input should be 'day_off' or 'working_day'", "key": "kind"},
            {"message": "Field required", "key": "reason"},
            {"message": "Something new in English", "key": "mystery"},
        ]
    })  # fmt: skip
    message = api_message(refused)
    assert message.startswith("Thông tin chưa hợp lệ.")
    assert "Nội dung: cần ít nhất 5 ký tự" in message
    assert "Số điện thoại không hợp lệ." in message
    assert "Loại ngày: không phải giá trị được chấp nhận" in message
    assert "Lý do: chưa điền" in message
    assert "Validation failed" not in message and "English" not in message


def test_round_steps_for_the_axis() -> None:
    assert [_nice_step(n) for n in (0, 3, 5, 7, 12, 48, 99, 230, 4000)] == [
        1, 1, 1, 2, 5, 10, 20, 50, 1000,
    ]  # fmt: skip


def test_bars_are_proportional_and_inside_the_plot() -> None:
    chart = bar_chart(["T1/26", "T2/26"], [("Tiếp nhận", [10, 4]), ("Đúng hạn", [5, 0])])
    assert len(chart.bars) == 4
    heights = {b.label: b.height for b in chart.bars}
    assert heights["T1/26 · Tiếp nhận"] == pytest.approx(2 * heights["T1/26 · Đúng hạn"], 0.01)
    assert heights["T2/26 · Đúng hạn"] == 0
    for bar in chart.bars:
        assert chart.left <= bar.x and bar.x + bar.width <= chart.width
        assert chart.top <= bar.y <= chart.bottom
        assert bar.y + bar.height == pytest.approx(chart.bottom, abs=0.1)
    assert [v for _, v in chart.ticks] == [0, 2, 4, 6, 8, 10]
    empty = bar_chart(["T1/26"], [("Tiếp nhận", [0])])
    assert empty.bars[0].height == 0 and [v for _, v in empty.ticks] == [0, 1]


REPORT = {
    "tenant": None,
    "from": "2026-01-01",
    "to": "2026-06-30",
    "generated_at": "2026-07-01T02:00:00+00:00",
    "totals": {"received": 120, "classified": 110, "classified_on_time": 100, "answered": 90,
               "answered_on_time": 81, "out_of_scope": 6, "open_now": 24, "overdue_now": 3},
    "by_tenant": [
        {"tenant": "hoankiem", "name": "Phường Hoàn Kiếm", "received": 80, "classified": 75,
         "classified_on_time": 70, "answered": 60, "answered_on_time": 55, "out_of_scope": 4,
         "open_now": 15, "overdue_now": 2},
        {"tenant": "badinh", "name": "<script>alert(1)</script>", "received": 40,
         "classified": 35, "classified_on_time": 30, "answered": 30, "answered_on_time": 26,
         "out_of_scope": 2, "open_now": 9, "overdue_now": 1},
    ],
    "by_month": [{"month": f"2026-0{m}", "received": 20, "answered": 15,
                  "answered_on_time": 13} for m in range(1, 7)],
}  # fmt: skip


def test_the_dashboard_renders_a_report_of_the_api_s_shape() -> None:
    from services.admin.ui.feedback import _month_label

    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True)
    env.globals["csrf_token"] = lambda: "t"
    months = REPORT["by_month"]
    charts = {
        "month": bar_chart([_month_label(m["month"]) for m in months],
                           [("Tiếp nhận", [m["received"] for m in months]),
                            ("Đã trả lời", [m["answered"] for m in months]),
                            ("Trả lời đúng hạn", [m["answered_on_time"] for m in months])]),
        "tenant": bar_chart([t["tenant"] for t in REPORT["by_tenant"]],
                            [("Tiếp nhận", [t["received"] for t in REPORT["by_tenant"]])]),
    }  # fmt: skip
    html = env.get_template("feedback_reports.html").render(
        **_context(
            user={"name": "Vận hành", "operator": True}, site="hanoi", role=Role.tenant_admin,
            Role=Role, messages=[], report=REPORT, error=None, charts=charts, counters=COUNTERS,
            percent=percent, start=date(2026, 1, 1), end=date(2026, 6, 30), tenant=None,
            query="from=2026-01-01",
            city=True, can_city=True, periods=[],
        )
    )  # fmt: skip
    assert "Báo cáo hỏi đáp toàn thành phố" in html
    assert "<dt>Tiếp nhận</dt><dd>120</dd>" in html
    assert "81 / 90 (90,0 %)" in html and "100 / 110 (90,9 %)" in html
    assert html.count("<svg") == 2 and len(re.findall(r"<rect ", html)) == 6 * 3 + 2
    assert "T1/26" in html and "Phường Hoàn Kiếm" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'href="/admin/hoi-dap/bao-cao/tai-ve?format=xlsx&amp;from=2026-01-01"' in html
    assert 'class="overdue-count"' in html
