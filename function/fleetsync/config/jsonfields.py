"""Read a JSON document field by field, naming every error by its path (`targets[1].name`).

Each reader appends to `errors` and returns a default instead of raising, so one pass over a
document reports everything wrong with it at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def field_object(raw: object, path: str, keys: set[str], errors: list[str]) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        errors.append(f"{path or 'the document'}: must be an object")
        return {}
    for key in sorted(set(raw) - keys):
        errors.append(
            f"{_join(path, str(key))}: unknown key (expected one of {', '.join(sorted(keys))})"
        )
    return raw


def field_list(raw: object, path: str, errors: list[str]) -> list[Any]:
    if raw is None:
        errors.append(f"{path}: required")
        return []
    if not isinstance(raw, list):
        errors.append(f"{path}: must be a list")
        return []
    return raw


def field_typed(
    body: Mapping[str, Any], key: str, path: str, kind: type[T], errors: list[str], default: T
) -> T:
    value = body.get(key, default)
    if not isinstance(value, kind):
        errors.append(f"{_join(path, key)}: must be a {kind.__name__}, got {value!r}")
        return default
    return value


def field_string(
    body: Mapping[str, Any],
    key: str,
    path: str,
    errors: list[str],
    default: str | None,
    check: Callable[[str], object] | None,
    what: str,
) -> str:
    if key not in body:
        if default is None:
            errors.append(f"{_join(path, key)}: required")
        return default or ""
    value = body[key]
    if not isinstance(value, str):
        errors.append(f"{_join(path, key)}: must be a string, got {value!r}")
        return default or ""
    if check is not None and not check(value):
        errors.append(f"{_join(path, key)}: must be {what}, got {value!r}")
        return default or ""
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
