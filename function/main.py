"""Cloud Run function entry point `fleet_sync`: audit-log entries (from Eventarc, or from a
Logging sink through Pub/Sub, pushed or by an Eventarc Pub/Sub trigger) and HTTP requests.

Settings are read once at start-up, so a bad configuration stops the instance with a message
naming the variable. The Google and Kubernetes clients are imported on the first request
that needs them, which keeps cold starts short. This module alone maps outcomes to HTTP:
events answer 2xx for anything a retry cannot fix and 503 for what it can (Eventarc and
Pub/Sub redeliver every other answer, for a day or for seven); manual requests
answer 200 with a report, 4xx for a bad request and 503 when trying again may help.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fleetsync.config.settings import Settings
from fleetsync.config.variables import parse_boolean
from fleetsync.core.errors import (
    AccessError,
    NotOursError,
    PermanentError,
    RetryableError,
    SyncError,
)
from fleetsync.core.model import MembershipRef
from fleetsync.core.naming import fleet_of, parse_membership

if TYPE_CHECKING:  # flask comes with functions-framework; imported for its types only
    from flask import Request
    from werkzeug.datastructures import MultiDict

    from fleetsync.app.sync import Sync
    from fleetsync.core.events import AuditEvent

logger = logging.getLogger("fleetsync.main")


def _settings() -> Settings:
    """The configuration, or one line on stderr and exit 1: a bad setting is no crash."""
    try:
        return Settings.from_env(os.environ)
    except PermanentError as err:
        print(f"fleet-argocd-sync cannot start: {err}", file=sys.stderr)
        raise SystemExit(1) from None


SETTINGS = _settings()
MAX_BODY_BYTES = 1024 * 1024
RESYNC_PARAMS = {"dry_run", "force", "membership"}
Answer = tuple[str, int, dict[str, str]]
_sync: Sync | None = None
_sync_lock = threading.Lock()


@dataclass(frozen=True)
class ResyncOptions:
    """The query of `POST /resync`, checked."""

    dry_run: bool = False
    force: bool = False
    membership: MembershipRef | None = None
    fleet: str = ""  # the fleet of a membership given by its full name with a number


def sync() -> Sync:
    """The Sync with its adapters, built on first use and shared by all requests."""
    global _sync  # noqa: PLW0603 - one set of clients per instance
    with _sync_lock:
        if _sync is None:
            from fleetsync.adapters.logs import configure_logging
            from fleetsync.app.wiring import connect

            configure_logging(os.environ.get("GOOGLE_CLOUD_PROJECT", ""))
            _sync = connect(SETTINGS)
        return _sync


def _answer(body: dict[str, Any], status: int) -> Answer:
    return json.dumps(body), status, {"Content-Type": "application/json"}


def fleet_sync(request: Request) -> Answer:
    """HTTP entry point: CloudEvents and Pub/Sub pushes, POST /resync, GET /healthz."""
    from fleetsync.adapters.deliveries import event_of_cloudevent, is_cloudevent

    # A chunked body has no length up front, so the limit holds while reading too.
    body = request.stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES or (request.content_length or 0) > MAX_BODY_BYTES:
        return _answer({"error": f"request body larger than {MAX_BODY_BYTES} bytes"}, 413)
    headers = dict(request.headers)
    path = request.path.rstrip("/") or "/"
    # Events arrive at / only: a stray ce-* header on /resync does not make it an event.
    if path == "/" and is_cloudevent(headers):
        return _handle_event(
            lambda: event_of_cloudevent(request.method, headers, body, SETTINGS.fleets)
        )
    routes = {"/healthz": ({"GET", "HEAD"}, _healthz), "/resync": ({"POST"}, _handle_resync)}
    if path == "/" and request.method == "POST":
        return _handle_push(body)
    if path not in routes:
        return _answer({"error": f"no such path {path}"}, 404)
    methods, handler = routes[path]
    if request.method not in methods:
        return _answer({"error": f"{path} accepts {' or '.join(sorted(methods))} only"}, 405)
    return handler(request)


def _healthz(request: Request) -> Answer:
    return _answer({"status": "ok"}, 200)


def _handle_push(body: bytes) -> Answer:
    """A Pub/Sub push subscription's POST; any other body at / is a bad request."""
    from fleetsync.adapters.deliveries import event_of_push, push_envelope

    if (envelope := push_envelope(body)) is not None:
        return _handle_event(lambda: event_of_push(envelope, SETTINGS.fleets))
    expected = (
        "expected a CloudEvent (ce-specversion and ce-* headers, or Content-Type "
        'application/cloudevents+json) or a Pub/Sub push ({"message": {"data": ...}})'
    )
    return _answer({"error": expected}, 400)


