"""A custom resource's structural schema applied as the API server applies it: unknown fields
pruned, non-nullable nulls dropped, then the value validated, every error reported.

Sources, apiextensions-apiserver: `pkg/apiserver/schema/pruning/algorithm.go` (a field the
schema names neither as a property nor through `additionalProperties` is dropped, unless
`x-kubernetes-preserve-unknown-fields`; at the resource root `apiVersion`, `kind` and
`metadata` are left to the object's own decoding), `pkg/apiserver/schema/defaulting/
prunenulls.go` (`PruneNonNullableNullsWithoutDefaults`: a null in an object whose schema is
neither `nullable` nor defaulted is dropped; a null list item is kept, and then fails its
type), `pkg/apiserver/validation/validation.go` (`kubeOpenAPIResultToFieldErrors`: kube-openapi's
results as field errors); kube-openapi `pkg/validation/validate` (list items as `path[i]`,
`maxItems` after the items); apimachinery `pkg/util/validation/field/errors.go` (the messages).
Each value's own checks (type, format, lengths, pattern, bounds, enum) are `openapivalues`'.
KEP-2332 made pruning the rule for `apiextensions.k8s.io/v1` CRDs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.kubernetes.openapivalues import go_kind, json_integer, value_checks

Schema = dict[str, Any]
_ROOT_FIELDS = ("apiVersion", "kind", "metadata")  # decoded as TypeMeta and ObjectMeta


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str  # a CauseType: FieldValueRequired, FieldValueTypeInvalid, FieldValueTooLong...
    detail: str

    def __str__(self) -> str:
        return f"{self.field}: {self.detail}"


def type_name(value: Any) -> str:
    """The JSON type of a decoded value, as kube-openapi names it (`null` for None)."""
    return "null" if value is None else go_kind(value)[0]


def _field_schema(schema: Schema | None, key: str) -> Schema | None:
    if schema is None:
        return None
    properties = schema.get("properties") or {}
    if key in properties:
        return dict(properties[key])
    extra = schema.get("additionalProperties")
    return dict(extra) if isinstance(extra, dict) else None


def prune(
    value: Any, schema: Schema | None, root: bool = False, *, dropped: list[str] | None = None
) -> Any:
    """A copy of `value` with unknown fields and non-nullable nulls left out; the path of
    each unknown field dropped is added to `dropped`."""
    return _pruned(value, schema, root, [] if dropped is None else dropped, "")


def _pruned(value: Any, schema: Schema | None, root: bool, dropped: list[str], path: str) -> Any:
    if schema is not None and schema.get("x-kubernetes-preserve-unknown-fields"):
        return value
    if isinstance(value, list):
        items = schema.get("items") if schema is not None else None
        return [
            _pruned(item, items, False, dropped, f"{path}[{i}]") for i, item in enumerate(value)
        ]
    if isinstance(value, float) and json_integer(value):
        return int(value)  # Go's encoding/json writes float64(1) as 1
    if not isinstance(value, dict):
        return value
    kept = {}
    for key, item in value.items():
        if root and key in _ROOT_FIELDS and isinstance(item, str | dict):
            kept[key] = item
            continue
        sub = _field_schema(schema, key)
        allows_any = schema is not None and schema.get("additionalProperties") is True
        if sub is None and not allows_any:
            dropped.append(_child(path, key))
            continue  # pruned: the schema does not know the field
        if item is None and sub is not None and not sub.get("nullable") and "default" not in sub:
            continue  # PruneNonNullableNullsWithoutDefaults
        kept[key] = _pruned(item, sub, False, dropped, _child(path, key))
    return kept


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def validate(value: Any, schema: Schema, path: str = "") -> list[FieldError]:
    """Every error of `value` against `schema`, each under its field path, in kube-openapi's
    order: the value's own (`openapivalues`), its items and `maxItems`, its properties."""
    if value is None and schema.get("nullable"):
        return []
    errors = [FieldError(*found) for found in value_checks(value, schema, path)]
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], f"{path}[{i}]")
    if isinstance(value, list) and len(value) > schema.get("maxItems", len(value)):
        detail = f"Too many: {len(value)}: must have at most {schema['maxItems']} items"
        errors.append(FieldError(path, "FieldValueTooMany", detail))
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                errors.append(FieldError(_child(path, key), "FieldValueRequired", "Required value"))
        for key in sorted(value):
            sub = _field_schema(schema, key)
            if sub is not None:
                errors += validate(value[key], sub, _child(path, key))
    return errors
