"""Participation's pure rules: which rating figures may be shown (nothing below five,
nothing that gives a small count away), a consultation's phase by Hanoi time to the
second, and an online dialogue's states."""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import services.feedback
from services.feedback import (
    consultation_rules,
    dialogue_rules,
    participation_rules,
    rating_rules,
    recent_votes,
)
from services.feedback.calendar import TZ
from services.feedback.domain import NotAllowed
from services.feedback.rating_rules import MINIMUM, SCORES, Published, publishable

# --- ratings --------------------------------------------------------------------------------


def counts(*values: int) -> dict[int, int]:
    """Ratings per score 1..5."""
    return dict(zip(SCORES, values, strict=True))


def test_a_group_below_five_ratings_shows_nothing() -> None:
    for few in [counts(0, 0, 0, 0, 0), counts(0, 0, 0, 0, 4), counts(1, 1, 1, 0, 1)]:
        shown = publishable(few)
        assert shown.ratings is None and shown.average is None
        assert all(v is None for v in shown.scores.values())
        assert [shown.label(s) for s in SCORES] == ["< 5"] * 5
        assert shown.total_label() == "< 5"


def test_a_group_without_small_scores_is_shown_whole() -> None:
    shown = publishable(counts(5, 6, 7, 8, 9))
    assert shown.ratings == 35
    assert shown.scores == counts(5, 6, 7, 8, 9)
    assert shown.average == 3.3  # 115 / 35 = 3.29
    assert shown.as_json()["shown_as"] == {
        "ratings": "35", "scores": {"1": "5", "2": "6", "3": "7", "4": "8", "5": "9"},
    }  # fmt: skip


def test_five_equal_ratings_show_their_total_and_average() -> None:
    shown = publishable(counts(0, 0, 0, 0, 5))
    assert shown.ratings == 5
    assert shown.average == 5.0  # the small scores can only hold zero: nothing to hide
    # Score 5 is hidden with the small ones, so that no small one follows from the total.
    assert [shown.label(s) for s in SCORES] == ["< 5", "< 5", "< 5", "< 5", "ẩn"]


def test_small_scores_are_hidden_with_the_lowest_other_score() -> None:
    shown = publishable(counts(6, 0, 2, 7, 9))
    assert shown.ratings == 24
    assert shown.scores == {1: None, 2: None, 3: None, 4: 7, 5: 9}
    assert [shown.label(s) for s in SCORES] == ["ẩn", "< 5", "< 5", "7", "9"]
    # One small score: the total minus the shown ones does not give it away.
    lone = publishable(counts(2, 5, 5, 6, 10))
    assert lone.scores == {1: None, 2: None, 3: 5, 4: 6, 5: 10}
    assert lone.label(1) == "< 5" and lone.label(2) == "ẩn"
    assert lone.ratings == 28


def test_the_average_is_left_out_when_it_could_pin_a_small_score() -> None:
    # Seven ratings: the average of six fives and a four (4.9) could only come from
    # one four, so no average is shown for seven ratings spread like this at all.
    shown = publishable(counts(0, 0, 0, 1, 6))
    assert shown.ratings == 7
    assert shown.average is None
    assert all(v is None for v in shown.scores.values())
    # …whatever the spread: the choice depends on the shown figures only.
    assert publishable(counts(0, 0, 0, 0, 7)).average is None


def test_the_average_is_kept_when_many_ratings_blur_it() -> None:
    shown = publishable(counts(3, 20, 100, 500, 1000))
    assert shown.ratings == 1623
    assert shown.average == 4.5
    assert shown.scores == {1: None, 2: None, 3: 100, 4: 500, 5: 1000}


def test_the_total_is_hidden_when_every_score_is_small() -> None:
    for spread in [counts(4, 4, 4, 4, 4), counts(1, 1, 1, 1, 1), counts(4, 0, 0, 0, 4)]:
        shown = publishable(spread)
        assert shown.ratings is None and shown.average is None
        assert shown.total_label() == "ẩn"
        assert all(v is None for v in shown.scores.values())


def test_averages_round_half_up_in_tenths() -> None:
    assert rating_rules._tenths(85, 20) == 43  # 4.25 → 4.3, not to even
    assert rating_rules._tenths(84, 20) == 42
    assert publishable(counts(5, 5, 5, 5, 5)).average == 3.0


def _key(p: Published) -> tuple:
    return (p.ratings, p.average, tuple(p.scores.items()), tuple(sorted(p.small)), p.few)


def test_no_small_count_can_be_worked_out_from_what_is_shown() -> None:
    """Exhaustive over every way to spread up to 13 ratings on five scores: someone who
    knows the rule and sees what is shown never learns a hidden count of 1–4 (every
    spread that shows the same has another value there)."""
    bound = 13
    outputs: dict[tuple, list[dict[int, int]]] = defaultdict(list)
    for values in itertools.product(range(bound + 1), repeat=5):
        if sum(values) <= bound:
            c = counts(*values)
            outputs[_key(publishable(c))].append(c)
    leaks = []
    for key, spreads in outputs.items():
        if key[0] is None:
            continue  # a hidden total: below the bound not every such spread is listed
        for score in SCORES:
            values = {c[score] for c in spreads}
            if len(values) == 1 and 1 <= next(iter(values)) < MINIMUM:
                leaks.append((spreads[0], score))
    assert leaks == []


