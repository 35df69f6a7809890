"""What a run did, or in a dry run would do: the answer to every HTTP request and CLI command."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from fleetsync.core.model import ClusterSecret
from fleetsync.core.naming import parse_secret_name
from fleetsync.core.planning import CREATE, DELETE, UPDATE, Change, Desired, Plan


@dataclass(frozen=True)
class ChangeDone:
    """One change a run made (or, in a dry run, would make)."""

    action: str
    secret: str
    membership: str
    server: str
    labels_changed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "secret": self.secret,
            "membership": self.membership,
            "server": self.server,
            "labels_changed": list(self.labels_changed),
        }


@dataclass(frozen=True)
class Report:
    """What a run did (or, in a dry run, would do). Immutable: a run builds new ones."""

    dry_run: bool = False
    changes: tuple[ChangeDone, ...] = ()
    unchanged: int = 0
    conflicts: tuple[str, ...] = ()
    held: tuple[str, ...] = ()
    deletes_withheld: tuple[str, ...] = ()
    unreachable: tuple[str, ...] = ()
    scopes_kept: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    retryable: bool = False
    refused: str = ""
    paced_seconds: float = 0.0  # writes waited this long for the gateway budget

    def names(self, action: str) -> list[str]:
        return sorted(c.secret for c in self.changes if c.action == action)

    def plus(self, other: Report) -> Report:
        """Both runs' outcomes, as one report (a cluster event converges several)."""
        return replace(
            self,
            changes=self.changes + other.changes,
            unchanged=self.unchanged + other.unchanged,
            conflicts=self.conflicts + other.conflicts,
            held=self.held + other.held,
            deletes_withheld=self.deletes_withheld + other.deletes_withheld,
            unreachable=self.unreachable + other.unreachable,
            scopes_kept=self.scopes_kept + other.scopes_kept,
            warnings=self.warnings + other.warnings,
            errors=self.errors + other.errors,
            retryable=self.retryable or other.retryable,
            refused=self.refused or other.refused,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "created": self.names(CREATE),
            "updated": self.names(UPDATE),
            "deleted": self.names(DELETE),
            "unchanged": self.unchanged,
            "conflicts": sorted(self.conflicts),
            "errors": list(self.errors),
            "dry_run": self.dry_run,
            "held": sorted(self.held),
            "deletes_withheld": sorted(self.deletes_withheld),
            "unreachable": sorted(self.unreachable),
            "scopes_kept": sorted(self.scopes_kept),
            "refused": self.refused,
            "paced_seconds": self.paced_seconds,
            "warnings": list(self.warnings),
            "changes": [change.to_json() for change in self.changes],
        }

    @classmethod
    def from_plan(
        cls, plan: Plan, desired: Desired, project_number: str, *, dry_run: bool
    ) -> Report:
        """The report of a plan; incomplete when scope labels could not be derived."""
        return cls(
            dry_run=dry_run,
            changes=tuple(describe(c, project_number) for c in plan.changes),
            unchanged=len(plan.unchanged),
            conflicts=plan.conflicts,
            held=plan.held,
            deletes_withheld=plan.deletes_withheld,
            scopes_kept=desired.scopes_kept,
            warnings=(
                *desired.warnings,
                *(
                    f"{name}: no Secret while its membership settles; retried"
                    for name in desired.unsettled
                ),
            ),
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


def describe(change: Change, project_number: str) -> ChangeDone:
    """One change as the report lists it."""
    return ChangeDone(
        action=change.action,
        secret=change.secret.name,
        membership=membership_of(change.secret, project_number),
        server=change.secret.data.get("server", ""),
        labels_changed=change.labels_changed,
    )
