"""Every GKE Hub GET shape the sandbox serves, for every kind of membership it can make,
against the gkehub v1 discovery document: schema, proto3 JSON defaults, enum encoding (both as
names and with `$alt=json;enum-encoding=int`, which google-cloud-gke-hub's REST transport
always sends), and the real form of names, links and ids (`forms`)."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import pytest

from tests.conformance import forms, reference
from tests.conformance.conftest import (
    GLOBAL_MEMBERS,
    INT_ENUMS,
    NUMBER,
    REGIONAL_MEMBERS,
    Conformance,
)
from tests.conformance.discovery import Discovery

BASE = f"/v1/projects/{NUMBER}/locations"
ITEMS = {  # list response -> (its field, the schema of an item)
    "ListMembershipsResponse": ("resources", "Membership"),
    "ListBoundMembershipsResponse": ("memberships", "Membership"),
    "ListMembershipBindingsResponse": ("membershipBindings", "MembershipBinding"),
    "ListScopesResponse": ("scopes", "Scope"),
    "ListScopeNamespacesResponse": ("scopeNamespaces", "Namespace"),
}


class Probe(NamedTuple):
    path: str
    schema: str
    params: dict[str, Any] = {}  # noqa: RUF012 - a NamedTuple default, never mutated
    unreachable: tuple[str, ...] = ()


def _probes() -> dict[str, Probe]:
    found: dict[str, Probe] = {}
    for location, members in (("global", GLOBAL_MEMBERS), ("us-central1", REGIONAL_MEMBERS)):
        for ident in members:
            found[f"memberships.get/{ident}"] = Probe(
                f"{BASE}/{location}/memberships/{ident}", "Membership"
            )
    lists = {
        "memberships.list/-": (f"{BASE}/-/memberships", "ListMembershipsResponse"),
        "memberships.list/global": (f"{BASE}/global/memberships", "ListMembershipsResponse"),
        "memberships.list/us-central1": (
            f"{BASE}/us-central1/memberships", "ListMembershipsResponse"
        ),
        "memberships.list/europe-west1-empty": (
            f"{BASE}/europe-west1/memberships", "ListMembershipsResponse"
        ),
        "bindings.list/-/-": (f"{BASE}/-/memberships/-/bindings", "ListMembershipBindingsResponse"),
        "bindings.list/gke-labelled": (
            f"{BASE}/global/memberships/gke-labelled/bindings", "ListMembershipBindingsResponse"
        ),
        "bindings.list/gke-plain-empty": (
            f"{BASE}/global/memberships/gke-plain/bindings", "ListMembershipBindingsResponse"
        ),
        "scopes.list": (f"{BASE}/global/scopes", "ListScopesResponse"),
        "scopes.namespaces.list/team-a": (
            f"{BASE}/global/scopes/team-a/namespaces", "ListScopeNamespacesResponse"
        ),
        "scopes.namespaces.list/team-b-empty": (
            f"{BASE}/global/scopes/team-b/namespaces", "ListScopeNamespacesResponse"
        ),
        "scopes.listMemberships/team-a": (
            f"{BASE}/global/scopes/team-a:listMemberships", "ListBoundMembershipsResponse"
        ),
        "scopes.listMemberships/team-b": (
            f"{BASE}/global/scopes/team-b:listMemberships", "ListBoundMembershipsResponse"
        ),
    }  # fmt: skip
    for key, (path, schema) in lists.items():
        found[key] = Probe(path, schema)
        found[f"{key}/paged"] = Probe(path, schema, {"pageSize": 2})
    for key in ("memberships.list/-", "bindings.list/-/-", "scopes.listMemberships/team-a"):
        path, schema = lists[key]
        found[f"{key}/unreachable"] = Probe(path, schema, {}, ("us-central1",))
    found["memberships.list/-/filter"] = Probe(
        f"{BASE}/-/memberships", "ListMembershipsResponse", {"filter": "labels.env = prod"}
    )
    gets = {
        "bindings.get/gke-labelled/team-a": "global/memberships/gke-labelled/bindings/team-a",
        "bindings.get/gke-labelled/bind-b": "global/memberships/gke-labelled/bindings/bind-b",
        "bindings.get/made-with-cluster/team-a": (
            "us-central1/memberships/made-with-cluster/bindings/team-a"
        ),
        "scopes.get/team-a": "global/scopes/team-a",
        "scopes.get/team-b": "global/scopes/team-b",
        "scopes.namespaces.get/team-a/web": "global/scopes/team-a/namespaces/web",
        "scopes.namespaces.get/team-a/api": "global/scopes/team-a/namespaces/api",
    }
    for key, tail in gets.items():
        schema = {"bindings": "MembershipBinding", "scopes": "Scope"}.get(key.split(".")[0])
        found[key] = Probe(f"{BASE}/{tail}", "Namespace" if "namespaces" in key else schema or "")
    return found


PROBES = _probes()


@functools.cache
def discovery() -> Discovery:
    return Discovery(reference.load("gkehub.v1.json"))


def check_answer(body: Any, schema: str, alt: str) -> list[str]:
    """Schema and form disagreements of one Hub answer."""
    problems = discovery().check(body, schema, enum_numbers=alt == INT_ENUMS)
    if schema in ITEMS:
        field, kind = ITEMS[schema]
        items = body.get(field, []) if isinstance(body, dict) else []
    else:
        kind, items = schema, [body]
    for item in items:
        if isinstance(item, dict):
            problems += [f"{item.get('name')}: {p}" for p in forms.problems(kind, item)]
    return problems


def read_all(conformance: Conformance, probe: Probe, alt: str) -> list[tuple[int, Any]]:
    """The probe's answer, every page of it for a paged probe."""
    if probe.unreachable:
        conformance.control.fault(match=probe.path, unreachable=list(probe.unreachable))
    pages, params = [], dict(probe.params)
    while True:
        answer = conformance.hub_get(probe.path, alt, **params)
        assert answer.headers["Content-Type"].startswith("application/json"), answer.text[:200]
        pages.append((answer.status_code, answer.json()))
        token = answer.json().get("nextPageToken") if answer.status_code == 200 else None
        if not token or "pageSize" not in params:
            return pages
        params["pageToken"] = token


