"""HTTP Range requests (RFC 9110 §14) for media files: one byte range, or none.

`parse_range` turns a Range header into the half-open [start, stop) to send, or says
the request is to be answered in full (no header, another unit, a syntax error, or
several ranges, which a server may always ignore), or that it cannot be satisfied
(416). It never raises: whatever a client sends ends in a 200, 206 or 416.
"""

from __future__ import annotations

import re
from typing import Final, Literal

UNSATISFIABLE: Final = "unsatisfiable"

_SPEC = re.compile(r"([0-9]*)-([0-9]*)")  # ASCII digits only
#: Longer numbers are not parsed (int() of thousands of digits is slow, then refused):
#: they are larger than any file, which is all that matters.
_MAX_DIGITS = 18
_HUGE = 10**_MAX_DIGITS


def _number(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else _HUGE


def parse_range(header: str | None, size: int) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """[start, stop) of a `size`-byte file that `header` asks for; None: send it all."""
    if not header:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    spec = spec.strip(" \t")
    if "," in spec:
        return None  # several ranges: the whole file instead
    match = _SPEC.fullmatch(spec)
    if match is None:
        return None
    first, last = match.groups()
    if first:
        start = _number(first)
        if last and _number(last) < start:
            return None  # syntactically invalid: ignored
        if start >= size:
            return UNSATISFIABLE
        stop = min(_number(last) + 1, size) if last else size
        return start, stop
    if not last:
        return None  # "bytes=-"
    suffix = _number(last)
    if suffix == 0 or size == 0:
        return UNSATISFIABLE
    return max(0, size - suffix), size


def content_range(start: int, stop: int, size: int) -> str:
    return f"bytes {start}-{stop - 1}/{size}"
