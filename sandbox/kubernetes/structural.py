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
`maxLength` counted in characters, an integral number accepted as an integer); apimachinery
`pkg/util/validation/field/errors.go` (the messages). KEP-2332 made pruning the rule for
`apiextensions.k8s.io/v1` CRDs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Schema = dict[str, Any]
# sigs.k8s.io/json decodes a number that fits int64 as an int64, any other as a float64, and
# kube-openapi takes a float64 as an integer only within go-openapi/swag's JSON integers.
_INT64 = range(-(2**63), 2**63)
_JSON_INTEGER = 2**53 - 1
_ROOT_FIELDS = ("apiVersion", "kind", "metadata")  # decoded as TypeMeta and ObjectMeta


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str  # a CauseType: FieldValueRequired, FieldValueTypeInvalid, FieldValueTooLong
    detail: str

    def __str__(self) -> str:
        return f"{self.field}: {self.detail}"


def type_name(value: Any) -> str:
    """The JSON type of a decoded value, as kube-openapi names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer" if value in _INT64 else "number"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


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
    if isinstance(value, float) and _json_integer(value):
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


def _json_integer(value: float) -> bool:
    """go-openapi/swag `IsFloat64AJSONInteger`: integral, and within +-(2^53 - 1)."""
    return value.is_integer() and abs(value) <= _JSON_INTEGER


def _type_ok(value: Any, wanted: str) -> bool:
    got = type_name(value)
    integral = got == "number" and isinstance(value, float) and _json_integer(value)
    return (
        got == wanted
        or (wanted == "number" and got == "integer")
        or (wanted == "integer" and integral)
    )


def validate(value: Any, schema: Schema, path: str = "") -> list[FieldError]:
    """Every error of `value` against `schema`, each under its field path."""
    wanted = schema.get("type")
    if value is None and schema.get("nullable"):
        return []
    if wanted and not _type_ok(value, wanted):
        got = type_name(value)
        detail = f'Invalid value: "{got}": {path} in body must be of type {wanted}: "{got}"'
        return [FieldError(path, "FieldValueTypeInvalid", detail)]
    errors: list[FieldError] = []
    if isinstance(value, str) and len(value) > schema.get("maxLength", len(value)):
        unit = "byte" if schema["maxLength"] == 1 else "bytes"
        detail = f"Too long: may not be more than {schema['maxLength']} {unit}"
        errors.append(FieldError(path, "FieldValueTooLong", detail))
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], f"{path}[{i}]")
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                errors.append(FieldError(_child(path, key), "FieldValueRequired", "Required value"))
        for key in sorted(value):
            sub = _field_schema(schema, key)
            if sub is not None:
                errors += validate(value[key], sub, _child(path, key))
    return errors
