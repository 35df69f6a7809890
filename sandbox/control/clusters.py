"""GKE clusters registered to the fleet at creation: ClusterManager Create/DeleteCluster.

Deleting a cluster removes a membership made with it; a membership registered by hand stays,
with `clusterMissing` (`GkeCluster.cluster_missing` in google/cloud/gkehub/v1/membership.proto).
"""

from __future__ import annotations

from typing import Any

from sandbox.control.changelog import Answer, ChangeLog, ControlError, label_map, member_ref
from sandbox.hub.resources import membership_json


class ClusterChanges(ChangeLog):
    def create_cluster(self, body: dict[str, Any]) -> Answer:
        ref = member_ref(str(body.get("location", "")), str(body.get("name", "")))
        fleet = self.fleet_of(body)
        with self.store.lock:
            if (ref.location, ref.membership) in fleet.memberships:
                raise ControlError(409, f"cluster {ref} already exists")
            record = fleet.add_membership(
                ref.location,
                ref.membership,
                label_map(body.get("labels", {})),
                "READY",
                "",
                at_creation=True,
            )
        name = f"projects/{{project}}/locations/{ref.location}/clusters/{ref.membership}"
        version = "v1beta1" if body.get("api_version") == "v1beta1" else "v1"
        self._emit(
            fleet,
            body,
            "container.googleapis.com",
            f"google.container.{version}.ClusterManager.CreateCluster",
            name,
            {
                "parent": name.rsplit("/", 2)[0],
                "cluster": {"name": ref.membership, "fleet": {"project": fleet.project_id}},
            },
        )
        return membership_json(fleet.project_number, record), 201

    def delete_cluster(self, body: dict[str, Any], location: str, name: str) -> Answer:
        fleet = self.fleet_of(body)
        link = fleet.cluster_link(location, name)
        with self.store.lock:
            linked = [
                r for r in fleet.memberships.values() if r.cluster == link and not r.cluster_missing
            ]
            if not linked:
                raise ControlError(404, f"cluster {location}/{name} not found")
            for record in linked:
                if record.at_creation:
                    fleet.remove_membership(record.location, record.membership)
                else:
                    fleet.lose_cluster(record)
        resource = f"projects/{{project}}/locations/{location}/clusters/{name}"
        self._emit(
            fleet,
            body,
            "container.googleapis.com",
            "google.container.v1.ClusterManager.DeleteCluster",
            resource,
            {"name": resource},
        )
        return {}, 200
