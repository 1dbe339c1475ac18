"""search's citizen pages (filled in below)."""

from typing import Any

ROUTES: list[Any] = []
