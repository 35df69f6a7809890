"""The control API under /sandbox/: change the fleet, inject faults, read what was served.

The observation and tuning endpoints live here; routes in `routes`, views of the
clusters' objects in `views`, and fleet changes, which also log audit entries for
Eventarc, in `changes`.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from sandbox.control.changes import ControlError, FleetChanges
from sandbox.control.routes import ROUTES
from sandbox.control.tuning import TuningError, tune
from sandbox.control.views import appprojects_view, clusterprofiles_view, secrets_view
from sandbox.events.logfilter import LogFilterError
from sandbox.events.logrouter import LogRouter
from sandbox.events.logsinks import log_sink
from sandbox.state.faults import Fault
from sandbox.state.store import Store


def _answer(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


class Control:
    def __init__(self, store: Store, log: LogRouter, pubsub_emulator: str = "") -> None:
        self.store, self.eventarc, self.log_sinks = store, log.eventarc, log.logsinks
        self.pubsub_emulator = pubsub_emulator  # --pubsub-emulator: where new log sinks publish
        self.changes = FleetChanges(store, log)

    def __call__(self, request: Request) -> Response:
        # Operations due on the (possibly injected) clock finish before anything is read.
        self.changes.operations.run_due()
        try:
            endpoint, args = ROUTES.bind_to_environ(request.environ).match()
            if hasattr(self.changes, endpoint):
                body = self._json(request)
                # `?project_number=` names the fleet wherever a body can, and for DELETE;
                # `?method=` picks an unregistering verb (Delete, Unenroll) the same way.
                for field in ("project_number", "method"):
                    if field in request.args:
                        body.setdefault(field, request.args[field])
                result, status = self.changes.apply(endpoint, body, args)
                return _answer(result, status)
            return getattr(self, endpoint)(request, **args)  # type: ignore[no-any-return]
        except HTTPException as err:
            return _answer({"error": err.description}, err.code or 400)
        except ControlError as err:
            return _answer({"error": str(err)}, err.code)

    # --- helpers ----------------------------------------------------------------------

    def _json(self, request: Request) -> dict[str, Any]:
        raw = request.get_data(cache=True)
        try:
            body = json.loads(raw) if raw else {}
        except ValueError as err:
            raise ControlError(400, f"body is not JSON: {err}") from None
        if not isinstance(body, dict):
            raise ControlError(400, "body must be a JSON object")
        return body

    # --- faults, logs, tokens, sinks --------------------------------------------------

    def faults(self, request: Request) -> Response:
        with self.store.lock:
            if request.method == "DELETE":
                for fault in self.store.faults:
                    fault.released.set()  # nothing stays held once its fault is gone
                self.store.faults.clear()
            elif request.method == "POST":
                self.store.faults.append(_fault(self._json(request)))
            return _answer([f.to_json() for f in self.store.faults])

    def release(self, request: Request) -> Response:
        """Let every request held now go on; a hold fault not yet reached stays armed."""
        with self.store.lock:
            for fault in self.store.faults:
                if fault.held:
                    fault.released.set()
            return _answer([f.to_json() for f in self.store.faults])

    def requests(self, request: Request) -> Response:
        with self.store.lock:
            if request.method == "DELETE":
                self.store.requests.clear()
            return _answer(list(self.store.requests))

    def create_token(self, request: Request) -> Response:
        body = self._json(request)
        token, identity = body.get("token"), body.get("identity")
        if not isinstance(token, str) or not token or not isinstance(identity, str):
            raise ControlError(400, "token and identity must be non-empty strings")
        ttl = body.get("ttl_s")
        if ttl is not None and not isinstance(ttl, int | float):
            raise ControlError(400, "ttl_s must be a number")
        with self.store.lock:
            self.store.credentials.accept(token, identity, ttl)
        return _answer({"token": token, "identity": identity}, 201)

    def delete_token(self, request: Request, token: str) -> Response:
        with self.store.lock:
            self.store.credentials.forget(token)
        return _answer({})

    def events(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.eventarc.clear()
        events = [e.summary() for e in list(self.eventarc.events)]
        return _answer({"pending": self.eventarc.pending(), "events": events})

    def sinks(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.eventarc.sinks.clear()
        elif request.method == "POST":
            url = self._json(request).get("url")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise ControlError(400, "url must be an http(s) URL")
            self.eventarc.sinks.append(url)
        return _answer(list(self.eventarc.sinks))

    def logsinks(self, request: Request) -> Response:
        """Cloud Logging sinks to Pub/Sub topics: add one, list them, or remove them all."""
        if request.method == "DELETE":
            self.log_sinks.remove_all()
        elif request.method == "POST":
            body = self._json(request)
            topic, query = body.get("topic"), body.get("filter", "")
            emulator = body.get("pubsub_emulator", self.pubsub_emulator)
            if not isinstance(topic, str) or not isinstance(query, str):
                raise ControlError(400, "topic and filter must be strings")
            if not isinstance(emulator, str) or not emulator:
                raise ControlError(400, "no Pub/Sub emulator: start with --pubsub-emulator "
                                   "HOST:PORT or give pubsub_emulator")  # fmt: skip
            try:
                self.log_sinks.add(log_sink(topic, query, emulator))
            except LogFilterError as err:
                raise ControlError(400, f"invalid filter: {err}") from None
            except ValueError as err:
                raise ControlError(400, str(err)) from None
            return _answer(self.log_sinks.to_json(), 201)
        return _answer(self.log_sinks.to_json())

    def secrets(self, request: Request) -> Response:
        return _answer(secrets_view(self.store, request.args))

    def appprojects(self, request: Request) -> Response:
        return _answer(appprojects_view(self.store, request.args))

    def clusterprofiles(self, request: Request) -> Response:
        return _answer(clusterprofiles_view(self.store, request.args))

    def fleets(self, request: Request) -> Response:
        """Every fleet, the first (the Argo CD cluster's) first."""
        return _answer([fleet.to_json() for fleet in self.store.fleets.values()])

    def oauth(self, request: Request) -> Response:
        """How long new access tokens from /token are honoured, and how many were issued."""
        if request.method == "POST":
            body = self._json(request)
            ttl = body.get("token_ttl_s", self.store.credentials.access_token_ttl_s)
            if not isinstance(ttl, int | float) or ttl < 0:
                raise ControlError(400, "token_ttl_s must be a non-negative number")
            with self.store.lock:
                self.store.credentials.access_token_ttl_s = float(ttl)
                revoked = body.get("revoke_identity")
                if isinstance(revoked, str):
                    self.store.credentials.revoke(revoked)
        credentials = self.store.credentials
        return _answer(
            {"token_ttl_s": credentials.access_token_ttl_s, "issued": credentials.tokens_issued}
        )

    def tuning(self, request: Request) -> Response:
        """How realistic (and slow, and strict) each emulated service is."""
        area = request.path.rsplit("/", 1)[1]
        body = self._json(request) if request.method == "POST" else None
        try:
            return _answer(tune(self.store, self.eventarc, area, body))
        except TuningError as err:
            raise ControlError(400, str(err)) from None

    def reset(self, request: Request) -> Response:
        self.changes.operations.clear()
        self.store.reset()
        self.eventarc.clear()
        self.eventarc.restore_behaviour()
        self.log_sinks.reset()
        return _answer({})


def _fault(body: dict[str, Any]) -> Fault:
    try:
        fault = Fault(
            match=str(body.get("match", "")),
            method=str(body.get("method", "")).upper(),
            status=int(body.get("status", 0)),
            delay_s=float(body.get("delay_s", 0)),
            unreachable=[str(x) for x in body.get("unreachable", [])],
            count=int(body.get("count", 1)),
            hold=body.get("hold", False) is True,
            body=None if body.get("body") is None else str(body["body"]),
            content_type=str(body.get("content_type", "application/json")),
        )
    except (TypeError, ValueError) as err:
        raise ControlError(400, f"invalid fault: {err}") from None
    if fault.body is not None and not fault.status:
        fault.status = 200  # a body alone stands for an answer that looked successful
    if fault.status and not (400 <= fault.status <= 599 or fault.body is not None):
        raise ControlError(400, "status must be an HTTP error code (400-599)")
    if not 0 <= fault.delay_s <= 600 or fault.count < 1:
        raise ControlError(400, "delay_s must be 0-600 and count at least 1")
    return fault
