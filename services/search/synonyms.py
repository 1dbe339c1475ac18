"""Words that mean the same in a government portal: abbreviations people type for the
names of bodies, papers and procedures. Both engines expand queries with this list.

Each group holds equivalent phrases, lower case, with their diacritics; engines add the
folded forms themselves (`documents.fold`), so "uy ban nhan dan" needs no line of its own.
"""

from __future__ import annotations

from services.search.documents import fold

SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("ubnd", "ủy ban nhân dân", "uỷ ban nhân dân"),
    ("hđnd", "hội đồng nhân dân"),
    ("tthc", "thủ tục hành chính"),
    ("dvc", "dịch vụ công"),
    ("dvcqg", "dịch vụ công quốc gia"),
    ("cccd", "căn cước công dân"),
    ("cmnd", "chứng minh nhân dân"),
    ("gplx", "giấy phép lái xe", "bằng lái xe"),
    ("gpxd", "giấy phép xây dựng"),
    ("bhxh", "bảo hiểm xã hội"),
    ("bhyt", "bảo hiểm y tế"),
    ("qđ", "quyết định"),
    ("nđ", "nghị định"),
    ("mttq", "mặt trận tổ quốc"),
    ("sổ đỏ", "giấy chứng nhận quyền sử dụng đất", "gcnqsdđ"),
    ("tn&mt", "tnmt", "tài nguyên và môi trường", "tài nguyên môi trường"),
    ("thpt", "trung học phổ thông"),
    ("thcs", "trung học cơ sở"),
    ("pccc", "phòng cháy chữa cháy"),
    ("atgt", "an toàn giao thông"),
)


def synonym_lines() -> list[str]:
    """The groups in Solr format ("a, b, c"), each with its folded forms added."""
    lines = []
    for group in SYNONYMS:
        phrases = dict.fromkeys([*group, *(fold(p) for p in group)])
        lines.append(", ".join(phrases))
    return lines
