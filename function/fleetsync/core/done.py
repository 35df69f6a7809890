"""One change a run made (or, in a dry run, would make), as reports list it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fleetsync.core.model import ClusterSecret
from fleetsync.core.naming import parse_secret_name
from fleetsync.core.planning import Change


@dataclass(frozen=True)
class ChangeDone:
    """One change a run made (or, in a dry run, would make)."""

    action: str
    secret: str
    membership: str
    server: str
    labels_changed: tuple[str, ...] = ()
    target: str = ""  # the multi form's target name and fleet
    fleet: str = ""

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "action": self.action,
            "secret": self.secret,
            "membership": self.membership,
            "server": self.server,
            "labels_changed": list(self.labels_changed),
        }
        if self.target:
            body["target"], body["fleet"] = self.target, self.fleet
        return body


@dataclass(frozen=True)
class ProjectDone:
    """One AppProject change a run made (or, in a dry run, would make)."""

    action: str
    name: str
    scope: str
    destinations: int
    target: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "app_project": self.name,
            "scope": self.scope,
            "destinations": self.destinations,
            "target": self.target,
        }


def membership_of(secret: ClusterSecret, project_number: str) -> str:
    ref = parse_secret_name(secret.name, project_number)
    return str(ref) if ref else ""


def describe(change: Change, project_number: str) -> ChangeDone:
    """One change as the report lists it."""
    return ChangeDone(
        action=change.action,
        secret=change.secret.name,
        membership=membership_of(change.secret, project_number),
        server=change.secret.data.get("server", ""),
        labels_changed=change.labels_changed,
    )
