"""AppProject probes drawn from Argo CD's published CRD (../shared/reference/argocd), with the
answer a real API server gives each, worked out from the schema alone.

A probe is a valid object drawn from the CRD's `openAPIV3Schema` with at most one change:
an unknown field (pruned: the stored object is the valid one), a null in an optional field
(dropped: PruneNonNullableNullsWithoutDefaults), or a violation (a required field missing or
null, a value of the wrong type, a string over `maxLength`), which a real server refuses with
exactly one field error at that path. The expectation comes from the schema and the change
made, never from the sandbox; the structural rules are those of apiextensions-apiserver
(`schema/pruning/algorithm.go`, `schema/defaulting/prunenulls.go`, `validation/validation.go`).
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import strategies as st

ARGOCD = Path(__file__).resolve().parents[3] / "shared" / "reference" / "argocd"
Schema = dict[str, Any]
Path_ = tuple[str | int, ...]
KINDS = ("unknown", "null-optional", "null-required", "missing", "wrong-type", "too-long")
REASON = {
    "null-required": "FieldValueRequired",
    "missing": "FieldValueRequired",
    "wrong-type": "FieldValueTypeInvalid",
    "too-long": "FieldValueTooLong",
}
META = {"name": "probe", "namespace": "argocd"}


@functools.cache
def reference_schema() -> Schema:
    found = ARGOCD / "appproject-crd.yaml"
    if not found.is_file():
        pytest.skip(f"reference file {found} is absent (../shared/reference/argocd)")
    crd = yaml.safe_load(found.read_text())
    (version,) = crd["spec"]["versions"]
    schema: Schema = version["schema"]["openAPIV3Schema"]
    return schema


def values(schema: Schema) -> st.SearchStrategy[Any]:  # noqa: PLR0911 (one per JSON type)
    """Values the schema accepts, small, with strings near any `maxLength`."""
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, dict):
            return st.dictionaries(
                st.text("abc-", min_size=1, max_size=4), values(extra), max_size=2
            )
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {k: values(s) for k, s in properties.items() if k in required},
            optional={k: values(s) for k, s in properties.items() if k not in required},
        )
    if kind == "array":
        return st.lists(values(schema.get("items") or {}), max_size=2)
    if kind == "integer":
        return st.integers(-(2**63), 2**63 - 1)
    if kind == "boolean":
        return st.booleans()
    if limit := schema.get("maxLength"):
        return st.text(max_size=8) | st.text(min_size=limit - 2, max_size=limit)
    return st.text(max_size=8)


def _nodes(value: Any, schema: Schema, path: Path_ = ()) -> list[tuple[Path_, Schema, Any]]:
    """Every value under `value` with its schema and path."""
    found = [(path, schema, value)]
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key, extra if isinstance(extra, dict) else {})
            found += _nodes(item, sub, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _nodes(item, schema.get("items") or {}, (*path, i))
    return found


def field(path: Path_) -> str:
    """A path as the API server names a field: `spec.roles[0].name`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _at(value: Any, path: Path_) -> Any:
    for part in path:
        value = value[part]
    return value


@dataclass(frozen=True)
class Probe:
    kind: str
    body: dict[str, Any]
    stored: dict[str, Any] | None  # what a real server stores, or None when it refuses
    field: str = ""  # the one field error a refusal names
    reason: str = ""


_OTHER = {"string": 7, "integer": "7", "boolean": "true", "array": {"a": 1}, "object": ["x"]}
Nodes = list[tuple[Path_, Schema, Any]]


def _unknown(draw: st.DrawFn, body: Any, valid: Any, nodes: Nodes) -> Probe:
    """An unknown field in an object the schema describes, or at the root: pruned."""
    objects = [n for n in nodes if n[1].get("properties") and isinstance(n[2], dict)]
    _, node_schema, node = draw(st.sampled_from(objects))
    name = draw(st.text("xyz", min_size=1, max_size=3))
    if name not in node_schema["properties"]:
        node["unknown-" + name] = draw(st.none() | st.integers() | st.text(max_size=3))
    return Probe("unknown", body, valid)


def _null_optional(draw: st.DrawFn, body: Any, valid: Any, nodes: Nodes) -> Probe:
    optional = [
        (path, key) for path, s, node in nodes if path and isinstance(node, dict)
        for key in node if key not in s.get("required", ()) and s.get("properties")
    ]  # fmt: skip
    if optional:
        path, key = draw(st.sampled_from(optional))
        _at(body, path)[key] = None
        del _at(valid, path)[key]
    return Probe("null-optional", body, valid)


def _no_required(draw: st.DrawFn, body: Any, kind: str, nodes: Nodes) -> Probe:
    """A required field missing, or null (dropped as null, then missing)."""
    required = [
        (path, key) for path, s, node in nodes if isinstance(node, dict)
        for key in s.get("required", ()) if key in node and (path or key == "spec")
    ]  # fmt: skip
    path, key = draw(st.sampled_from(required))
    if kind == "missing":
        del _at(body, path)[key]
    else:
        _at(body, path)[key] = None
    return Probe(kind, body, None, field((*path, key)), REASON[kind])


def _wrong_type(draw: st.DrawFn, body: Any, nodes: Nodes) -> Probe:
    typed = [(p, s) for p, s, _ in nodes if p and s.get("type") in _OTHER]
    path, node_schema = draw(st.sampled_from(typed))
    _at(body, path[:-1])[path[-1]] = _OTHER[node_schema["type"]]
    return Probe("wrong-type", body, None, field(path), REASON["wrong-type"])


def _too_long(draw: st.DrawFn, body: Any, schema: Schema) -> Probe:
    """Every string with a `maxLength` is `spec.description` in this CRD; it is set."""
    limit = schema["properties"]["spec"]["properties"]["description"]["maxLength"]
    body["spec"]["description"] = draw(st.text(min_size=limit + 1, max_size=limit + 20))
    return Probe("too-long", body, None, "spec.description", REASON["too-long"])


@st.composite
def probes(draw: st.DrawFn, kinds: tuple[str, ...] = KINDS) -> Probe:
    schema = reference_schema()
    valid: dict[str, Any] = {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject"}
    valid.update(metadata=META, spec=draw(values(schema["properties"]["spec"])))
    if draw(st.booleans()):
        valid["status"] = draw(values(schema["properties"]["status"]))
    kind = draw(st.sampled_from(kinds))
    body = copy.deepcopy(valid)
    nodes = [n for n in _nodes(body, schema) if n[0][:1] in ((), ("spec",), ("status",))]
    if kind == "unknown":
        return _unknown(draw, body, valid, nodes)
    if kind == "null-optional":
        return _null_optional(draw, body, valid, nodes)
    if kind in ("null-required", "missing"):
        return _no_required(draw, body, kind, nodes)
    if kind == "wrong-type":
        return _wrong_type(draw, body, nodes)
    return _too_long(draw, body, schema)
