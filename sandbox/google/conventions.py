"""Google API conventions shared by the emulated services: errors, paging and timestamps.

Error bodies follow https://cloud.google.com/apis/design/errors (`{"error": {code, message,
status}}`); google-api-core turns them into the matching `GoogleAPICallError`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Sequence
from typing import Any

from werkzeug.wrappers import Response

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
MAX_PAGE_SIZE = 1000


# proto3 JSON may carry enums as numbers; clients ask with `$alt=json;enum-encoding=int`.
STATE_CODES = {
    "CODE_UNSPECIFIED": 0,
    "CREATING": 1,
    "READY": 2,
    "DELETING": 3,
    "UPDATING": 4,
    "SERVICE_UPDATING": 5,
}


def encode_enums(body: Any, alt: str) -> Any:
    """Turn every `state.code` into its number when the client asked for int enums."""
    if "enum-encoding=int" not in alt:
        return body
    if isinstance(body, list):
        return [encode_enums(item, alt) for item in body]
    if isinstance(body, dict):
        if isinstance(body.get("code"), str) and body["code"] in STATE_CODES:
            return {**body, "code": STATE_CODES[body["code"]]}
        return {key: encode_enums(value, alt) for key, value in body.items()}
    return body


def now() -> str:
    """The time now as proto3 JSON writes a `google.protobuf.Timestamp` (RFC 3339, UTC, Z)."""
    return (
        datetime.datetime.now(datetime.UTC)
        .isoformat(timespec="microseconds")
        .replace("+00:00", "Z")
    )


class GoogleError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def error_response(code: int, message: str) -> Response:
    status = STATUS_NAMES.get(code, "UNKNOWN")
    return json_response({"error": {"code": code, "message": message, "status": status}}, code)


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
