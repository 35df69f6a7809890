"""The sandbox's Logging query language subset, table-driven: what it admits, what it refuses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sandbox.events.logfilter import MAX_LENGTH, LogFilterError, compile_filter

AUDIT_METHODS = Path(__file__).resolve().parents[2] / "function/fleetsync/audit_methods.json"

ENTRY: dict[str, Any] = {
    "logName": "projects/acme-fleet/logs/cloudaudit.googleapis.com%2Factivity",
    "severity": "NOTICE",
    "insertId": "abc123",
    "protoPayload": {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        "serviceName": "gkehub.googleapis.com",
        "methodName": "google.cloud.gkehub.v1.GkeHub.CreateMembership",
        "resourceName": "projects/acme-fleet/locations/us-central1/memberships/prod-1",
        "request": {"@type": "type.googleapis.com/x.CreateMembershipRequest"},
        "authorizationInfo": [{"permission": "gkehub.memberships.create"}, {"granted": True}],
    },
    "resource": {"type": "audited_resource", "labels": {"project_id": "acme-fleet"}},
    "labels": {"k8s-pod/app": "web"},
    "operation": {"id": "op-1", "first": True},
}


@pytest.mark.parametrize(
    ("query", "admitted"),
    [
        ("", True),
        ("severity = NOTICE", True),
        ("severity=notice", True),  # string comparisons ignore case
        ('severity = "ERROR"', False),
        ("severity != ERROR", True),
        ("severity != NOTICE", False),
        ('logName:"cloudaudit.googleapis.com%2Factivity"', True),
        ("logName:cloudaudit.googleapis.com%2Fdata_access", False),
        ("protoPayload.methodName:CREATEMEMBERSHIP", True),
        ("resource.labels.project_id = acme-fleet", True),
        ('resource.labels.project_id = "beta-fleet"', False),
        ('labels."k8s-pod/app" = web', True),
        ('protoPayload.request."@type":CreateMembershipRequest', True),
        ("protoPayload.authorizationInfo.permission = gkehub.memberships.create", True),
        ("protoPayload.authorizationInfo.granted = true", True),
        ("operation.first = true", True),
        ("operation.last = true", False),
        ("operation.last != true", True),  # a missing field never equals
        ("operation:*", True),
        ("jsonPayload:*", False),
        ("NOT severity = NOTICE", False),
        ("-severity = NOTICE", False),
        ("NOT NOT severity = NOTICE", True),
        ("severity = NOTICE AND insertId = abc123", True),
        ("severity = NOTICE insertId = nope", False),  # juxtaposition is AND
        ("severity = ERROR OR insertId = abc123", True),
        (
            'protoPayload.methodName = ("x" OR "google.cloud.gkehub.v1.GkeHub.CreateMembership")',
            True,
        ),
        ('protoPayload.methodName = ("x" OR "y")', False),
        ('protoPayload.methodName : ("gkehub" AND "Create")', True),
        ('protoPayload.methodName : ("gkehub" AND "Delete")', False),
        # NOT, then OR, then AND: this is (severity=ERROR OR insertId=abc123) AND severity=NOTICE
        ("severity = ERROR OR insertId = abc123 AND severity = NOTICE", True),
        ("severity = NOTICE AND severity = ERROR OR insertId = abc123", True),
        ("(severity = NOTICE AND severity = ERROR) OR insertId = nope", False),
        ('"severity" = NOTICE', True),
        ("unknown.field = x", False),
    ],
)
def test_admits(query: str, admitted: bool) -> None:
    assert compile_filter(query)(ENTRY) is admitted


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("severity >= ERROR", "operator '>=' is outside the subset at position 10"),
        ("severity < ERROR", "operator '<' is outside the subset at position 10"),
        ('logName =~ "act"', "operator '=~' is outside the subset at position 9"),
        ('"The cat in the hat"', "a global search term is outside the subset"),
        (
            "severity = NOTICE robot",
            "a global search term is outside the subset: FIELD OP VALUE at position 19",
        ),
        ('SEARCH("x")', "functions are outside the subset at position 1"),
        ("a = 1 and b = 2", "operators are uppercase: AND at position 7"),
        ("(a = b", "'(' is never closed at position 1"),
        ("a = b)", "unexpected ')' at position 6"),
        ("a = ", "the query ends too early at position 5"),
        ("a = (b OR", "the query ends too early"),
        ("a = (b c)", "expected OR, AND or ')' in a value group at position 8"),
        ("a. = b", "a field name ends with '.' at position 1"),
        ("a..b = c", "malformed field name 'a..b' at position 1"),
        ("a = OR", "expected a value, got 'OR' at position 5"),
        ("a ! b", "unexpected '!' at position 3"),
        ("AND a = b", "expected a field name, got 'AND' at position 1"),
        ("x" * (MAX_LENGTH + 1), f"a query is at most {MAX_LENGTH} characters"),
    ],
)
def test_refuses(query: str, message: str) -> None:
    with pytest.raises(LogFilterError, match=re.escape(message)):
        compile_filter(query)


def test_a_query_of_the_maximum_length_is_read() -> None:
    query = "severity = NOTICE" + " " * (MAX_LENGTH - len("severity = NOTICE"))
    assert compile_filter(query)(ENTRY)


def terraform_filter(methods: list[str]) -> str:
    """The sink filter the Terraform module builds from the product's audit methods."""
    listed = " OR ".join(f'"{m}"' for m in methods)
    return f'logName:"cloudaudit.googleapis.com%2Factivity" AND protoPayload.methodName=({listed})'


def test_the_terraform_shaped_filter_admits_exactly_the_listed_methods() -> None:
    methods = [m["methodName"] for m in json.loads(AUDIT_METHODS.read_text())["methods"]]
    admits = compile_filter(terraform_filter(methods))
    for method in methods:
        entry = {**ENTRY, "protoPayload": {**ENTRY["protoPayload"], "methodName": method}}
        assert admits(entry), method
        assert not admits(
            {**entry, "logName": "projects/p/logs/cloudaudit.googleapis.com%2Fdata_access"}
        )
    unlisted = {**ENTRY, "protoPayload": {**ENTRY["protoPayload"], "methodName": "x.SetIamPolicy"}}
    assert not admits(unlisted)
