"""The `fleet-sandbox` command line: its flags, their defaults, and their checks.

Every behaviour flag has a control API twin (`control.tuning`); the defaults are `Behaviour()`'s and
`DEFAULT_TIME_SCALE`.
"""

from __future__ import annotations

import argparse

from sandbox.events.pushpolicy import DEFAULT_TIME_SCALE
from sandbox.google.names import project_id_ok, topic_problem
from sandbox.state.fleet import FleetId
from sandbox.state.store import Behaviour


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command's arguments, checked; a bad one exits with a usage message."""
    parser = argparse.ArgumentParser(
        prog="fleet-sandbox",
        description=(
            "Local GKE Hub, Connect Gateway, Eventarc and Kubernetes API for fleet-argocd-sync."
            " Audit-log events reach the function only through --sink (or POST /sandbox/sinks)."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8090, help="port to listen on (0: any free)")
    parser.add_argument("--project-id", default="acme-fleet", help="the fleet host project's ID")
    parser.add_argument(
        "--project-number", default="123456789012", help="the fleet host project's number"
    )
    parser.add_argument(
        "--fleet",
        action="append",
        default=[],
        metavar="PROJECT_ID:PROJECT_NUMBER",
        help="another fleet host project, beside the first one above (repeatable)",
    )
    parser.add_argument(
        "--argocd-membership",
        default="global/argocd-hub",
        help="the pre-registered Argo CD cluster, {location}/{id}",
    )
    parser.add_argument(
        "--argocd-namespace", default="argocd", help="where Argo CD's cluster Secrets go"
    )
    parser.add_argument(
        "--sink",
        action="append",
        default=[],
        help="URL that receives audit-log CloudEvents, e.g. the function's "
        "http://127.0.0.1:8080/ (repeatable; with none, events are only kept for "
        "GET /sandbox/events)",
    )
    parser.add_argument(
        "--pubsub-emulator",
        default="",
        metavar="HOST:PORT",
        help="a Pub/Sub emulator (gcloud beta emulators pubsub start) that log sinks publish to",
    )
    parser.add_argument(
        "--log-sink-topic",
        action="append",
        default=[],
        metavar="projects/P/topics/T",
        help="a Cloud Logging sink exporting every audit entry, of every fleet, to this topic"
        " on --pubsub-emulator (repeatable; more with POST /sandbox/logsinks)",
    )
    parser.add_argument(
        "--tls-dir",
        default=None,
        metavar="DIR",
        help="serve HTTPS with a CA made at start, writing DIR/ca.pem and DIR/kubeconfig (the"
        " Argo CD cluster through its gateway path, as the admin); plain HTTP without it",
    )
    _add_behaviour_arguments(parser)
    args = parser.parse_args(argv)
    if not args.project_number.isdigit():
        parser.error("--project-number must be digits")
    try:
        args.fleets = more_fleets(args.project_id, args.project_number, args.fleet)
    except ValueError as err:
        parser.error(str(err))
    for name in ("operation_delay_s", "gateway_latency_ms", "gateway_quota_rpm", "continue_ttl_s"):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must not be negative")
    _check_log_sinks(parser, args)
    if args.eventarc_time_scale <= 0:
        parser.error("--eventarc-time-scale must be positive")
    return args


def _check_log_sinks(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.log_sink_topic and not args.pubsub_emulator:
        parser.error("--log-sink-topic needs --pubsub-emulator HOST:PORT")
    host, _, port = args.pubsub_emulator.rpartition(":")
    if args.pubsub_emulator and (not host or not port.isdigit()):
        parser.error("--pubsub-emulator must be HOST:PORT")
    for topic in args.log_sink_topic:
        if problem := topic_problem(topic):
            parser.error(f"--log-sink-topic: {problem}")


def more_fleets(project_id: str, project_number: str, values: list[str]) -> list[FleetId]:
    """The fleets `--fleet` adds; ValueError for a malformed value or a project seen before."""
    seen = {project_id, project_number}
    fleets = []
    for value in values:
        ident, _, number = value.partition(":")
        if not project_id_ok(ident) or not number.isdigit():
            raise ValueError(f"--fleet {value!r}: expected PROJECT_ID:PROJECT_NUMBER")
        if ident in seen or number in seen:
            raise ValueError(f"--fleet {value!r}: project already a fleet")
        seen.update((ident, number))
        fleets.append(FleetId(ident, number))
    return fleets


def behaviour_of(args: argparse.Namespace) -> Behaviour:
    return Behaviour(
        operation_delay_s=args.operation_delay_s,
        continue_ttl_s=args.continue_ttl_s,
        gateway_latency_ms=args.gateway_latency_ms,
        gateway_quota_rpm=args.gateway_quota_rpm,
        hub_allow_anonymous=args.hub_allow_anonymous,
    )


# Behaviour fields with a flag of their own: (field, type, help).
BEHAVIOUR_FLAGS = (
    (
        "operation_delay_s",
        float,
        "how long a membership stays CREATING/UPDATING/DELETING (0: done at once)",
    ),
    (
        "continue_ttl_s",
        float,
        "age after which a Kubernetes continue token is refused with 410 Expired",
    ),
    ("gateway_latency_ms", float, "added to every Connect Gateway call (0: off)"),
    ("gateway_quota_rpm", int, "Connect Gateway requests per minute per fleet before 429 (0: off)"),
)


def _add_behaviour_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Behaviour()
    for name, kind, text in BEHAVIOUR_FLAGS:
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, type=kind, default=getattr(defaults, name), help=text)
    parser.add_argument(
        "--eventarc-time-scale",
        type=float,
        default=DEFAULT_TIME_SCALE,
        help=(
            "multiplies Eventarc's delays: real retries start at 10 s, double to 600 s and stop"
            f" after 24 h ({DEFAULT_TIME_SCALE}: first retry after 0.2 s)"
        ),
    )
    parser.add_argument(
        "--hub-allow-anonymous",
        action="store_true",
        help="serve GKE Hub requests that carry no Authorization header",
    )
