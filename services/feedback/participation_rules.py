"""What participation's areas share (pure: no I/O): how a citizen's comment or dialogue
question is shown, and when staff's HTML says nothing. The areas' own rules are in
consultation_rules.py, dialogue_rules.py and rating_rules.py.

A citizen who comments on a draft or asks a dialogue a question is shown by name only
if they agreed, and their text without emails, phone or ID numbers, nor their name
(personal_data.redact); their email is never shown.
"""

from __future__ import annotations

import re

from services.feedback.personal_data import Person, redact

ANONYMOUS_VI = "Người góp ý (ẩn danh)"


def public_name(name: str, show_name: bool) -> str:
    return name if show_name else ANONYMOUS_VI


def public_text(text: str, name: str) -> str:
    """A comment's text as published: no emails, phone or ID numbers, nor the sender's
    name (which is shown, if at all, beside the text)."""
    return redact(text, Person(name))


def has_text(html: str) -> bool:
    """Whether (sanitised) HTML has any text once its tags are taken out."""
    return bool(" ".join(re.sub(r"<[^>]+>", " ", html).split()))