def _handle_event(read: Callable[[], AuditEvent]) -> Answer:
    try:
        event = read()  # before the clients are built: a poison message needs none
        report = sync().handle_event(event, dry_run=SETTINGS.dry_run)
    except RecursionError:  # a structured-mode body nested past the JSON parser's depth
        return _answer({"error": "request body nested too deeply to be a CloudEvent"}, 400)
    except SyncError as err:
        return _failed(err, "event")
    if report.retryable or report.errors:
        return _answer(
            {**report.to_json(), "retry": report.retryable}, 503 if report.retryable else 200
        )
    return _answer(report.to_json(), 200)


def _failed(err: SyncError, what: str) -> Answer:
    """The answer to a run that raised: 503 when a retry may help (401/403 among them:
    grants and RBAC take minutes to propagate, so they are retried, and loud until they
    are); an event that no retry can help is acknowledged, so Eventarc does not redeliver it
    for a day (nor Pub/Sub for seven), and the log keeps the reason: at INFO for an entry
    about something we do not serve, which a folder or organisation sink sends routinely."""
    if isinstance(err, NotOursError):
        logger.info("%s acknowledged, not ours: %s", what, err)
    elif isinstance(err, AccessError):
        logger.error("%s will be retried, access denied: %s", what, err)
    elif isinstance(err, RetryableError):
        logger.warning("%s will be retried: %s", what, err)
    else:
        logger.error("%s failed for good: %s", what, err)
    if isinstance(err, RetryableError):
        return _answer({"error": str(err), "retry": True}, 503)
    if what == "event":
        return _answer({"acknowledged": True, "reason": str(err)}, 200)
    return _answer({"error": str(err), "retry": False}, 500)


def _handle_resync(request: Request) -> Answer:
    try:
        options = _resync_options(request.args)
    except ValueError as err:
        return _answer({"error": str(err)}, 400)
    try:
        if options.membership is not None:
            report = sync().reconcile_membership(
                options.membership, fleet=options.fleet, dry_run=options.dry_run
            )
        else:
            from fleetsync.app.deadline import Deadline

            # Started now, so the request's whole time counts; the next run carries on.
            deadline = Deadline.after(SETTINGS.resync_deadline_s)
            report = sync().resync(dry_run=options.dry_run, force=options.force, deadline=deadline)
    except SyncError as err:
        return _failed(err, "resync")
    held_back = report.refused or report.stuck  # an operator's decision is needed
    status = 503 if report.retryable else 409 if held_back else 500 if report.errors else 200
    body = report.to_json()
    if report.refused:
        body["refused"] += "; repeat with force=true"
    return _answer(body, status)


def _resync_options(query: MultiDict[str, str]) -> ResyncOptions:
    """Raise ValueError naming a bad query parameter; DRY_RUN makes every run a dry run."""
    unknown = set(query) - RESYNC_PARAMS
    if unknown:
        raise ValueError(f"unknown query parameters: {', '.join(sorted(unknown))}")
    # `?dry_run=false&dry_run=true` has no one meaning: refused rather than guessed.
    repeated = sorted(name for name in query if len(query.getlist(name)) > 1)
    if repeated:
        raise ValueError(f"query parameters given more than once: {', '.join(repeated)}")
    args = query.to_dict()
    flags = {}
    for name in ("dry_run", "force"):
        try:
            flags[name] = parse_boolean(args[name]) if args.get(name, "") else False
        except ValueError as err:
            raise ValueError(f"{name} {err}") from err
    membership, fleet = None, ""
    if "membership" in args:
        try:
            membership, fleet = parse_membership(args["membership"]), fleet_of(args["membership"])
        except PermanentError as err:
            raise ValueError(f"membership: {err}") from err
        if fleet and fleet not in SETTINGS.fleets:
            raise ValueError(f"membership: project {fleet} is not a configured fleet")
    return ResyncOptions(flags["dry_run"] or SETTINGS.dry_run, flags["force"], membership, fleet)
