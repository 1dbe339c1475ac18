"""Why applying an event failed: is it worth trying again? Pure: no I/O, no clock.

A consumer asks `classify(exc)` about each error its handler raised:

- **transient**: the infrastructure is away or busy (a database that is down,
  restarting, locked or failing over; a connection or a timeout). The message is not
  at fault: retry with backoff for as long as it lasts, never dead-letter.
- **deterministic**: the same message will fail the same way every time (a body
  that does not validate, bytes that do not decode, a constraint the row breaks, SQL
  the schema rejects). Retrying only holds up the messages behind it: dead-letter it.
- **unknown**: anything else, such as a bug in a handler that may or may not depend
  on the moment. Retried a bounded number of times, then dead-lettered.
"""

from __future__ import annotations

import json
from enum import StrEnum

import httpx
import redis.exceptions
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from pydantic import ValidationError
from sqlalchemy import exc as sa

from contracts import EnvelopeError


class Failure(StrEnum):
    TRANSIENT = "transient"
    DETERMINISTIC = "deterministic"
    UNKNOWN = "unknown"


#: PostgreSQL SQLSTATE classes (the first two characters) that say the server, not
#: the statement, is the problem: connection (08), the transaction was chosen as a
#: victim (40: serialization failure, deadlock), invalid transaction state (25: read
#: only after a failover), resources (53), lock not available (55), operator
#: intervention (57: shutdown, statement timeout), system and internal errors (58, XX).
PG_TRANSIENT_CLASSES = frozenset({"08", "25", "40", "53", "55", "57", "58", "XX"})
#: Classes the statement itself causes: cardinality (21), data (22: too long, bad
#: text), integrity (23), syntax and access (42: no such table or column).
PG_DETERMINISTIC_CLASSES = frozenset({"21", "22", "23", "42"})

#: SQLite reports both outages and mistakes as OperationalError; these are mistakes.
SQLITE_DETERMINISTIC = (
    "no such table",
    "no such column",
    "has no column named",
    "syntax error",
    "too many sql variables",
    "string or blob too big",
    "datatype mismatch",
)

#: Errors of the message itself, whoever raises them.
_POISON: tuple[type[BaseException], ...] = (
    ValidationError,
    EnvelopeError,
    UnicodeError,
    json.JSONDecodeError,
)
#: Errors of the moment, outside the database.
_AWAY: tuple[type[BaseException], ...] = (
    TimeoutError,
    ConnectionError,
    KafkaConnectionError,
    KafkaTimeoutError,
    httpx.TransportError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    sa.TimeoutError,  # the connection pool is exhausted
    sa.DisconnectionError,
)
#: OSErrors about a path, not about a connection or the disk's state.
_NOT_THERE: tuple[type[BaseException], ...] = (
    FileNotFoundError,
    FileExistsError,
    IsADirectoryError,
    NotADirectoryError,
)


def classify(exc: BaseException) -> Failure:
    """What kind of failure `exc` is (see the module's docstring)."""
    if isinstance(exc, sa.DBAPIError):
        return _database(exc)
    if isinstance(exc, _POISON):
        return Failure.DETERMINISTIC
    if isinstance(exc, _AWAY):
        return Failure.TRANSIENT
    if isinstance(exc, KafkaError):
        return Failure.TRANSIENT if exc.retriable else Failure.UNKNOWN
    if isinstance(exc, OSError):
        return Failure.UNKNOWN if isinstance(exc, _NOT_THERE) else Failure.TRANSIENT
    return Failure.UNKNOWN


def _database(exc: sa.DBAPIError) -> Failure:
    if exc.connection_invalidated:
        return Failure.TRANSIENT
    state = sqlstate(exc)
    if state:
        if state[:2] in PG_TRANSIENT_CLASSES:
            return Failure.TRANSIENT
        if state[:2] in PG_DETERMINISTIC_CLASSES:
            return Failure.DETERMINISTIC
    if isinstance(exc, sa.IntegrityError | sa.DataError | sa.ProgrammingError):
        return Failure.DETERMINISTIC
    if isinstance(exc, sa.OperationalError):
        message = str(exc.orig).lower()
        if any(mistake in message for mistake in SQLITE_DETERMINISTIC):
            return Failure.DETERMINISTIC
        return Failure.TRANSIENT  # locked, busy, disk I/O, cannot open, went away
    if isinstance(exc, sa.InterfaceError | sa.InternalError):
        return Failure.TRANSIENT
    # A driver error without a class that says more (asyncpg maps only some).
    if isinstance(exc.orig, (OSError, *_AWAY)):
        return Failure.TRANSIENT
    return Failure.UNKNOWN


def sqlstate(exc: sa.DBAPIError) -> str | None:
    """The PostgreSQL error code behind a SQLAlchemy error, when there is one."""
    for source in (exc.orig, getattr(exc.orig, "__cause__", None)):
        state = getattr(source, "sqlstate", None) or getattr(source, "pgcode", None)
        if isinstance(state, str) and len(state) == 5:
            return state
    return None