def test_shown_figures_are_never_below_five() -> None:
    for values in itertools.product(range(6), repeat=5):
        shown = publishable(counts(*values))
        for value in [shown.ratings, *shown.scores.values()]:
            assert value is None or value >= MINIMUM


def test_a_report_gives_every_criterion_its_own_group() -> None:
    shown = rating_rules.report(
        {"interface": counts(0, 0, 0, 2, 9), "answer": counts(0, 0, 0, 0, 3)}
    )
    assert set(shown) == {"interface", "content", "quality", "support", "answer"}
    assert shown["interface"].ratings == 11
    assert shown["answer"].ratings is None
    assert shown["content"].ratings is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [({"interface": "5"}, {"interface": 5}), ({"interface": 1, "support": "3", "content": ""},
     {"interface": 1, "support": 3})],
)  # fmt: skip
def test_scores_are_read_from_forms_and_json(given: dict, expected: dict) -> None:
    assert rating_rules.check_scores(given, rating_rules.SITE_CRITERIA) == expected


@pytest.mark.parametrize(
    "given",
    [{"interface": "0"}, {"interface": "6"}, {"interface": "abc"}, {"interface": True},
     {"interface": 4.5}, {"interface": "٣"}, {"interface": "9" * 5000}, {"colour": "3"}, {},
     {"interface": "", "content": None}, {"interface": [3]}],
)  # fmt: skip
def test_bad_scores_are_refused_in_vietnamese(given: dict) -> None:
    with pytest.raises(ValueError, match=r"(điểm đánh giá phải|Xin chọn|Tiêu chí)"):
        rating_rules.check_scores(given, rating_rules.SITE_CRITERIA)


