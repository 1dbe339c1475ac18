"""Personal data taken out of what is published (pure: no I/O).

Luật Bảo vệ dữ liệu cá nhân (Nghị định 13/2023/NĐ-CP): a citizen's question, comment
or dialogue question is published without their name, contact details, ID numbers or
home address; a staff member's answer is published without the asker's.

Two readers, two rules:
- what a citizen wrote (`redact`): every email, phone and ID number, every house
  number that an address cue or a street names, and the sender's names;
- what staff wrote (`redact_answer`): only the asker's data (their names, their email,
  their phone, the house numbers of their question). An answer rightly gives the
  office's hotline, mailbox and street address, which the first rule would remove.

Names are matched without regard to diacritics or case ("Nguyen Van An" is "Nguyễn Văn
An"); a name of one word, often as short as "An" or "Hà", only where it stands as a
name: capitalised and not part of another proper noun ("Hà Nội", "Long Biên"), or after
a word of address ("chị hà").
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

REDACTED = "[đã ẩn]"

# Starts only where a word starts: without the lookbehind every position of a long
# run of letters with no "@" after it was tried again, quadratic in the run's length.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Phone numbers (0 or +84, 9–11 digits, spaces, dots or dashes between groups).
_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.-]?\d){8,10}(?!\d)")
# ID numbers: CMND 9 digits, CCCD 12 digits.
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)")
# A house number: 5, 12A, 34/5, 12B/3/7 (not a document number: 175/2024/NĐ-CP).
_HOUSE_NUMBER = re.compile(r"(?<![\w/])\d{1,5}[A-Za-z]?(?:/\d{1,5}[A-Za-z]?)*(?![\w/])")
#: Words before a number that make it the sender's house number whatever follows.
_ALWAYS_CUES = ("số nhà", "nhà số", "căn hộ", "căn hộ số", "căn số")
#: Words before a number (and an optional "số") that make it the sender's house number
#: when a street, a lane or a name follows. Not "trước số 12 phố Huế" nor "tại số 1
#: Lý Thường Kiệt": a report's place, an office's address, which are published.
_CUES = (
    "nhà", "phòng", "nhà tôi", "nhà ở", "địa chỉ", "địa chỉ:", "đc", "đc:",
    "trú tại", "sống tại", "cư trú tại", "thường trú", "thường trú tại", "tạm trú",
    "tạm trú tại",
)  # fmt: skip
#: "ở" marks the sender's home only after the sender speaks of themselves: "Tôi là
#: Bích, ở số 5 Hàng Bài", not "Ổ gà ở số 12".
_FIRST_PERSON = frozenset({"tôi", "em", "cháu", "mình"})
#: Words that follow a house number: streets, lanes and the parts of a ward.
_PLACES = frozenset(
    {"ngõ", "ngách", "hẻm", "kiệt", "phố", "đường", "tổ", "thôn", "xóm", "khu", "tòa", "toà"}
    | {"lô", "chung", "đội", "ấp"}  # "chung cư"
)
#: Words of address before a given name written in lower case: "chị hà", "anh an".
_ADDRESS_WORDS = frozenset({"anh", "chị", "em", "ông", "bà", "cô", "chú", "bác", "cháu", "tên"})
_WORD = re.compile(r"[^\W\d_]+")
#: How far around a number or a name to look for the words that tell what it is.
_LOOK = 40


@dataclass(frozen=True)
class Person:
    """Whose data a text must not publish."""

    name: str
    email: str | None = None
    phone: str | None = None


def redact(text: str, person: Person | None = None) -> str:
    """What a citizen wrote, as published: no emails, phone, ID or house numbers, and
    not the sender's names."""
    text = unicodedata.normalize("NFC", text)
    spans = [m.span() for m in _EMAIL.finditer(text)]
    spans += [m.span() for m in _PHONE.finditer(text)]
    spans += [m.span() for m in _ID_NUMBER.finditer(text)]
    spans += house_numbers(text)
    if person is not None:
        spans += _name_spans(text, person.name)
    return _blank(text, spans)


def redact_answer(html: str, person: Person, question: str = "") -> str:
    """A staff answer (sanitised HTML), as published: without the asker's names, email,
    phone, or the house numbers their `question` gave. The office's own contacts stay."""
    html = unicodedata.normalize("NFC", html)
    question = unicodedata.normalize("NFC", question)
    numbers = {question[a:b].casefold() for a, b in house_numbers(question)}
    phone = _phone_digits(person.phone or "")
    email = (person.email or "").casefold()

    def text_part(part: str) -> list[tuple[int, int]]:
        spans = _name_spans(part, person.name)
        # The asker's house number, wherever the answer repeats it; a plain number
        # ("12") only where it reads as one (it may be an article's number too).
        at_home = set(house_numbers(part))
        for m in _HOUSE_NUMBER.finditer(part):
            token = m[0].casefold()
            if token in numbers and (not token.isdigit() or m.span() in at_home):
                spans.append(m.span())
        return spans

    def any_part(part: str) -> list[tuple[int, int]]:  # attribute values too: mailto:, tel:
        spans = [m.span() for m in _EMAIL.finditer(part) if email and m[0].casefold() == email]
        spans += [m.span() for m in _PHONE.finditer(part) if phone and _phone_digits(m[0]) == phone]
        return spans

    out = []
    for piece in re.split(r"(<[^<>]*>)", html):
        if piece.startswith("<"):
            out.append(_blank(piece, any_part(piece), replacement=""))
        else:
            out.append(_blank(piece, text_part(piece) + any_part(piece)))
    return "".join(out)


