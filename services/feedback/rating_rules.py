"""Satisfaction ratings (Quy chế Điều 4.2.f and 4.3.c), their rules (pure: no I/O): of
a published answer (one scale, "hài lòng") and of a site on four criteria (giao diện,
nội dung, chất lượng, hỗ trợ), each scored 1–5, none of them linkable to the person who
rated. What is stored, and why only that, is said at `rating_counts` in
participation_store.py; repeat votes are damped in memory only (recent_votes.py).

What is shown. Reports show only figures that are counts of at least five ratings and
that cannot be combined with the other shown figures into a count below five
(`publishable`, a pure function, checked exhaustively against someone who knows the
rule): a group of fewer than five ratings shows nothing but "< 5"; a score with fewer
than five ratings shows "< 5" and takes one more score with it ("ẩn"); the average is
shown only when it cannot pin a hidden score. Every such choice is made on figures that
are shown anyway, so that leaving something out tells nothing about it.
Reports add whole months up over a period and never show a month on its own; two
reports over overlapping periods can still be subtracted, which is why the public page
shows calendar years only and the detailed report is for the board and operators.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from services.feedback.calendar import TZ

#: Fewer ratings than this are never shown as a number.
MINIMUM = 5
SCORES = (1, 2, 3, 4, 5)

SITE_CRITERIA = {
    "interface": "Giao diện",
    "content": "Nội dung",
    "quality": "Chất lượng",
    "support": "Sự hỗ trợ của cơ quan",
}
#: The one criterion of an answer's rating.
ANSWER = "answer"
CRITERIA_VI = {**SITE_CRITERIA, ANSWER: "Mức hài lòng với câu trả lời"}
SCORE_VI = {
    1: "Rất không hài lòng",
    2: "Không hài lòng",
    3: "Bình thường",
    4: "Hài lòng",
    5: "Rất hài lòng",
}


@dataclass(frozen=True)
class Published:
    """The figures of one group (a subject's criterion over a period) that may be shown.
    None means hidden. `small` names the scores hidden because they hold fewer than
    MINIMUM ratings (shown "< 5"); other hidden scores are hidden so that no small one
    can be worked out (shown "ẩn")."""

    ratings: int | None
    average: float | None
    scores: dict[int, int | None]
    small: frozenset[int] = field(default_factory=frozenset)
    #: Fewer than MINIMUM ratings in all.
    few: bool = False

    def label(self, score: int) -> str:
        """How a score's count is written: the number, "< 5" or "ẩn" (hidden)."""
        value = self.scores[score]
        if value is not None:
            return str(value)
        return f"< {MINIMUM}" if score in self.small else "ẩn"

    def total_label(self) -> str:
        if self.ratings is not None:
            return str(self.ratings)
        return f"< {MINIMUM}" if self.few else "ẩn"

    def as_json(self) -> dict[str, object]:
        return {
            "ratings": self.ratings,
            "average": self.average,
            "scores": {str(s): self.scores[s] for s in SCORES},
            "shown_as": {
                "ratings": self.total_label(),
                "scores": {str(s): self.label(s) for s in SCORES},
            },
        }


def _tenths(weighted: int, total: int) -> int:
    """The average in tenths, rounded half up, in integers (no float surprises)."""
    return (20 * weighted + total) // (2 * total)


def _splits(cells: int, budget: int) -> Iterator[tuple[int, ...]]:
    """Every way to put 0 to MINIMUM-1 ratings in each of `cells` scores, adding up to
    at most `budget`."""
    if budget < 0:
        return
    if cells == 0:
        yield ()
        return
    for first in range(min(MINIMUM - 1, budget) + 1):
        for rest in _splits(cells - 1, budget - first):
            yield (first, *rest)


def _average_is_safe(
    total: int, shown: Mapping[int, int], small: Iterable[int], extra: int
) -> bool:
    """Whether the average may be shown beside the total and the shown scores, decided
    on those alone (so that leaving it out tells nothing): for every spread of the
    hidden ratings that fits them (each small score 0–4, the extra hidden score at
    least MINIMUM), the average it would give leaves every small score with at least
    two possible values, or with none but 0."""
    small = sorted(small)
    rest = total - sum(shown.values())
    weighted_shown = sum(s * n for s, n in shown.items())
    by_average: dict[int, dict[int, set[int]]] = {}
    for values in _splits(len(small), rest - MINIMUM):
        weighted = weighted_shown + (rest - sum(values)) * extra
        weighted += sum(s * v for s, v in zip(small, values, strict=True))
        possible = by_average.setdefault(_tenths(weighted, total), {s: set() for s in small})
        for s, v in zip(small, values, strict=True):
            possible[s].add(v)
    return not any(
        len(values) == 1 and next(iter(values)) > 0
        for possible in by_average.values()
        for values in possible.values()
    )


def publishable(counts: Mapping[int, int]) -> Published:
    """The figures of one group that may be shown. Every choice below depends only on
    figures that are shown anyway (and on which scores are small, which "< 5" says),
    so that what is left out cannot be worked back from why it was left out:

    - fewer than MINIMUM ratings in all: nothing is shown;
    - a score with fewer than MINIMUM ratings is hidden ("< 5");
    - if some score is hidden so, the lowest score that is not small is hidden too
      ("ẩn"), whatever it holds: the total minus the shown scores then never pins a
      small score (the extra one absorbs any difference);
    - if every score is small, the total is hidden as well (twenty ratings, four on
      each score, would otherwise be plain);
    - the average is shown only if, for every spread that fits the shown figures, it
      would not pin a small score (`_average_is_safe`).
    """
    full = {s: int(counts.get(s, 0)) for s in SCORES}
    total = sum(full.values())
    if total < MINIMUM:
        return Published(None, None, dict.fromkeys(SCORES), frozenset(SCORES), few=True)
    small = frozenset(s for s in SCORES if full[s] < MINIMUM)
    if len(small) == len(SCORES):
        return Published(None, None, dict.fromkeys(SCORES), small)
    weighted = sum(s * n for s, n in full.items())
    tenths = _tenths(weighted, total)
    if not small:
        return Published(total, tenths / 10, dict(full), small)
    extra = min(s for s in SCORES if s not in small)
    hidden = small | {extra}
    shown = {s: full[s] for s in SCORES if s not in hidden}
    return Published(
        ratings=total,
        average=tenths / 10 if _average_is_safe(total, shown, small, extra) else None,
        scores={s: None if s in hidden else full[s] for s in SCORES},
        small=small,
    )


def month_of(moment: datetime) -> date:
    """The first day of the month, Hanoi time, of an aware moment."""
    local = moment.astimezone(TZ)
    return date(local.year, local.month, 1)


def check_scores(scores: Mapping[str, object], criteria: Iterable[str]) -> dict[str, int]:
    """The scores given (criterion → 1–5), or ValueError with a Vietnamese message."""
    allowed = set(criteria)
    out: dict[str, int] = {}
    for criterion, value in scores.items():
        if criterion not in allowed:
            raise ValueError("Tiêu chí đánh giá không hợp lệ.")
        if value is None or value == "":
            continue
        text = str(value).strip() if isinstance(value, int | str) else ""
        if isinstance(value, bool) or not text.isascii() or not text.isdigit():
            text = ""
        if not text or len(text) > 2 or not 1 <= int(text) <= 5:
            raise ValueError(f"{CRITERIA_VI[criterion]}: điểm đánh giá phải là một số từ 1 đến 5.")
        out[criterion] = int(text)
    if not out:
        raise ValueError("Xin chọn mức đánh giá cho ít nhất một tiêu chí.")
    return out


def report(raw: Mapping[str, Mapping[int, int]]) -> dict[str, Published]:
    """What may be shown of a site's counters over a period (pure): each site criterion
    and the answers, each a group of its own (no group is a sum of others)."""
    return {c: publishable(raw.get(c, {})) for c in CRITERIA_VI}
