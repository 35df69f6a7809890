"""Turn a fleet membership into the Argo CD cluster Secret it should have. Pure.

The Secret keeps fleet-argocd-plugin's name, `server` and `config`, so users can switch.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleetsync.core.labels import is_label_key, is_label_value
from fleetsync.core.model import (
    ARGOCD_CONFIG,
    CLUSTER_ANNOTATION,
    GKE,
    KUBERNETES_VERSION_ANNOTATION,
    LABEL_PREFIX,
    LOCATION_ANNOTATION,
    LOCATION_LABEL,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    MEMBERSHIP_ANNOTATION,
    MEMBERSHIP_LABEL,
    OTHER,
    OWNED_DATA_ANNOTATION,
    OWNED_LABELS_ANNOTATION,
    PLATFORM_ANNOTATION,
    PLATFORM_LABEL,
    SCOPE_LABEL_PREFIX,
    SECRET_TYPE_CLUSTER,
    SECRET_TYPE_LABEL,
    TARGET_LABEL,
    UNIQUE_ID_ANNOTATION,
    ClusterSecret,
    Membership,
)
from fleetsync.core.naming import gateway_url, membership_name, secret_name

_RESERVED_PREFIXES = (LABEL_PREFIX, SCOPE_LABEL_PREFIX, "argocd.argoproj.io/")


@dataclass(frozen=True)
class SecretTarget:
    """Where the Secrets point and what they say beyond the membership itself."""

    project_number: str
    argocd_project: str = ""
    gateway_endpoint: str = ""
    name: str = ""  # the target's name; "" writes no target label (the single form)
    # Tenancy's `cluster_project`: a cluster bound to exactly one scope gets that scope's
    # AppProject, named this prefix + the scope id (None: off), if it is one of ours: never
    # hand a cluster to an AppProject someone else made under that name.
    scope_project_prefix: str | None = None
    our_projects: frozenset[str] | None = frozenset()  # None: they could not be read
    previous_names: tuple[str, ...] = ()  # the target's names before a rename: still ours

    @property
    def owners(self) -> tuple[str, ...]:
        """The target labels whose Secrets are this target's: its name, those before a rename."""
        return (self.name, *self.previous_names)

    def scope_project(self, scopes: tuple[str, ...]) -> str:
        """The AppProject a cluster bound to these scopes would get if it is ours, or ""."""
        if self.scope_project_prefix is not None and len(scopes) == 1:
            return self.scope_project_prefix + scopes[0]
        return ""

    def project_of(self, scopes: tuple[str, ...]) -> str:
        """The AppProject a cluster bound to these scopes belongs to."""
        name = self.scope_project(scopes)
        if name and name in (self.our_projects or ()):
            return name
        return self.argocd_project


def render_secret(membership: Membership, target: SecretTarget) -> tuple[ClusterSecret, list[str]]:
    """The desired Secret for a membership, and warnings for labels that could not be copied."""
    name = secret_name(membership.ref, target.project_number)
    copied, warnings = _copyable_labels(membership)
    scope_labels = {SCOPE_LABEL_PREFIX + scope: "true" for scope in membership.scopes or ()}
    scope_labels = {k: v for k, v in scope_labels.items() if is_label_key(k)}
    owned = {**copied, **scope_labels}
    labels = {
        **owned,
        SECRET_TYPE_LABEL: SECRET_TYPE_CLUSTER,
        MANAGED_BY_LABEL: MANAGED_BY_VALUE,
        LOCATION_LABEL: membership.ref.location,
        PLATFORM_LABEL: membership.platform,
        MEMBERSHIP_LABEL: membership.ref.membership,
    }
    if target.name:
        labels[TARGET_LABEL] = target.name
    server = gateway_url(
        membership.ref,
        target.project_number,
        target.gateway_endpoint,
        gke=membership.platform == GKE,
    )
    data = {"name": name, "server": server, "config": ARGOCD_CONFIG}
    project = target.project_of(membership.scopes or ())
    if project:
        data["project"] = project
    annotations = {
        MEMBERSHIP_ANNOTATION: membership_name(target.project_number, membership.ref),
        UNIQUE_ID_ANNOTATION: membership.unique_id,
        LOCATION_ANNOTATION: membership.ref.location,
        PLATFORM_ANNOTATION: membership.platform,
        OWNED_LABELS_ANNOTATION: ",".join(sorted(owned)),
        OWNED_DATA_ANNOTATION: ",".join(sorted(data)),
    }
    if membership.cluster:
        annotations[CLUSTER_ANNOTATION] = membership.cluster
    if membership.kubernetes_version:
        annotations[KUBERNETES_VERSION_ANNOTATION] = membership.kubernetes_version
    return ClusterSecret(name, labels, annotations, data), warnings


def _copyable_labels(membership: Membership) -> tuple[dict[str, str], list[str]]:
    copied: dict[str, str] = {}
    warnings: list[str] = []
    if membership.platform == OTHER:
        warnings.append(
            f"membership {membership.ref} is no GKE cluster and reports no known node "
            "provider: reached through Connect Gateway's memberships/ path"
        )
    for key, value in sorted(membership.labels.items()):
        if key in (SECRET_TYPE_LABEL, MANAGED_BY_LABEL) or key.startswith(_RESERVED_PREFIXES):
            warnings.append(f"label {key!r} of {membership.ref} would overwrite ours; skipped")
        elif not is_label_key(key) or not is_label_value(value):
            warnings.append(f"label {key!r} of {membership.ref} is not a valid Kubernetes label")
        else:
            copied[key] = value
    return copied, warnings
