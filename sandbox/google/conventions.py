"""Google API conventions shared by the emulated services: errors, paging and timestamps.

Error bodies follow https://cloud.google.com/apis/design/errors (`{"error": {code, message,
status}}`); google-api-core turns them into the matching `GoogleAPICallError`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import html
import json
from collections.abc import Sequence
from typing import Any

from werkzeug.wrappers import Response

# google.rpc.Code (google/rpc/code.proto): the name each HTTP status travels with, from the
# "HTTP Mapping" comment of each code. Where several names share a status (400:
# INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE; 409: ABORTED, ALREADY_EXISTS; 500:
# INTERNAL, UNKNOWN, DATA_LOSS) the first is the default and `GoogleError.status` picks another.
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_SHARED = {
    "FAILED_PRECONDITION": 400,
    "OUT_OF_RANGE": 400,
    "ALREADY_EXISTS": 409,
    "UNKNOWN": 500,
    "DATA_LOSS": 500,
}
MAX_PAGE_SIZE = 1000


# proto3 JSON carries enums as numbers when the client asks with `$alt=json;enum-encoding=int`
# (google-cloud-gke-hub's REST transport always does). The only enums the sandbox's Hub
# answers hold are the `state.code` of memberships, bindings, scopes and namespaces
# (MembershipState.Code and the *LifecycleState.Code of the gkehub v1 discovery document),
# whose shared names have the same numbers.
STATE_CODES = {
    "CODE_UNSPECIFIED": 0,
    "CREATING": 1,
    "READY": 2,
    "DELETING": 3,
    "UPDATING": 4,
    "SERVICE_UPDATING": 5,
}


def encode_enums(body: Any, alt: str) -> Any:
    """Number every `state.code` when the client asked for int enums, and nothing else:
    a label that happens to be called `code` keeps its string."""
    if "enum-encoding=int" not in alt:
        return body
    return _numbered(body)


def _numbered(body: Any) -> Any:
    if isinstance(body, list):
        return [_numbered(item) for item in body]
    if not isinstance(body, dict):
        return body
    result = {}
    for key, value in body.items():
        if key in ("labels", "namespaceLabels"):
            result[key] = value  # map<string, string>: never enums
        elif key == "state" and isinstance(value, dict) and value.get("code") in STATE_CODES:
            result[key] = {**value, "code": STATE_CODES[value["code"]]}
        else:
            result[key] = _numbered(value)
    return result


def state_json(code: str | int) -> dict[str, Any]:
    """A `*State` message: proto3 JSON leaves out the code when it is the default (0)."""
    return {} if code in ("CODE_UNSPECIFIED", 0) else {"code": code}


def omit_defaults(fields: dict[str, Any]) -> dict[str, Any]:
    """Scalar, list and map fields as proto3 JSON writes them: those holding their default
    ("", 0, false, empty) are left out. Not for message fields, whose presence shows."""
    return {key: value for key, value in fields.items() if value not in ("", 0, [], {}, None)}


def now() -> str:
    """The time now as proto3 JSON writes a `google.protobuf.Timestamp` (RFC 3339, UTC, Z)."""
    return (
        datetime.datetime.now(datetime.UTC)
        .isoformat(timespec="microseconds")
        .replace("+00:00", "Z")
    )


class GoogleError(Exception):
    def __init__(self, code: int, message: str, status: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status  # a google.rpc.Code name other than the status's default


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def error_response(code: int, message: str, status: str = "") -> Response:
    """Google's JSON error (`{"error": {code, message, status}}`, a google.rpc.Status with
    the code's name), or, for an HTTP status no google.rpc.Code maps to (405, 413, 502...),
    the HTML page Google's front end answers those with itself."""
    name = status if _SHARED.get(status) == code else STATUS_NAMES.get(code)
    if name is None:
        return front_end_page(code, message)
    return json_response({"error": {"code": code, "message": message, "status": name}}, code)


def front_end_page(code: int, message: str) -> Response:
    """The Google front end's own error page (text/html, "That's an error.")."""
    text = html.escape(message)
    page = (
        "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
        f"  <title>Error {code}</title>\n"
        f"  <p><b>{code}.</b> <ins>That\u2019s an error.</ins>\n"
        f"  <p>{text}  <ins>That\u2019s all we know.</ins>\n"
    )
    return Response(page, status=code, mimetype="text/html")


def page(
    items: Sequence[Any], page_size: str | None, page_token: str | None
) -> tuple[list[Any], str]:
    """One page of `items` and the token of the next, as AIP-158 describes.

    GKE Hub's list requests say "If unspecified or set to 0, all resources will be returned"
    (google/cloud/gkehub/v1/service.proto); a larger size than the maximum is coerced down.
    """
    try:
        size = int(page_size) if page_size else 0
    except ValueError:
        raise GoogleError(400, f"Invalid value for pageSize: {page_size!r}") from None
    if size < 0:
        raise GoogleError(400, "pageSize must not be negative")
    start = _decode_token(page_token) if page_token else 0
    end = start + min(size, MAX_PAGE_SIZE) if size else len(items)
    token = base64.urlsafe_b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return list(items[start:end]), token


def _decode_token(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        prefix, _, offset = text.partition(":")
        if prefix != "offset" or not offset.isdigit():
            raise ValueError(token)
        return int(offset)
    except ValueError:
        raise GoogleError(400, "Invalid page token") from None


def jwt_claims(token: str) -> tuple[str | None, float]:
    """Issuer and expiry of a JWT, unverified: (None, 0) when it is not one.

    Google accepts a service account's self-signed JWT as a bearer token, and google-auth
    sends one to APIs such as GKE Hub; the sandbox trusts whoever holds a key file.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None, 0.0
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None, 0.0
    if not isinstance(claims, dict) or not isinstance(claims.get("iss"), str):
        return None, 0.0
    expiry = claims.get("exp")
    return claims["iss"] or None, float(expiry) if isinstance(expiry, int | float) else 0.0
