"""Check parsed HCL against the providers' schemas, as `terraform validate` would by name.

Covers every `resource`, `data` and `provider` block: each argument and nested block must
exist in the schema at that depth, a block must be written as a block and an argument as an
argument, a single block (max_items 1) may appear once, `dynamic` blocks must name a real
block, and every required argument or block must be present. A block whose provider or type has
no schema is an error, never a pass. Types of values are not checked (most are expressions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hcl2

from tests.terraform.schemas import PINS, Block, Field, ProviderSchema, provider_schema

META = {
    "resource": {
        "count",
        "for_each",
        "depends_on",
        "provider",
        "lifecycle",
        "provisioner",
        "connection",
    },
    "data": {"count", "for_each", "depends_on", "provider", "lifecycle"},
    "provider": {"alias"},
}
Schemas = Callable[[str], ProviderSchema]


def _key(text: str) -> str:
    return text.strip('"')


def blocks(text: str) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(kind, type, name, body) of each resource, data and provider block in HCL text."""
    parsed = hcl2.loads(text)
    for kind in ("resource", "data"):
        for entry in parsed.get(kind, []):
            for rtype, named in entry.items():
                for name, body in named.items():
                    if not name.startswith("__"):
                        yield kind, _key(rtype), _key(name), body
    for entry in parsed.get("provider", []):
        for ptype, body in entry.items():
            if not ptype.startswith("__"):
                yield "provider", _key(ptype), "", body


def _is_block(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and v.get("__is_block__") for v in value)
    )


def _objects(value: Any) -> list[dict[str, Any]]:
    """The literal objects of an attribute value; none when it is an expression."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def check_body(
    body: dict[str, Any],
    block: Block,
    where: str,
    *,
    attributes: bool,
    meta: frozenset[str] = frozenset(),
) -> list[str]:
    """Errors of one body against its schema; `attributes` for Plugin Framework nesting."""
    errors: list[str] = []
    present = {_key(k) for k in body if not k.startswith("__")}
    for dynamic in body.get("dynamic", []) if "dynamic" not in block.fields else []:
        for label, spec in dynamic.items():
            if label.startswith("__"):
                continue
            name = _key(label)
            present.add(name)
            field = block.fields.get(name)
            if field is None or field.nested is None:
                errors.append(f'{where}: dynamic "{name}" names no block of this schema')
                continue
            for content in spec.get("content", []):
                errors += check_body(
                    content, field.nested, f"{where}.{name}", attributes=attributes
                )
    for raw, value in body.items():
        name = _key(raw)
        if (
            raw.startswith("__")
            or name in meta
            or (name == "dynamic" and "dynamic" not in block.fields)
        ):
            continue
        field = block.fields.get(name)
        if field is None:
            errors.append(f'{where}: unsupported argument or block "{name}"')
            continue
        errors += _check_field(field, value, f"{where}.{name}", attributes=attributes)
    for name, field in block.fields.items():
        if field.required and name not in present:
            kind = "block" if field.nested and not attributes else "argument"
            errors.append(f'{where}: missing required {kind} "{name}"')
    return errors


def _check_field(field: Field, value: Any, where: str, *, attributes: bool) -> list[str]:
    if field.nested is None:
        if _is_block(value):
            return [f"{where}: is an argument; write `{field.name} = ...`, not a block"]
        return []
    if attributes:
        if _is_block(value):
            return [f"{where}: is a nested attribute; write `{field.name} = {{ ... }}`"]
        items = _objects(value)
    else:
        if not _is_block(value):
            return [f"{where}: is a block; write `{field.name} {{ ... }}`"]
        items = value
        if field.single and len(items) > 1:
            return [f"{where}: may appear at most once"]
    errors: list[str] = []
    for item in items:
        errors += check_body(item, field.nested, where, attributes=attributes)
    return errors


def provider_of(kind: str, type_: str) -> str:
    return type_ if kind == "provider" else type_.split("_", 1)[0]


def check_text(text: str, source: str, schemas: Schemas = provider_schema) -> list[str]:
    """Every schema error in one file's text; unknown providers and types are errors."""
    errors: list[str] = []
    for kind, type_, name, body in blocks(text):
        provider = provider_of(kind, type_)
        where = f"{source}: {kind} {type_}" + (f".{name}" if name else "")
        if provider not in PINS:
            errors.append(f"{where}: provider {provider!r} has no pinned schema")
            continue
        schema = schemas(provider)
        found = {
            "provider": {type_: schema.provider} if type_ == provider else {},
            "resource": schema.resources,
            "data": schema.data_sources,
        }[kind].get(type_)
        if found is None:
            errors.append(f"{where}: no such {kind} in {provider} {schema.pin.provider_version}")
            continue
        errors += check_body(
            body,
            found,
            where,
            attributes=schema.pin.nested_as_attributes,
            meta=frozenset(META[kind]),
        )
    return errors


def check_directory(directory: Path, schemas: Schemas = provider_schema) -> tuple[int, list[str]]:
    """(blocks checked, errors) over every .tf file under a directory."""
    count, errors = 0, []
    for path in sorted(directory.rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        text = path.read_text()
        count += sum(1 for _ in blocks(text))
        errors += check_text(text, str(path.relative_to(directory)), schemas)
    return count, errors
