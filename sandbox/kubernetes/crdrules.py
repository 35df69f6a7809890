"""What a custom resource's strategy checks after kube-openapi's validation: the uniqueness of
`x-kubernetes-list-type` `map` keys (and `set` items), and `x-kubernetes-validations` rules,
of which one is modelled: the transition rule `self == oldSelf`. Any other rule, and any
schema keyword nothing here or in `openapivalues` checks, is refused when a schema is loaded
(`check_modelled`), so no one takes it for modelled.

Sources (apiextensions-apiserver v0.33.5, Kubernetes 1.33.5):
`pkg/registry/customresource/strategy.go` (`Validate`, `ValidateUpdate`: the schema, then list
types, then CEL unless `hasBlockingErr` (a NotSupported, Required, TooLong, TooMany or
TypeInvalid error), which adds its own error instead: `<nil>: Invalid value: "null": some
validation rules were not checked ...`; list types on update only when the old object passes
them), `pkg/apiserver/schema/listtype/validation.go` (`validateListMap`, `validateListSet`:
each second appearance is a Duplicate, shown as `%#v` of its key; a non-object item of a map
list is Invalid), `pkg/apiserver/schema/cel/validation.go` (a transition rule runs only where
an old value exists, correlated through properties and map-list keys; a false result is
`field.Invalid(path, <the schema's type>, <message, or "failed rule: <rule>">)`).
"""

from __future__ import annotations

from typing import Any

from sandbox.kubernetes.gofmt import go_repr, go_value
from sandbox.kubernetes.openapivalues import go_regex, kept_format
from sandbox.kubernetes.structural import FieldError, Schema

TRANSITION_RULE = "self == oldSelf"
_BLOCKING = frozenset((
    "FieldValueNotSupported", "FieldValueRequired", "FieldValueTooLong", "FieldValueTooMany",
    "FieldValueTypeInvalid",
))  # fmt: skip
NOT_CHECKED = FieldError(
    "<nil>",
    "FieldValueInvalid",
    'Invalid value: "null": some validation rules were not checked because the object was '
    "invalid; correct the existing errors to complete validation",
)
_MODELLED = frozenset((
    "type", "properties", "items", "required", "additionalProperties", "nullable", "description",
    "format", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum", "maxItems",
    "x-kubernetes-preserve-unknown-fields", "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
    "x-kubernetes-validations",
))  # fmt: skip


def _children(schema: Schema) -> list[Schema]:
    found = list((schema.get("properties") or {}).values())
    found += [
        schema[k] for k in ("items", "additionalProperties") if isinstance(schema.get(k), dict)
    ]
    return found


def check_modelled(schema: Schema, path: str = "") -> None:
    """Raise NotImplementedError for anything in `schema` the sandbox would silently ignore."""
    if unknown := set(schema) - _MODELLED:
        raise NotImplementedError(
            f"{path or '<root>'}: schema keywords {sorted(unknown)} not modelled"
        )
    kept_format(schema)
    if "pattern" in schema:
        go_regex(schema["pattern"])
    if any(not isinstance(v, str) for v in schema.get("enum", ())):
        raise NotImplementedError(f"{path}: only string enums are modelled")
    if schema.get("x-kubernetes-list-type", "atomic") not in ("atomic", "map", "set"):
        raise NotImplementedError(
            f"{path}: x-kubernetes-list-type {schema['x-kubernetes-list-type']}"
        )
    for rule in schema.get("x-kubernetes-validations", ()):
        if rule.get("rule") != TRANSITION_RULE or set(rule) - {"rule", "message"}:
            raise NotImplementedError(f"{path}: CEL rule {rule} is not modelled")
    for key, sub in (schema.get("properties") or {}).items():
        check_modelled(sub, f"{path}.{key}" if path else key)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            check_modelled(schema[key], f"{path}[*]")


def has_rules(schema: Schema) -> bool:
    """Whether the schema has any `x-kubernetes-validations` (a CEL validator exists)."""
    return bool(schema.get("x-kubernetes-validations")) or any(map(has_rules, _children(schema)))


_UNSPECIFIED = object()


def _set_duplicates(values: list[Any]) -> list[int]:
    """`validateListSet`: the index of each value's second appearance."""
    seen: dict[str, int] = {}
    found = []
    for i, value in enumerate(values):
        if value is _UNSPECIFIED:  # Go's `unspecifiedKeyValue{}`, equal only to itself
            key = "unspecified"
        elif isinstance(value, dict | list):  # compared as their JSON
            key = repr(("compound", go_repr(value)))
        else:  # compared as Go interface values: 1 and 1.0 and "1" differ
            key = repr((type(value).__name__, value))
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            found.append(i)
    return found


