"""Every error the sandbox's Hub answers, and every injected fault, is a `google.rpc.Status` in
Google's JSON error wrapper (`{"error": {"code", "message", "status", "details"?}}`, the API
design guide's "Errors"), whose `status` is the google.rpc.Code name (code.proto) whose "HTTP
Mapping" is the HTTP status sent. A status no code maps to (405, 413, 502) has no such body:
Google's front end answers those itself with an HTML page, and so does the sandbox."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import pytest
import requests

from tests.conformance import reference
from tests.conformance.conftest import INT_ENUMS, NUMBER, Conformance
from tests.conformance.discovery import Discovery

BASE = f"/v1/projects/{NUMBER}/locations"
MEMBERSHIPS = f"{BASE}/global/memberships"


class Probe(NamedTuple):
    status: int
    path: str
    params: dict[str, Any] = {}  # noqa: RUF012 - a NamedTuple default, never mutated
    token: str | None = "sandbox-token"
    fault: int = 0  # an injected fault's status
    unreachable: tuple[str, ...] = ()  # locations an injected fault makes unreachable
    method: str = "GET"
    body: bytes = b""


PROBES = {
    "no-token": Probe(401, MEMBERSHIPS, token=None),
    "unknown-token": Probe(401, MEMBERSHIPS, token="no-such-token"),
    "unknown-project": Probe(403, "/v1/projects/999999999999/locations/global/memberships"),
    "unknown-membership": Probe(404, f"{MEMBERSHIPS}/nobody"),
    "unreachable-location": Probe(
        503, f"{BASE}/us-central1/memberships/made-with-cluster", unreachable=("us-central1",)
    ),
    "unknown-binding": Probe(404, f"{MEMBERSHIPS}/gke-labelled/bindings/nothing"),
    "bindings-of-unknown-membership": Probe(404, f"{MEMBERSHIPS}/nobody/bindings"),
    "unknown-scope": Probe(404, f"{BASE}/global/scopes/nothing"),
    "unknown-namespace": Probe(404, f"{BASE}/global/scopes/team-a/namespaces/nothing"),
    "unknown-operation": Probe(404, f"{BASE}/global/operations/operation-0-none"),
    "unknown-path": Probe(404, f"/v1/projects/{NUMBER}/nothing-here"),
    "bad-filter": Probe(400, MEMBERSHIPS, {"filter": "labels.env > 3"}),
    "bad-order": Probe(400, MEMBERSHIPS, {"orderBy": "labels"}),
    "bad-page-size": Probe(400, MEMBERSHIPS, {"pageSize": "many"}),
    "negative-page-size": Probe(400, MEMBERSHIPS, {"pageSize": "-1"}),
    "bad-page-token": Probe(400, MEMBERSHIPS, {"pageToken": "not-a-token"}),
    "scopes-not-global": Probe(400, f"{BASE}/us-central1/scopes"),
    "filter-on-bindings": Probe(400, f"{MEMBERSHIPS}/-/bindings", {"filter": "x = y"}),
    "write-through-hub": Probe(501, MEMBERSHIPS, method="POST", body=b"{}"),
    "oversized-body": Probe(413, MEMBERSHIPS, method="POST", body=b"x" * (3 * 1024 * 1024 + 1)),
    **{
        f"fault-{status}": Probe(status, f"{MEMBERSHIPS}/gke-plain", fault=status)
        for status in (400, 401, 403, 404, 409, 413, 429, 500, 501, 502, 503, 504)
    },
}


@functools.cache
def status_schema() -> Discovery:
    return Discovery(reference.load("gkehub.v1.json"))


def error_problems(answer: requests.Response) -> list[str]:
    """How one error answer disagrees with google.rpc.Status / code.proto."""
    codes = reference.rpc_codes()
    names = {name for name, (_, http) in codes.items() if http == answer.status_code}
    if not names:
        if answer.headers.get("Content-Type", "").startswith("text/html"):
            return []
        return [f"HTTP {answer.status_code} has no google.rpc.Code: expected the front end's HTML"]
    try:
        body = answer.json()
    except ValueError:
        return [f"not JSON: {answer.text[:80]!r}"]
    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(body["error"], dict):
        return [f"not an error wrapper: {body!r}"]
    error = dict(body["error"])
    problems = [f"field {key!r} not in the wrapper" for key in error if key not in (
        "code", "message", "status", "details")]  # fmt: skip
    if error.get("code") != answer.status_code:
        problems.append(f"code {error.get('code')!r} is not the HTTP status")
    if error.get("status") not in names:
        problems.append(f"status {error.get('status')!r} is not one of {sorted(names)}")
    if not isinstance(error.get("message"), str) or not error["message"]:
        problems.append("no message")
    for detail in error.get("details", []):
        if not isinstance(detail, dict) or "@type" not in detail:
            problems.append(f"detail without @type: {detail!r}")
    status = {k: error[k] for k in ("code", "message", "details") if k in error}
    problems += status_schema().check(status, "GoogleRpcStatus")
    if not answer.headers.get("Content-Type", "").startswith("application/json"):
        problems.append(f"Content-Type {answer.headers.get('Content-Type')!r}")
    return problems


@pytest.mark.parametrize("case", sorted(PROBES))
def test_error_answer_conforms(conformance: Conformance, case: str) -> None:
    probe = PROBES[case]
    if probe.fault or probe.unreachable:
        conformance.control.fault(
            match=probe.path, status=probe.fault, unreachable=list(probe.unreachable)
        )
    query = {**probe.params, "$alt": INT_ENUMS}  # what the client library sends
    headers = {"Authorization": f"Bearer {probe.token}"} if probe.token else {}
    answer = requests.request(
        probe.method, conformance.running.base_url + probe.path, params=query,
        headers=headers, data=probe.body or None, timeout=10,
    )  # fmt: skip
    assert answer.status_code == probe.status, answer.text[:300]
    problems = error_problems(answer)
    assert not problems, "DISAGREE: " + "\nDISAGREE: ".join(problems)
