"""What each command of `fleet-argocd-sync` does, and the exit code it answers.

Exit codes: 0 done or in sync; 2 `plan` found changes pending (withheld deletes, conflicts,
and objects stuck or orphaned included); 1 an error, or a `resync` that refused, withheld,
left stuck or failed anything.
Each command gets the settings and its parsed flags from `main`, which turns a raised
`SyncError` into one line on stderr and exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

from fleetsync.config.settings import Settings
from fleetsync.core.errors import PermanentError
from fleetsync.core.events import AUDIT_LOG_TYPE, parse_audit_event
from fleetsync.core.model import Membership
from fleetsync.core.naming import fleet_of, parse_membership
from fleetsync.core.report import Report
from fleetsync_cli.output import RESYNC_ROWS, ProgressBar, print_report

if TYPE_CHECKING:
    from fleetsync.app.reconcile import Reconciler
    from fleetsync.app.sync import Sync

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def _sync(settings: Settings) -> Sync:
    from fleetsync.app.wiring import connect

    return connect(settings)


def _found(sync: Sync, text: str) -> list[tuple[str, Reconciler, Membership]]:
    """(target, lane, membership) wherever the membership is; an error if nowhere."""
    ref, fleet = parse_membership(text), fleet_of(text)
    if fleet and fleet not in sync.settings.fleets:
        raise PermanentError(f"membership: project {fleet} is not a configured fleet")
    found = []
    for target in sync.targets:
        for number, lane in target.lanes.items():
            membership = lane.read_membership(ref) if fleet in ("", number) else None
            if membership is not None:
                found.append((target.target.name, lane, membership))
    if not found:
        where = fleet or ", ".join(sync.settings.fleets)
        raise PermanentError(f"membership {ref} does not exist in fleet {where}")
    return found


def _one(sync: Sync, text: str, *, dry_run: bool) -> Report:
    _found(sync, text)  # an operator who names a membership means one that exists
    return sync.reconcile_membership(parse_membership(text), fleet=fleet_of(text), dry_run=dry_run)


def plan(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    sync = _sync(settings)
    if args.membership:
        report = _one(sync, args.membership, dry_run=True)
    else:
        report = sync.resync(dry_run=True)
    print_report(report.to_json(), out, output=args.output, wide=args.wide)
    if report.errors or report.retryable:
        return EXIT_ERROR
    # Any target's Secrets or AppProjects pending.
    return EXIT_CHANGES if report.pending else EXIT_OK


def resync(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    sync = _sync(settings)
    dry_run = settings.dry_run
    if dry_run:
        print("DRY_RUN is set: nothing is written", file=sys.stderr)
    if args.membership:
        report = _one(sync, args.membership, dry_run=dry_run)
    else:
        bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
        try:
            report = sync.resync(dry_run=dry_run, force=args.force, progress=bar)
        finally:
            if bar is not None:
                bar.finish()
    rows = None if args.all else RESYNC_ROWS
    print_report(report.to_json(), out, output=args.output, wide=args.wide, max_rows=rows)
    failed = report.errors or report.retryable or report.refused or report.deletes_withheld
    failed = failed or report.stuck
    return EXIT_ERROR if failed else EXIT_OK


def render(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    """The Secret a membership gets in each target (one YAML document each)."""
    import yaml

    documents = []
    for target, lane, membership in _found(_sync(settings), args.membership):
        heading = f"# target {target}\n" if target else ""
        desired = lane.desired([membership], {})
        if not desired.secrets:
            documents.append(
                f"{heading}# {membership.ref} is {membership.state} or does not match the "
                "selector: it gets no Secret\n"
            )
            continue
        (secret,) = desired.secrets.values()
        warnings = "".join(f"# warning: {w}\n" for w in desired.warnings)
        tenancy = lane.settings.tenancy
        if tenancy.enabled and membership.scopes:
            names = ", ".join(tenancy.prefix + scope for scope in membership.scopes)
            warnings += f"# a destination of AppProject {names}\n"
        manifest = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": secret.name,
                "namespace": lane.settings.argocd_namespace,
                "labels": dict(secret.labels),
                "annotations": dict(secret.annotations),
            },
            "type": "Opaque",
            "stringData": dict(secret.data),
        }
        documents.append(heading + warnings + yaml.safe_dump(manifest, sort_keys=False))
    out.write("---\n".join(documents))
    return EXIT_OK


def replay(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    try:
        with open(args.file, encoding="utf-8") as handle:
            loaded = json.load(handle)
    except (OSError, ValueError) as err:
        raise PermanentError(f"cannot read {args.file}: {err}") from err
    entries = loaded if isinstance(loaded, list) else [loaded]
    sync = _sync(settings)
    dry_run = args.dry_run or settings.dry_run
    status = EXIT_OK
    for number, entry in enumerate(entries, start=1):
        entry_id = entry.get("insertId", str(number)) if isinstance(entry, dict) else str(number)
        try:
            event = parse_audit_event(
                {"type": AUDIT_LOG_TYPE, "id": entry_id}, entry, settings.fleets
            )
        except PermanentError as err:
            print(f"entry {entry_id}: ignored: {err}", file=out)
            continue
        report = sync.handle_event(event, dry_run=dry_run)
        print(f"entry {entry_id}: {event.method} {event.resource_name}", file=out)
        print_report(report.to_json(), out)
        if report.errors or report.retryable:
            status = EXIT_ERROR
    return status


COMMANDS = {"plan": plan, "resync": resync, "render": render, "replay": replay}
