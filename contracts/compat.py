"""Backward compatibility of event JSON Schemas (as made by Pydantic v2 `model_json_schema()`).

A new schema is compatible with an old one when every message valid under the old
schema is still valid under the new one, and no field the old schema promised has
gone. So: adding an optional field, widening a type (string -> string|null, integer
-> number), adding an enum value or editing titles and descriptions is fine;
removing a field, retyping or narrowing it, adding a required field, making an
optional field required or tightening `additionalProperties` or a constraint is not.

Stdlib only: this module ships with `contracts`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Schema = dict[str, Any]

#: Constraints that make a schema stricter when they grow (lower bounds) ...
_LOWER_BOUNDS = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
#: ... or when they shrink (upper bounds).
_UPPER_BOUNDS = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")
#: Constraints that accept fewer values whenever they are added or changed.
_EXACT = ("pattern", "format", "multipleOf")
#: Annotations of the generated event schemas that say what the event is and how it is keyed.
_IDENTITY = ("x-ce-type", "x-key-field")


def breaking_changes(old_schema: Schema, new_schema: Schema) -> list[str]:
    """Sentences describing each way `new_schema` breaks readers and data of `old_schema`."""
    name = _resolve(new_schema, new_schema)[1].get("title") or "schema"
    problems = [
        f"the event's {key} changed from {old_schema[key]!r} to {new_schema.get(key)!r}"
        for key in _IDENTITY
        if key in old_schema and new_schema.get(key) != old_schema[key]
    ]
    problems += _Differ(old_schema, new_schema).compare(old_schema, new_schema, "")
    return [f"{name}: {problem}" for problem in problems]


class _Differ:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self._open: set[tuple[str, str]] = set()  # pairs of definitions being compared

    def compare(self, old: Schema, new: Schema, path: str) -> list[str]:
        old_variants = list(_variants(old, self.old_root, ""))
        new_variants = list(_variants(new, self.new_root, ""))
        old_kinds = [_kind(v) for _, v in old_variants]
        new_kinds = [_kind(v) for _, v in new_variants]
        problems: list[str] = []
        if "null" in old_kinds and not {"null", "any"} & set(new_kinds):
            problems.append(
                f"{_field(path)} type narrowed from {_describe(old_kinds)} to "
                f"{_describe(new_kinds)} (null no longer allowed)"
            )
        for (old_ref, old_variant), old_kind in zip(old_variants, old_kinds, strict=True):
            if old_kind == "null":
                continue
            candidates = [
                (new_ref, new_variant)
                for (new_ref, new_variant), new_kind in zip(new_variants, new_kinds, strict=True)
                if _accepts_kind(new_kind, old_kind)
            ]
            if not candidates:
                problems.append(
                    f"{_field(path)} type changed from {_describe(old_kinds)} to "
                    f"{_describe(new_kinds)}"
                )
                continue
            # In a union, the old variant survives if any new variant takes it unchanged.
            attempts = [
                self._compare_definitions((old_ref, new_ref), old_variant, new_variant, path)
                for new_ref, new_variant in candidates
            ]
            problems.extend(min(attempts, key=len))
        return problems

    def _compare_definitions(
        self, refs: tuple[str, str], old: Schema, new: Schema, path: str
    ) -> list[str]:
        if refs == ("", ""):
            return self._compare_variant(old, new, path)
        if refs in self._open:  # a recursive model: this pair is already being compared
            return []
        self._open.add(refs)
        try:
            return self._compare_variant(old, new, path)
        finally:
            self._open.discard(refs)

    def _compare_variant(self, old: Schema, new: Schema, path: str) -> list[str]:
        problems = list(_narrowed_values(old, new, path))
        problems.extend(_tightened_constraints(old, new, path))
        if _kind(old) == "object" and _kind(new) == "object":
            problems.extend(self._compare_object(old, new, path))
        if _kind(old) == "array" and _kind(new) == "array":
            old_items, new_items = _as_schema(old.get("items")), _as_schema(new.get("items"))
            problems.extend(self.compare(old_items, new_items, path + "[]"))
        return problems

    def _compare_object(self, old: Schema, new: Schema, path: str) -> list[str]:
        problems: list[str] = []
        old_props: Schema = old.get("properties", {})
        new_props: Schema = new.get("properties", {})
        old_required = set(old.get("required", ()))
        new_required = set(new.get("required", ()))
        for prop, old_prop in old_props.items():
            prop_path = _join(path, prop)
            if prop not in new_props:
                problems.append(f"{_field(prop_path)} was removed")
                continue
            if prop in new_required and prop not in old_required:
                problems.append(f"{_field(prop_path)} was optional and is now required")
            problems.extend(self.compare(old_prop, new_props[prop], prop_path))
        problems.extend(
            f"new required {_field(_join(path, prop))} was added"
            for prop in sorted(new_required - set(old_props))
        )
        problems.extend(self._compare_additional(old, new, path))
        return problems

    def _compare_additional(self, old: Schema, new: Schema, path: str) -> list[str]:
        old_extra = old.get("additionalProperties", True)
        new_extra = new.get("additionalProperties", True)
        where = f"{_field(path)}: " if path else ""
        if new_extra is True or old_extra is False:
            return []
        if new_extra is False:
            return [f"{where}additionalProperties tightened (extra fields no longer allowed)"]
        if old_extra is True:
            return [f"{where}additionalProperties tightened (extra fields now need a schema)"]
        return self.compare(old_extra, new_extra, _join(path, "*"))


def _resolve(schema: Schema, root: Schema) -> tuple[str, Schema]:
    """Follow local `$ref`s (`#/$defs/Name`): the last ref followed and the schema it names.

    Keywords next to a `$ref` override the target's.
    """
    ref = ""
    seen: set[str] = set()
    while "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/") or ref in seen:
            raise ValueError(f"cannot resolve $ref {ref!r}")
        seen.add(ref)
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **siblings}
    return ref, schema


def _variants(schema: Schema, root: Schema, ref: str) -> Iterator[tuple[str, Schema]]:
    """The alternatives a schema allows (`anyOf`/`oneOf` members, `type` lists), flattened.

    Each comes with the `$ref` it was reached through, if any.
    """
    own_ref, schema = _resolve(schema, root)
    ref = own_ref or ref
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1:  # older Pydantic wraps refs this way
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        own_ref, target = _resolve(all_of[0], root)
        ref, schema = own_ref or ref, {**target, **rest}
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            for member in schema[keyword]:
                yield from _variants(member, root, ref)
            return
    types = schema.get("type")
    if isinstance(types, list):
        for one in types:
            yield ref, {**schema, "type": one}
        return
    yield ref, schema


def _kind(schema: Schema) -> str:
    if isinstance(schema.get("type"), str):
        return schema["type"]
    values = schema["enum"] if "enum" in schema else [schema["const"]] if "const" in schema else []
    kinds = {_json_type(v) for v in values}
    if len(kinds) == 1:
        return kinds.pop()
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "any"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _accepts_kind(new_kind: str, old_kind: str) -> bool:
    return new_kind in (old_kind, "any") or (new_kind, old_kind) == ("number", "integer")


def _narrowed_values(old: Schema, new: Schema, path: str) -> Iterator[str]:
    """Enum/Literal/const: the new schema must keep every value the old one allowed."""
    new_values = _allowed_values(new)
    if new_values is None:
        return
    old_values = _allowed_values(old)
    if old_values is None:
        yield f"{_field(path)} is now restricted to {_listing(new_values)}"
        return
    lost = [v for v in old_values if v not in new_values]
    if lost:
        yield f"{_field(path)} no longer allows {_listing(lost)}"


def _allowed_values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    if "enum" in schema:
        return list(schema["enum"])
    return None


def _tightened_constraints(old: Schema, new: Schema, path: str) -> Iterator[str]:
    for key in _LOWER_BOUNDS + _UPPER_BOUNDS:
        if key not in new:
            continue
        lower = key in _LOWER_BOUNDS
        if key not in old or (new[key] > old[key] if lower else new[key] < old[key]):
            was = f"{old[key]}" if key in old else "none"
            yield f"{_field(path)} constraint {key} tightened from {was} to {new[key]}"
    for key in _EXACT:
        if key in new and new[key] != old.get(key):
            yield f"{_field(path)} constraint {key} changed from {old.get(key)!r} to {new[key]!r}"


def _as_schema(value: object) -> Schema:
    if value is True or value is None:
        return {}
    if value is False:
        return {"not": {}}
    assert isinstance(value, dict)
    return value


def _describe(kinds: list[str]) -> str:
    return "|".join(dict.fromkeys(kinds))


def _listing(values: list[Any]) -> str:
    return ", ".join(repr(v) for v in values)


def _join(path: str, prop: str) -> str:
    return f"{path}.{prop}" if path else prop


def _field(path: str) -> str:
    return f"field '{path}'" if path else "the event"
