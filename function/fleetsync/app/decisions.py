"""The core's Secret decisions in one lane's terms, and the log lines they call for.

A lane is one (target, fleet): its Secrets' target (`SecretTarget`), its selector. What its
memberships ask for, what that plans, which Secrets are ours: the core decides, given the
data. No reads and no writes here; `reconcile` brings the data, in its order.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from fleetsync.config.settings import Settings
from fleetsync.core.events import AuditEvent
from fleetsync.core.model import ClusterSecret, Membership
from fleetsync.core.planning import Plan, is_ours, plan_changes
from fleetsync.core.rendering import SecretTarget
from fleetsync.core.report import Report
from fleetsync.core.verdicts import WANT, Desired, desired_secrets, verdict

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SecretDecisions:
    settings: Settings  # the lane's view: its fleet, target, selector
    target: SecretTarget

    @classmethod
    def of(cls, settings: Settings) -> SecretDecisions:
        target = SecretTarget(
            settings.fleet_project_number,
            settings.argocd_project,
            settings.connect_gateway_endpoint,
            settings.target_name,
            settings.scope_project_prefix,
            previous_names=settings.previous_names,
        )
        return cls(settings, target)

    @property
    def where(self) -> dict[str, str]:
        """The multi form's target and fleet, for every log line (none in the single form)."""
        if not self.target.name:
            return {}
        return {"target": self.target.name, "fleet": self.target.project_number}

    def wants(self, membership: Membership) -> bool:
        """The membership is to have a Secret (so its scopes are worth reading)."""
        return verdict(membership, self.settings.membership_selector)[0] == WANT

    def desired(
        self,
        memberships: Sequence[Membership],
        existing: Mapping[str, ClusterSecret],
        our_projects: Collection[str] | None = None,
        *,
        projects_unreadable: bool = False,
    ) -> Desired:
        """The Secrets these memberships ask for, given the Secrets there and (with tenancy's
        cluster_project) the names of the target's AppProjects that are ours, or that they
        could not be read (then only the Secrets whose `project` depends on them wait)."""
        target = self.target
        if projects_unreadable:
            target = replace(target, our_projects=None)
        elif our_projects is not None:
            target = replace(target, our_projects=frozenset(our_projects))
        return desired_secrets(memberships, existing, self.settings.membership_selector, target)

    def plan(
        self, desired: Desired, existing: Mapping[str, ClusterSecret], *, complete: bool
    ) -> Plan:
        return plan_changes(
            desired.secrets,
            existing,
            project_number=self.target.project_number,
            complete=complete,
            hold=desired.hold,
            owners=self.target.owners,
        )

    def ours(self, secret: ClusterSecret) -> bool:
        return is_ours(secret, self.target.project_number, self.target.owners)

    def log_event(self, event: AuditEvent, report: Report) -> None:
        """The one line of an event handled in this lane."""
        fields: dict[str, object] = {
            "method": event.method,
            "resource": event.resource_name,
            "phase": event.phase,
        }
        if event.status_code:
            fields["operation_status"] = event.status_code
        summary = {**report.summary(), **fields, **self.where}
        logger.info("event handled", extra={"json_fields": summary})

    def report(self, plan: Plan, desired: Desired, dry_run: bool) -> Report:
        """The plan as a report, its warnings and conflicts logged."""
        for warning in desired.warnings:
            logger.warning(warning)
        for name in plan.conflicts:
            logger.warning(
                "Secret %s exists and is not ours; left untouched",
                name,
                extra={"json_fields": {"action": "conflict", "secret": name, **self.where}},
            )
        return Report.from_plan(plan, desired, self.target.project_number, dry_run=dry_run)