def _list_errors(items: list[Any], schema: Schema, path: str) -> list[FieldError]:
    kind = schema.get("x-kubernetes-list-type")
    if kind == "set":
        return [
            FieldError(
                f"{path}[{i}]", "FieldValueDuplicate", f"Duplicate value: {go_value(items[i])}"
            )
            for i in _set_duplicates(items)
        ]
    if kind != "map":
        return []
    for i, item in enumerate(items):
        if item is not None and not isinstance(item, dict):
            detail = (
                f"Invalid value: {go_value(item)}: must be an object for an array of list-type map"
            )
            return [FieldError(f"{path}[{i}]", "FieldValueInvalid", detail)]
    fields = schema["x-kubernetes-list-map-keys"]
    keys: list[Any] = [{f: item[f] for f in fields if f in item} if item else {} for item in items]
    if len(fields) == 1:  # one key: its value alone, or "unspecified"
        keys = [k.get(fields[0], _UNSPECIFIED) if k else _UNSPECIFIED for k in keys]
    errors = []
    for i in _set_duplicates(keys) if len(items) > 1 else []:
        shown = (
            {} if keys[i] is _UNSPECIFIED else keys[i] if len(fields) > 1 else {fields[0]: keys[i]}
        )
        errors.append(
            FieldError(f"{path}[{i}]", "FieldValueDuplicate", f"Duplicate value: {go_repr(shown)}")
        )
    return errors


def list_type_errors(value: Any, schema: Schema, path: str = "") -> list[FieldError]:
    """`ValidateListSetsAndMaps` over `value`: duplicate keys of map lists, items of sets."""
    errors: list[FieldError] = []
    if isinstance(value, list):
        errors += _list_errors(value, schema, path)
        for i, item in enumerate(value):
            if isinstance(schema.get("items"), dict):
                errors += list_type_errors(item, schema["items"], f"{path}[{i}]")
    elif isinstance(value, dict):
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = (schema.get("properties") or {}).get(
                key, extra if isinstance(extra, dict) else None
            )
            if sub is not None:
                errors += list_type_errors(item, sub, f"{path}.{key}" if path else key)
    return errors


def transition_errors(new: Any, old: Any, schema: Schema, path: str = "") -> list[FieldError]:
    """The transition rule wherever an old value correlates with the new one. Equality is
    Python's: a map list below a rule would compare in order, where CEL's compares as a set."""
    errors = []
    for rule in schema.get("x-kubernetes-validations", ()):
        if new != old:
            message = (rule.get("message") or "").strip() or f"failed rule: {TRANSITION_RULE}"
            detail = f'Invalid value: "{schema.get("type")}": {message}'
            errors.append(FieldError(path, "FieldValueInvalid", detail))
    if isinstance(new, dict) and isinstance(old, dict):
        for key, sub in (schema.get("properties") or {}).items():
            if key in new and key in old:
                errors += transition_errors(
                    new[key], old[key], sub, f"{path}.{key}" if path else key
                )
    keys = schema.get("x-kubernetes-list-map-keys")
    if isinstance(new, list) and isinstance(old, list) and keys and schema.get("items"):
        by_key = {_key(o, keys): o for o in old if isinstance(o, dict)}
        for i, item in enumerate(new):
            if isinstance(item, dict) and (match := by_key.get(_key(item, keys))) is not None:
                errors += transition_errors(item, match, schema["items"], f"{path}[{i}]")
    return errors


def _key(item: dict[str, Any], keys: list[str]) -> str:
    return go_repr({k: item.get(k) for k in keys})


def strategy_errors(
    errors: list[FieldError], new: Any, schema: Schema, old: Any = None
) -> list[FieldError]:
    """The schema's `errors`, then list types and the transition rules (or the note that they
    were not checked), as `customResourceStrategy.Validate`/`ValidateUpdate` add them."""
    if old is None or not list_type_errors(old, schema):
        errors = errors + list_type_errors(new, schema)
    if not has_rules(schema):
        return errors
    if any(e.reason in _BLOCKING for e in errors):
        return [*errors, NOT_CHECKED]
    return errors + (transition_errors(new, old, schema) if old is not None else [])
