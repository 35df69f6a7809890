"""`operations.get` (gkehub v1 `projects.locations.operations.get`, path `v1/{+name}`) answers
for every GKE Hub operation the sandbox's audit entries name: a `google.longrunning.Operation`
(operations_proto.proto; the discovery document's `Operation`) whose `metadata` is a gkehub
`OperationMetadata` with its `@type`, `done`, and `response` (with the `@type` of what the
method returns) or `error` (a `google.rpc.Status` with the audit entry's code)."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.conformance import forms
from tests.conformance.conftest import INT_ENUMS, Conformance
from tests.conformance.test_hub_shapes import discovery

RETURNS = {  # what each method's operation returns (google/cloud/gkehub/v1/service.proto)
    "CreateMembership": "Membership",
    "UpdateMembership": "Membership",
    "CreateMembershipBinding": "MembershipBinding",
    "CreateScope": "Scope",
    "CreateScopeNamespace": "Namespace",
}
EMPTY = "type.googleapis.com/google.protobuf.Empty"


def hub_operations(conformance: Conformance) -> dict[str, dict[str, Any]]:
    """The `last` audit entry of every GKE Hub operation delivered, by `operation.id`."""
    found = {}
    for push in conformance.recorder.pushes():
        entry = json.loads(push.body)
        payload, operation = entry["protoPayload"], entry["operation"]
        if payload["serviceName"] == "gkehub.googleapis.com" and operation.get("last"):
            found[operation["id"]] = entry
    return found


def operation_problems(operation: Any, entry: dict[str, Any]) -> list[str]:
    payload = entry["protoPayload"]
    version, verb = re.fullmatch(
        r"google\.cloud\.gkehub\.(\w+)\.\w+\.(\w+)", payload["methodName"]
    ).groups()  # type: ignore[union-attr]
    problems = discovery().check(operation, "Operation", enum_numbers=True)
    if not re.fullmatch(forms.NAMES["Operation"], str(operation.get("name"))):
        problems.append(f"name {operation.get('name')!r} is not an operation name")
    metadata = dict(operation.get("metadata", {}))
    want = f"type.googleapis.com/google.cloud.gkehub.{version}.OperationMetadata"
    if metadata.pop("@type", None) != want:
        problems.append(f"metadata.@type is not {want}")
    problems += [f"metadata: {p}" for p in discovery().check(metadata, "OperationMetadata")]
    if metadata.get("target", "").rsplit("/", 1)[-1] != payload["resourceName"].rsplit("/", 1)[-1]:
        problems.append(f"metadata.target {metadata.get('target')!r} is not the resource")
    if operation.get("done") is not True:
        problems.append("not done, though the audit entry is its last")
    failed = payload.get("status", {}).get("code")
    if failed:
        if operation.get("error", {}).get("code") != failed or "response" in operation:
            problems.append(f"error {operation.get('error')} is not the audit status {failed}")
        return problems
    response = dict(operation.get("response", {}))
    kind = RETURNS.get(verb)
    want = f"type.googleapis.com/google.cloud.gkehub.{version}.{kind}" if kind else EMPTY
    if response.pop("@type", None) != want:
        problems.append(f"response.@type is not {want}")
    if kind:
        problems += [f"response: {p}" for p in discovery().check(response, kind, enum_numbers=True)]
    return problems


def test_every_audited_hub_operation_can_be_read(conformance: Conformance) -> None:
    operations = hub_operations(conformance)
    assert len(operations) >= 10
    problems, disagreeing = [], 0
    for name, entry in sorted(operations.items()):
        answer = conformance.hub_get(f"/v1/{name}", INT_ENUMS)
        if answer.status_code != 200:
            found = [f"operations.get answered {answer.status_code}"]
        else:
            found = operation_problems(answer.json(), entry)
        problems += [f"{entry['protoPayload']['methodName']} {name}: {p}" for p in found]
        disagreeing += bool(found)
    summary = f"{disagreeing} of {len(operations)} operations disagree"
    assert not problems, summary + ":\nDISAGREE: " + "\nDISAGREE: ".join(problems)


def test_an_operation_named_in_a_first_entry_is_the_operation_id(conformance: Conformance) -> None:
    """The `first` entry's response is the Operation the call returned: the same name."""
    for push in conformance.recorder.pushes():
        entry = json.loads(push.body)
        payload = entry["protoPayload"]
        if payload["serviceName"] == "gkehub.googleapis.com" and entry["operation"].get("first"):
            assert payload["response"]["name"] == entry["operation"]["id"], entry["operation"]
