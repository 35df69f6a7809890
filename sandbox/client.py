"""A small client for the sandbox control API, for the demo, the tests and the benchmarks."""

from __future__ import annotations

import json
import ssl
import time
import urllib.error
import urllib.request
from typing import Any

IDLE_TIMEOUT_S = 30.0


class SandboxClient:
    def __init__(self, base_url: str, ca_file: str | None = None) -> None:
        """`ca_file`: the CA of a sandbox serving HTTPS (its `--tls-dir` ca.pem)."""
        self.base_url = base_url.rstrip("/")
        self._tls = ssl.create_default_context(cafile=ca_file) if ca_file else None

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30, context=self._tls) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.call(method, path, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path} answered {status}: {answer}")
        return answer

    def add_membership(
        self, location: str, ident: str, labels: dict[str, str] | None = None, **fields: Any
    ) -> Any:
        return self.ok(
            "POST",
            "/sandbox/memberships",
            {"location": location, "id": ident, "labels": labels or {}, **fields},
        )

    def update_membership(self, location: str, ident: str, **fields: Any) -> Any:
        return self.ok("PATCH", f"/sandbox/memberships/{location}/{ident}", fields)

    def delete_membership(self, location: str, ident: str, **fields: Any) -> Any:
        return self.ok("DELETE", f"/sandbox/memberships/{location}/{ident}", fields or None)

    def bind(self, membership: str, scope: str, **fields: Any) -> Any:
        return self.ok(
            "POST", "/sandbox/bindings", {"membership": membership, "scope": scope, **fields}
        )

    def register(self, platform: str, location: str, name: str, **fields: Any) -> Any:
        """A cluster another service registers (`attached`, `aws`, `vmware`, ...)."""
        body = {"platform": platform, "location": location, "name": name, **fields}
        return self.ok("POST", "/sandbox/registrations", body)

    def unregister(self, platform: str, location: str, name: str, **fields: Any) -> Any:
        path = f"/sandbox/registrations/{platform}/{location}/{name}"
        return self.ok("DELETE", path, fields or None)

    def fleets(self) -> list[dict[str, str]]:
        """Every fleet served, `{"project_id", "project_number"}`, the first one first."""
        return list(self.ok("GET", "/sandbox/fleets"))

    def add_scope(self, ident: str, **fields: Any) -> Any:
        return self.ok("POST", "/sandbox/scopes", {"id": ident, **fields})

    def delete_scope(self, ident: str, project_number: str = "") -> Any:
        return self.ok("DELETE", f"/sandbox/scopes/{ident}" + _fleet_query(project_number))

    def add_namespace(self, scope: str, ident: str, **fields: Any) -> Any:
        return self.ok("POST", "/sandbox/namespaces", {"scope": scope, "id": ident, **fields})

    def delete_namespace(self, scope: str, ident: str, project_number: str = "") -> Any:
        path = f"/sandbox/namespaces/{scope}/{ident}" + _fleet_query(project_number)
        return self.ok("DELETE", path)

    def appprojects(self, **query: str) -> dict[str, dict[str, Any]]:
        """AppProjects of a cluster (`membership`, `namespace`, `project_number`), by name."""
        text = "&".join(f"{k}={v}" for k, v in query.items() if v)
        items = self.ok("GET", "/sandbox/appprojects" + (f"?{text}" if text else ""))
        return {item["metadata"]["name"]: item for item in items}

    def clusterprofiles(self, **query: str) -> dict[str, dict[str, Any]]:
        """ClusterProfiles of a cluster (`membership`, `namespace`, `project_number`), by name."""
        text = "&".join(f"{k}={v}" for k, v in query.items() if v)
        items = self.ok("GET", "/sandbox/clusterprofiles" + (f"?{text}" if text else ""))
        return {item["metadata"]["name"]: item for item in items}

    def fault(self, **fields: Any) -> Any:
        return self.ok("POST", "/sandbox/faults", fields)

    def held(self) -> int:
        """How many requests wait on a `hold` fault now."""
        return sum(f["held"] for f in self.ok("GET", "/sandbox/faults"))

    def release(self) -> Any:
        return self.ok("POST", "/sandbox/faults/release")

    def requests(self) -> list[dict[str, Any]]:
        return list(self.ok("GET", "/sandbox/requests"))

    def clear_requests(self) -> None:
        self.ok("DELETE", "/sandbox/requests")

    def secrets(self, membership: str = "", namespace: str = "") -> dict[str, dict[str, Any]]:
        """Secrets of a cluster (the Argo CD cluster by default), by name, data decoded."""
        query = "&".join(
            f"{k}={v}" for k, v in (("membership", membership), ("namespace", namespace)) if v
        )
        items = self.ok("GET", "/sandbox/secrets" + (f"?{query}" if query else ""))
        return {item["metadata"]["name"]: item for item in items}

    def set_sinks(self, *urls: str) -> None:
        self.ok("DELETE", "/sandbox/sinks")
        for url in urls:
            self.ok("POST", "/sandbox/sinks", {"url": url})

    def add_logsink(self, topic: str, query: str = "", **fields: Any) -> list[dict[str, Any]]:
        """A Cloud Logging sink to a Pub/Sub topic; every sink, with its counts."""
        return list(
            self.ok("POST", "/sandbox/logsinks", {"topic": topic, "filter": query, **fields})
        )

    def logsinks(self) -> list[dict[str, Any]]:
        return list(self.ok("GET", "/sandbox/logsinks"))

    def wait_published(self, timeout_s: float = IDLE_TIMEOUT_S) -> list[dict[str, Any]]:
        """Wait until no log sink has an entry left to publish; every sink, with its counts."""
        deadline = time.monotonic() + timeout_s
        while True:
            sinks = self.logsinks()
            if not any(sink["pending"] for sink in sinks):
                return sinks
            if time.monotonic() > deadline:
                raise TimeoutError(f"log sinks still publishing after {timeout_s}s: {sinks}")
            time.sleep(0.02)

    def events(self) -> dict[str, Any]:
        return dict(self.ok("GET", "/sandbox/events"))

    def wait_idle(self, timeout_s: float = IDLE_TIMEOUT_S) -> dict[str, Any]:
        """Wait until Eventarc has no delivery left to attempt; return the event log."""
        deadline = time.monotonic() + timeout_s
        while True:
            events = self.events()
            if events["pending"] == 0:
                return events
            if time.monotonic() > deadline:
                raise TimeoutError(f"{events['pending']} deliveries still pending")
            time.sleep(0.02)

    def reset(self) -> None:
        self.ok("POST", "/sandbox/reset")


def _fleet_query(project_number: str) -> str:
    return f"?project_number={project_number}" if project_number else ""
