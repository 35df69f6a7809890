"""One GKE Hub call, its pages, and its errors in our terms (google-api-core's exceptions
into RetryableError, AccessError or PermanentError; NOT_FOUND into None)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fleetsync.adapters.unreachable import unreachable_message
from fleetsync.core.errors import (
    ACCESS_STATUSES,
    RETRYABLE_STATUSES,
    AccessError,
    PermanentError,
    RetryableError,
)

T = TypeVar("T")


def drain(pager: Any, field_name: str) -> tuple[list[Any], list[str]]:
    items: list[Any] = []
    unreachable: list[str] = []
    for page in call(lambda: list(pager.pages)) or []:
        items.extend(getattr(page, field_name))
        # Scope and namespace lists have no `unreachable`: scopes are global.
        unreachable.extend(str(u) for u in getattr(page, "unreachable", ()))
    return items, unreachable


def deleting(item: Any) -> bool:
    return state_name(item.state.code) == "DELETING"


def state_name(code: Any) -> str:
    # A value newer than the client library arrives as a plain int, with no `.name`.
    name = getattr(code, "name", None)
    return name if isinstance(name, str) else f"CODE_{int(code)}"


def call(request: Callable[[], T]) -> T | None:
    """Run one Hub call; None for NOT_FOUND, our errors for everything else that fails."""
    from google.api_core import exceptions
    from google.auth.exceptions import RefreshError, TransportError
    from google.protobuf import json_format
    from requests import RequestException  # what google-api-core's REST transport raises

    try:
        return request()
    except exceptions.NotFound:
        return None
    except exceptions.GoogleAPICallError as err:
        code = int(err.code or 0)
        if code in ACCESS_STATUSES:
            raise AccessError(
                f"GKE Hub answered {code}: {err.message}; the function's service account "
                "needs roles/gkehub.viewer on the fleet host project"
            ) from err
        kind = RetryableError if code in RETRYABLE_STATUSES else PermanentError
        raise kind(f"GKE Hub answered {code}: {err.message}") from err
    except (exceptions.RetryError, RequestException, TransportError) as err:
        raise RetryableError(unreachable_message("GKE Hub", "GKEHUB_ENDPOINT", err)) from err
    except RefreshError as err:
        # A 401 made google-auth refresh the token and that failed: maybe later it won't.
        raise AccessError(
            "GKE Hub refused the access token and it could not be refreshed: check "
            "FLEET_SYNC_STATIC_TOKEN if set, else `gcloud auth application-default login`"
        ) from err
    except (AttributeError, ValueError, json_format.Error) as err:
        # The answer could not be read as GKE Hub's: the REST transport's json_format.Parse
        # raises ParseError (not a ValueError) for a body that is not JSON, is cut short, or
        # has a field of the wrong type. A proxy's page or a cut connection passes: retried,
        # with the hint for when it does not (not GKE Hub there, a wrong GKEHUB_ENDPOINT).
        parsed = isinstance(err, json_format.Error)  # its message says what was wrong where
        detail = f" ({' '.join(str(err).split())[:200]})" if parsed else ""
        raise RetryableError(
            f"GKE Hub's answer could not be read{detail}: not GKE Hub's, or cut short on the "
            "way; if this persists, check GKEHUB_ENDPOINT and any proxy in between"
        ) from err
