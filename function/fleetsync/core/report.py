"""What a run did, or in a dry run would do: the answer to every HTTP request and CLI command."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fleetsync.core.model import ClusterSecret
from fleetsync.core.naming import parse_secret_name
from fleetsync.core.planning import CREATE, DELETE, UPDATE, Change, Desired, Plan


@dataclass
class Report:
    """What a run did (or, in a dry run, would do)."""

    dry_run: bool = False
    changes: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    deletes_withheld: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    scopes_kept: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    retryable: bool = False
    refused: str = ""
    paced_seconds: float = 0.0  # writes waited this long for the gateway budget

    def names(self, action: str) -> list[str]:
        return sorted(c["secret"] for c in self.changes if c["action"] == action)

    def absorb(self, other: Report) -> None:
        for name in (
            "changes",
            "conflicts",
            "held",
            "deletes_withheld",
            "unreachable",
            "scopes_kept",
            "warnings",
            "errors",
        ):
            getattr(self, name).extend(getattr(other, name))
        self.unchanged += other.unchanged
        self.retryable = self.retryable or other.retryable
        self.refused = self.refused or other.refused

    def to_json(self) -> dict[str, Any]:
        return {
            "created": self.names(CREATE),
            "updated": self.names(UPDATE),
            "deleted": self.names(DELETE),
            "unchanged": self.unchanged,
            "conflicts": sorted(self.conflicts),
            "errors": self.errors,
            "dry_run": self.dry_run,
            "held": sorted(self.held),
            "deletes_withheld": sorted(self.deletes_withheld),
            "unreachable": sorted(self.unreachable),
            "scopes_kept": sorted(self.scopes_kept),
            "refused": self.refused,
            "paced_seconds": self.paced_seconds,
            "warnings": self.warnings,
            "changes": self.changes,
        }

    @classmethod
    def from_plan(
        cls, plan: Plan, desired: Desired, project_number: str, *, dry_run: bool
    ) -> Report:
        """The report of a plan; incomplete when scope labels could not be derived."""
        return cls(
            dry_run=dry_run,
            changes=[describe(c, project_number) for c in plan.changes],
            unchanged=len(plan.unchanged),
            conflicts=list(plan.conflicts),
            held=list(plan.held),
            deletes_withheld=list(plan.deletes_withheld),
            scopes_kept=list(desired.scopes_kept),
            warnings=[
                *desired.warnings,
                *(
                    f"{name}: no Secret while its membership settles; retried"
                    for name in desired.unsettled
                ),
            ],
            # Retried so scope labels are derived once the bindings can be read, and so a
            # membership settling without an audit entry of ours is seen once it has.
            retryable=bool(desired.scopes_kept or desired.unsettled),
        )

    def summary(self) -> dict[str, Any]:
        """The report without its per-Secret detail, for the one log line of a run."""
        body = self.to_json()
        body.pop("changes")
        body.pop("warnings")
        return body


def membership_of(secret: ClusterSecret, project_number: str) -> str:
    ref = parse_secret_name(secret.name, project_number)
    return str(ref) if ref else ""


def describe(change: Change, project_number: str) -> dict[str, Any]:
    """One change as the report lists it."""
    return {
        "action": change.action,
        "secret": change.secret.name,
        "membership": membership_of(change.secret, project_number),
        "server": change.secret.data.get("server", ""),
        "labels_changed": list(change.labels_changed),
    }
