"""Which handler errors are worth retrying (runtime/failures.py), and how many times
a consumer tries each kind before parking the message."""

from __future__ import annotations

import errno
import json
import sqlite3

import httpx
import pytest
import redis.exceptions
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import exc as sa

from contracts import EnvelopeError
from runtime.consumer import DETERMINISTIC_ATTEMPTS, attempts_allowed
from runtime.failures import Failure, classify, sqlstate

T, D, U = Failure.TRANSIENT, Failure.DETERMINISTIC, Failure.UNKNOWN


class PgError(Exception):
    """What SQLAlchemy's asyncpg adapter puts in `orig`: the SQLSTATE as `sqlstate`."""

    def __init__(self, state: str, message: str = "") -> None:
        super().__init__(message or state)
        self.sqlstate = self.pgcode = state


def pg(kind: type[sa.DBAPIError], state: str) -> sa.DBAPIError:
    return kind("INSERT INTO t VALUES ($1)", {}, PgError(state))


def lite(kind: type[sa.DBAPIError], message: str) -> sa.DBAPIError:
    cause = sqlite3.IntegrityError if kind is sa.IntegrityError else sqlite3.OperationalError
    return kind("INSERT INTO t VALUES (?)", {}, cause(message))


def validation_error() -> ValidationError:
    try:
        TypeAdapter(int).validate_python("mười")
    except ValidationError as exc:
        return exc
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        # The message itself: no retry changes it.
        (validation_error(), D),
        (EnvelopeError("missing CloudEvents headers: ce_id"), D),
        (json.JSONDecodeError("Expecting value", "{", 1), D),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), D),
        # SQLite: a constraint and a schema mistake against a lock and a full disk.
        (lite(sa.IntegrityError, "UNIQUE constraint failed: inbox.event_id"), D),
        (lite(sa.OperationalError, "no such table: articles"), D),
        (lite(sa.OperationalError, "table pages has no column named slug"), D),
        (lite(sa.OperationalError, "database is locked"), T),
        (lite(sa.OperationalError, "database or disk is full"), T),
        (lite(sa.OperationalError, "disk I/O error"), T),
        # PostgreSQL by SQLSTATE, whatever class asyncpg's mapping gave the error.
        (pg(sa.IntegrityError, "23505"), D),  # unique_violation
        (pg(sa.DBAPIError, "22001"), D),  # string_data_right_truncation
        (pg(sa.DBAPIError, "22P02"), D),  # invalid_text_representation
        (pg(sa.ProgrammingError, "42P01"), D),  # undefined_table
        (pg(sa.DBAPIError, "40001"), T),  # serialization_failure
        (pg(sa.DBAPIError, "40P01"), T),  # deadlock_detected
        (pg(sa.DBAPIError, "55P03"), T),  # lock_not_available
        (pg(sa.DBAPIError, "57014"), T),  # query_canceled (statement timeout)
        (pg(sa.DBAPIError, "57P01"), T),  # admin_shutdown
        (pg(sa.DBAPIError, "25006"), T),  # read_only_sql_transaction: after a failover
        (pg(sa.DBAPIError, "08006"), T),  # connection_failure
        (pg(sa.OperationalError, "53300"), T),  # too_many_connections
        (sa.DBAPIError("SELECT 1", {}, PgError("P0001", "raise")), U),  # a trigger's RAISE
        (
            sa.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
            T,
        ),
        (sa.DBAPIError("SELECT 1", {}, ConnectionRefusedError(errno.ECONNREFUSED, "refused")), T),
        (sa.InterfaceError("SELECT 1", {}, Exception("connection is closed")), T),
        (sa.TimeoutError("QueuePool limit of size 5 overflow 10 reached"), T),
        # Away, outside the database.
        (TimeoutError(), T),
        (ConnectionRefusedError(errno.ECONNREFUSED, "refused"), T),
        (OSError(errno.ENOSPC, "No space left on device"), T),
        (httpx.ConnectError("connection refused"), T),
        (httpx.ReadTimeout("timed out"), T),
        (redis.exceptions.ConnectionError("Connection refused"), T),
        (KafkaConnectionError("no broker"), T),
        # Neither: tried a bounded number of times.
        (FileNotFoundError(errno.ENOENT, "missing", "/media/x.pdf"), U),
        (MessageSizeTooLargeError(), U),
        (RuntimeError("handler bug"), U),
        (KeyError("title"), U),
        (ValueError("bad"), U),
    ],
)
def test_classify(exc: BaseException, expected: Failure) -> None:
    assert classify(exc) is expected


def test_sqlstate_is_read_from_the_driver_error_or_its_cause() -> None:
    direct = pg(sa.DBAPIError, "40001")
    assert sqlstate(direct) == "40001"

    class Adapted(Exception):
        pass

    adapted = Adapted("wrapped")
    adapted.__cause__ = PgError("23505")
    assert sqlstate(sa.IntegrityError("INSERT", {}, adapted)) == "23505"
    assert sqlstate(lite(sa.OperationalError, "database is locked")) is None


def test_outages_are_retried_for_as_long_as_they_last() -> None:
    assert attempts_allowed(Failure.TRANSIENT, 5) is None


def test_a_deterministic_error_is_tried_at_most_twice_however_many_attempts_are_allowed() -> None:
    assert DETERMINISTIC_ATTEMPTS == 2
    assert attempts_allowed(Failure.DETERMINISTIC, 5) == 2
    assert attempts_allowed(Failure.DETERMINISTIC, 50) == 2
    assert attempts_allowed(Failure.DETERMINISTIC, 1) == 1


def test_an_unknown_error_is_tried_the_configured_number_of_times() -> None:
    assert attempts_allowed(Failure.UNKNOWN, 5) == 5
    assert attempts_allowed(Failure.UNKNOWN, 3) == 3
