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


def test_a_body_fault_answers_exactly_its_body():
    fault = Fault(match="/memberships", status=200, body='{"resources": [', content_type="text/x")
    answer = fault.response("/v1/x")
    assert (answer.status_code, answer.get_data(as_text=True)) == (200, '{"resources": [')
    assert answer.headers["Content-Type"].startswith("text/x")
    assert fault.to_json()["body"] == '{"resources": ['


def test_a_status_fault_answers_in_google_format_or_as_the_front_end():
    """google.rpc.Code names travel with the HTTP status code.proto maps them to; a status
    no code maps to (502) is the front end's HTML page, as Google's is."""
    answer = Fault(status=409).response("/v1/x")
    assert answer.json == {
        "error": {"code": 409, "message": "injected fault on /v1/x", "status": "ABORTED"}
    }
    page = Fault(status=502).response("/v1/x")
    assert page.status_code == 502 and page.mimetype == "text/html"
