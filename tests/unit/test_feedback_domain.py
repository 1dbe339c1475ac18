"""Tracking codes and the question's states (pure)."""

from __future__ import annotations

import pytest

from services.feedback.domain import (
    NotAllowed,
    is_open,
    new_code,
    normalise_code,
    require,
    valid_phone,
)


def test_codes_are_unique_well_formed_and_checked() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert normalise_code(code) == code
        # What people do to codes: lower case, spaces, O for 0 and I or L for 1.
        typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
        assert normalise_code(typed) == code
        # One wrong character is caught by the check character.
        wrong = ("1" if code[0] != "1" else "2") + code[1:]
        assert normalise_code(wrong) is None
    for forged in ("", "AAAA-AAAA-AAAA", "AAAA-AAAA-AAA", "' OR 1=1 --", "ÀAAA-AAAA-AAAA"):
        assert normalise_code(forged) is None


def test_phone_numbers_are_normalised() -> None:
    assert valid_phone("0912 345 678") == "0912345678"
    assert valid_phone("+84 912-345-678") == "0912345678"
    assert valid_phone("(024) 3825 3536") == "02438253536"
    assert valid_phone("12345") is None
    assert valid_phone("09123456789012") is None


def test_actions_fit_their_states() -> None:
    require("classify", "received")
    with pytest.raises(NotAllowed, match="trạng thái"):
        require("classify", "classified")
    with pytest.raises(NotAllowed):
        require("approve", "classified")
    assert is_open("waiting_citizen")
    assert not is_open("published")
    assert not is_open("unconfirmed")
