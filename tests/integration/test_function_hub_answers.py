"""A GKE Hub answer the client library cannot read (not JSON, cut short, a field of the wrong
type, a proxy's HTML page) is a 503 from the function, which Eventarc and Cloud Scheduler retry,
with one log line saying what came back: never a 500 with a traceback. The sandbox serves each
such answer through a `body` fault (sandbox/README.md, "Control API")."""

from __future__ import annotations

import json

import pytest
import requests

from tests.cloudevents import audit_event

NUMBER = "123456789012"
MEMBERSHIP = "projects/acme-fleet/locations/us-central1/memberships/prod-1"
CREATE = "google.cloud.gkehub.v1.GkeHub.CreateMembership"
NAME = f"projects/{NUMBER}/locations/us-central1/memberships/prod-1"
PROXY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
BODIES = {
    "not-json": {"body": "upstream connect error or disconnect/reset before headers"},
    "truncated": {"body": json.dumps({"name": NAME, "labels": {"env": "prod"}})[:40]},
    "wrong-type": {"body": json.dumps({"name": NAME, "labels": ["env", "prod"]})},
    "wrong-enum": {"body": json.dumps({"name": NAME, "state": {"code": {"no": "enum"}}})},
    "html-200": {"body": PROXY_PAGE, "content_type": "text/html"},
    "html-502": {"body": PROXY_PAGE, "content_type": "text/html", "status": 502},
}
LISTINGS = {  # the same for a list: a listed membership with a field of the wrong type
    **BODIES,
    "wrong-type": {"body": json.dumps({"resources": [{"name": NAME, "labels": ["env"]}]})},
}


def _said(function, before: int) -> list[str]:
    """The log lines since `before`; no traceback among them, and one line that says the
    run will be retried because of GKE Hub's answer."""
    lines = function.logs()[before:].splitlines()
    assert not any("Traceback" in line for line in lines), "\n".join(lines)
    said = [line for line in lines if "will be retried" in line and "GKE Hub" in line]
    assert len(said) == 1, "\n".join(lines)
    return lines


@pytest.mark.parametrize("case", sorted(BODIES))
def test_an_unreadable_hub_answer_to_an_event_is_retried(synced, function, case):
    synced.add_membership("us-central1", "prod-1", emit=False)
    synced.fault(match="/memberships/prod-1", count=100, **BODIES[case])
    before = len(function.logs())
    headers, body = audit_event(CREATE, MEMBERSHIP)
    answer = requests.post(function.url + "/", headers=headers, data=body, timeout=30)
    assert answer.status_code == 503, answer.text
    _said(function, before)
    synced.ok("DELETE", "/sandbox/faults")
    answer = requests.post(function.url + "/", headers=headers, data=body, timeout=30)
    assert answer.status_code == 200, answer.text
    assert f"prod-1.us-central1.{NUMBER}" in synced.secrets()


@pytest.mark.parametrize("case", ["truncated", "wrong-type", "html-200"])
def test_an_unreadable_hub_listing_fails_a_resync_as_retryable(sandbox, function, case):
    sandbox.add_membership("us-central1", "prod-1")
    listing = f"/v1/projects/{NUMBER}/locations/-/memberships"
    sandbox.fault(match=listing, count=100, **LISTINGS[case])
    before = len(function.logs())
    answer = requests.post(function.url + "/resync", timeout=30)
    assert answer.status_code == 503, answer.text
    assert answer.json()["retry"] is True
    _said(function, before)
