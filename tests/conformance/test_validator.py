"""The checkers can fail: each rule catches the defect it is for, and accepts Google's own
examples. And enum numbers (a value's place in the discovery document's list) agree with the
protos google-cloud-gke-hub is built from, for every enum the sandbox serves."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conformance import forms
from tests.conformance.test_hub_shapes import discovery

GOOD = {
    "name": "projects/123/locations/global/memberships/one",
    "state": {"code": "READY"},
    "createTime": "2026-01-02T03:04:05.123456Z",
    "endpoint": {"kubernetesMetadata": {"nodeCount": 3, "nodeProviderId": "aws:///us-east-1a/i-1"}},
    "labels": {"code": "READY"},
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"colour": "red"}, "$.colour: field not in the schema"),
        ({"description": ""}, "$.description: default value '' should be omitted"),
        ({"labels": {}}, "$.labels: empty dict should be omitted"),
        ({"state": {"code": "CODE_UNSPECIFIED"}}, "$.state.code: default enum value"),
        ({"state": {"code": "RUNNING"}}, "$.state.code: 'RUNNING' is not one of"),
        ({"state": {"code": 2}}, "$.state.code: enum as number 2 without enum-encoding=int"),
        ({"createTime": "2026-01-02T03:04:05+00:00"}, "$.createTime: '2026-01-02T03:04:05+00:00'"),
        ({"createTime": "2026-01-02T03:04:05.1234Z"}, "is not an RFC 3339 UTC time"),
        ({"labels": {"code": 2}}, "$.labels.code: 2 is not a string"),
        ({"endpoint": {"kubernetesMetadata": {"nodeCount": "3"}}}, "nodeCount: '3' is not an"),
        ({"endpoint": {"googleManaged": False}}, "googleManaged: default value False"),
    ],
)
def test_the_schema_check_catches(change: dict[str, Any], expected: str) -> None:
    assert discovery().check(GOOD, "Membership") == []
    problems = discovery().check({**GOOD, **change}, "Membership")
    assert any(expected in p for p in problems), problems


def test_int64_travels_as_a_string_and_numbered_enums_only_when_asked() -> None:
    metadata = {"apiVersion": "v1", "createTime": "2026-01-02T03:04:05Z"}
    assert discovery().check(metadata, "OperationMetadata") == []
    assert discovery().check({"state": {"code": 2}}, "Membership", enum_numbers=True) == []
    assert discovery().check({"state": {"code": 9}}, "Membership") == []  # newer than the doc
    named = discovery().check({"state": {"code": "READY"}}, "Membership", enum_numbers=True)
    assert named and "as a name although enum-encoding=int" in named[0]
    schemas = discovery().schemas
    int64 = next(
        (s, f) for s, body in schemas.items()
        for f, p in body.get("properties", {}).items() if p.get("format") == "int64"
    )  # fmt: skip
    assert discovery().check({int64[1]: 5}, int64[0]) != []
    assert discovery().check({int64[1]: "5"}, int64[0]) == []


@pytest.mark.parametrize(
    ("schema", "proto"),
    [
        ("MembershipState", "MembershipState.Code"),
        ("MembershipBindingLifecycleState", "MembershipBindingLifecycleState.Code"),
        ("ScopeLifecycleState", "ScopeLifecycleState.Code"),
        ("NamespaceLifecycleState", "NamespaceLifecycleState.Code"),
    ],
)
def test_enum_numbers_are_the_protos(schema: str, proto: str) -> None:
    from google.cloud import gkehub_v1

    kind: Any = gkehub_v1
    for part in proto.split("."):
        kind = getattr(kind, part)
    names = discovery().schemas[schema]["properties"]["code"]["enum"]
    assert [kind[name].value for name in names] == list(range(len(names)))


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ({"kubernetesMetadata": {"nodeProviderId": "aws", "nodeCount": 1}}, "nodeProviderId"),
        ({"gkeCluster": {"resourceLink": "projects/p/locations/l/clusters/c"}}, "not a gkeCluster"),
        ({"kubernetesMetadata": {"kubernetesApiServerVersion": "1.31"}}, "gitVersion"),
    ],
)
def test_the_form_check_catches(endpoint: dict[str, Any], expected: str) -> None:
    assert forms.problems("Membership", GOOD) == []
    found = forms.problems("Membership", {**GOOD, "endpoint": endpoint})
    assert any(expected in p for p in found), found
