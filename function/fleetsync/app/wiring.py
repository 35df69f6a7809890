"""Wire a Sync to real adapters: every fleet's GKE Hub, every target's Argo CD cluster
through Connect Gateway, and one write budget per quota holder."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from fleetsync.app.exclusive import ResyncLock, lease_seconds
from fleetsync.app.ports import SecretStore
from fleetsync.app.projects import ProjectReconciler
from fleetsync.app.reconcile import Reconciler
from fleetsync.app.sync import Sync, TargetSync
from fleetsync.config.settings import Settings
from fleetsync.config.targets import Target
from fleetsync.core.errors import SyncError
from fleetsync.core.model import GKE
from fleetsync.core.planning import projects_named

logger = logging.getLogger(__name__)


def connect(
    settings: Settings,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Sync:
    """A Sync wired to every fleet's GKE Hub and every target's Argo CD cluster.

    Connect Gateway's quota is per fleet project, so the write budget is too: one per quota
    holder (the fleet project of the Argo CD cluster), shared by every target writing
    through it and by every event and resync of this instance. (`clock` and `sleep` let
    tests move time.)"""
    from fleetsync.adapters.appprojects import AppProjects
    from fleetsync.adapters.argocd import ArgoCD
    from fleetsync.adapters.credentials import TokenSource
    from fleetsync.adapters.gateway import Gateway
    from fleetsync.adapters.hub import Fleet
    from fleetsync.adapters.leases import Leases
    from fleetsync.adapters.pacing import WriteBudget

    settings = settings if settings.targets else settings.configured()
    tokens = TokenSource(settings.static_token)
    fleets = {n: Fleet(replace(settings, fleet_project_number=n), tokens) for n in settings.fleets}
    sync = Sync(settings)
    budgets: dict[str, WriteBudget] = {}

    def target_sync(target: Target) -> TargetSync:
        # The Argo CD cluster is reached like any member: gkeMemberships/ only for GKE.
        view = settings.lane(target, target.argocd_project_number)
        argocd_cluster = fleets[target.argocd_project_number].get_membership(
            target.argocd_membership
        )
        if argocd_cluster is None:
            logger.warning(
                "the Argo CD membership %s of target %s is not in fleet %s",
                target.argocd_membership,
                target.label,
                target.argocd_project_number,
            )
        gke = argocd_cluster is None or argocd_cluster.platform == GKE
        holder = target.argocd_project_number
        # setdefault, not a test then a store: two targets connecting late, in two requests
        # at once, must still get the one budget of their quota holder.
        per_minute = settings.gateway_max_writes_per_minute
        budget = budgets.setdefault(holder, WriteBudget(per_minute, clock=clock, sleep=sleep))
        gateway = Gateway(view, tokens, gke=gke, budget=budget, clock=clock, sleep=sleep)
        store = ArgoCD(gateway)
        projects = None
        if target.tenancy.enabled:
            named = partial(_named, store, settings.fleets, target.owners)
            projects = ProjectReconciler(view, dict(fleets), AppProjects(gateway), named)
        ours = projects.our_projects if projects else None
        lanes = {
            n: Reconciler(settings.lane(target, n), fleet, store, ours)
            for n, fleet in fleets.items()
        }
        lock = ResyncLock(Leases(gateway), lease_seconds(settings.resync_deadline_s))
        return TargetSync(target, lanes, projects, resync_lock=lock)

    for target in settings.targets:
        if not settings.multi:  # the single form fails as a whole, as it always has
            sync.targets.append(target_sync(target))
            continue
        try:
            sync.targets.append(target_sync(target))
        except SyncError as err:
            logger.error("target %s not connected yet: %s", target.label, err)
            sync.targets.append(TargetSync(target, {}, connect=partial(target_sync, target)))
    return sync


def _named(store: SecretStore, fleets: tuple[str, ...], owners: tuple[str, ...]) -> set[str]:
    return projects_named(store.list_cluster_secrets(), fleets, owners)
