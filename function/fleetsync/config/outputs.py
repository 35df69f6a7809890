"""What a target writes besides its cluster Secrets, and how each option object of
`FLEET_SYNC_CONFIG` is read: AppProjects from fleet scopes (tenancy).
"""

from __future__ import annotations

from dataclasses import dataclass

from fleetsync.config.jsonfields import field_object, field_string, field_typed
from fleetsync.core.labels import is_dns_subdomain

# An AppProject is named prefix + scope id; scope ids are at most 63 characters.
MAX_PREFIX_LENGTH = 253 - 63
TENANCY_KEYS = {"enabled", "prefix", "source_repos", "cluster_resources", "cluster_project"}


@dataclass(frozen=True)
class Tenancy:
    """Team tenancy from fleet scopes: one AppProject per scope, in the target's namespace."""

    enabled: bool = False
    prefix: str = ""  # the AppProject of scope `s` is named prefix + s
    source_repos: tuple[str, ...] = ("*",)
    cluster_resources: bool = False  # allow cluster-scoped resources in the AppProjects
    cluster_project: bool = False  # a cluster bound to one scope gets its AppProject


def read_tenancy(raw: object, path: str, errors: list[str]) -> Tenancy:
    if raw is None:
        return Tenancy()
    body = field_object(raw, path, TENANCY_KEYS, errors)
    flags = {
        key: field_typed(body, key, path, bool, errors, default)
        for key, default in (
            ("enabled", False),
            ("cluster_resources", False),
            ("cluster_project", False),
        )
    }
    prefix = field_string(
        body,
        "prefix",
        path,
        errors,
        "",
        lambda s: len(s) <= MAX_PREFIX_LENGTH and (not s or is_dns_subdomain(s + "a")),
        "the start of an AppProject name (lowercase letters, digits, '-', '.')",
    )
    repos = field_typed(body, "source_repos", path, list, errors, ["*"])
    if not repos or not all(isinstance(r, str) and r for r in repos):
        errors.append(f"{path}.source_repos: must be a non-empty list of repository URLs or '*'")
        repos = ["*"]
    return Tenancy(
        flags["enabled"], prefix, tuple(repos), flags["cluster_resources"], flags["cluster_project"]
    )