def test_months_are_hanoi_months() -> None:
    # 31/12 at 17:30 UTC is already 1 January in Hanoi.
    assert rating_rules.month_of(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert rating_rules.month_of(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == date(2026, 12, 1)


def test_repeat_votes_are_damped_in_memory_for_a_window() -> None:
    clock = [1000.0]
    votes = recent_votes.RecentVotes(window_s=3600, max_entries=3, clock=lambda: clock[0])
    assert votes.first("10.0.0.1", "site:hoankiem")
    assert not votes.first("10.0.0.1", "site:hoankiem")
    assert votes.first("10.0.0.2", "site:hoankiem")
    assert votes.first("10.0.0.1", "answer:X")
    clock[0] += 3600
    assert votes.first("10.0.0.1", "site:hoankiem")
    # Only keyed hashes are held, never the address itself.
    assert all(isinstance(k, bytes) and b"10.0.0" not in k for k in votes._seen)
    for i in range(10):
        votes.first(f"10.1.0.{i}", "site:x")
    assert len(votes._seen) <= 3


# --- consultations ----------------------------------------------------------------------------


def hanoi(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)


def test_a_phase_runs_from_the_opening_day_to_the_end_of_the_closing_day() -> None:
    opens_at, closes_at = consultation_rules.window(date(2026, 12, 1), date(2026, 12, 31))
    assert opens_at == hanoi(2026, 12, 1, 0, 0, 0)
    assert closes_at == hanoi(2026, 12, 31, 23, 59, 59)
    phase = consultation_rules.phase
    Phase = consultation_rules.Phase
    assert phase(opens_at, closes_at, hanoi(2026, 11, 30, 23, 59, 59)) is Phase.UPCOMING
    assert phase(opens_at, closes_at, hanoi(2026, 12, 1, 0, 0, 0)) is Phase.OPEN
    assert phase(opens_at, closes_at, hanoi(2026, 12, 31, 23, 59, 59)) is Phase.OPEN
    last = hanoi(2026, 12, 31, 23, 59, 59) + timedelta(microseconds=999_999)
    assert phase(opens_at, closes_at, last) is Phase.OPEN
    assert phase(opens_at, closes_at, hanoi(2027, 1, 1, 0, 0, 0)) is Phase.CLOSED
    # The same moments written in UTC: Hanoi is seven hours ahead.
    assert phase(opens_at, closes_at, datetime(2026, 11, 30, 16, 59, 59, tzinfo=UTC)) is (
        Phase.UPCOMING
    )
    assert phase(opens_at, closes_at, datetime(2026, 11, 30, 17, 0, 0, tzinfo=UTC)) is Phase.OPEN
    assert phase(opens_at, closes_at, datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC)) is (
        Phase.OPEN
    )
    assert phase(opens_at, closes_at, datetime(2026, 12, 31, 17, 0, 0, tzinfo=UTC)) is (
        Phase.CLOSED
    )


def test_a_one_day_phase_is_open_that_whole_day() -> None:
    opens_at, closes_at = consultation_rules.window(date(2027, 2, 1), date(2027, 2, 1))
    assert consultation_rules.phase(opens_at, closes_at, hanoi(2027, 2, 1, 12)) is (
        consultation_rules.Phase.OPEN
    )


@pytest.mark.parametrize(
    ("opens", "closes", "problem"),
    [
        (date(2026, 12, 10), date(2026, 12, 9), "sau ngày bắt đầu"),
        (date(2026, 11, 22), date(2026, 12, 9), "quá khứ"),
        (date(2026, 12, 1), date(2028, 1, 1), "không quá"),
        (date(2028, 1, 1), date(2028, 1, 2), "không quá"),
    ],
)
def test_bad_dates_are_refused_in_vietnamese(opens: date, closes: date, problem: str) -> None:
    now = hanoi(2026, 11, 23, 9)
    found = consultation_rules.check_dates(opens, closes, now)
    assert found and problem in found


def test_good_dates_pass_including_today() -> None:
    now = hanoi(2026, 11, 23, 23, 59)
    assert consultation_rules.check_dates(date(2026, 11, 23), date(2026, 11, 23), now) is None


def test_comments_are_taken_only_while_open() -> None:
    consultation_rules.require_open(consultation_rules.Phase.OPEN)
    with pytest.raises(NotAllowed, match="Chưa đến"):
        consultation_rules.require_open(consultation_rules.Phase.UPCOMING)
    with pytest.raises(NotAllowed, match="Đã hết thời gian góp ý"):
        consultation_rules.require_open(consultation_rules.Phase.CLOSED)


def test_published_comments_keep_no_contact_details() -> None:
    text = "Tôi là Lê Văn Cường, 0912 345 678, cuong@example.vn: đề nghị sửa khoản 2."
    shown = participation_rules.public_text(text, "Lê Văn Cường")
    assert "Lê Văn Cường" not in shown and "0912 345 678" not in shown
    assert "cuong@example.vn" not in shown and "đề nghị sửa khoản 2" in shown
    assert (
        participation_rules.public_name("Lê Văn Cường", False) == participation_rules.ANONYMOUS_VI
    )
    assert participation_rules.public_name("Lê Văn Cường", True) == "Lê Văn Cường"


# --- dialogues ----------------------------------------------------------------------------------


def test_a_dialogue_goes_scheduled_live_ended_published() -> None:
    starts, ends = hanoi(2026, 12, 5, 9), hanoi(2026, 12, 5, 11)
    state, State = dialogue_rules.state, dialogue_rules.State
    assert state(starts, ends, None, hanoi(2026, 12, 5, 8, 59, 59)) is State.SCHEDULED
    assert state(starts, ends, None, starts) is State.LIVE
    assert state(starts, ends, None, hanoi(2026, 12, 5, 10, 59, 59)) is State.LIVE
    assert state(starts, ends, None, ends) is State.ENDED
    assert state(starts, ends, ends, hanoi(2026, 12, 6)) is State.PUBLISHED
    # Published stays published, whatever the clock says.
    assert state(starts, ends, ends, hanoi(2026, 12, 1)) is State.PUBLISHED


@pytest.mark.parametrize(
    ("action", "allowed_in"),
    [
        ("ask", {"scheduled", "live"}),
        ("answer", {"live"}),
        ("end", {"live"}),
        ("publish", {"ended"}),
    ],
)
def test_each_action_fits_its_states(action: str, allowed_in: set[str]) -> None:
    for current in dialogue_rules.State:
        if current.value in allowed_in:
            dialogue_rules.require(action, current)
        else:
            with pytest.raises(NotAllowed):
                dialogue_rules.require(action, current)


@pytest.mark.parametrize(
    ("starts", "ends", "problem"),
    [
        (hanoi(2026, 12, 5, 9), hanoi(2026, 12, 5, 9), "sau giờ bắt đầu"),
        (hanoi(2026, 11, 23, 8), hanoi(2026, 11, 23, 10), "tương lai"),
        (hanoi(2026, 12, 5, 9), hanoi(2026, 12, 5, 22), "12 giờ"),
        (hanoi(2028, 12, 5, 9), hanoi(2028, 12, 5, 10), "trước tối đa"),
        (datetime(2026, 12, 5, 9), datetime(2026, 12, 5, 10), "múi giờ"),
    ],
)
def test_bad_session_times_are_refused(starts: datetime, ends: datetime, problem: str) -> None:
    found = dialogue_rules.check_times(starts, ends, hanoi(2026, 11, 23, 9))
    assert found and problem in found


# --- the rules stay pure -----------------------------------------------------------------------

#: What the rule modules may import of this project: other pure modules only.
PURE = {"calendar", "domain", "personal_data", "participation_rules"}


@pytest.mark.parametrize(
    "module", ["consultation_rules", "dialogue_rules", "rating_rules", "participation_rules"]
)
def test_rule_modules_import_no_storage_nor_unit_of_work(module: str) -> None:
    source = Path(services.feedback.__file__).with_name(f"{module}.py").read_text()
    for node in ast.walk(ast.parse(source)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        for name in names:
            top = name.split(".")[0]
            assert top not in {"sqlalchemy", "runtime", "litestar"}, f"{module} imports {name}"
            if name.startswith("services."):
                assert name.removeprefix("services.feedback.") in PURE, f"{module}: {name}"
