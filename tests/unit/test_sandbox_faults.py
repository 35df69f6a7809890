"""A hold fault's count of held requests, as `GET /sandbox/faults` reports it."""

from sandbox.state.faults import Fault


def test_a_released_request_is_no_longer_counted_as_held():
    """Release wakes the held request's thread, which takes its own time to leave: a test
    that releases one read and waits for the next held one must not see the first again
    (it once let a delivery through before the read it was to follow, and hung)."""
    fault = Fault(match="/memberships/x", method="GET", hold=True)
    fault.waiting = 1  # a request in wait_for_release, its thread not yet woken
    assert fault.held == fault.to_json()["held"] == 1
    fault.released.set()  # what POST /sandbox/faults/release does
    assert fault.held == fault.to_json()["held"] == 0
