"""The control API under /sandbox/: change the fleet, inject faults, read what was served.

Fleet changes made here are logged as Cloud Audit Logs entries and handed to Eventarc, the
way a `gcloud container fleet memberships ...` call would be.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from fleetsync.errors import PermanentError
from fleetsync.naming import membership_ref
from sandbox.eventarc import Eventarc, audit_entry
from sandbox.store import MEMBERSHIP_STATES, BindingRecord, Fault, Store, Token, now

HUB_SERVICES = {
    "v1": "google.cloud.gkehub.v1.GkeHub",
    "v1beta": "google.cloud.gkehub.v1beta.GkeHub",
    "v1alpha": "google.cloud.gkehub.v1alpha.GkeHub",
    "v1beta1": "google.cloud.gkehub.v1beta1.GkeHubMembershipService",
}
ROUTES = Map(
    [
        Rule("/sandbox/memberships", methods=["POST"], endpoint="create_membership"),
        Rule("/sandbox/memberships:batch", methods=["POST"], endpoint="create_memberships"),
        Rule(
            "/sandbox/memberships/<location>/<ident>",
            methods=["PATCH"],
            endpoint="update_membership",
        ),
        Rule(
            "/sandbox/memberships/<location>/<ident>",
            methods=["DELETE"],
            endpoint="delete_membership",
        ),
        Rule("/sandbox/bindings", methods=["POST"], endpoint="create_binding"),
        Rule(
            "/sandbox/bindings/<location>/<ident>/<binding>",
            methods=["DELETE"],
            endpoint="delete_binding",
        ),
        Rule("/sandbox/clusters", methods=["POST"], endpoint="create_cluster"),
        Rule("/sandbox/clusters/<location>/<name>", methods=["DELETE"], endpoint="delete_cluster"),
        Rule("/sandbox/faults", methods=["GET", "POST", "DELETE"], endpoint="faults"),
        Rule("/sandbox/requests", methods=["GET", "DELETE"], endpoint="requests"),
        Rule("/sandbox/tokens", methods=["POST"], endpoint="create_token"),
        Rule("/sandbox/tokens/<token>", methods=["DELETE"], endpoint="delete_token"),
        Rule("/sandbox/events", methods=["GET", "DELETE"], endpoint="events"),
        Rule("/sandbox/sinks", methods=["GET", "POST", "DELETE"], endpoint="sinks"),
        Rule("/sandbox/secrets", methods=["GET"], endpoint="secrets"),
        Rule("/sandbox/oauth", methods=["GET", "POST"], endpoint="oauth"),
        Rule("/sandbox/reset", methods=["POST"], endpoint="reset"),
    ]
)


class ControlError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _answer(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


class Control:
    def __init__(self, store: Store, eventarc: Eventarc) -> None:
        self.store, self.eventarc = store, eventarc

    def __call__(self, request: Request) -> Response:
        try:
            endpoint, args = ROUTES.bind_to_environ(request.environ).match()
            return getattr(self, endpoint)(request, **args)  # type: ignore[no-any-return]
        except HTTPException as err:
            return _answer({"error": err.description}, err.code or 400)
        except ControlError as err:
            return _answer({"error": str(err)}, err.code)
        except PermanentError as err:
            return _answer({"error": str(err)}, 400)

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

    def _emit(
        self,
        body: dict[str, Any],
        service: str,
        method: str,
        resource: str,
        request: dict[str, Any],
        result: dict[str, Any],
    ) -> None:
        """Log the change as a long-running operation: a `first` and a `last` entry."""
        if body.get("emit", True) is False:
            return
        project = (
            self.store.project_number
            if body.get("audit_project") == "number"
            else self.store.project_id
        )
        resource = resource.replace("{project}", project)
        request = json.loads(json.dumps(request).replace("{project}", project))
        operation = f"operation-{int(time.time() * 1000)}-{uuid.uuid4().hex[:8]}"
        started = {
            "@type": "type.googleapis.com/google.longrunning.Operation",
            "name": f"projects/{project}/locations/global/operations/{operation}",
        }
        for phase, response in (("first", started), ("last", result)):
            self.eventarc.publish(
                self.store.project_id,
                audit_entry(
                    self.store.project_id,
                    service,
                    method,
                    resource,
                    operation,
                    phase,
                    request,
                    response,
                ),
            )

    def _hub_method(self, body: dict[str, Any], verb: str) -> str:
        version = body.get("api_version", "v1")
        if version not in HUB_SERVICES:
            raise ControlError(400, f"api_version must be one of {sorted(HUB_SERVICES)}")
        return f"{HUB_SERVICES[version]}.{verb}"

    def _membership_name(self, location: str, ident: str) -> str:
        return f"projects/{{project}}/locations/{location}/memberships/{ident}"

    # --- memberships ------------------------------------------------------------------

    def create_membership(self, request: Request) -> Response:
        body = self._json(request)
        record = self._add_membership(body)
        name = self._membership_name(record.location, record.membership)
        membership = self.store.membership_json(self.store.project_id, record)
        self._emit(
            body,
            "gkehub.googleapis.com",
            self._hub_method(body, "CreateMembership"),
            name,
            {"parent": name.rsplit("/", 2)[0], "membershipId": record.membership},
            {**membership, "@type": "type.googleapis.com/google.cloud.gkehub.v1.Membership"},
        )
        return _answer(membership, 201)

    def create_memberships(self, request: Request) -> Response:
        body = self._json(request)
        items = body.get("memberships")
        if not isinstance(items, list):
            raise ControlError(400, "memberships must be a list")
        for item in items:
            self._add_membership(item if isinstance(item, dict) else {})
        return _answer({"created": len(items)}, 201)

    def _add_membership(self, body: dict[str, Any]) -> Any:
        ref = membership_ref(str(body.get("location", "")), str(body.get("id", "")))
        labels = _labels(body.get("labels", {}))
        state = body.get("state", "READY")
        if state not in MEMBERSHIP_STATES:
            raise ControlError(400, f"state must be one of {list(MEMBERSHIP_STATES)}")
        with self.store.lock:
            if (ref.location, ref.membership) in self.store.memberships:
                raise ControlError(409, f"membership {ref} already exists")
            return self.store.add_membership(
                ref.location, ref.membership, labels, state, str(body.get("cluster", ""))
            )

    def update_membership(self, request: Request, location: str, ident: str) -> Response:
        body = self._json(request)
        with self.store.lock:
            record = self.store.memberships.get((location, ident))
            if record is None:
                raise ControlError(404, f"membership {location}/{ident} not found")
            if "labels" in body:
                record.labels = _labels(body["labels"])
            if "state" in body:
                if body["state"] not in MEMBERSHIP_STATES:
                    raise ControlError(400, f"state must be one of {list(MEMBERSHIP_STATES)}")
                record.state = body["state"]
            record.update_time = now()
            membership = self.store.membership_json(self.store.project_id, record)
        name = self._membership_name(location, ident)
        self._emit(
            body,
            "gkehub.googleapis.com",
            self._hub_method(body, "UpdateMembership"),
            name,
            {"name": name, "updateMask": ",".join(k for k in body if k in ("labels", "state"))},
            membership,
        )
        return _answer(membership)

    def delete_membership(self, request: Request, location: str, ident: str) -> Response:
        body = self._json(request)
        if self.store.remove_membership(location, ident) is None:
            raise ControlError(404, f"membership {location}/{ident} not found")
        name = self._membership_name(location, ident)
        self._emit(
            body,
            "gkehub.googleapis.com",
            self._hub_method(body, "DeleteMembership"),
            name,
            {"name": name},
            {},
        )
        return _answer({})

    # --- bindings ---------------------------------------------------------------------

    def create_binding(self, request: Request) -> Response:
        body = self._json(request)
        location, _, ident = str(body.get("membership", "")).partition("/")
        scope = str(body.get("scope", ""))
        membership_ref("global", scope or "-")
        binding = str(body.get("id") or scope)
        membership_ref(location or "-", binding)
        with self.store.lock:
            if (location, ident) not in self.store.memberships:
                raise ControlError(404, f"membership {location}/{ident} not found")
            key = (location, ident, binding)
            if key in self.store.bindings:
                raise ControlError(409, f"binding {binding} already exists")
            self.store.scopes.setdefault(scope, str(uuid.uuid4()))
            record = self.store.bindings[key] = BindingRecord(location, ident, binding, scope)
            result = self.store.binding_json(self.store.project_id, record)
        name = self._membership_name(location, ident) + f"/bindings/{binding}"
        self._emit(
            body,
            "gkehub.googleapis.com",
            self._hub_method(body, "CreateMembershipBinding"),
            name,
            {"parent": name.rsplit("/", 2)[0], "membershipBindingId": binding},
            result,
        )
        return _answer(result, 201)

    def delete_binding(self, request: Request, location: str, ident: str, binding: str) -> Response:
        body = self._json(request)
        with self.store.lock:
            if self.store.bindings.pop((location, ident, binding), None) is None:
                raise ControlError(404, f"binding {location}/{ident}/{binding} not found")
        name = self._membership_name(location, ident) + f"/bindings/{binding}"
        self._emit(
            body,
            "gkehub.googleapis.com",
            self._hub_method(body, "DeleteMembershipBinding"),
            name,
            {"name": name},
            {},
        )
        return _answer({})

    # --- clusters registered at creation ----------------------------------------------

    def create_cluster(self, request: Request) -> Response:
        body = self._json(request)
        ref = membership_ref(str(body.get("location", "")), str(body.get("name", "")))
        with self.store.lock:
            if (ref.location, ref.membership) in self.store.memberships:
                raise ControlError(409, f"cluster {ref} already exists")
            record = self.store.add_membership(
                ref.location, ref.membership, _labels(body.get("labels", {})), "READY", ""
            )
        name = f"projects/{{project}}/locations/{ref.location}/clusters/{ref.membership}"
        version = "v1beta1" if body.get("api_version") == "v1beta1" else "v1"
        self._emit(
            body,
            "container.googleapis.com",
            f"google.container.{version}.ClusterManager.CreateCluster",
            name,
            {
                "parent": name.rsplit("/", 2)[0],
                "cluster": {"name": ref.membership, "fleet": {"project": self.store.project_id}},
            },
            {},
        )
        return _answer(self.store.membership_json(self.store.project_id, record), 201)

    def delete_cluster(self, request: Request, location: str, name: str) -> Response:
        body = self._json(request)
        if self.store.remove_membership(location, name) is None:
            raise ControlError(404, f"cluster {location}/{name} not found")
        resource = f"projects/{{project}}/locations/{location}/clusters/{name}"
        self._emit(
            body,
            "container.googleapis.com",
            "google.container.v1.ClusterManager.DeleteCluster",
            resource,
            {"name": resource},
            {},
        )
        return _answer({})

    # --- faults, logs, tokens, sinks --------------------------------------------------

    def faults(self, request: Request) -> Response:
        with self.store.lock:
            if request.method == "DELETE":
                self.store.faults.clear()
            elif request.method == "POST":
                self.store.faults.append(_fault(self._json(request)))
            return _answer([f.__dict__ for f in self.store.faults])

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
            self.store.tokens[token] = Token(
                identity, time.time() + ttl if ttl is not None else None
            )
        return _answer({"token": token, "identity": identity}, 201)

    def delete_token(self, request: Request, token: str) -> Response:
        with self.store.lock:
            self.store.tokens.pop(token, None)
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

    def secrets(self, request: Request) -> Response:
        location, _, ident = request.args.get("membership", self.store.argocd_membership).partition(
            "/"
        )
        cluster = self.store.cluster_for(location, ident)
        if cluster is None:
            raise ControlError(404, f"membership {location}/{ident} not found")
        namespace = request.args.get("namespace", self.store.argocd_namespace)
        with cluster.lock:
            items = [s for (ns, _), s in sorted(cluster.secrets.items()) if ns == namespace]
        return _answer(
            [
                {
                    **s,
                    "data": {
                        k: base64.b64decode(v).decode("utf-8", "replace")
                        for k, v in s.get("data", {}).items()
                    },
                }
                for s in items
            ]
        )

    def oauth(self, request: Request) -> Response:
        """How long new access tokens from /token are honoured, and how many were issued."""
        if request.method == "POST":
            body = self._json(request)
            ttl = body.get("token_ttl_s", self.store.access_token_ttl_s)
            if not isinstance(ttl, int | float) or ttl < 0:
                raise ControlError(400, "token_ttl_s must be a non-negative number")
            with self.store.lock:
                self.store.access_token_ttl_s = float(ttl)
                revoked = body.get("revoke_identity")
                if isinstance(revoked, str):
                    self.store.revoked_identities.add(revoked)
        return _answer(
            {"token_ttl_s": self.store.access_token_ttl_s, "issued": self.store.tokens_issued}
        )

    def reset(self, request: Request) -> Response:
        self.store.reset()
        self.eventarc.clear()
        return _answer({})


def _labels(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ControlError(400, "labels must be an object of strings")
    return dict(value)


def _fault(body: dict[str, Any]) -> Fault:
    try:
        fault = Fault(
            match=str(body.get("match", "")),
            method=str(body.get("method", "")).upper(),
            status=int(body.get("status", 0)),
            delay_s=float(body.get("delay_s", 0)),
            unreachable=[str(x) for x in body.get("unreachable", [])],
            count=int(body.get("count", 1)),
        )
    except (TypeError, ValueError) as err:
        raise ControlError(400, f"invalid fault: {err}") from None
    if fault.status and not 400 <= fault.status <= 599:
        raise ControlError(400, "status must be an HTTP error code (400-599)")
    if not 0 <= fault.delay_s <= 600 or fault.count < 1:
        raise ControlError(400, "delay_s must be 0-600 and count at least 1")
    return fault
