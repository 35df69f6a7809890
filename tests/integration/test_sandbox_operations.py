"""Membership operations take time: transitional states, `first` then `last`, failures.

Sources: google/cloud/gkehub/v1/membership.proto (MembershipState) and the `operation` field
of Cloud Audit Logs entries. Time is the sandbox's injected clock, never a sleep.
"""

import pytest
from google.cloud import gkehub_v1

from tests.conftest import PROJECT_NUMBER

NAME = f"projects/{PROJECT_NUMBER}/locations/us-central1/memberships/"
CODE = gkehub_v1.MembershipState.Code


@pytest.fixture
def slow(sandbox, clock):
    """Operations that take a minute of the sandbox's clock."""
    assert sandbox.ok("POST", "/sandbox/operations", {"delay_s": 60})["delay_s"] == 60
    return sandbox


def phases(sandbox, method):
    return [
        (next(k for k in ("first", "last") if k in e["operation"]), e["status"])
        for e in sandbox.events()["events"]
        if e["methodName"].endswith(method)
    ]


def later(sandbox, clock, seconds=61):
    clock.now += seconds
    sandbox.ok("GET", "/sandbox/operations")  # any control call finishes what is due


def test_create_is_creating_until_the_operation_ends(slow, hub, clock):
    slow.add_membership("us-central1", "m")
    assert hub.get_membership(name=NAME + "m").state.code == CODE.CREATING
    assert phases(slow, "CreateMembership") == [("first", {})]
    later(slow, clock, 30)
    assert hub.get_membership(name=NAME + "m").state.code == CODE.CREATING
    later(slow, clock)
    assert hub.get_membership(name=NAME + "m").state.code == CODE.READY
    assert phases(slow, "CreateMembership") == [("first", {}), ("last", {})]


def test_update_and_delete_pass_through_updating_and_deleting(slow, hub, clock):
    slow.add_membership("us-central1", "m", {"v": "1"})
    later(slow, clock)
    slow.update_membership("us-central1", "m", labels={"v": "2"})
    found = hub.get_membership(name=NAME + "m")
    assert (found.state.code, dict(found.labels)) == (CODE.UPDATING, {"v": "1"})
    later(slow, clock)
    found = hub.get_membership(name=NAME + "m")
    assert (found.state.code, dict(found.labels)) == (CODE.READY, {"v": "2"})
    slow.delete_membership("us-central1", "m")
    assert hub.get_membership(name=NAME + "m").state.code == CODE.DELETING
    later(slow, clock)
    assert [m.name for m in hub.list_memberships(parent=NAME.rsplit("/", 2)[0])] == []
    assert [p for p, _ in phases(slow, "DeleteMembership")] == ["first", "last"]


def test_a_failed_operation_reverts_and_says_so_in_last(slow, hub, clock):
    slow.add_membership("us-central1", "keep")
    later(slow, clock)
    assert slow.ok("POST", "/sandbox/operations", {"fail_next": 2})["fail_next"] == 2
    slow.add_membership("us-central1", "doomed")
    slow.delete_membership("us-central1", "keep")
    later(slow, clock)
    names = [m.name for m in hub.list_memberships(parent=NAME.rsplit("/", 2)[0])]
    assert names == [NAME + "keep"]
    assert hub.get_membership(name=NAME + "keep").state.code == CODE.READY
    assert phases(slow, "CreateMembership")[-1] == (
        "last",
        {"code": 9, "message": "sandbox: operation failed"},
    )
    assert phases(slow, "DeleteMembership")[-1][1]["code"] == 9


def test_delay_zero_finishes_at_once(sandbox, hub):
    sandbox.add_membership("us-central1", "m")
    assert hub.get_membership(name=NAME + "m").state.code == CODE.READY


def test_events_in_real_order_end_with_the_secret(synced, clock):
    """CREATING at `first`, READY before `last`: the Secret is written by then."""
    synced.ok("POST", "/sandbox/operations", {"delay_s": 60})
    synced.add_membership("us-central1", "m")
    synced.wait_idle()
    later(synced, clock)
    synced.wait_idle()
    assert f"m.us-central1.{PROJECT_NUMBER}" in synced.secrets()
