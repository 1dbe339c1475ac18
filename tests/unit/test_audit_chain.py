"""services.admin.audit: the hash-chained audit log, its verification and search filters."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from services.admin.audit import (
    GENESIS,
    AuditEntry,
    AuditQuery,
    Verification,
    canonical,
    chain_hash,
    diff_fields,
    next_entry,
    verify,
)

START = datetime(2025, 3, 8, 2, 30, tzinfo=UTC)
HANOI = timezone(timedelta(hours=7))
ACTIONS = ["article.create", "article.submit", "review.approve", "review.reject", "auth.login"]


def build_chain(count: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    head: AuditEntry | None = None
    for i in range(count):
        action = ACTIONS[i % len(ACTIONS)]
        head = next_entry(
            head,
            event_id=f"evt-{i:04d}",
            at=START + timedelta(seconds=i, microseconds=i),
            actor="system" if i % 7 == 0 else f"bientap{i % 3}",
            tenant=None if i % 11 == 0 else "hoankiem",
            action=action,
            subject=f"article:{i // 4:04x}",
            before=None if action == "article.create" else {"status": "draft", "n": i},
            after={"status": "submitted", "title": f"Tin số {i}: Hồ Gươm", "n": i},
        )
        entries.append(head)
    return entries


CHAIN = build_chain(100)
OK_100 = Verification(ok=True, checked=100, first_bad_seq=None, problem="")


def tampered(entry: AuditEntry, field: str) -> AuditEntry:
    """The entry with one field changed, its stored hash left as it was."""
    changes: dict[str, Callable[[Any], Any]] = {
        "seq": lambda v: v + 1,
        "event_id": lambda v: v + "x",
        "at": lambda v: v + timedelta(microseconds=1),
        "actor": lambda v: "ke-gian" if v != "ke-gian" else "system",
        "tenant": lambda v: "badinh" if v is None else None,
        "action": lambda v: "review.approve" if v != "review.approve" else "review.reject",
        "subject": lambda v: v + "0",
        "before": lambda v: {} if v is None else {**v, "status": "published"},
        "after": lambda v: None if v is not None else {},
        "prev_hash": lambda v: "f" * 64,
        "hash": lambda v: "f" * 64,
    }
    return replace(entry, **{field: changes[field](getattr(entry, field))})


# --- building the chain ----------------------------------------------------------------------


def test_first_entry_starts_from_genesis() -> None:
    first = CHAIN[0]
    assert first.seq == 1
    assert first.prev_hash == GENESIS == "0" * 64
    assert len(first.hash) == 64


def test_entries_link_to_their_predecessor() -> None:
    for previous, entry in itertools.pairwise(CHAIN):
        assert entry.seq == previous.seq + 1
        assert entry.prev_hash == previous.hash


def test_hash_is_sha256_of_prev_hash_newline_canonical() -> None:
    e = CHAIN[5]
    content = canonical(
        e.seq, e.event_id, e.at, e.actor, e.tenant, e.action, e.subject, e.before, e.after
    )
    expected = hashlib.sha256(e.prev_hash.encode() + b"\n" + content).hexdigest()
    assert e.hash == expected
    assert e.hash == chain_hash(
        e.prev_hash,
        e.seq,
        e.event_id,
        e.at,
        e.actor,
        e.tenant,
        e.action,
        e.subject,
        e.before,
        e.after,
    )


def test_hash_format_is_pinned() -> None:
    # Stored chains depend on this exact format: a change here breaks every existing log.
    entry = next_entry(
        None,
        event_id="01J0000000000000000000000",
        at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        actor="bientap",
        tenant="hoankiem",
        action="article.submit",
        subject="article:1",
        before={"status": "draft"},
        after={"status": "submitted", "title": "Hà Nội"},
    )
    content = canonical(
        1,
        "01J0000000000000000000000",
        datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        "bientap",
        "hoankiem",
        "article.submit",
        "article:1",
        {"status": "draft"},
        {"status": "submitted", "title": "Hà Nội"},
    )
    assert (
        content
        == (
            '{"action":"article.submit","actor":"bientap","after":{"status":"submitted",'
            '"title":"Hà Nội"},"at":"2025-01-02T03:04:05.000000Z","before":{"status":"draft"},'
            '"event_id":"01J0000000000000000000000","seq":1,"subject":"article:1",'
            '"tenant":"hoankiem"}'
        ).encode()
    )
    assert entry.hash == "620d9228478883ae9559de4cba477cc3d375d79b2da93cb8dfb86fd1a88119df"


def test_next_entry_stores_time_in_utc() -> None:
    entry = next_entry(
        None,
        event_id="e",
        at=datetime(2025, 3, 8, 9, 30, tzinfo=HANOI),
        actor="system",
        tenant=None,
        action="tenant.upsert",
        subject="tenant:hoankiem",
        before=None,
        after={"name": "Hoàn Kiếm"},
    )
    assert entry.at == datetime(2025, 3, 8, 2, 30, tzinfo=UTC)
    assert entry.at.utcoffset() == timedelta(0)


def test_next_entry_copies_state_so_later_mutation_cannot_break_the_hash() -> None:
    after: dict[str, Any] = {"tags": ("a", "b"), "title": "Tin"}
    entry = next_entry(
        None,
        event_id="e",
        at=START,
        actor="bientap",
        tenant="hoankiem",
        action="article.create",
        subject="article:1",
        before=None,
        after=after,
    )
    after["title"] = "Đã đổi"
    assert entry.after == {"tags": ["a", "b"], "title": "Tin"}  # as storage would give it back
    assert verify([entry]).ok


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"at": datetime(2025, 3, 8, 2, 30)}, ValueError),  # naive on purpose
        ({"actor": ""}, ValueError),
        ({"event_id": ""}, ValueError),
        ({"action": ""}, ValueError),
        ({"after": {"when": START}}, TypeError),  # not plain JSON
        ({"after": {"ratio": float("nan")}}, ValueError),
        ({"after": ["not", "a", "dict"]}, TypeError),
    ],
)
def test_next_entry_refuses_bad_input(changes: dict[str, Any], error: type[Exception]) -> None:
    arguments: dict[str, Any] = {
        "event_id": "e",
        "at": START,
        "actor": "bientap",
        "tenant": "hoankiem",
        "action": "article.create",
        "subject": "article:1",
        "before": None,
        "after": {"title": "Tin"},
    }
    with pytest.raises(error):
        next_entry(CHAIN[-1], **{**arguments, **changes})


# --- canonical form --------------------------------------------------------------------------


def canon(before: dict[str, Any] | None, at: datetime = START, after: Any = None) -> bytes:
    return canonical(7, "e", at, "bientap", "hoankiem", "article.edit", "article:1", before, after)


def test_canonical_ignores_dict_key_order_at_every_level() -> None:
    one = {"title": "Tin", "meta": {"a": 1, "b": [1, {"y": 2, "x": 1}]}, "status": "draft"}
    two = {"status": "draft", "meta": {"b": [1, {"x": 1, "y": 2}], "a": 1}, "title": "Tin"}
    assert canon(one) == canon(two)


def test_canonical_keeps_vietnamese_as_utf8() -> None:
    text = "Ủy ban nhân dân quận Hoàn Kiếm — thông báo"
    data = canon({"title": text})
    assert text.encode() in data
    assert b"\\u" not in data
    assert canon({"title": text}) == data
    assert json.loads(data)["before"]["title"] == text


def test_canonical_has_no_spaces_and_sorted_keys() -> None:
    data = canon({"b": 1, "a": 2})
    assert b": " not in data
    assert b", " not in data
    assert list(json.loads(data)) == sorted(json.loads(data))


def test_canonical_time_is_utc_with_microseconds_and_z() -> None:
    assert b'"at":"2025-03-08T02:30:00.000000Z"' in canon(None)
    # The same instant in another zone is the same entry (storage may return any offset).
    assert canon(None, at=START.astimezone(HANOI)) == canon(None)
    assert b"02:30:00.000001Z" in canon(None, at=START + timedelta(microseconds=1))


def test_canonical_refuses_naive_time_and_non_json() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        canon(None, at=START.replace(tzinfo=None))
    with pytest.raises(TypeError):
        canon({"tags": {"a", "b"}})
    with pytest.raises(ValueError, match="not JSON compliant"):
        canon({"x": float("inf")})


# --- verification ----------------------------------------------------------------------------


def test_chain_of_100_verifies() -> None:
    assert verify(CHAIN) == OK_100


def test_empty_chain_verifies() -> None:
    assert verify([]) == Verification(ok=True, checked=0, first_bad_seq=None, problem="")


def test_verify_streams_from_an_iterator() -> None:
    def rows() -> Iterator[AuditEntry]:
        yield from CHAIN

    assert verify(rows()) == OK_100


def test_verify_accepts_any_offset_for_the_same_instant() -> None:
    shifted = [replace(e, at=e.at.astimezone(HANOI)) for e in CHAIN]
    assert verify(shifted) == OK_100


def test_verify_can_resume_from_a_verified_entry() -> None:
    result = verify(CHAIN[50:], start_prev_hash=CHAIN[49].hash, start_seq=51)
    assert result == Verification(ok=True, checked=50, first_bad_seq=None, problem="")
    # Without the right starting point, the first entry does not link.
    assert verify(CHAIN[50:], start_seq=51).first_bad_seq == 51


ENTRY_FIELDS = [f.name for f in fields(AuditEntry)]


def test_every_field_is_covered_by_the_tamper_tests() -> None:
    for name in ENTRY_FIELDS:
        assert tampered(CHAIN[0], name) != CHAIN[0]


@pytest.mark.parametrize("field", ENTRY_FIELDS)
def test_changing_any_field_of_any_entry_is_detected_at_that_seq(field: str) -> None:
    for index, entry in enumerate(CHAIN):
        entries = [*CHAIN[:index], tampered(entry, field), *CHAIN[index + 1 :]]
        result = verify(entries)
        assert not result.ok, (field, entry.seq)
        assert result.first_bad_seq == entry.seq, (field, entry.seq)
        assert result.checked == entry.seq - 1
        assert str(entry.seq) in result.problem


def test_content_change_message() -> None:
    entries = [*CHAIN[:16], tampered(CHAIN[16], "actor"), *CHAIN[17:]]
    assert verify(entries) == Verification(
        ok=False,
        checked=16,
        first_bad_seq=17,
        problem="Bản ghi số 17 đã bị sửa: mã băm không khớp nội dung.",
    )


def test_rewriting_an_entry_with_a_fresh_hash_breaks_the_next_link() -> None:
    original = CHAIN[40]
    forged = replace(original, actor="ke-gian")
    forged = replace(
        forged,
        hash=chain_hash(
            forged.prev_hash,
            forged.seq,
            forged.event_id,
            forged.at,
            forged.actor,
            forged.tenant,
            forged.action,
            forged.subject,
            forged.before,
            forged.after,
        ),
    )
    result = verify([*CHAIN[:40], forged, *CHAIN[41:]])
    assert result == Verification(
        ok=False,
        checked=41,
        first_bad_seq=42,
        problem="Bản ghi số 42 không nối với bản ghi trước.",
    )


def test_deleting_an_entry_in_the_middle_is_detected() -> None:
    entries = CHAIN[:17] + CHAIN[18:]  # seq 18 removed
    assert verify(entries) == Verification(
        ok=False, checked=17, first_bad_seq=18, problem="Thiếu bản ghi số 18 (chuỗi bị cắt)."
    )


def test_deleting_the_first_entry_is_detected() -> None:
    result = verify(CHAIN[1:])
    assert not result.ok
    assert result.first_bad_seq == 1


def test_deleting_and_renumbering_is_detected() -> None:
    # Closing the gap by renumbering still leaves content and links that do not match.
    renumbered = CHAIN[:17] + [replace(e, seq=e.seq - 1) for e in CHAIN[18:]]
    result = verify(renumbered)
    assert not result.ok
    assert result.first_bad_seq == 18


def test_truncating_the_end_is_not_detected_by_verify_alone() -> None:
    """Documented limit: a chain cut short is still a valid chain.

    Only the head anchored outside the log (kept by the caller in a separate table,
    and exportable) shows the difference.
    """
    anchored_head = (CHAIN[-1].seq, CHAIN[-1].hash)
    truncated = CHAIN[:90]
    result = verify(truncated)
    assert result == Verification(ok=True, checked=90, first_bad_seq=None, problem="")
    # What the caller compares to catch it:
    assert (truncated[-1].seq, truncated[-1].hash) != anchored_head


def test_rewriting_the_whole_tail_is_not_detected_by_verify_alone() -> None:
    # Same limit, stronger forger: rebuild every entry from 60 on. Again only the anchor differs.
    forged = CHAIN[:59]
    head = forged[-1]
    for original in CHAIN[59:]:
        head = next_entry(
            head,
            event_id=original.event_id,
            at=original.at,
            actor="ke-gian",
            tenant=original.tenant,
            action=original.action,
            subject=original.subject,
            before=original.before,
            after=original.after,
        )
        forged.append(head)
    assert verify(forged) == OK_100
    assert forged[-1].hash != CHAIN[-1].hash


def test_reordering_is_detected() -> None:
    swapped = [*CHAIN[:30], CHAIN[31], CHAIN[30], *CHAIN[32:]]
    result = verify(swapped)
    assert not result.ok
    assert result.first_bad_seq == 31
    assert result.checked == 30


def test_swapping_contents_while_keeping_seq_is_detected() -> None:
    # A forger swaps two rows' contents but keeps seq, so ORDER BY seq looks fine.
    a, b = CHAIN[30], CHAIN[31]
    swapped = [*CHAIN[:30], replace(b, seq=a.seq), replace(a, seq=b.seq), *CHAIN[32:]]
    result = verify(swapped)
    assert not result.ok
    assert result.first_bad_seq == 31


def test_duplicated_entry_is_detected() -> None:
    result = verify([*CHAIN[:10], CHAIN[9], *CHAIN[10:]])
    assert result == Verification(
        ok=False,
        checked=10,
        first_bad_seq=11,
        problem="Bản ghi số 10 bị lặp hoặc sai thứ tự (cần bản ghi số 11).",
    )


def test_unhashable_stored_content_is_reported_not_raised() -> None:
    broken = replace(CHAIN[3], at=CHAIN[3].at.replace(tzinfo=None))
    result = verify([*CHAIN[:3], broken, *CHAIN[4:]])
    assert not result.ok
    assert result.first_bad_seq == 4


# --- diff_fields -----------------------------------------------------------------------------


def test_diff_changed_added_and_removed_keys_sorted() -> None:
    before = {"title": "Tin cũ", "status": "draft", "tags": ["a"], "old": 1}
    after = {"title": "Tin mới", "status": "draft", "tags": ["a", "b"], "new": True}
    assert diff_fields(before, after) == [
        ("new", None, True),
        ("old", 1, None),
        ("tags", ["a"], ["a", "b"]),
        ("title", "Tin cũ", "Tin mới"),
    ]


def test_diff_of_creation_and_deletion() -> None:
    assert diff_fields(None, {"b": 2, "a": 1}) == [("a", None, 1), ("b", None, 2)]
    assert diff_fields({"a": 1}, None) == [("a", 1, None)]
    assert diff_fields(None, None) == []


def test_diff_of_equal_states_is_empty() -> None:
    state = {"title": "Tin", "meta": {"x": 1, "y": 2}}
    assert diff_fields(state, {"meta": {"y": 2, "x": 1}, "title": "Tin"}) == []


def test_diff_tells_apart_values_python_calls_equal() -> None:
    assert diff_fields({"a": 1, "b": 0}, {"a": True, "b": 0.0}) == [
        ("a", 1, True),
        ("b", 0, 0.0),
    ]


def test_diff_reports_a_key_that_appears_with_null() -> None:
    assert diff_fields({}, {"note": None}) == [("note", None, None)]


# --- AuditQuery ------------------------------------------------------------------------------


def test_empty_query_is_valid() -> None:
    assert AuditQuery().validate() == AuditQuery()


def test_query_is_trimmed_and_normalised() -> None:
    query = AuditQuery(
        actor="  bientap ",
        tenant="",
        action_prefix="article.",
        subject="   ",
        since=datetime(2025, 3, 8, 9, 0, tzinfo=HANOI),
        until=datetime(2025, 3, 8, 3, 0, tzinfo=UTC),
        text=" Hồ Gươm ",
    ).validate()
    assert query == AuditQuery(
        actor="bientap",
        tenant=None,
        action_prefix="article.",
        subject=None,
        since=datetime(2025, 3, 8, 2, 0, tzinfo=UTC),
        until=datetime(2025, 3, 8, 3, 0, tzinfo=UTC),
        text="Hồ Gươm",
    )
    assert query.since is not None
    assert query.since.tzinfo is UTC


def test_query_since_equal_to_until_is_valid() -> None:
    assert AuditQuery(since=START, until=START).validate().since == START


def test_query_since_after_until_is_refused() -> None:
    with pytest.raises(ValueError, match="Thời điểm bắt đầu phải trước"):
        AuditQuery(since=START + timedelta(seconds=1), until=START).validate()


def test_query_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="múi giờ"):
        AuditQuery(since=START.replace(tzinfo=None)).validate()


def test_query_text_length() -> None:
    assert AuditQuery(text="ệ" * 200).validate().text == "ệ" * 200
    with pytest.raises(ValueError, match="tối đa 200 ký tự"):
        AuditQuery(text="ệ" * 201).validate()
