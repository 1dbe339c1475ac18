"""Reading a record whose header *name* is not UTF-8, instead of dying on it.

Kafka's protocol says header names are UTF-8 strings, and aiokafka decodes them
strictly while it reads a fetched batch: one such record (a buggy partner's client,
or anyone with write access to a topic) makes its fast (C) reader raise
UnicodeDecodeError, which ends FastStream's consume loop, so the service stops
reading the whole topic, quietly; its Python reader raises CorruptRecordException on
every fetch instead, so the partition stalls forever. `install()` makes the consumer
read each batch with the fast reader as before and, only when that fails on a header
name, read the same batch again with the Python reader, decoding header names with
`surrogateescape`: the record reaches `Consumer.handle`, which parks it on the
dead-letter topic (runtime/deadletter.py keeps such a name as `dlt_header_name_hex:`
and its bytes in hex, since no producer can send a name that is not UTF-8).

This patches aiokafka's fetcher (`aiokafka.consumer.fetcher.MemoryRecords`), version
pinned in constraints.txt; tests/integration/test_consumer_dead_letters.py checks it.
"""

from __future__ import annotations

from typing import Any

from aiokafka.consumer import fetcher
from aiokafka.errors import CorruptRecordException
from aiokafka.record.default_records import DefaultRecordBatch, _DefaultRecordBatchPy
from aiokafka.record.memory_records import _MemoryRecordsPy


class _LenientBuffer(bytearray):
    """A batch's bytes whose slices decode leniently: the Python reader decodes a
    header name as `buffer[a:b].decode("utf-8")`; keys and values it copies as bytes."""

    def __getitem__(self, index: Any) -> Any:
        part = super().__getitem__(index)
        return _LenientSlice(part) if isinstance(index, slice) else part


class _LenientSlice(bytearray):
    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return bytes(self).decode(encoding, "surrogateescape")


class _LenientBatchPy(_DefaultRecordBatchPy):
    def __init__(self, buffer: bytes | bytearray | memoryview) -> None:
        super().__init__(buffer)
        self._buffer = _LenientBuffer(self._buffer)

    def _maybe_uncompress(self) -> None:
        super()._maybe_uncompress()
        if not isinstance(self._buffer, _LenientBuffer):
            self._buffer = _LenientBuffer(self._buffer)


class _FallbackBatch:
    """The fast reader's batch; on a header name that is not UTF-8, the same batch
    read by the lenient one from the record after the last one read."""

    def __init__(self, fast: Any, data: bytes) -> None:
        self._fast = fast
        self._data = data
        self._records: Any = None
        self._last: int | None = None
        self._lenient = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fast, name)

    def validate_crc(self) -> bool:
        return bool(self._fast.validate_crc())

    def __iter__(self) -> _FallbackBatch:
        if self._records is None:
            self._records = iter(self._fast)
        return self

    def __next__(self) -> Any:
        if self._records is None:
            self.__iter__()
        while True:
            try:
                record = next(self._records)
            except (UnicodeDecodeError, CorruptRecordException) as exc:
                cause = exc if isinstance(exc, UnicodeDecodeError) else exc.__cause__
                if self._lenient or not isinstance(cause, UnicodeDecodeError):
                    raise
                self._lenient = True
                self._records = iter(_LenientBatchPy(self._data))
                continue
            if self._last is not None and record.offset <= self._last:
                continue  # read already by the fast reader
            self._last = record.offset
            return record


class LenientMemoryRecords(_MemoryRecordsPy):
    """aiokafka's MemoryRecords, whose record batches fall back as above."""

    def __init__(self, bytes_data: bytes) -> None:
        super().__init__(bytes_data)

    def next_batch(self, *args: Any, **kwargs: Any) -> Any:
        data = self._next_slice
        batch = super().next_batch(*args, **kwargs)
        if data is not None and isinstance(batch, DefaultRecordBatch):
            return _FallbackBatch(batch, bytes(data))
        return batch


def install() -> None:
    """Make every aiokafka consumer of this process read batches as above (idempotent)."""
    fetcher.MemoryRecords = LenientMemoryRecords  # type: ignore[misc,assignment]
