"""Clusters other Google services register to the fleet: GKE attached clusters and GKE on AWS
and Azure (gkemulticloud.googleapis.com), GKE on VMware and on bare metal
(gkeonprem.googleapis.com).

The service creates the cluster's fleet membership itself, in `global` with the cluster's name
as its id, and Cloud Audit Logs records only the service's own call (its `operation.first` and
`operation.last`), never a GKE Hub CreateMembership: the fleet changes without a Hub entry.
Method names are the gRPC services of google.cloud.gkemulticloud.v1 (`AttachedClusters`,
`AwsClusters`, `AzureClusters`, as google-cloud-gke-multicloud's transports call them) and
those the GKE On-Prem API audit logging page lists (`google.cloud.gkeonprem.v1.GkeOnPrem.*`);
request fields follow their `Create*Request`, `Import*Request`, `Enroll*Request`. The v1
membership links the service's cluster in `multiCloudCluster` or `onPremCluster`
(`hub.resources`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.control.changelog import Answer, ChangeLog, ControlError, label_map, member_ref


@dataclass(frozen=True)
class Platform:
    service: str
    interface: str  # the gRPC service the methods belong to
    kind: str  # `AttachedCluster`: the collection is `attachedClusters`
    creates: tuple[str, ...]  # verbs that register; the first is the default
    removes: tuple[str, ...]
    member: str  # the membership's platform (`state.records.PLATFORMS`)

    @property
    def collection(self) -> str:
        return self.kind[0].lower() + self.kind[1:] + "s"


MULTICLOUD, ONPREM = "gkemulticloud.googleapis.com", "gkeonprem.googleapis.com"
GKEONPREM = "google.cloud.gkeonprem.v1.GkeOnPrem"
PLATFORMS = {
    "attached": Platform(
        MULTICLOUD, "google.cloud.gkemulticloud.v1.AttachedClusters", "AttachedCluster",
        ("Create", "Import"), ("Delete",), "generic",
    ),
    "aws": Platform(
        MULTICLOUD, "google.cloud.gkemulticloud.v1.AwsClusters", "AwsCluster",
        ("Create",), ("Delete",), "gke-aws",
    ),
    "azure": Platform(
        MULTICLOUD, "google.cloud.gkemulticloud.v1.AzureClusters", "AzureCluster",
        ("Create",), ("Delete",), "gke-azure",
    ),
    "vmware": Platform(
        ONPREM, GKEONPREM, "VmwareCluster", ("Create", "Enroll"), ("Delete", "Unenroll"), "on-prem"
    ),
    "vmware-admin": Platform(
        ONPREM, GKEONPREM, "VmwareAdminCluster", ("Create", "Enroll"), ("Unenroll",), "on-prem"
    ),
    "baremetal": Platform(
        ONPREM, GKEONPREM, "BareMetalCluster", ("Create", "Enroll"), ("Delete", "Unenroll"),
        "baremetal",
    ),
    "baremetal-admin": Platform(
        ONPREM, GKEONPREM, "BareMetalAdminCluster", ("Create", "Enroll"), ("Unenroll",),
        "baremetal",
    ),
}  # fmt: skip
# An attached cluster's `distribution` (AttachedCluster.distribution) and its nodes' platform.
DISTRIBUTIONS = {"eks": "eks", "aks": "aks", "generic": "generic"}


class RegistrationChanges(ChangeLog):
    def create_registration(self, body: dict[str, Any]) -> Answer:
        platform, key = _platform(body.get("platform")), str(body.get("platform"))
        verb = _verb(body.get("method", platform.creates[0]), platform.creates)
        ref = member_ref(str(body.get("location", "")), str(body.get("name", "")))
        labels = label_map(body.get("labels", {}))
        member = platform.member
        if key == "attached":
            member = DISTRIBUTIONS.get(str(body.get("distribution", "generic")), "")
            if not member:
                raise ControlError(400, f"distribution must be one of {sorted(DISTRIBUTIONS)}")
        fleet, mark = self.fleet_of(body), f"{key}/{ref}"
        with self.store.lock:
            if any(r.registered_by == mark for r in fleet.memberships.values()):
                raise ControlError(409, f"{platform.kind} {ref} already exists")
            if ("global", ref.membership) in fleet.memberships:
                raise ControlError(409, f"membership global/{ref.membership} already exists")
        number = fleet.project_number
        project = number if body.get("audit_project") == "number" else fleet.project_id
        package = platform.interface.rsplit(".", 1)[0]
        resource = (
            f"projects/{{project}}/locations/{ref.location}/{platform.collection}/{ref.membership}"
        )
        membership = f"projects/{number}/locations/global/memberships/{ref.membership}"

        def finish(failed: bool) -> dict[str, Any]:
            if failed:
                return {}
            record = fleet.add_membership(
                "global", ref.membership, labels, "READY", "", platform=member
            )
            record.registered_by = mark
            record.platform_link = f"//{platform.service}/" + resource.replace("{project}", number)
            return {
                "@type": f"type.googleapis.com/{package}.{platform.kind}",
                "name": resource.replace("{project}", project),
                "fleet": {"project": f"projects/{number}", "membership": membership},
            }

        self.operations.run(
            fleet, body, platform.service, f"{platform.interface}.{verb}{platform.kind}",
            resource, _request(platform, verb, resource, number, membership), finish,
        )  # fmt: skip
        return {
            "name": resource.replace("{project}", project),
            "membership": membership,
        }, 201

    def delete_registration(
        self, body: dict[str, Any], platform: str, location: str, name: str
    ) -> Answer:
        kind = _platform(platform)
        verb = _verb(body.get("method", kind.removes[0]), kind.removes)
        fleet, mark = self.fleet_of(body), f"{platform}/{location}/{name}"
        with self.store.lock:
            if not any(r.registered_by == mark for r in fleet.memberships.values()):
                raise ControlError(404, f"{kind.kind} {location}/{name} not found")
        resource = f"projects/{{project}}/locations/{location}/{kind.collection}/{name}"

        def finish(failed: bool) -> dict[str, Any]:
            if not failed:
                fleet.remove_membership("global", name)
            return {}

        method = f"{kind.interface}.{verb}{kind.kind}"
        self.operations.run(fleet, body, kind.service, method, resource, {"name": resource}, finish)
        return {}, 200


def _platform(value: object) -> Platform:
    if not isinstance(value, str) or value not in PLATFORMS:
        raise ControlError(400, f"platform must be one of {list(PLATFORMS)}")
    return PLATFORMS[value]


def _verb(value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ControlError(400, f"method must be one of {list(allowed)}")
    return str(value)


def _request(
    platform: Platform, verb: str, resource: str, number: str, membership: str
) -> dict[str, Any]:
    """The logged request, with the fields of the service's Create, Import or Enroll request."""
    parent, name = resource.rsplit("/", 2)[0], resource.rsplit("/", 1)[1]
    field = platform.collection[:-1]
    if verb == "Import":
        return {"parent": parent, "fleetMembership": membership}
    request: dict[str, Any] = {"parent": parent, f"{field}Id": name}
    if verb == "Create":
        request[field] = {"fleet": {"project": f"projects/{number}"}}
    return request
