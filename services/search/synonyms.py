"""Phrases people use for the same thing, both engines expand queries with them.

Each group is a set of equivalent phrases, lower case, with diacritics; engines fold
them as they fold the text (so "uy ban nhan dan" is covered by "ủy ban nhân dân").
"""

from __future__ import annotations

SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("ubnd", "ủy ban nhân dân", "uỷ ban nhân dân"),
    ("hđnd", "hội đồng nhân dân"),
    ("tthc", "thủ tục hành chính"),
    ("cccd", "căn cước công dân", "căn cước"),
    ("cmnd", "chứng minh nhân dân"),
    ("gplx", "giấy phép lái xe", "bằng lái xe"),
    ("gpxd", "giấy phép xây dựng"),
    ("bhxh", "bảo hiểm xã hội"),
    ("bhyt", "bảo hiểm y tế"),
    ("qđ", "quyết định"),
    ("dvc", "dịch vụ công"),
    ("thpt", "trung học phổ thông"),
    ("thcs", "trung học cơ sở"),
    ("mttq", "mặt trận tổ quốc"),
    ("tp", "thành phố"),
    ("sở tn&mt", "sở tài nguyên và môi trường"),
    ("pccc", "phòng cháy chữa cháy"),
    ("atgt", "an toàn giao thông"),
)
