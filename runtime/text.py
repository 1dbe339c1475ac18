"""Text rules every service shares (pure)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, no diacritics, whitespace collapsed: "Hà Nội  ĐẸP" -> "ha noi dep".

    NFKD also splits compatibility forms (full-width letters, ligatures). Đ/đ is a
    letter of its own in Unicode, not D with a mark, so it is mapped by hand.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.casefold().replace("đ", "d")
    return " ".join(bare.split())