@pytest.mark.parametrize("alt", ["", INT_ENUMS], ids=["enum-names", "enum-int"])
@pytest.mark.parametrize("shape", sorted(PROBES))
def test_hub_answer_conforms(conformance: Conformance, shape: str, alt: str) -> None:
    probe = PROBES[shape]
    problems: list[str] = []
    pages = read_all(conformance, probe, alt)
    for number, (status, body) in enumerate(pages):
        assert status == 200, body
        problems += [f"page {number}: {p}" for p in check_answer(body, probe.schema, alt)]
    if "pageSize" in probe.params and probe.schema in ITEMS:
        field = ITEMS[probe.schema][0]
        sizes = [len(body.get(field, [])) for _, body in pages]
        if any(size > 2 for size in sizes) or 0 in sizes[:-1]:
            problems.append(f"pages of {sizes} for pageSize 2")
    if probe.unreachable:
        expected = [f"projects/{NUMBER}/locations/{loc}" for loc in probe.unreachable]
        if pages[0][1].get("unreachable") != expected:
            problems.append(f"unreachable {pages[0][1].get('unreachable')} != {expected}")
    assert not problems, "DISAGREE: " + "\nDISAGREE: ".join(problems)


# Which `MembershipEndpoint` field names a member's cluster (the v1 discovery document:
# `gkeCluster`, `multiCloudCluster` for "GKE Multi-Cloud" (attached, AWS, Azure), `onPremCluster`
# for "GKE On-Prem"); a cluster registered by hand off Google Cloud has none of them.
ENDPOINTS = {
    "gke-labelled": "gkeCluster",
    "gke-missing": "gkeCluster",
    "eks-hand": None,
    "generic-hand": None,
    "attached-eks": "multiCloudCluster",
    "aws-one": "multiCloudCluster",
    "azure-one": "multiCloudCluster",
    "vmware-one": "onPremCluster",
    "vmware-admin-one": "onPremCluster",
    "bm-one": "onPremCluster",
}


@pytest.mark.parametrize("ident", sorted(ENDPOINTS))
def test_a_membership_endpoint_names_its_platform(conformance: Conformance, ident: str) -> None:
    endpoint = conformance.hub_get(f"{BASE}/global/memberships/{ident}").json()["endpoint"]
    platforms = {"gkeCluster", "multiCloudCluster", "onPremCluster"} & set(endpoint)
    assert platforms == ({ENDPOINTS[ident]} if ENDPOINTS[ident] else set()), endpoint
    if ident.endswith("-admin-one"):
        assert endpoint["onPremCluster"].get("adminCluster") is True
    if ident == "gke-missing":
        assert endpoint["gkeCluster"].get("clusterMissing") is True
