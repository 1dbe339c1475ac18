"""CloudEvents 1.0 binary mode over Kafka: attributes travel as message headers.

The body is the event model as JSON; the headers say what it is, where it came
from and which trace it belongs to. See the CloudEvents Kafka protocol binding.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from contracts.events import Event

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"

H_ID = "ce_id"
H_TYPE = "ce_type"
H_SOURCE = "ce_source"
H_TIME = "ce_time"
H_SUBJECT = "ce_subject"
H_SPECVERSION = "ce_specversion"
H_TENANT = "tenant"
H_TRACEPARENT = "traceparent"
H_TRACESTATE = "tracestate"
H_CONTENT_TYPE = "content-type"

REQUIRED_HEADERS = (H_ID, H_TYPE, H_SOURCE, H_TIME, H_SPECVERSION)


class EnvelopeError(ValueError):
    """The headers do not make a CloudEvent this platform can read."""


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    source: str
    time: datetime
    subject: str
    tenant: str
    traceparent: str | None = None
    tracestate: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {
            H_SPECVERSION: SPECVERSION,
            H_ID: self.id,
            H_TYPE: self.type,
            H_SOURCE: self.source,
            H_TIME: self.time.isoformat(),
            H_SUBJECT: self.subject,
            H_TENANT: self.tenant,
            H_CONTENT_TYPE: CONTENT_TYPE,
        }
        if self.traceparent:
            headers[H_TRACEPARENT] = self.traceparent
        if self.tracestate:
            headers[H_TRACESTATE] = self.tracestate
        return headers


def envelope_for(
    event: Event,
    *,
    source: str,
    at: datetime | None = None,
    event_id: str | None = None,
    trace: Mapping[str, str] | None = None,
) -> Envelope:
    """The envelope of a new event; `source` is the producing service, as `/services/<name>`."""
    trace = trace or {}
    return Envelope(
        id=event_id or str(uuid.uuid4()),
        type=event.ce_type,
        source=source,
        time=(at or datetime.now(UTC)),
        subject=event.key(),
        tenant=event.tenant,
        traceparent=trace.get(H_TRACEPARENT),
        tracestate=trace.get(H_TRACESTATE),
    )


def parse_headers(headers: Mapping[str, str | bytes]) -> Envelope:
    """Read the envelope from Kafka headers; raise EnvelopeError when it is not one."""
    text = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in headers.items()}
    missing = [h for h in REQUIRED_HEADERS if not text.get(h)]
    if missing:
        raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
    if text[H_SPECVERSION] != SPECVERSION:
        raise EnvelopeError(f"unsupported CloudEvents specversion {text[H_SPECVERSION]!r}")
    try:
        time = datetime.fromisoformat(text[H_TIME])
    except ValueError:
        raise EnvelopeError(f"ce_time is not ISO 8601: {text[H_TIME]!r}") from None
    if time.tzinfo is None:
        raise EnvelopeError("ce_time has no time zone")
    return Envelope(
        id=text[H_ID],
        type=text[H_TYPE],
        source=text[H_SOURCE],
        time=time,
        subject=text.get(H_SUBJECT, ""),
        tenant=text.get(H_TENANT, ""),
        traceparent=text.get(H_TRACEPARENT),
        tracestate=text.get(H_TRACESTATE),
    )
