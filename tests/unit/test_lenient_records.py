"""A fetched batch with a header name that is not UTF-8 is read in full, instead of
stopping aiokafka's reader (runtime/lenient_records.py); and such a record is one the
consumer parks, with the name's bytes kept (runtime/deadletter.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka.record.default_records import _DefaultRecordBatchBuilderPy
from aiokafka.record.memory_records import MemoryRecords

from runtime.deadletter import Kind, parked_headers, undecodable
from runtime.lenient_records import LenientMemoryRecords


class RawName(str):
    """A header name whose bytes are not UTF-8, as another client could write it
    (aiokafka's Python builder encodes names with `.encode`)."""

    def __new__(cls, raw: bytes) -> RawName:
        value = super().__new__(cls, "x")
        value.raw = raw  # type: ignore[attr-defined]
        return value

    def encode(self, *_args: object, **_kwargs: object) -> bytes:
        return self.raw  # type: ignore[attr-defined,no-any-return]


def batch(compression: int = 0) -> bytes:
    builder = _DefaultRecordBatchBuilderPy(
        magic=2, compression_type=compression, is_transactional=0, producer_id=-1,
        producer_epoch=-1, base_sequence=-1, batch_size=1 << 20,
    )  # fmt: skip
    builder.append(0, 1000, b"k0", b"first", [("ce_id", b"e-0")])
    builder.append(1, 1001, b"k1", b"poison", [("ce_id", b"e-1"), (RawName(b"\xff\xfeh"), b"v")])
    builder.append(2, 1002, b"k2", b"after", [("ce_id", b"e-2")])
    return bytes(builder.build())


def read(records: Any) -> list[Any]:
    found = []
    while records.has_next():
        found.extend(records.next_batch())
    return found


def test_aiokafka_alone_cannot_read_past_such_a_name() -> None:
    with pytest.raises((UnicodeDecodeError, ValueError)):
        read(MemoryRecords(batch()))


@pytest.mark.parametrize("compression", [0, 1], ids=["plain", "gzip"])
def test_every_record_of_the_batch_is_read_and_the_name_keeps_its_bytes(compression: int) -> None:
    records = read(LenientMemoryRecords(batch(compression)))
    assert [(r.offset, r.value) for r in records] == [(0, b"first"), (1, b"poison"), (2, b"after")]
    (name, value) = records[1].headers[1]
    assert name.encode("utf-8", "surrogateescape") == b"\xff\xfeh" and value == b"v"
    assert list(records[2].headers) == [("ce_id", b"e-2")]


def test_such_a_record_is_parked_with_the_names_bytes_in_hex() -> None:
    (_first, poison, _after) = read(LenientMemoryRecords(batch()))
    headers = list(poison.headers)
    assert undecodable(poison.key, headers) == "header name b'\\xff\\xfeh' is not valid UTF-8"
    parked = parked_headers(
        headers, kind=Kind.UNDECODABLE, reason="r", error=None, attempts=0, consumer="c",
        topic="t", partition=0, offset=1, timestamp=0, now=datetime.now(UTC),
    )  # fmt: skip
    assert parked[:2] == [("ce_id", b"e-1"), ("dlt_header_name_hex:fffe68", b"v")]
    for name, _value in parked:
        name.encode("utf-8")  # every name can be sent
