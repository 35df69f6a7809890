"""GKE Hub v1 `projects.locations.operations.get`: the long-running operations Hub methods
return, as `google.longrunning.Operation` (google/longrunning/operations.proto).

Path `v1/{+name}` with `name` `projects/*/locations/*/operations/*` (gkehub v1 discovery
document, `gkehub.projects.locations.operations.get`). `metadata` is a gkehub
`OperationMetadata` (`createTime`, `endTime`, `target`, `verb`, `apiVersion`) with its
`@type`; `done` once finished, then `response` (an `Any` of what the method returns, or
`google.protobuf.Empty` for deletes) or `error` (a `google.rpc.Status`). The operations are
recorded by `hub.operations`, which also logs them.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.google.conventions import GoogleError, omit_defaults
from sandbox.state.fleet import Fleet
from sandbox.state.records import OperationRecord

_BASE = r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
OPERATION_ROUTES = [(re.compile(_BASE + r"/operations/(?P<operation>[^/:]+)$"), "get_operation")]


def operation_key(project_number: str, location: str, ident: str) -> str:
    return f"{project_number}/{location}/{ident}"


def operation_json(record: OperationRecord) -> dict[str, Any]:
    metadata = omit_defaults(
        {
            "@type": f"type.googleapis.com/google.cloud.gkehub.{record.version}.OperationMetadata",
            "createTime": record.create_time,
            "endTime": record.end_time,
            "target": record.target,
            "verb": record.verb,
            "apiVersion": record.version,
        }
    )
    body: dict[str, Any] = omit_defaults({"name": record.name, "done": record.done})
    body["metadata"] = metadata
    if record.error:
        body["error"] = record.error
    elif record.done:
        body["response"] = record.response
    return body


def get_operation(
    operations: dict[str, OperationRecord], fleet: Fleet, match: re.Match[str]
) -> dict[str, Any]:
    record = operations.get(
        operation_key(fleet.project_number, match["location"], match["operation"])
    )
    if record is None:
        name = match.string.removeprefix("/v1/")
        raise GoogleError(404, f"Resource '{name}' was not found")
    return operation_json(record)
