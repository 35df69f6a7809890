"""The real form of field values a schema types only as strings: resource names, uids, links,
a node's providerID and version strings.

Sources: the gkehub v1 discovery document's field descriptions (resource name patterns,
`resourceLink` examples such as `//container.googleapis.com/projects/my-project/locations/
us-west1-a/clusters/my-cluster`, "Google-generated UUID"), and the Kubernetes NodeSpec
(`providerID` "in the format: <ProviderName>://<ProviderSpecificNodeID>", kubernetes-client
v1_node_spec.py) that `KubernetesMetadata.nodeProviderId` reports.
"""

from __future__ import annotations

import re
from typing import Any

_ID = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?"
_PROJECT = r"(?:\d+|[a-z][-a-z0-9]{4,28}[a-z0-9])"
_LOCATION = r"(?:global|[a-z]+(?:-[a-z]+)*\d+(?:-[a-z])?)"
NAMES = {
    "Membership": rf"projects/\d+/locations/{_LOCATION}/memberships/{_ID}",
    "MembershipBinding": rf"projects/\d+/locations/{_LOCATION}/memberships/{_ID}/bindings/{_ID}",
    "Scope": rf"projects/\d+/locations/global/scopes/{_ID}",
    "Namespace": rf"projects/\d+/locations/global/scopes/{_ID}/namespaces/{_ID}",
    "Operation": rf"projects/{_PROJECT}/locations/{_LOCATION}/operations/[-a-zA-Z0-9_]+",
}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_LINKS = {
    "gkeCluster": rf"//container\.googleapis\.com/projects/{_PROJECT}/(?:locations|zones)/"
    rf"{_LOCATION}/clusters/{_ID}",
    "multiCloudCluster": rf"//gkemulticloud\.googleapis\.com/projects/{_PROJECT}/locations/"
    rf"{_LOCATION}/(?:aws|azure|attached)Clusters/{_ID}",
    "onPremCluster": rf"//gkeonprem\.googleapis\.com/projects/{_PROJECT}/locations/"
    rf"{_LOCATION}/(?:vmware|bareMetal)(?:Admin)?Clusters/{_ID}",
}
_PROVIDER_ID = re.compile(r"[a-zA-Z][-a-zA-Z0-9]*://\S*")
_VERSION = re.compile(r"v\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?")


def problems(kind: str, resource: dict[str, Any]) -> list[str]:
    """How `resource` (a `kind` of the gkehub v1 schemas) is not in its real form."""
    found: list[str] = []
    name = resource.get("name", "")
    if not re.fullmatch(NAMES[kind], name):
        found.append(f"name {name!r} is not a {kind} name ({NAMES[kind]})")
    for key in ("uid", "uniqueId"):
        if key in resource and not _UUID.fullmatch(resource[key]):
            found.append(f"{key} {resource[key]!r} is not a UUID")
    if resource.get("createTime", "") > resource.get("updateTime", "~"):
        found.append("createTime is after updateTime")
    if kind == "MembershipBinding" and not re.fullmatch(NAMES["Scope"], resource.get("scope", "")):
        found.append(f"scope {resource.get('scope')!r} is not a scope name")
    if kind == "Namespace" and not name.startswith(resource.get("scope", "?") + "/"):
        found.append("a namespace's scope is not the scope in its name")
    if kind == "Membership":
        found += _endpoint(resource.get("endpoint", {}))
    return found


def _endpoint(endpoint: dict[str, Any]) -> list[str]:
    found = []
    for key, pattern in _LINKS.items():
        link = endpoint.get(key, {}).get("resourceLink")
        if link is not None and not re.fullmatch(pattern, link):
            found.append(f"endpoint.{key}.resourceLink {link!r} is not a {key} link")
    if len([key for key in _LINKS if key in endpoint]) > 1:
        found.append("an endpoint names clusters of more than one platform")
    metadata = endpoint.get("kubernetesMetadata", {})
    provider = metadata.get("nodeProviderId")
    if provider is not None and not _PROVIDER_ID.fullmatch(provider):
        found.append(
            f"nodeProviderId {provider!r} is not <ProviderName>://<ProviderSpecificNodeID>"
        )
    version = metadata.get("kubernetesApiServerVersion")
    if version is not None and not _VERSION.fullmatch(version):
        found.append(f"kubernetesApiServerVersion {version!r} is not a /version gitVersion")
    if provider and not metadata.get("nodeCount"):
        found.append("a providerID (reported by the first node) in a cluster of no nodes")
    return found
