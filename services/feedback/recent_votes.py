"""Repeat ratings, damped without identifiers on disk: `RecentVotes` remembers, in this
process's memory only, a keyed hash of (network address, subject) for an hour. It is
never written anywhere, dies with the process, and is per instance (several instances
damp less; the gateway's rate limits are the real flood guard). What a rating keeps is
said at `rating_counts` in participation_store.py.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable


class RecentVotes:
    """Remembers for `window_s` seconds, in memory only, that a network address rated a
    subject, as a keyed hash (the key is random per process and never leaves it)."""

    def __init__(
        self,
        window_s: float = 3600,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window_s = window_s
        self.max_entries = max_entries
        self.clock = clock
        self._key = secrets.token_bytes(32)
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    def first(self, address: str, subject: str) -> bool:
        """True (and remembered) unless this address rated this subject lately."""
        now = self.clock()
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if now - at < self.window_s:
                break
            del self._seen[oldest]
        digest = hmac.new(self._key, f"{address}\n{subject}".encode(), hashlib.sha256).digest()
        if digest in self._seen:
            return False
        self._seen[digest] = now
        if len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)
        return True
