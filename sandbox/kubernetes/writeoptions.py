"""What every write's request carries besides its object: the body as JSON (decoded as Go's
`encoding/json` would refuse it) and the `dryRun` option (meta/v1 `ValidateDryRun`).
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request

from sandbox.kubernetes.conventions import KubeError
from sandbox.kubernetes.fieldvalidation import JSONObject

OPTIONS = {"create": "CreateOptions", "update": "UpdateOptions", "patch": "PatchOptions"}


def request_body(request: Request, allow_empty: bool = False) -> Any:
    raw = request.get_data(cache=True)
    if not raw and allow_empty:
        return None
    try:
        return json.loads(raw, parse_constant=not_json, object_pairs_hook=JSONObject)
    except ValueError as err:
        raise KubeError(400, f"the body of the request could not be decoded: {err}") from None


def not_json(constant: str) -> Any:
    """Python's decoder takes NaN and Infinity; JSON (RFC 8259) and Go's decoder do not."""
    raise ValueError(f"invalid character {constant[0]!r} looking for beginning of value")


def dry_run_asked(request: Request, verb: str) -> bool:
    """Whether the write is a dry run: `dryRun` in the query or, for a DELETE with a body, in
    its DeleteOptions (which is where kubectl puts it; delete.go reads the query only when
    there is no body). Any value but `All` is refused (meta/v1 `ValidateDryRun`)."""
    if verb in ("get", "list"):
        return False
    values = request.args.getlist("dryRun")
    options = request_body(request, allow_empty=True) if verb == "delete" else None
    if isinstance(options, dict):
        values = options.get("dryRun") or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise KubeError(
                400,
                "json: cannot unmarshal into Go struct field DeleteOptions.dryRun of type []string",
            )
    if any(v != "All" for v in values):
        kind = OPTIONS.get(verb, "DeleteOptions")
        detail = (
            f"Unsupported value: []string{{{', '.join(json.dumps(v) for v in values)}}}: "
            'supported values: "All"'
        )
        cause = {"reason": "FieldValueNotSupported", "message": detail, "field": "dryRun"}
        raise KubeError(
            422,
            f'{kind}.meta.k8s.io "" is invalid: dryRun: {detail}',
            details={"group": "meta.k8s.io", "kind": kind, "causes": [cause]},
        )
    return bool(values)
