"""`fleet-argocd-sync`: plan, resync, render and replay from a workstation.

The same configuration as the function (environment variables, overridable by flags) and the
same core, so what `plan` shows is what the function would do.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from fleetsync.errors import PermanentError, SyncError
from fleetsync.events import AUDIT_LOG_TYPE, parse_audit_event
from fleetsync.naming import parse_membership
from fleetsync.planning import desired_secrets
from fleetsync.settings import Settings

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
FLAGS = {
    "project_number": "FLEET_PROJECT_NUMBER",
    "argocd_membership": "ARGOCD_MEMBERSHIP",
    "namespace": "ARGOCD_NAMESPACE",
    "app_project": "ARGOCD_PROJECT",
    "selector": "MEMBERSHIP_SELECTOR",
    "gkehub_endpoint": "GKEHUB_ENDPOINT",
    "gateway_endpoint": "CONNECT_GATEWAY_ENDPOINT",
    "token": "FLEET_SYNC_STATIC_TOKEN",
}


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="fleet-argocd-sync",
        description="See and apply what fleet-argocd-sync does to Argo CD cluster Secrets.",
    )
    config = root.add_argument_group("configuration (default: the environment variables)")
    for flag, variable in FLAGS.items():
        config.add_argument(f"--{flag.replace('_', '-')}", dest=flag, help=f"overrides {variable}")
    root.add_argument("-v", "--verbose", action="store_true", help="log every step to stderr")
    commands = root.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="show what a resync would change (exit 2 if anything)")
    plan.add_argument("--output", choices=["table", "json"], default="table")
    plan.add_argument("--membership", help="only this {location}/{id}")
    resync = commands.add_parser("resync", help="make the Secrets equal to the fleet")
    resync.add_argument("--force", action="store_true", help="pass the mass-delete guard")
    resync.add_argument("--membership", help="only this {location}/{id}")
    resync.add_argument("--output", choices=["table", "json"], default="table")
    render = commands.add_parser("render", help="print the Secret a membership gets, as YAML")
    render.add_argument("membership", help="{location}/{id}")
    replay = commands.add_parser("replay", help="feed saved audit-log entries to the event path")
    replay.add_argument("file", help="a LogEntry, or a list of them, as JSON (gcloud logging read)")
    replay.add_argument("--dry-run", action="store_true", help="report without writing")
    return root


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(message)s",
    )
    try:
        settings = Settings.from_env(_environment(args, os.environ if env is None else env))
        return COMMANDS[args.command](settings, args, sys.stdout)
    except SyncError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_ERROR


def _environment(args: argparse.Namespace, env: Mapping[str, str]) -> dict[str, str]:
    merged = dict(env)
    for flag, variable in FLAGS.items():
        if getattr(args, flag) is not None:
            merged[variable] = getattr(args, flag)
    return merged


def _reconciler(settings: Settings) -> Any:
    from fleetsync.reconcile import connect

    return connect(settings)


def _plan(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    reconciler = _reconciler(settings)
    if args.membership:
        report = reconciler.reconcile_membership(parse_membership(args.membership), dry_run=True)
    else:
        report = reconciler.resync(dry_run=True)
    _print_report(report.to_json(), args.output, out)
    if report.errors or report.retryable:
        return EXIT_ERROR
    return EXIT_CHANGES if report.changes else EXIT_OK


def _resync(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    reconciler = _reconciler(settings)
    if args.membership:
        report = reconciler.reconcile_membership(parse_membership(args.membership))
    else:
        bar = _ProgressBar(sys.stderr) if sys.stderr.isatty() else None
        report = reconciler.resync(force=args.force, progress=bar)
        if bar is not None:
            bar.finish()
    _print_report(report.to_json(), args.output, out)
    failed = report.errors or report.retryable or report.refused
    return EXIT_ERROR if failed else EXIT_OK


def _render(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    import yaml

    ref = parse_membership(args.membership)
    reconciler = _reconciler(settings)
    membership = reconciler.read_membership(ref)
    if membership is None:
        raise PermanentError(
            f"membership {ref} does not exist in fleet {settings.fleet_project_number}"
        )
    desired = desired_secrets([membership], {}, settings.membership_selector, reconciler.target)
    warnings = desired.warnings
    if not desired.secrets:
        print(
            f"# {ref} is {membership.state} or does not match the selector: it gets no Secret",
            file=out,
        )
        return EXIT_OK
    (secret,) = desired.secrets.values()
    for warning in warnings:
        print(f"# warning: {warning}", file=out)
    manifest = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": secret.name,
            "namespace": settings.argocd_namespace,
            "labels": dict(secret.labels),
            "annotations": dict(secret.annotations),
        },
        "type": "Opaque",
        "stringData": dict(secret.data),
    }
    out.write(yaml.safe_dump(manifest, sort_keys=False))
    return EXIT_OK


def _replay(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    try:
        with open(args.file, encoding="utf-8") as handle:
            loaded = json.load(handle)
    except (OSError, ValueError) as err:
        raise PermanentError(f"cannot read {args.file}: {err}") from err
    entries = loaded if isinstance(loaded, list) else [loaded]
    reconciler = _reconciler(settings)
    status = EXIT_OK
    for number, entry in enumerate(entries, start=1):
        entry_id = entry.get("insertId", str(number)) if isinstance(entry, dict) else str(number)
        try:
            event = parse_audit_event(
                {"type": AUDIT_LOG_TYPE, "id": entry_id}, entry, settings.fleet_project_number
            )
        except PermanentError as err:
            print(f"entry {entry_id}: ignored: {err}", file=out)
            continue
        report = reconciler.handle_event(event, dry_run=args.dry_run)
        print(f"entry {entry_id}: {event.method} {event.resource_name}", file=out)
        _print_report(report.to_json(), "table", out)
        if report.errors or report.retryable:
            status = EXIT_ERROR
    return status


def _print_report(report: dict[str, Any], output: str, out: TextIO) -> None:
    if output == "json":
        json.dump(report, out, indent=2)
        out.write("\n")
        return
    rows = [
        [
            c["action"],
            c["secret"],
            c["membership"],
            c["server"],
            " ".join(c["labels_changed"]) or "-",
        ]
        for c in report["changes"]
    ]
    if rows:
        out.write(_table(rows, ["ACTION", "SECRET", "MEMBERSHIP", "SERVER", "LABELS CHANGED"]))
    summary = (
        f"{len(report['created'])} to create, {len(report['updated'])} to update, "
        f"{len(report['deleted'])} to delete, {report['unchanged']} unchanged"
    )
    if not report["dry_run"]:
        summary = summary.replace(" to ", " ")
    out.write(summary + (" (dry run)" if report["dry_run"] else "") + "\n")
    labels = ("conflicts", "held", "deletes_withheld", "unreachable", "scopes_kept", "errors")
    for label in (*labels, "warnings"):
        for item in report.get(label, []):
            out.write(f"{label.replace('_', ' ')}: {item}\n")
    if report["refused"]:
        out.write(f"refused: {report['refused']}\n")
    if report.get("paced_seconds"):
        out.write(
            f"paced: writes waited {report['paced_seconds']:.1f} s in all for the gateway "
            "budget (GATEWAY_MAX_WRITES_PER_MINUTE)\n"
        )


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    ]
    return "\n".join(lines) + "\n"


class _ProgressBar:
    """A one-line progress bar on a terminal, for resyncs of large fleets."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream, self.width = stream, width

    def __call__(self, done: int, total: int, paced_s: float = 0.0) -> None:
        filled = self.width * done // max(total, 1)
        paced = f", paced by the gateway budget ({paced_s:.0f} s waited)" if paced_s >= 1 else ""
        bar = f"[{'#' * filled}{'.' * (self.width - filled)}]"
        self.stream.write(f"\r{bar} {done}/{total} writes{paced}")
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")


COMMANDS = {"plan": _plan, "resync": _resync, "render": _render, "replay": _replay}
