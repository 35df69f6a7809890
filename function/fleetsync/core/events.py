"""Read a Cloud Audit Logs entry into the one fact the sync needs: what changed. Pure.

The entry arrives as an Eventarc audit-log CloudEvent or, from a Logging sink, inside a Pub/Sub
message (`pubsub`); both end in `parse_log_entry`. An entry is a hint, not the truth: it names
a membership (or a cluster, or a scope) to look at again, or, for a cluster registered by
another service (GKE attached clusters and GKE on AWS or Azure through gkemulticloud, GKE on
VMware or bare metal through gkeonprem), a fleet to converge, since such entries name the
cluster and not the membership that service made for it.
Everything that cannot be a hint we act on raises PermanentError with the reason, so the
caller can acknowledge it instead of asking Eventarc to redeliver it for a day.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from importlib import resources

from fleetsync.core.errors import NotOursError, PermanentError
from fleetsync.core.model import ClusterId, MembershipRef
from fleetsync.core.naming import (
    is_project_number,
    parse_registered_cluster,
    parse_resource_name,
)

AUDIT_LOG_TYPE = "google.cloud.audit.log.v1.written"
MEMBERSHIP, CLUSTER, SCOPE, REGISTRATION = "membership", "cluster", "scope", "registration"
# Services that register clusters in a fleet on their own, without a GkeHub entry of ours.
REGISTERING_SERVICES = frozenset({"gkemulticloud.googleapis.com", "gkeonprem.googleapis.com"})


def load_handled_methods() -> Mapping[str, str]:
    """methodName -> serviceName, from audit_methods.json (the Terraform triggers read it too)."""
    text = resources.files("fleetsync").joinpath("audit_methods.json").read_text("utf-8")
    return {m["methodName"]: m["serviceName"] for m in json.loads(text)["methods"]}


HANDLED_METHODS = load_handled_methods()


@dataclass(frozen=True)
class AuditEvent:
    method: str
    kind: str  # MEMBERSHIP, CLUSTER, SCOPE or REGISTRATION
    # The membership, cluster or scope named, `{location}/{id}`; for REGISTRATION the
    # registered cluster's, as far as the name says (`-` where it names a collection only).
    ref: MembershipRef
    resource_name: str
    # The project in the resource name: a number names one fleet; a project ID (the
    # container API's usual form) cannot be mapped to one without another API, so it means
    # every configured fleet.
    project: str = ""
    # google.rpc.Status code of the operation; a failed one is still a hint, since the
    # resource may have changed before it failed (a DeleteMembership that left it READY).
    status_code: int = 0
    first: bool = False
    last: bool = False

    @property
    def cluster(self) -> ClusterId:
        """The cluster a container entry names, with its project."""
        return ClusterId(self.project, self.ref)

    @property
    def phase(self) -> str:
        if self.first and not self.last:
            return "first"
        return "last" if self.last and not self.first else "single"


def parse_audit_event(
    attributes: Mapping[str, object], data: object, fleets: Collection[str]
) -> AuditEvent:
    """Validate an audit-log CloudEvent; raise PermanentError saying why it is not ours."""
    if attributes.get("type") != AUDIT_LOG_TYPE:
        raise PermanentError(f"unsupported event type {attributes.get('type')!r}")
    return parse_log_entry(_as_object(data, "event data"), fleets, attributes)


def parse_log_entry(
    entry: Mapping[str, object],
    fleets: Collection[str],
    attributes: Mapping[str, object] | None = None,
) -> AuditEvent:
    """Validate an audit LogEntry (with the CloudEvent's attributes where it came in one)."""
    attributes = attributes or {}
    payload = _as_object(entry.get("protoPayload"), "protoPayload")
    method = payload.get("methodName") or attributes.get("methodname")
    if not isinstance(method, str) or method not in HANDLED_METHODS:
        raise NotOursError(f"method {method!r} is not one we handle")
    service = payload.get("serviceName", HANDLED_METHODS[method])
    if service != HANDLED_METHODS[method]:
        raise PermanentError(f"method {method} does not belong to service {service!r}")
    status_code = _status_code(payload.get("status"))
    resource_name = payload.get("resourceName") or attributes.get("resourcename")
    if not isinstance(resource_name, str):
        raise PermanentError("protoPayload.resourceName is missing")
    if service in REGISTERING_SERVICES:
        kind = REGISTRATION
        project, ref = parse_registered_cluster(resource_name)
    else:
        project, kind, ref = parse_resource_name(resource_name)
    fleets = (fleets,) if isinstance(fleets, str) else fleets  # one fleet's number
    if is_project_number(project) and project not in fleets:
        raise NotOursError(f"{resource_name!r} is not in fleet project {', '.join(sorted(fleets))}")
    if kind != _kind_of(method, service):
        raise PermanentError(f"{resource_name!r} does not fit method {method}")
    operation = entry.get("operation")
    operation = operation if isinstance(operation, dict) else {}
    return AuditEvent(
        method=method,
        kind=kind,
        ref=ref,
        resource_name=resource_name,
        project=project,
        status_code=status_code,
        first=operation.get("first") is True,
        last=operation.get("last") is True,
    )


def _kind_of(method: str, service: str) -> str:
    if service in REGISTERING_SERVICES:
        return REGISTRATION
    if service == "container.googleapis.com":
        return CLUSTER
    return SCOPE if method.rsplit(".", 1)[-1].endswith(("Scope", "ScopeNamespace")) else MEMBERSHIP


def _as_object(value: object, what: str) -> dict[str, object]:
    if isinstance(value, bytes | str):
        try:
            value = json.loads(value)
        except ValueError as err:
            raise PermanentError(f"{what} is not JSON: {err}") from err
    if not isinstance(value, dict):
        raise PermanentError(f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def _status_code(status: object) -> int:
    # google.rpc.Status: an absent or zero code means the operation succeeded.
    if status is None:
        return 0
    if not isinstance(status, dict):
        raise PermanentError("protoPayload.status must be an object")
    code = status.get("code", 0)
    if code is None:
        return 0
    if not isinstance(code, int) or isinstance(code, bool):
        raise PermanentError(f"protoPayload.status.code must be an integer, got {code!r}")
    return code
