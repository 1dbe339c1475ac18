"""Category trees: stored per site, edited by its tenant admins, announced whole.

Rules live in `categories.py`; this file loads a tree, applies one rule, stores
the result and emits `CategoryTreeUpdated` with the next sequence, so the
renderer's menus follow without calling us.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Row

from contracts import CategoryTreeUpdated
from contracts.events import CategoryItem
from runtime.auth import Principal, Role
from runtime.messaging import UnitOfWork
from services.content import categories as rules
from services.content import store
from services.content.commands import Invalid, NotFound


def _category(row: Row) -> rules.Category:
    return rules.Category(
        slug=row.slug,
        name=row.name,
        parent=row.parent,
        position=row.position,
        kinds=tuple(row.kinds),
        legal_basis=row.legal_basis,
        description=row.description,
    )


async def load_tree(uow: UnitOfWork, tenant: str) -> list[rules.Category]:
    return [_category(r) for r in await store.category_tree(uow.session, tenant)]


async def replace_tree(uow: UnitOfWork, tenant: str, tree: list[rules.Category]) -> None:
    """Store `tree` as the site's categories and announce it with the next sequence."""
    rules.validate_tree(tree)
    english = await _english_names(uow, tenant)
    await uow.session.execute(delete(store.categories).where(store.categories.c.tenant == tenant))
    if tree:
        await uow.session.execute(
            insert(store.categories),
            [
                {
                    "tenant": tenant,
                    "slug": c.slug,
                    "name": c.name,
                    "parent": c.parent,
                    "position": c.position,
                    "kinds": list(c.kinds),
                    "legal_basis": c.legal_basis,
                    "description": c.description,
                    "name_en": english.get(c.slug, rules.ENGLISH_NAMES.get(c.slug, "")),
                }
                for c in tree
            ],
        )
    current = await uow.session.scalar(
        select(store.category_trees.c.sequence)
        .where(store.category_trees.c.tenant == tenant)
        .with_for_update()
    )
    sequence = (current or 0) + 1
    if current is None:
        await uow.session.execute(
            insert(store.category_trees).values(tenant=tenant, sequence=sequence)
        )
    else:
        await uow.session.execute(
            store.category_trees.update()
            .where(store.category_trees.c.tenant == tenant)
            .values(sequence=sequence)
        )
    uow.emit(
        CategoryTreeUpdated(
            tenant=tenant,
            sequence=sequence,
            categories=[
                CategoryItem(
                    slug=c.slug,
                    name=c.name,
                    parent=c.parent,
                    position=c.position,
                    name_en=english.get(c.slug, rules.ENGLISH_NAMES.get(c.slug, "")),
                )
                for c in tree
            ],
        )
    )


def _tree_event(tenant: str, sequence: int, rows: list[Any]) -> CategoryTreeUpdated:
    return CategoryTreeUpdated(
        tenant=tenant,
        sequence=sequence,
        categories=[
            CategoryItem(
                slug=r.slug, name=r.name, parent=r.parent, position=r.position, name_en=r.name_en
            )
            for r in rows
        ],
    )


async def announce_trees(uow: UnitOfWork) -> int:
    """Announce every site's tree again at its current sequence, so a consumer whose
    broker lost the compacted topic (the embedded broker keeps nothing) catches up.
    Harmless: consumers keep the highest sequence."""
    trees = (await uow.session.execute(select(store.category_trees))).all()
    for tree in trees:
        rows = await store.category_tree(uow.session, tree.tenant)
        uow.emit(_tree_event(tree.tenant, tree.sequence, rows))
    return len(trees)


async def _english_names(uow: UnitOfWork, tenant: str) -> dict[str, str]:
    return {r.slug: r.name_en for r in await store.category_tree(uow.session, tenant)}


def _tree_json(tree: list[rules.Category]) -> dict[str, Any]:
    return {"categories": [{"slug": c.slug, "name": c.name, "parent": c.parent} for c in tree]}


async def _edit(
    uow: UnitOfWork, by: Principal, tenant: str, action: str, change: Any
) -> list[rules.Category]:
    by.require(tenant, Role.tenant_admin)
    if await store.active_tenant(uow.session, tenant) is None:
        raise NotFound(f"Không có trang thông tin điện tử nào mang mã {tenant}.")
    before = await load_tree(uow, tenant)
    try:
        after = change(before)
    except rules.TreeError as exc:
        raise Invalid(str(exc)) from exc
    await replace_tree(uow, tenant, after)
    uow.audit(
        actor=by.username,
        action=f"category.{action}",
        subject=f"categories:{tenant}",
        tenant=tenant,
        before=_tree_json(before),
        after=_tree_json(after),
    )
    return after


async def add(
    uow: UnitOfWork, by: Principal, tenant: str, *, name: str, parent: str | None
) -> list[rules.Category]:
    return await _edit(
        uow, by, tenant, "add", lambda t: rules.add_category(t, name=name, parent=parent)[0]
    )


async def rename(
    uow: UnitOfWork, by: Principal, tenant: str, slug: str, name: str
) -> list[rules.Category]:
    return await _edit(uow, by, tenant, "rename", lambda t: rules.rename_category(t, slug, name))


async def move(
    uow: UnitOfWork, by: Principal, tenant: str, slug: str, parent: str | None, position: int
) -> list[rules.Category]:
    return await _edit(
        uow, by, tenant, "move",
        lambda t: rules.move_category(t, slug, parent=parent, position=position),
    )  # fmt: skip


async def remove(uow: UnitOfWork, by: Principal, tenant: str, slug: str) -> list[rules.Category]:
    count = await store.articles_in_category(uow.session, tenant, slug)
    return await _edit(
        uow, by, tenant, "remove", lambda t: rules.remove_category(t, slug, article_count=count)
    )
