"""Parse and build every name the sync meets: resource names, Secret names, gateway URLs.

All parsing goes through `parse_resource_name`, which refuses anything but the exact shape,
so a hostile name (`..`, encoded slashes, uppercase, over-long ids) never reaches a URL.
"""

from __future__ import annotations

import re

from fleetsync.core.errors import PermanentError
from fleetsync.core.labels import is_dns_label
from fleetsync.core.model import (
    GATEWAY_HOST_GLOBAL,
    GATEWAY_HOST_REGIONAL,
    GATEWAY_PATH_FORMAT,
    GKE,
    GKE_COLLECTION,
    MEMBER_COLLECTION,
    MEMBERSHIP_NAME_FORMAT,
    OTHER,
    PLATFORMS_BY_PROVIDER,
    SECRET_NAME_FORMAT,
    ClusterId,
    MembershipRef,
)

# Membership ids are RFC 1123 labels (GKE Hub: "at most 63 characters ... lower case
# alphanumeric characters or '-'"); locations are `global` or a region such as us-central1.
# Always `fullmatch`: `$` would also accept a trailing newline.
_LOCATION = r"global|[a-z]+(-[a-z0-9]+)+"
_PROJECT = r"[0-9]{1,20}|[a-z][-a-z0-9]{4,28}[a-z0-9]"
_LOCATION_RE = re.compile(_LOCATION)
_PROJECT_RE = re.compile(_PROJECT)
_PROJECT_NUMBER_RE = re.compile(r"[0-9]{1,20}")

# Collections we accept after `projects/{p}/locations/{l}/`, with the kind they name.
_COLLECTIONS = {"memberships": "membership", "clusters": "cluster", "scopes": "scope"}
# Sub-resources that name their parent: a binding its membership, a namespace its scope.
_CHILDREN = {("memberships", "bindings"), ("scopes", "namespaces")}


def parse_resource_name(name: str) -> tuple[str, str, MembershipRef]:
    """Split `projects/P/locations/L/{memberships|clusters|scopes}/ID[/bindings|namespaces/B]`.

    Zonal cluster names (`projects/P/zones/Z/clusters/C`) are accepted too.

    Returns (project, kind, ref) with kind `membership`, `cluster` or `scope` (whose ref is
    `{location}/{scope id}`); a binding name yields its membership, a fleet namespace its
    scope. Raises PermanentError for any other shape.
    """
    parts = name.split("/") if isinstance(name, str) else []
    if len(parts) == 8 and tuple(parts[4:7:2]) in _CHILDREN and is_dns_label(parts[7]):
        parts = parts[:6]
    if (
        len(parts) != 6
        or parts[0] != "projects"
        or parts[2] not in ("locations", "zones")
        or parts[4] not in _COLLECTIONS
    ):
        raise PermanentError(f"unexpected resource name {name!r}")
    project, location, ident = parts[1], parts[3], parts[5]
    if not _PROJECT_RE.fullmatch(project):
        raise PermanentError(f"invalid project in resource name {name!r}")
    return project, _COLLECTIONS[parts[4]], membership_ref(location, ident)


def parse_registered_cluster(name: str) -> tuple[str, MembershipRef]:
    """Split `projects/P/locations/L[/COLLECTION[/NAME[/...]]]`, a cluster that gkemulticloud
    or gkeonprem registers; an enroll may name only the parent. Returns (project, ref), the
    ref's id `-` where the name holds none."""
    parts = name.split("/") if isinstance(name, str) else []
    if len(parts) < 4 or parts[0] != "projects" or parts[2] != "locations":
        raise PermanentError(f"unexpected resource name {name!r}")
    if not _PROJECT_RE.fullmatch(parts[1]) or not _LOCATION_RE.fullmatch(parts[3]):
        raise PermanentError(f"invalid project or location in resource name {name!r}")
    ident = parts[5] if len(parts) > 5 and is_dns_label(parts[5]) else "-"
    return parts[1], MembershipRef(parts[3], ident)


