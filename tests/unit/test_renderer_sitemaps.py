"""Splitting a large site's sitemap into files of at most 50,000 URLs (sitemaps.org)."""

from __future__ import annotations

import pytest

from services.renderer.feeds import sitemap_files, sitemap_path, sitemap_window


@pytest.mark.parametrize(
    ("fixed", "live", "files"),
    [
        (10, 0, 1),
        (10, 49_990, 1),  # exactly full
        (10, 49_991, 2),
        (10, 99_990, 2),
        (10, 99_991, 3),
        (60_000, 0, 1),  # absurdly many categories: still one file for them
        (60_000, 1, 2),
    ],
)
def test_number_of_files(fixed: int, live: int, files: int) -> None:
    assert sitemap_files(fixed, live) == files


def test_windows_cover_every_article_once() -> None:
    fixed, live, per_file = 3, 23, 5
    files = sitemap_files(fixed, live, per_file)
    assert files == 6  # 2 articles beside the fixed pages, then 5 + 5 + 5 + 5 + 1
    covered: list[int] = []
    for part in range(1, files + 1):
        offset, limit = sitemap_window(part, fixed, per_file)
        assert limit + (fixed if part == 1 else 0) <= per_file
        covered += [i for i in range(offset, offset + limit) if i < live]
    assert covered == list(range(live))


def test_paths() -> None:
    assert sitemap_path(1) == "/sitemap.xml"
    assert sitemap_path(2) == "/sitemap/2.xml"
