"""Long-running operations: a change starts at once and finishes after a delay.

GKE Hub's Create/Update/DeleteMembership return a `google.longrunning.Operation`; the
membership is CREATING (UPDATING, DELETING) meanwhile, and Cloud Audit Logs writes an
`operation.first` entry when the call is made and an `operation.last` entry when it is done,
carrying the final `status` (https://cloud.google.com/logging/docs/audit/understanding-audit-logs,
`operation` field; google/cloud/gkehub/v1/membership.proto, MembershipState).

With a delay of 0 (the default) an operation finishes inside the control call that started
it, so by the time Eventarc delivers `first` the final state is already visible. With a
delay, `first` is delivered while the transitional state lasts. Operations finish when their
time comes on the store's clock: a background tick every 50 ms, and every control call.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.events.auditlog import audit_entry
from sandbox.events.logrouter import LogRouter
from sandbox.google.conventions import now
from sandbox.hub.longrunning import operation_json, operation_key
from sandbox.state.fleet import Fleet
from sandbox.state.records import OperationRecord
from sandbox.state.store import Store

FAILED_PRECONDITION = 9
TICK_S = 0.05
OPERATION = "type.googleapis.com/google.longrunning.Operation"
EMPTY = "type.googleapis.com/google.protobuf.Empty"
_VERBS = {"Create": "create", "Update": "update", "Delete": "delete"}
# What each method's operation returns (google/cloud/gkehub/v1/service.proto; the other
# services' Create* return the cluster, whose `@type` their `finish` already gives).
_RETURNS = {
    "CreateMembership": "Membership",
    "UpdateMembership": "Membership",
    "CreateMembershipBinding": "MembershipBinding",
    "UpdateMembershipBinding": "MembershipBinding",
    "CreateScope": "Scope",
    "CreateScopeNamespace": "Namespace",
}
Finish = Callable[[bool], dict[str, Any]]  # failed? -> the operation's response


@dataclass
class _Pending:
    due: float
    complete: Callable[[], None]


class Operations:
    def __init__(self, store: Store, log: LogRouter) -> None:
        self.store, self.log = store, log
        self.pending: list[_Pending] = []
        self._stopped = threading.Event()
        threading.Thread(target=self._tick, name="operations", daemon=True).start()

    def run(
        self,
        fleet: Fleet,
        body: dict[str, Any],
        service: str,
        method: str,
        resource: str,
        request: dict[str, Any],
        finish: Finish,
        can_fail: bool = True,
        by_number: bool = False,
    ) -> None:
        """Start an operation in `fleet`: the `first` entry now, `finish` and `last` after the
        delay. `{project}` in names is the fleet's ID, or its number when `by_number` or the
        body's `audit_project` asks for it."""
        emit = body.get("emit", True) is not False
        audit_project = body.get("audit_project", "number" if by_number else "id")
        project = fleet.project_number if audit_project == "number" else fleet.project_id
        resource = resource.replace("{project}", project)
        request = json.loads(json.dumps(request).replace("{project}", project))
        location = resource.split("/")[3]
        ident = f"operation-{int(time.time() * 1000)}-{uuid.uuid4().hex[:8]}"
        record = OperationRecord(
            f"projects/{project}/locations/{location}/operations/{ident}",
            method.split(".")[-3],
            _VERBS.get(method.rsplit(".", 1)[1][:6], "update"),
            resource,
        )
        with self.store.lock:
            failed = can_fail and self.store.operations_to_fail > 0
            if failed:
                self.store.operations_to_fail -= 1
            delay = self.store.behaviour.operation_delay_s
            if service == "gkehub.googleapis.com":
                self.store.operations[
                    operation_key(fleet.project_number, location, ident)
                ] = record  # fmt: skip
        request = {"@type": _type_url(method, "Request"), **request}

        def entry(phase: str, response: dict[str, Any], status: dict[str, Any]) -> None:
            if emit:
                self.log.publish(
                    fleet.project_id,
                    audit_entry(
                        fleet.project_id, service, method, resource, record.name, phase,
                        request, response, status,
                    ),
                )  # fmt: skip

        def complete() -> None:
            response = _typed(method, finish(failed))
            status = {"code": FAILED_PRECONDITION, "message": "sandbox: operation failed"}
            record.done, record.end_time = True, now()
            record.error = status if failed else {}
            record.response = response or {"@type": EMPTY}
            entry("last", {} if failed else response, status if failed else {})

        entry("first", {"@type": OPERATION, **operation_json(record)}, {})
        if delay <= 0:
            complete()
        else:
            with self.store.lock:
                self.pending.append(_Pending(self.store.now_s() + delay, complete))

    def run_due(self) -> None:
        """Finish every operation whose time has come, oldest first."""
        with self.store.lock:
            now = self.store.now_s()
            due = sorted((p for p in self.pending if p.due <= now), key=lambda p: p.due)
            self.pending = [p for p in self.pending if p.due > now]
            for item in due:
                item.complete()

    def clear(self) -> None:
        with self.store.lock:
            self.pending.clear()

    def stop(self) -> None:
        self._stopped.set()

    def _tick(self) -> None:
        while not self._stopped.wait(TICK_S):
            self.run_due()


def _type_url(method: str, suffix: str) -> str:
    """`pkg.Service.Verb` -> the type URL of `pkg.Verb{suffix}`: audit_log.proto names a
    request's or response's proto in `@type` (AIP-131..135 message names)."""
    package, _, verb = method.rpartition(".")
    return f"type.googleapis.com/{package.rpartition('.')[0]}.{verb}{suffix}"


def _typed(method: str, response: dict[str, Any]) -> dict[str, Any]:
    """The response with the `@type` of the message the method returns, where it has one."""
    package, _, verb = method.rpartition(".")
    kind = _RETURNS.get(verb)
    if not response or "@type" in response or kind is None:
        return response
    return {"@type": f"type.googleapis.com/{package.rpartition('.')[0]}.{kind}", **response}
