"""Access tokens for GKE Hub and Connect Gateway: Google ADC, or a fixed token for the sandbox.

google-auth refreshes ADC tokens itself when they are close to expiry; `bearer_token()` is
what the Kubernetes client asks for before each request, so a long resync never sends an
expired token.
"""

from __future__ import annotations

import threading
from typing import Any

from fleetsync.core.errors import PermanentError

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


class TokenSource:
    """One set of credentials shared by the Hub client and the Kubernetes client."""

    def __init__(self, static_token: str = "") -> None:
        self._static_token = static_token
        self._lock = threading.Lock()
        self._credentials: Any = None

    @property
    def credentials(self) -> Any:
        """google-auth credentials for google-cloud-gke-hub."""
        with self._lock:
            if self._credentials is None:
                self._credentials = self._load()
            return self._credentials

    def _load(self) -> Any:
        if self._static_token:
            from google.oauth2.credentials import Credentials

            return Credentials(token=self._static_token)  # type: ignore[no-untyped-call]
        import google.auth
        from google.auth.exceptions import DefaultCredentialsError

        try:
            credentials, _ = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
        except DefaultCredentialsError as err:
            raise PermanentError(
                f"no usable Google credentials ({str(err).split('.')[0]}): run `gcloud auth "
                "application-default login` (or, against the sandbox, set "
                "FLEET_SYNC_STATIC_TOKEN with both endpoints)"
            ) from err
        return credentials

    def bearer_token(self, force_refresh: bool = False) -> str:
        """A current access token; refreshed when expiring soon or when asked to."""
        credentials = self.credentials
        if self._static_token:
            return self._static_token
        with self._lock:
            if force_refresh or not credentials.valid:
                from google.auth.transport.requests import Request

                credentials.refresh(Request())
            return str(credentials.token)
