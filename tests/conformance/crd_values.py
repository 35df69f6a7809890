"""Published CRDs (../shared/reference, or the folder `SHARED_REFERENCE` names) and values
drawn from their `openAPIV3Schema`: what each schema accepts, worked out from the schema alone.

Strings honour `enum`, `pattern` (hypothesis `from_regex`, full match), `minLength`,
`maxLength` and the formats the API server validates (`date-time`: RFC 3339 times; `byte`:
padded base64 of at least one byte); integers honour `minimum`; lists of
`x-kubernetes-list-type: map` have unique keys; a `x-kubernetes-preserve-unknown-fields`
object holds a few arbitrary fields.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import strategies as st

from tests.conformance.reference import reference_file

Schema = dict[str, Any]
Path_ = tuple[str | int, ...]


@functools.cache
def crd_version(relative: str) -> dict[str, Any]:
    """The one version (`spec.versions[0]`) of a CRD under the reference folder, or a skip."""
    crd = yaml.safe_load(reference_file(relative).read_text())
    (version,) = crd["spec"]["versions"]
    return dict(version)


def crd_schema(relative: str) -> Schema:
    """The one version's `openAPIV3Schema`."""
    schema: Schema = crd_version(relative)["schema"]["openAPIV3Schema"]
    return schema


def _date_times() -> st.SearchStrategy[str]:
    """RFC 3339 `date-time`s (section 5.6), with a fraction and an offset or `Z`."""
    fraction = st.sampled_from(["", ".5", ".123456", ".000000001"])
    offset = st.sampled_from(["Z", "z", "+00:00", "-07:30", "+14:00"])
    moments = st.datetimes().map(lambda m: m.replace(microsecond=0).isoformat())
    return st.builds(lambda m, f, o: m + f + o, moments, fraction, offset)


def _strings(schema: Schema) -> st.SearchStrategy[str]:
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if schema.get("format") == "date-time":
        return _date_times()
    if schema.get("format") == "byte":
        return st.binary(min_size=1, max_size=12).map(lambda b: base64.b64encode(b).decode())
    if "pattern" in schema:
        found = st.from_regex(schema["pattern"], fullmatch=True)
        return found.filter(lambda s: low <= len(s) <= (high or len(s)))
    if high:
        return st.text(min_size=low, max_size=min(8, high)) | sized(max(low, high - 2), high)
    return st.text(min_size=low, max_size=max(low, 8))


def sized(low: int, high: int) -> st.SearchStrategy[str]:
    """Strings of `low` to `high` characters, long ones padded (hypothesis draws few long)."""
    return st.builds(
        lambda n, head: (head + "x" * n)[:n], st.integers(low, high), st.text(max_size=8)
    )


def values(schema: Schema, full: bool = False) -> st.SearchStrategy[Any]:  # noqa: PLR0911
    """Values the schema accepts, small, with strings near any `maxLength`; `full`: every
    property present and every list with an item, so each constraint has a value to break."""
    kind = schema.get("type")
    if kind == "object":
        if schema.get("x-kubernetes-preserve-unknown-fields"):
            simple = st.none() | st.integers(-9, 9) | st.text("ab", max_size=3)
            return st.dictionaries(st.text("ab", min_size=1, max_size=3), simple, max_size=2)
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, dict):
            return st.dictionaries(
                st.text("abc-", min_size=1, max_size=4), values(extra, full), max_size=2
            )
        required = set(properties) if full else set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {k: values(s, full) for k, s in properties.items() if k in required},
            optional={k: values(s, full) for k, s in properties.items() if k not in required},
        )
    if kind == "array":
        items, least = values(schema.get("items") or {}, full), 1 if full else 0
        if keys := schema.get("x-kubernetes-list-map-keys"):
            unique = lambda item: tuple(repr(item.get(k)) for k in keys)  # noqa: E731
            return st.lists(items, min_size=least, max_size=2, unique_by=unique)
        return st.lists(items, min_size=least, max_size=2)
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**63)), 2**63 - 1)
    if kind == "boolean":
        return st.booleans()
    return _strings(schema)


@dataclass(frozen=True)
class Crd:
    relative: str  # under the reference folder
    api_version: str
    kind: str
    namespace: str

    @property
    def schema(self) -> Schema:
        return crd_schema(self.relative)

    @property
    def rules(self) -> bool:
        """Whether any `x-kubernetes-validations` exist (then a CEL validator does)."""
        return "x-kubernetes-validations" in repr(self.schema)


APPPROJECT = Crd("argocd/appproject-crd.yaml", "argoproj.io/v1alpha1", "AppProject", "argocd")
CLUSTERPROFILE = Crd(
    "cluster-inventory/clusterprofiles-crd-v0.1.2.yaml",
    "multicluster.x-k8s.io/v1alpha1",
    "ClusterProfile",
    "fleet-cluster-inventory",
)


def nodes_of(value: Any, schema: Schema, path: Path_ = ()) -> list[tuple[Path_, Schema, Any]]:
    """Every value under `value` with its schema and path."""
    found = [(path, schema, value)]
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key, extra if isinstance(extra, dict) else {})
            found += nodes_of(item, sub, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += nodes_of(item, schema.get("items") or {}, (*path, i))
    return found


def field(path: Path_) -> str:
    """A path as the API server names a field: `spec.roles[0].name`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def at(value: Any, path: Path_) -> Any:
    for part in path:
        value = value[part]
    return value