def house_numbers(text: str) -> list[tuple[int, int]]:
    """Where `text` gives its sender's house number: after "số nhà", "căn hộ"..., or
    after "nhà", "địa chỉ", "trú tại", "tôi ở"... when a street, a lane or a
    capitalised name follows."""
    found = []
    lowered = text.casefold()
    for m in _HOUSE_NUMBER.finditer(text):
        clause = re.split(r"[.!?;\n]", lowered[max(0, m.start() - _LOOK) : m.start()])[-1]
        before = " ".join(clause.split())
        after = _WORD.search(text, m.end(), m.end() + _LOOK)  # bounded: linear in all
        gap = text[m.end() : after.start()] if after else ""
        follows = after[0] if after and re.fullmatch(r"[\s,]*", gap) else ""
        street = follows.casefold() in _PLACES or follows[:1].isupper()
        cue = before.removesuffix(" số") if before.endswith(" số") else before
        home = _ends_with_word(cue, _CUES) or (
            _ends_with_word(cue, ("ở",)) and bool(_FIRST_PERSON & set(cue.split()))
        )
        if before.endswith(_ALWAYS_CUES) or (home and street):
            found.append(m.span())
    return found


def _ends_with_word(before: str, cues: Iterable[str]) -> bool:
    return any(before == c or before.endswith(" " + c) for c in cues)


# --- names ---------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without diacritics, one character for each of `text`'s (NFC)."""
    return "".join(_fold_char(c) for c in text)


def _fold_char(c: str) -> str:
    if c in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", c)[0]
    return base.lower()[0]


#: The words of address, folded as the text's words are when compared.
_ADDRESSING = frozenset(fold(w) for w in _ADDRESS_WORDS)


def _name_spans(text: str, name: str) -> list[tuple[int, int]]:
    """Where the sender's name, or two or more of its words in a row, or its given
    name standing as a name, occur in `text` (NFC)."""
    words = [fold(w) for w in _WORD.findall(unicodedata.normalize("NFC", name))]
    return _names_in(text, words) if words else []


def _names_in(text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    tokens = [(m.start(), m.end(), fold(m[0]), m[0]) for m in _WORD.finditer(text)]
    spans: list[tuple[int, int]] = []
    # Runs of two or more of the name's words, in its order: "Trần Thị Bích", "Thị Bích".
    runs = {tuple(words[i:j]) for i in range(len(words)) for j in range(i + 2, len(words) + 1)}
    longest = max((len(r) for r in runs), default=0)
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 1, -1):
            window = tokens[i : i + size]
            adjacent = all(not text[a[1] : b[0]].strip() for a, b in itertools.pairwise(window))
            if adjacent and tuple(t[2] for t in window) in runs:
                spans.append((window[0][0], window[-1][1]))
                i += size - 1
                break
        i += 1
    given = words[-1]
    for k, (start, end, folded, raw) in enumerate(tokens):
        if folded != given or any(s <= start < e for s, e in spans):
            continue
        previous = tokens[k - 1] if k else None
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        joined_before = previous is not None and not text[previous[1] : start].strip()
        joined_after = nxt is not None and not text[end : nxt[0]].strip()
        if raw[:1].isupper():
            # Part of another proper noun ("Hà Nội", "Vĩnh Hưng"): a place, not the sender.
            if joined_after and nxt is not None and nxt[3][:1].isupper():
                continue
            if (
                joined_before
                and previous is not None
                and previous[3][:1].isupper()
                and previous[2] not in _ADDRESSING
                and not _sentence_starts_before(text, previous[0])
            ):
                continue
            spans.append((start, end))
        elif joined_before and previous is not None and previous[2] in _ADDRESSING:
            spans.append((start, end))
    return spans


def _sentence_starts_before(text: str, position: int) -> bool:
    """Whether the word at `position` begins a sentence (so its capital says nothing)."""
    head = text[max(0, position - _LOOK) : position].rstrip()
    if not head:
        return position <= _LOOK
    return head[-1] in '.!?:;\n"“('


# --- helpers -------------------------------------------------------------------------


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _phone_digits(text: str) -> str:
    digits = _digits(text)
    return "0" + digits[2:] if digits.startswith("84") and len(digits) >= 11 else digits


def _blank(text: str, spans: list[tuple[int, int]], replacement: str = REDACTED) -> str:
    """`text` with each span (merged where they overlap) replaced."""
    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out += [text[at:start], replacement]
        at = end
    out.append(text[at:])
    return "".join(out)
