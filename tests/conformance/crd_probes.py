"""Probes drawn from a published CRD (Argo CD's AppProject, SIG-Multicluster's ClusterProfile),
with the answer a real API server gives each, worked out from the schema alone.

A probe is a valid object drawn from the CRD's `openAPIV3Schema` (`crd_values`) with at most
one change: an unknown field (pruned: the stored object is the valid one), a null in an
optional field (dropped: PruneNonNullableNullsWithoutDefaults), or a violation, which a real
server refuses with the field errors `Probe.causes` lists: a required field missing or null,
a value of the wrong type (also not in its `enum`, also not an object in a map list), a string
over `maxLength`, under `minLength`, not matching `pattern`, not in `enum`, not of its
`format`, an integer under `minimum`, a map list's key twice. Where the CRD has a CEL rule, a
blocking refusal (Required, TypeInvalid, NotSupported, TooLong) also carries the API server's
"some validation rules were not checked" note. The rules are apiextensions-apiserver's
(`schema/pruning/algorithm.go`, `schema/defaulting/prunenulls.go`, `validation/validation.go`,
`schema/listtype/validation.go`, `registry/customresource/strategy.go` `hasBlockingErr`) and
kube-openapi's (`validate/schema.go`: `enum` is checked whatever the value's type).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import strategies as st

from tests.conformance.crd_values import (
    APPPROJECT,
    CLUSTERPROFILE,
    Crd,
    Path_,
    Schema,
    at,
    field,
    nodes_of,
    sized,
    values,
)

KINDS = ("unknown", "null-optional", "null-required", "missing", "wrong-type", "too-long")
MORE_KINDS = (
    "not-in-enum",
    "no-match",
    "too-short",
    "bad-format",
    "below-minimum",
    "duplicate-key",
)
BLOCKING = {"FieldValueRequired", "FieldValueTypeInvalid", "FieldValueNotSupported",
            "FieldValueTooLong"}  # fmt: skip
NOT_CHECKED = ("<nil>", "FieldValueInvalid")
_BAD_FORMATS = {
    "date-time": ["yesterday", "2026-13-01T00:00:00Z", "2026-02-30T10:00:00Z", "", "2026-01-01",
                  "2026-01-01 10:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T10:00:00"],
    "byte": ["%", "abc", "YQ", "", "YQ==\n", "YQ= ="],
}  # fmt: skip


META = {"name": "probe", "namespace": "argocd"}


def reference_schema() -> Schema:
    return APPPROJECT.schema


@dataclass(frozen=True)
class Probe:
    kind: str
    body: dict[str, Any]
    stored: dict[str, Any] | None  # what a real server stores, or None when it refuses
    field: str = ""  # the field the change is at
    reason: str = ""
    causes: tuple[tuple[str, str], ...] = ()  # every (field, reason) of the refusal, in order
    path: Path_ = ()  # where the change is
    valid: dict[str, Any] | None = None  # the object drawn, before the change


_OTHER = {"string": 7, "integer": "7", "boolean": "true", "array": {"a": 1}, "object": ["x"]}
Nodes = list[tuple[Path_, Schema, Any]]


def _refused(crd: Crd, kind: str, body: Any, path: Path_, *reasons: str) -> Probe:
    causes = [(field(path), r) for r in reasons]
    if crd.rules and BLOCKING & set(reasons):
        causes.append(NOT_CHECKED)
    return Probe(kind, body, None, field(path), reasons[0], tuple(causes), path)


def _settable(nodes: Nodes, test: Any) -> list[tuple[Path_, Schema]]:
    """(path, schema) of every property, present or not, of an object present, that passes."""
    return [((*path, key), sub) for path, s, node in nodes if isinstance(node, dict)
            for key, sub in (s.get("properties") or {}).items() if test(sub)]  # fmt: skip


def _unknown(draw: st.DrawFn, body: Any, valid: Any, nodes: Nodes) -> Probe:
    """An unknown field in an object the schema describes, or at the root: pruned."""
    objects = [n for n in nodes if n[1].get("properties") and isinstance(n[2], dict)]
    path, node_schema, node = draw(st.sampled_from(objects))
    name = draw(st.text("xyz", min_size=1, max_size=3))
    if name not in node_schema["properties"]:
        node["unknown-" + name] = draw(st.none() | st.integers() | st.text(max_size=3))
    return Probe("unknown", body, valid, path=path)


def _null_optional(draw: st.DrawFn, body: Any, valid: Any, nodes: Nodes) -> Probe:
    optional = [
        (path, key) for path, s, node in nodes if path and isinstance(node, dict)
        for key in node if key not in s.get("required", ()) and s.get("properties")
    ]  # fmt: skip
    if not optional:
        return Probe("null-optional", body, valid)
    path, key = draw(st.sampled_from(optional))
    at(body, path)[key] = None
    del at(valid, path)[key]
    return Probe("null-optional", body, valid, path=(*path, key))


def _no_required(crd: Crd, draw: st.DrawFn, body: Any, kind: str, nodes: Nodes) -> Probe:
    """A required field missing, or null (dropped as null, then missing)."""
    required = [
        (path, key) for path, s, node in nodes if isinstance(node, dict)
        for key in s.get("required", ()) if key in node and (path or key == "spec")
    ]  # fmt: skip
    path, key = draw(st.sampled_from(required))
    if kind == "missing":
        del at(body, path)[key]
    else:
        at(body, path)[key] = None
    return _refused(crd, kind, body, (*path, key), "FieldValueRequired")


def _wrong_type(crd: Crd, draw: st.DrawFn, body: Any, nodes: Nodes) -> Probe:
    typed = [(p, s) for p, s, _ in nodes if p and s.get("type") in _OTHER]
    path, node_schema = draw(st.sampled_from(typed))
    at(body, path[:-1])[path[-1]] = _OTHER[node_schema["type"]]
    reasons = ["FieldValueTypeInvalid"]
    if "enum" in node_schema:
        reasons.append("FieldValueNotSupported")
    parent = {p: s for p, s, _ in nodes}[path[:-1]]
    if isinstance(path[-1], int) and parent.get("x-kubernetes-list-type") == "map":
        reasons.append("FieldValueInvalid")  # "must be an object for an array of list-type map"
    return _refused(crd, "wrong-type", body, path, *reasons)


def _bad_value(draw: st.DrawFn, kind: str, schema: Schema) -> Any:
    low, high = schema.get("minLength", 0), schema.get("maxLength", 64)
    if kind == "too-long":
        return draw(sized(schema["maxLength"] + 1, schema["maxLength"] + 20))
    if kind == "too-short":
        return draw(st.text(max_size=schema["minLength"] - 1))
    if kind == "not-in-enum":
        return draw(st.text(max_size=8).filter(lambda s: s not in schema["enum"]))
    if kind == "no-match":  # Python's search is RE2's or looser, so a miss is a miss in Go
        text = st.text(min_size=low, max_size=min(high, low + 8))
        return draw(text.filter(lambda s: not re.search(schema["pattern"], s)))
    if kind == "bad-format":
        return draw(st.sampled_from(_BAD_FORMATS[schema["format"]]))
    return draw(st.integers(-(2**63), schema["minimum"] - 1))  # below-minimum


_CHANGES = {  # kind: (which schemas it applies to, the reasons a server gives)
    "too-long": (lambda s: s.get("type") == "string" and "maxLength" in s, "FieldValueTooLong"),
    "too-short": (lambda s: s.get("minLength", 0) > 0, "FieldValueInvalid"),
    "not-in-enum": (lambda s: "enum" in s, "FieldValueNotSupported"),
    "no-match": (lambda s: "pattern" in s, "FieldValueInvalid"),
    "bad-format": (lambda s: s.get("format") in _BAD_FORMATS, "FieldValueTypeInvalid"),
    "below-minimum": (lambda s: "minimum" in s, "FieldValueInvalid"),
}


def _changed(crd: Crd, draw: st.DrawFn, kind: str, body: Any, valid: Any, nodes: Nodes) -> Probe:
    """One value changed to break one constraint, or the valid object where none applies."""
    applies, reason = _CHANGES[kind]
    if not (where := _settable(nodes, applies)):
        return Probe(kind, body, valid)
    path, schema = draw(st.sampled_from(where))
    at(body, path[:-1])[path[-1]] = _bad_value(draw, kind, schema)
    return _refused(crd, kind, body, path, reason)


def _duplicate_key(crd: Crd, draw: st.DrawFn, body: Any, valid: Any, nodes: Nodes) -> Probe:
    lists = [(p, v) for p, s, v in nodes if s.get("x-kubernetes-list-map-keys") and v]
    if not lists:
        return Probe("duplicate-key", body, valid)
    path, items = draw(st.sampled_from(lists))
    items.append(copy.deepcopy(draw(st.sampled_from(items))))
    return _refused(crd, "duplicate-key", body, (*path, len(items) - 1), "FieldValueDuplicate")


@st.composite
def probes(draw: st.DrawFn, kinds: tuple[str, ...] = KINDS, crd: Crd = APPPROJECT) -> Probe:
    schema = crd.schema
    valid: dict[str, Any] = {"apiVersion": crd.api_version, "kind": crd.kind}
    valid.update(metadata={**META, "namespace": crd.namespace})
    full = draw(st.booleans())
    valid["spec"] = draw(values(schema["properties"]["spec"], full))
    if full or draw(st.booleans()):
        valid["status"] = draw(values(schema["properties"]["status"], full))
    kind = draw(st.sampled_from(kinds))
    return replace(_probe(crd, draw, kind, valid), valid=copy.deepcopy(valid))


def _probe(crd: Crd, draw: st.DrawFn, kind: str, drawn: dict[str, Any]) -> Probe:
    body, valid = copy.deepcopy(drawn), copy.deepcopy(drawn)
    nodes = [n for n in nodes_of(body, crd.schema) if n[0][:1] in ((), ("spec",), ("status",))]
    if kind == "unknown":
        return _unknown(draw, body, valid, nodes)
    if kind == "null-optional":
        return _null_optional(draw, body, valid, nodes)
    if kind in ("null-required", "missing"):
        return _no_required(crd, draw, body, kind, nodes)
    if kind == "wrong-type":
        return _wrong_type(crd, draw, body, nodes)
    if kind == "duplicate-key":
        return _duplicate_key(crd, draw, body, valid, nodes)
    return _changed(crd, draw, kind, body, valid, nodes)


__all__ = ["APPPROJECT", "CLUSTERPROFILE", "Crd", "Probe", "field", "probes", "reference_schema"]
