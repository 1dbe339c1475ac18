"""Changes to the sites themselves made without a trace: an operator creating a site,
moving its domain (where its citizens' traffic goes), closing it, and a site's
administrator rewriting its legal footer. Each must leave an audit entry naming who
did it, with the state before and after, through the hash-chained log."""

from __future__ import annotations

from typing import Any

from conftest import bearer, eventually, token_for
from gatedplatform import Gated, gated  # noqa: F401

OPERATOR = token_for("vanhanh.thu", {}, operator=True)
ADMIN = token_for("quantri.thu", {"phuong-thu": "tenant_admin"})
SITE = {
    "kind": "ward",
    "name": "Phường Thử",
    "domain": "phuongthu.hanoi.gov.vn",
    "languages": ["vi"],
    "parent": "hanoi",
    "owner": "phuong-thu",
}


async def entries(gated: Gated, action: str) -> list[dict[str, Any]]:  # noqa: F811
    r = await gated.get(
        "/api/v1/audit",
        params={"tenant": "phuong-thu", "action": action},
        headers=bearer(OPERATOR),
    )
    assert r.status_code == 200, r.text
    return r.json()


async def test_changes_to_a_site_are_audited_with_who_and_before_and_after(gated: Gated) -> None:  # noqa: F811
    put = "/api/v1/tenants/phuong-thu"
    r = await gated.request("PUT", put, json=SITE, headers=bearer(OPERATOR))
    assert r.status_code == 200, r.text
    moved = {**SITE, "domain": "thu.hanoi.gov.vn"}
    r = await gated.request("PUT", put, json=moved, headers=bearer(OPERATOR))
    assert r.status_code == 200, r.text
    profile = {"governing_body": "UBND phường Thử", "address": "1 phố Thử"}
    r = await gated.request("PUT", put + "/profile", json=profile, headers=bearer(ADMIN))
    assert r.status_code == 200, r.text
    r = await gated.request("PUT", put, json={**moved, "active": False}, headers=bearer(OPERATOR))
    assert r.status_code == 200, r.text

    async def logged(action: str) -> dict[str, Any] | None:
        found = await entries(gated, action)
        return found[0] if found else None

    created = await eventually(lambda: logged("tenant.create"), timeout=30)
    assert created["actor"] == "vanhanh.thu" and created["before"] is None
    assert created["after"]["domain"] == "phuongthu.hanoi.gov.vn"
    domain = await eventually(lambda: logged("tenant.domain_change"), timeout=30)
    assert domain["before"]["domain"] == "phuongthu.hanoi.gov.vn"
    assert domain["after"]["domain"] == "thu.hanoi.gov.vn"
    edited = await eventually(lambda: logged("tenant.profile_edit"), timeout=30)
    assert edited["actor"] == "quantri.thu"
    assert edited["after"]["profile"]["address"] == "1 phố Thử"
    closed = await eventually(lambda: logged("tenant.deactivate"), timeout=30)
    assert closed["actor"] == "vanhanh.thu" and closed["after"]["active"] is False
    r = await gated.get("/api/v1/audit/verify", headers=bearer(OPERATOR))
    assert r.status_code == 200 and r.json()["ok"] is True, r.text
