"""The function's configuration: one frozen object built once from the environment.

No other module reads `os.environ`; `main.py` and the CLI call `Settings.from_env`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from fleetsync.core.errors import PermanentError
from fleetsync.core.labels import Selector, is_dns_subdomain, parse_selector
from fleetsync.core.model import MembershipRef
from fleetsync.core.naming import is_project_number, parse_membership

DEFAULT_GKEHUB_ENDPOINT = "https://gkehub.googleapis.com"
_DNS_LABEL_RE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
# Every variable Settings.from_env reads; the Terraform module's environment must use these.
ENV_VARIABLES = (
    "FLEET_PROJECT_NUMBER",
    "ARGOCD_MEMBERSHIP",
    "ARGOCD_NAMESPACE",
    "ARGOCD_PROJECT",
    "MEMBERSHIP_SELECTOR",
    "GKEHUB_ENDPOINT",
    "CONNECT_GATEWAY_ENDPOINT",
    "FLEET_SYNC_STATIC_TOKEN",
    "MAX_DELETE_FRACTION",
    "SYNC_CONCURRENCY",
    "DRY_RUN",
    "REQUEST_TIMEOUT_SECONDS",
    "GATEWAY_MAX_WRITES_PER_MINUTE",
)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


@dataclass(frozen=True)
class Settings:
    fleet_project_number: str
    argocd_membership: MembershipRef
    argocd_namespace: str = "argocd"
    argocd_project: str = ""
    membership_selector: Selector = field(default_factory=Selector)
    gkehub_endpoint: str = DEFAULT_GKEHUB_ENDPOINT
    connect_gateway_endpoint: str = ""
    static_token: str = ""
    max_delete_fraction: float = 0.5
    concurrency: int = 8
    dry_run: bool = False
    request_timeout_s: float = 20.0
    # A quarter of Connect Gateway's documented 2,400 requests a minute, which Argo CD shares.
    gateway_max_writes_per_minute: int = 600

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Raise PermanentError naming every missing or invalid variable."""
        errors: list[str] = []

        def read(name: str, parse: object, default: object = None) -> object:
            raw = env.get(name, "").strip()
            if not raw and default is not None:
                return default
            try:
                return parse(raw)  # type: ignore[operator]
            except (PermanentError, ValueError) as err:
                errors.append(f"{name}: {err}")
                return default

        values = {
            "fleet_project_number": read("FLEET_PROJECT_NUMBER", _project_number),
            "argocd_membership": read("ARGOCD_MEMBERSHIP", _required_membership),
            "argocd_namespace": read("ARGOCD_NAMESPACE", _namespace, "argocd"),
            "argocd_project": read("ARGOCD_PROJECT", _app_project, ""),
            "membership_selector": read("MEMBERSHIP_SELECTOR", parse_selector, Selector()),
            "gkehub_endpoint": read("GKEHUB_ENDPOINT", _url, DEFAULT_GKEHUB_ENDPOINT),
            "connect_gateway_endpoint": read("CONNECT_GATEWAY_ENDPOINT", _url, ""),
            "static_token": env.get("FLEET_SYNC_STATIC_TOKEN", "").strip(),
            "max_delete_fraction": read("MAX_DELETE_FRACTION", _fraction, 0.5),
            "concurrency": read("SYNC_CONCURRENCY", _concurrency, 8),
            "dry_run": read("DRY_RUN", _boolean, False),
            "request_timeout_s": read("REQUEST_TIMEOUT_SECONDS", _timeout, 20.0),
            "gateway_max_writes_per_minute": read(
                "GATEWAY_MAX_WRITES_PER_MINUTE", _writes_per_minute, 600
            ),
        }
        overridden = "GKEHUB_ENDPOINT" in env and "CONNECT_GATEWAY_ENDPOINT" in env
        if values["static_token"] and not overridden:
            # A fixed token is for the sandbox only; never send it to a Google endpoint.
            errors.append(
                "FLEET_SYNC_STATIC_TOKEN: only allowed together with "
                "GKEHUB_ENDPOINT and CONNECT_GATEWAY_ENDPOINT"
            )
        if errors:
            raise PermanentError("invalid configuration: " + "; ".join(errors))
        return cls(**values)  # type: ignore[arg-type]


def _project_number(raw: str) -> str:
    if not raw:
        raise ValueError("required: the fleet host project number")
    if not is_project_number(raw):
        raise ValueError(f"must be the fleet host project number (digits only), got {raw!r}")
    return raw


def _required_membership(raw: str) -> MembershipRef:
    if not raw:
        raise ValueError("required: the Argo CD cluster's membership, {location}/{id}")
    return parse_membership(raw)


def _namespace(raw: str) -> str:
    if not _DNS_LABEL_RE.fullmatch(raw):
        raise ValueError(f"must be a Kubernetes namespace name, got {raw!r}")
    return raw


def _app_project(raw: str) -> str:
    if not is_dns_subdomain(raw):
        raise ValueError(f"must be an Argo CD AppProject name, got {raw!r}")
    return raw


def _url(raw: str) -> str:
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", raw):
        raise ValueError(f"must be an http(s) URL, got {raw!r}")
    return raw.rstrip("/")


def _fraction(raw: str) -> float:
    value = float(raw)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"must be between 0 and 1, got {raw!r}")
    return value


def _concurrency(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 64:
        raise ValueError(f"must be between 1 and 64, got {raw!r}")
    return value


def _writes_per_minute(raw: str) -> int:
    value = int(raw)
    if not 0 <= value <= 100_000:
        raise ValueError(f"must be between 0 (no budget) and 100000, got {raw!r}")
    return value


def _timeout(raw: str) -> float:
    value = float(raw)
    if not 0.1 <= value <= 300:
        raise ValueError(f"must be between 0.1 and 300 seconds, got {raw!r}")
    return value


def _boolean(raw: str) -> bool:
    if raw.lower() in _TRUE | _FALSE:
        return raw.lower() in _TRUE
    raise ValueError(f"must be true or false, got {raw!r}")
