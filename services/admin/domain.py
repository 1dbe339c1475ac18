"""Tenants and accounts: rules with no I/O."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from contracts.events import SiteProfile, TenantKind, TenantUpserted
from runtime.auth import Role

SEED_TENANTS = Path(__file__).parent / "seed" / "tenants.csv"
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
KINDS: tuple[str, ...] = get_args(TenantKind)


class InvalidTenant(ValueError):
    pass


@dataclass(frozen=True)
class Tenant:
    slug: str
    kind: str
    name: str
    domain: str
    languages: tuple[str, ...]
    parent: str | None
    owner: str
    active: bool = True
    sequence: int = 1
    #: Footer facts (SiteProfile's fields); empty strings are left out.
    profile: Mapping[str, str] = field(default_factory=dict)

    def same_as(self, other: Tenant) -> bool:
        """Equal in everything a consumer sees (the sequence is bookkeeping)."""
        return replace(self, sequence=0) == replace(other, sequence=0)

    def to_event(self) -> TenantUpserted:
        return TenantUpserted(
            tenant=self.slug,
            kind=self.kind,  # type: ignore[arg-type]
            name=self.name,
            domain=self.domain,
            languages=list(self.languages),
            parent=self.parent,
            owner=self.owner,
            active=self.active,
            sequence=self.sequence,
            profile=SiteProfile(**self.profile) if self.profile else None,
        )


def validate_tenant(tenant: Tenant) -> Tenant:
    """The tenant as given, or InvalidTenant naming what is wrong (in Vietnamese)."""
    problems = []
    if not SLUG.match(tenant.slug):
        problems.append("mã trang chỉ gồm chữ thường không dấu, số và dấu gạch ngang")
    if tenant.kind not in KINDS:
        problems.append(f"loại trang phải là một trong: {', '.join(KINDS)}")
    if not tenant.name.strip():
        problems.append("tên trang không được để trống")
    if not DOMAIN.match(tenant.domain):
        problems.append("tên miền không hợp lệ")
    if not tenant.languages or not all(LANGUAGE.match(lang) for lang in tenant.languages):
        problems.append("danh sách ngôn ngữ không hợp lệ (ví dụ: vi,en)")
    elif tenant.languages[0] != "vi":
        problems.append("tiếng Việt phải là ngôn ngữ đầu tiên")
    if tenant.parent is not None and not SLUG.match(tenant.parent):
        problems.append("mã trang cha không hợp lệ")
    if not SLUG.match(tenant.owner):
        problems.append("mã đơn vị quản lý không hợp lệ")
    if problems:
        raise InvalidTenant("; ".join(problems))
    return tenant


def read_tenants_csv(lines: Iterable[str]) -> Iterator[Tenant]:
    for row in csv.DictReader(lines):
        yield validate_tenant(
            Tenant(
                slug=row["slug"].strip(),
                kind=row["kind"].strip(),
                name=row["name"].strip(),
                domain=row["domain"].strip().lower(),
                languages=tuple(x.strip() for x in row["languages"].split(",") if x.strip()),
                parent=row["parent"].strip() or None,
                owner=row["owner"].strip(),
            )
        )


PROFILE_FIELDS: tuple[str, ...] = tuple(SiteProfile.model_fields)
CITY_GOVERNMENT = "Ủy ban nhân dân thành phố Hà Nội"


def clean_profile(values: Mapping[str, str | None]) -> dict[str, str]:
    """Known fields only, trimmed, empty ones dropped (so "unset" has one spelling)."""
    return {
        name: str(values[name]).strip()
        for name in PROFILE_FIELDS
        if values.get(name) is not None and str(values[name]).strip()
    }


def default_profile(tenant: Tenant, names: Mapping[str, str]) -> dict[str, str]:
    """What a new site's footer says until its administrator fills in the rest: who
    governs it and who answers for it, by office, never an invented name or number."""
    if tenant.kind == "city":
        governing = CITY_GOVERNMENT
    elif tenant.kind in ("ward", "commune"):
        governing = f"Ủy ban nhân dân {tenant.name[:1].lower()}{tenant.name[1:]}"
    else:  # a department runs its own site; a special site belongs to its owner
        governing = names.get(tenant.owner, tenant.name)
    return {"governing_body": governing, "responsible_person": "Trưởng Ban Biên tập"}


def next_version(current: Tenant | None, wanted: Tenant) -> Tenant | None:
    """The tenant to store after an upsert, or None when nothing changed."""
    if current is None:
        return replace(wanted, sequence=1)
    if current.same_as(wanted):
        return None
    return replace(wanted, sequence=current.sequence + 1)


# --- accounts ------------------------------------------------------------------

_hasher = PasswordHasher()
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    return _hasher.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    roles: dict[str, Role]
    operator: bool = False


DEMO_PASSWORD = "HaNoi-demo-2026"  # noqa: S105 - demo only; never created unless PORTAL_DEMO=1
DEMO_ACCOUNTS = (
    DemoAccount("vanhanh", "Cán bộ vận hành Cổng", {}, operator=True),
    DemoAccount("bientap.hanoi", "Nguyễn Thu Hà", {"hanoi": Role.editor}),
    DemoAccount("bbt.hanoi", "Trần Minh Đức", {"hanoi": Role.board_head}),
    DemoAccount("bientap.hoankiem", "Lê Thị Lan", {"hoankiem": Role.editor}),
    DemoAccount("bbt.hoankiem", "Phạm Văn Hùng", {"hoankiem": Role.board_member}),
    DemoAccount("bientap.badinh", "Đỗ Ngọc Anh", {"badinh": Role.editor}),
    DemoAccount("bbt.badinh", "Vũ Quang Huy", {"badinh": Role.board_member}),
    DemoAccount("bientap.caugiay", "Hoàng Thị Mai", {"caugiay": Role.editor}),
    DemoAccount("bbt.caugiay", "Bùi Đức Long", {"caugiay": Role.board_member}),
    DemoAccount("quantri.hoankiem", "Ngô Thanh Tâm", {"hoankiem": Role.tenant_admin}),
    DemoAccount("ctv.hoankiem", "Trịnh Văn Nam", {"hoankiem": Role.collaborator}),
)
