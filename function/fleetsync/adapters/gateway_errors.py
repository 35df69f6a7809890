"""What an answer from Connect Gateway or the Argo CD cluster's API server means for us.

One classifier: a Kubernetes `Status` body comes from the API server, a Google error body
from the gateway itself, and the same code means different things from each (a 404 Status
is "no such Secret", a Google 404 is "cannot reach the cluster" and never "Secret gone").
"""

from __future__ import annotations

import json
from typing import Any

from fleetsync.core.errors import (
    RETRYABLE_STATUSES,
    AccessError,
    ConflictError,
    PermanentError,
    RetryableError,
    SyncError,
)


def classify(  # noqa: PLR0911 - one return per kind of answer
    status: int, body_text: Any, reason_phrase: str, headers: Any, namespace: str
) -> Exception:
    body = _json(body_text)
    is_kubernetes = body.get("kind") == "Status"
    google = body.get("error") if isinstance(body.get("error"), dict) else None
    reason = str(body.get("reason", "")) if is_kubernetes else ""
    message = str(body.get("message") or (google or {}).get("message") or reason_phrase)
    if not is_kubernetes and google is None and status not in RETRYABLE_STATUSES:
        # Neither the API server's Status nor Google's error: something else answers there.
        return RetryableError(
            f"the answer ({status}) was not Connect Gateway's: check CONNECT_GATEWAY_ENDPOINT"
        )
    if status == 404 and is_kubernetes and reason == "NotFound":
        return SecretMissingError(message)
    if status == 410 and reason == "Expired":
        return ExpiredError(message)
    if status == 409:
        return ConflictError(f"{reason or 'Conflict'}: {message}")
    if status == 401:
        return UnauthorizedError(f"Connect Gateway refused our token (401): {message}")
    if status == 403 and is_kubernetes:
        return AccessError(
            f"Argo CD cluster answered 403 Forbidden: {message}; the function's identity "
            f"needs an RBAC Role allowing get, list, create, patch and delete on secrets (and on "
            f"appprojects.argoproj.io, with tenancy) in namespace {namespace} "
            "(terraform output rbac_manifest)"
        )
    if status == 403:
        return AccessError(
            f"Connect Gateway answered 403: {message}; the function's service account "
            "needs roles/gkehub.gatewayEditor on the fleet host project"
        )
    if status == 404:
        # A Google error body: the gateway cannot reach the cluster's agent (or does not
        # know the membership). Never read as "Secret gone".
        return RetryableError(f"Connect Gateway answered 404: {message}")
    if status in RETRYABLE_STATUSES:
        return RetryableError(
            f"Connect Gateway answered {status}: {message}",
            retry_after_s=_retry_after(headers) if status == 429 else None,
        )
    return PermanentError(f"Argo CD cluster answered {status} {reason}: {message}")


class SecretMissingError(PermanentError):
    """The Kubernetes API says the Secret does not exist."""


class ExpiredError(SyncError):
    """410 Expired: a list's `continue` token is too old; the list must start again."""


class UnauthorizedError(RetryableError):
    """401: retried in place once the token is refreshed; an AccessError if it persists."""


def _retry_after(headers: Any) -> float | None:
    """Seconds from a Retry-After header (the delay form; an HTTP date is not waited for)."""
    try:
        value = float((headers or {}).get("Retry-After", ""))
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


def _json(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
