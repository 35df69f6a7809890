"""`make demo`: the whole loop on one machine, in well under a minute.

Starts the sandbox and the function wired together, registers clusters in the fleet, lets
Eventarc deliver the audit-log events, and shows the Argo CD cluster Secrets that result.
"""

from __future__ import annotations

import json
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from sandbox.client import SandboxClient
from sandbox.harness import sandbox_env, start_function
from sandbox.server import start

CLUSTERS = [
    ("us-east1", "prod-east-1", {"env": "prod", "region": "us-east1"}, "team-payments"),
    ("us-west1", "prod-west-1", {"env": "prod", "region": "us-west1"}, "team-payments"),
    ("europe-west1", "staging-1", {"env": "staging", "region": "europe-west1"}, "team-search"),
]


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=False)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(
        x.rstrip()
        for x in [
            line.format(*headers),
            line.format(*("-" * w for w in widths)),
            *(line.format(*row) for row in rows),
        ]
    )


def show_secrets(sandbox: SandboxClient) -> None:
    rows = []
    for name, secret in sorted(sandbox.secrets().items()):
        labels = secret["metadata"].get("labels", {})
        scopes = [k.split("/", 1)[1] for k in labels if k.startswith("scope.fleet-argocd-sync.io/")]
        rows.append(
            [
                name,
                labels.get("env", "-"),
                ",".join(scopes) or "-",
                secret["data"]["server"].split("/v1/", 1)[1],
            ]
        )
    print(table(rows, ["SECRET (namespace argocd)", "ENV", "SCOPES", "SERVER (.../v1/...)"]))


def post(url: str) -> dict[str, Any]:
    request = urllib.request.Request(url, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return dict(json.loads(answer.read()))
    except urllib.error.HTTPError as err:
        return dict(json.loads(err.read()))


def main() -> None:
    started = time.monotonic()
    running = start()
    sandbox = SandboxClient(running.base_url)
    workdir = Path(tempfile.mkdtemp(prefix="fleet-demo-"))
    function = start_function(sandbox_env(running.base_url), workdir / "function.log")
    try:
        sandbox.set_sinks(function.url + "/")
        print(f"sandbox  {running.base_url}   (GKE Hub, Connect Gateway, Eventarc, clusters)")
        print(f"function {function.url}   (functions-framework --target fleet_sync)\n")

        print("1. Register three clusters in the fleet and bind them to scopes")
        for location, ident, labels, scope in CLUSTERS:
            sandbox.add_membership(location, ident, labels)
            sandbox.bind(f"{location}/{ident}", scope)
            print(f"   gcloud container fleet memberships register {ident} --location={location}")
        events = sandbox.wait_idle()["events"]
        print(
            f"   Eventarc delivered {len(events)} audit-log events "
            f"({sum(d['attempts'] for e in events for d in e['deliveries'])} deliveries)\n"
        )
        show_secrets(sandbox)

        print("\n2. Unregister staging-1")
        sandbox.delete_membership("europe-west1", "staging-1")
        sandbox.wait_idle()
        show_secrets(sandbox)
        print("   staging-1's Secret is gone; Argo CD no longer deploys there.")

        print("\n3. Drift the events never saw: a label changed and a cluster joined silently")
        sandbox.update_membership("us-west1", "prod-west-1", labels={"env": "canary"}, emit=False)
        sandbox.add_membership("asia-east1", "prod-asia-1", {"env": "prod"}, emit=False)
        report = post(function.url + "/resync?dry_run=true")
        rows = [
            [c["action"], c["secret"], " ".join(c["labels_changed"][:3])] for c in report["changes"]
        ]
        print("   POST /resync?dry_run=true")
        print(table(rows, ["ACTION", "SECRET", "LABELS CHANGED (first 3)"]))
        print(
            f"   unchanged: {report['unchanged']}  conflicts: {len(report['conflicts'])}  "
            f"dry_run: {report['dry_run']}  (nothing was written)"
        )
    finally:
        function.stop()
        running.stop()
    print(f"\nDone in {time.monotonic() - started:.1f}s. Function log: {workdir / 'function.log'}")


if __name__ == "__main__":
    main()