def membership_ref(location: str, membership: str) -> MembershipRef:
    """Validate a `{location}/{id}` pair; raise PermanentError naming the bad part."""
    if not _LOCATION_RE.fullmatch(location or ""):
        raise PermanentError(f"invalid location {location!r}")
    if not is_dns_label(membership or ""):
        raise PermanentError(f"invalid membership id {membership!r}")
    return MembershipRef(location, membership)


def parse_membership(text: str) -> MembershipRef:
    """Accept `{location}/{id}` or a full membership resource name."""
    if text.startswith("projects/"):
        project, kind, ref = parse_resource_name(text)
        # Exactly a membership's name: not a binding's, not a zonal form.
        if kind != "membership" or text != membership_name(project, ref):
            raise PermanentError(f"{text!r} is not a membership")
        return ref
    location, slash, ident = text.partition("/")
    if not slash:
        raise PermanentError(
            f"expected {{location}}/{{id}} (e.g. global/argocd-hub) or "
            f"projects/{{project}}/locations/{{location}}/memberships/{{id}}, got {text!r}"
        )
    return membership_ref(location, ident)


def fleet_of(text: str) -> str:
    """The project number of a full membership name; "" for `{location}/{id}` or an ID."""
    if not text.startswith("projects/"):
        return ""
    project = parse_resource_name(text)[0]
    return project if is_project_number(project) else ""


def is_resource_id(text: str) -> bool:
    """A membership, scope or fleet namespace id: an RFC 1123 label."""
    return is_dns_label(text)


def is_project_number(text: str) -> bool:
    return bool(_PROJECT_NUMBER_RE.fullmatch(text))


def membership_name(project: str, ref: MembershipRef) -> str:
    return MEMBERSHIP_NAME_FORMAT.format(
        project=project, location=ref.location, membership=ref.membership
    )


def secret_name(ref: MembershipRef, project_number: str) -> str:
    return SECRET_NAME_FORMAT.format(
        membership=ref.membership, location=ref.location, project_number=project_number
    )


def parse_secret_name(name: str, project_number: str) -> MembershipRef | None:
    """The membership a Secret name stands for in this fleet, or None if it is not ours."""
    membership, _, rest = name.partition(".")
    location, _, number = rest.partition(".")
    if number != project_number:
        return None
    try:
        return membership_ref(location, membership)
    except PermanentError:
        return None


def gateway_url(
    ref: MembershipRef, project_number: str, endpoint: str | None = None, *, gke: bool = True
) -> str:
    """Connect Gateway URL of a membership: regional host for a regional membership, the
    global one for `global`; `endpoint` replaces the Google host when set. `gkeMemberships/`
    for a GKE cluster, `memberships/` for any other member."""
    if endpoint:
        host = endpoint.rstrip("/")
    elif ref.location == "global":
        host = GATEWAY_HOST_GLOBAL
    else:
        host = GATEWAY_HOST_REGIONAL.format(location=ref.location)
    return host + GATEWAY_PATH_FORMAT.format(
        project_number=project_number,
        location=ref.location,
        collection=GKE_COLLECTION if gke else MEMBER_COLLECTION,
        membership=ref.membership,
    )


def platform_of(gke_cluster_link: str, node_provider_id: str) -> str:
    """gke, eks, aks, on-prem or other, from what a membership's endpoint reports."""
    if gke_cluster_link:
        return GKE
    scheme = node_provider_id.split(":", 1)[0].lower()
    return PLATFORMS_BY_PROVIDER.get(scheme, OTHER)


def cluster_id(resource_link: str) -> ClusterId | None:
    """The cluster a `//container.googleapis.com/projects/...` link names, if any."""
    prefix = "//container.googleapis.com/"
    if not resource_link.startswith(prefix):
        return None
    try:
        project, kind, ref = parse_resource_name(resource_link[len(prefix) :])
    except PermanentError:
        return None
    return ClusterId(project, ref) if kind == "cluster" else None
