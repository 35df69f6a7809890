"""The sandbox server: one WSGI app with four faces, and the `fleet-sandbox` command.

Paths under /sandbox/ are the control API; /v1/.../gkeMemberships/... is Connect Gateway;
/v1/projects/{project} (and `:testIamPermissions`) is Resource Manager; other /v1/ paths are
GKE Hub. Faults and the request log apply to the emulated APIs only.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from sandbox.commandline import behaviour_of, parse
from sandbox.control.api import Control
from sandbox.events.eventarc import Eventarc
from sandbox.events.logrouter import LogRouter
from sandbox.events.logsinks import LogSinks, log_sink
from sandbox.events.pushpolicy import DEFAULT_TIME_SCALE, time_scale_for
from sandbox.gateway.credentials import admin_kubeconfig
from sandbox.gateway.oauth import handle_token
from sandbox.gateway.routing import GATEWAY_PATH, handle_gateway
from sandbox.google.conventions import error_response, json_response
from sandbox.hub.rest import handle_hub, match_hub
from sandbox.resourcemanager.projects import PROJECT_PATH, handle_projects
from sandbox.state.fleet import FleetId
from sandbox.state.store import Behaviour, Store
from sandbox.tls import issue, serve_tls, server_context, write_client_files

MAX_BODY_BYTES = 3 * 1024 * 1024


class SandboxApp:
    def __init__(
        self, store: Store, log: LogRouter, pubsub_emulator: str = "", ca_pem: bytes = b""
    ) -> None:
        self.store, self.eventarc = store, log.eventarc
        self.control = Control(store, log, pubsub_emulator)
        self.ca_pem = ca_pem  # the CA that signed the sandbox's certificate, served over TLS

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = MAX_BODY_BYTES
        try:
            response = self.dispatch(request)
        except Exception:  # a bug in the sandbox must still answer, and say so
            logging.getLogger(__name__).exception("sandbox error on %s", request.path)
            response = error_response(500, "sandbox internal error")
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/sandbox/"):
            if request.content_length and request.content_length > MAX_BODY_BYTES:
                return json_response({"error": "request body too large"}, 413)
            return self.control(request)
        if path == "/token":
            return handle_token(self.store, request)
        if path in ("/", "/healthz"):
            return json_response(
                {
                    "status": "ok",
                    "project": self.store.project_id,
                    "projectNumber": self.store.project_number,
                    "fleets": [f.to_json() for f in self.store.fleets.values()],
                }
            )
        if not path.startswith("/v1/"):
            return error_response(404, f"The requested URL {path} was not found on this server.")
        response = self._api(request)
        self.store.log_request(request.method, path, response.status_code)
        return response

    def _api(self, request: Request) -> Response:
        path = request.path
        if request.content_length and request.content_length > MAX_BODY_BYTES:
            return error_response(413, "Request payload size exceeds the limit")
        fault = self.store.take_fault(request.method, path)
        unreachable: list[str] = []
        if fault is not None:
            if fault.hold:
                fault.wait_for_release()
            if fault.delay_s:
                time.sleep(fault.delay_s)
            if fault.status:
                return fault.response(path)
            unreachable = fault.unreachable
        if gateway := GATEWAY_PATH.match(path):
            return handle_gateway(self.store, request, gateway, self.ca_pem)
        if hub := match_hub(path):
            return handle_hub(self.store, request, hub[0], hub[1], unreachable)
        if project := PROJECT_PATH.match(path):
            return handle_projects(self.store, request, project)
        return error_response(404, f"The requested URL {path} was not found on this server.")


@dataclass
class RunningSandbox:
    base_url: str
    store: Store
    eventarc: Eventarc
    server: BaseWSGIServer
    thread: threading.Thread
    logsinks: LogSinks
    ca_file: Path | None = None  # served over TLS: the CA that signed its certificate

    @property
    def fleets(self) -> list[FleetId]:
        """Every fleet the sandbox serves, the first (which holds the Argo CD cluster) first."""
        return list(self.store.fleet_ids)

    def stop(self) -> None:
        self.server.shutdown()
        self.eventarc.stop()
        self.logsinks.stop()
        self.thread.join(timeout=5)


def start(
    host: str = "127.0.0.1",
    port: int = 0,
    project_id: str = "acme-fleet",
    project_number: str = "123456789012",
    sinks: list[str] | None = None,
    argocd_membership: str = "global/argocd-hub",
    argocd_namespace: str = "argocd",
    retry_initial_s: float | None = None,
    behaviour: Behaviour | None = None,
    eventarc_time_scale: float | None = None,
    fleets: list[FleetId] | None = None,
    pubsub_emulator: str = "",
    log_sink_topics: list[str] | None = None,
    tls_dir: Path | str | None = None,
) -> RunningSandbox:
    """Serve the sandbox from a background thread; port 0 picks a free port.

    Eventarc's delays are scaled by `eventarc_time_scale`, or by the scale that puts the
    first retry `retry_initial_s` after a failure, or by `DEFAULT_TIME_SCALE`. `fleets` are
    served beside the first fleet (`project_id`, `project_number`). Every audit entry is
    also published to each of `log_sink_topics` on the Pub/Sub emulator at `pubsub_emulator`
    (`host:port`), which is where `POST /sandbox/logsinks` sinks publish too. With `tls_dir`
    it serves HTTPS, and writes there its CA (`ca.pem`) and a kubeconfig for the Argo CD
    cluster through its gateway path, with the admin's token (`kubeconfig`).
    """
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    store = Store(
        project_id, project_number, argocd_membership, argocd_namespace, behaviour, fleets or []
    )
    if eventarc_time_scale is None:
        eventarc_time_scale = (
            DEFAULT_TIME_SCALE if retry_initial_s is None else time_scale_for(retry_initial_s)
        )
    eventarc = Eventarc(sinks or [], eventarc_time_scale)
    if log_sink_topics and not pubsub_emulator:
        raise ValueError("log sink topics need a Pub/Sub emulator (host:port)")
    logsinks = LogSinks(
        [log_sink(t, "", pubsub_emulator, from_flags=True) for t in log_sink_topics or []]
    )
    certificates = issue(host) if tls_dir is not None else None
    ca_pem = certificates.ca_pem if certificates else b""
    app = SandboxApp(store, LogRouter(eventarc, logsinks), pubsub_emulator, ca_pem)
    server = make_server(host, port, app, threaded=True)
    server.daemon_threads = True
    # RFC 3986 3.2.2: an IPv6 literal goes in brackets.
    authority = f"[{host}]:{server.server_port}" if ":" in host else f"{host}:{server.server_port}"
    url = f"http://{authority}"
    ca_file = None
    if tls_dir is not None and certificates is not None:
        directory = Path(tls_dir)
        directory.mkdir(parents=True, exist_ok=True)
        serve_tls(server, server_context(certificates, directory))
        url = f"https://{authority}"
        config = admin_kubeconfig(store, url, certificates.ca_pem)
        ca_file = write_client_files(directory, certificates, config)
    thread = threading.Thread(target=server.serve_forever, name="fleet-sandbox", daemon=True)
    thread.start()
    return RunningSandbox(url, store, eventarc, server, thread, logsinks, ca_file)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    running = start(
        args.host,
        args.port,
        args.project_id,
        args.project_number,
        args.sink,
        args.argocd_membership,
        args.argocd_namespace,
        behaviour=behaviour_of(args),
        eventarc_time_scale=args.eventarc_time_scale,
        fleets=args.fleets,
        pubsub_emulator=args.pubsub_emulator,
        log_sink_topics=args.log_sink_topic,
        tls_dir=args.tls_dir,
    )
    print(f"fleet-sandbox ready at {running.base_url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
