"""Real kubectl against the sandbox's Argo CD cluster, through its gateway path over HTTPS with
a bearer token, as a person would use it: discovery, `apply` (create, configure, unchanged,
server-side dry run), `get` with label and field selectors, paging and every namespace,
`describe`, `delete`, and the refusals a real cluster gives.

Each test runs with the oldest and the newest kubectl the Google Cloud SDK ships
(`kubectl_tools.bounding_versions`; 1.27 and 1.33 here): 1.27 reads OpenAPI v2 as protobuf
and discovery v2beta1, 1.33 OpenAPI v3 and aggregated discovery v2. The kubeconfig is the one
`--tls-dir` writes. Where kubectl is absent these tests skip, saying so; where it is present
they run (`test_kubectl_is_found_where_it_must_be`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sandbox.kubernetes.discovery import VERSION
from sandbox.server import RunningSandbox, start
from tests.clients.gcloud_tools import (
    GCLOUD_ABSENT,
    PLUGIN_ABSENT,
    PROJECT_ID,
    find_auth_plugin,
    find_gcloud,
    gcloud_env,
    start_fleet,
)
from tests.clients.kubectl_tools import (
    KUBECTL_ABSENT,
    NEWEST_WANTED,
    OLDEST_WANTED,
    Kubectl,
    bounding_versions,
    find_versions,
)

VERSIONS = bounding_versions() or [None]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    running = start(tls_dir=tmp_path_factory.mktemp("tls"))
    yield running
    running.stop()


@pytest.fixture(params=VERSIONS, ids=lambda v: f"kubectl-{v[0]}.{v[1]}" if v else "none")
def kubectl(request: pytest.FixtureRequest, cluster: RunningSandbox, tmp_path: Path) -> Kubectl:
    if request.param is None:
        pytest.skip(KUBECTL_ABSENT)
    assert cluster.ca_file is not None
    return Kubectl(find_versions()[request.param], cluster.ca_file.parent / "kubeconfig", tmp_path)


def _suffix(kubectl: Kubectl) -> str:
    """Names of this test's own objects: the module's sandbox is shared by every test."""
    return re.sub(r"\D", "", Path(kubectl.binary).name) + "-" + secrets.token_hex(3)


def _manifest(*objects: dict[str, object]) -> str:
    return yaml.safe_dump_all(objects)


def _secret(name: str, **labels: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "labels": labels},
        "data": {"server": "aHR0cHM6Ly9leGFtcGxlLmNvbQ=="},  # https://example.com
    }


def _project(name: str, description: str) -> dict[str, object]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": name},
        "spec": {"description": description, "sourceRepos": ["*"]},
    }


def test_kubectl_is_found_where_it_must_be() -> None:
    """In CI, or wherever kubectl is on PATH, 1.27 and 1.33 at least must be there to run."""
    if not os.environ.get("CI") and shutil.which("kubectl") is None:
        pytest.skip(KUBECTL_ABSENT)
    found = sorted(find_versions())
    assert found, "CI must have kubectl, with the SDK's kubectl.1.NN beside it, on PATH"
    assert found[0] <= OLDEST_WANTED and found[-1] >= NEWEST_WANTED, found


def test_version_names_the_server(kubectl: Kubectl) -> None:
    reported = json.loads(kubectl.out("version", "-o", "json"))
    assert reported["serverVersion"]["gitVersion"] == VERSION["gitVersion"]


def test_api_resources_come_from_discovery(kubectl: Kubectl) -> None:
    names = set(kubectl.out("api-resources", "-o", "name").split())
    assert {"secrets", "namespaces", "appprojects.argoproj.io"} <= names
    assert kubectl.out("api-resources", "--namespaced=false", "-o", "name").split() == [
        "namespaces"
    ]
    assert "appprojects" in kubectl.out("api-resources", "--api-group=argoproj.io")


def test_apply_creates_configures_and_leaves_unchanged(kubectl: Kubectl) -> None:
    name = "c-" + _suffix(kubectl)
    first = _manifest(_secret(name, env="dev"), _project(name, "first"))
    created = kubectl.out("apply", "-f", "-", stdin=first)
    assert created.split("\n")[:2] == [
        f"secret/{name} created",
        f"appproject.argoproj.io/{name} created",
    ]
    changed = _manifest(_secret(name, env="prod"), _project(name, "first"))
    assert kubectl.out("apply", "-f", "-", stdin=changed).split("\n")[:2] == [
        f"secret/{name} configured",
        f"appproject.argoproj.io/{name} unchanged",
    ]
    live = json.loads(kubectl.out("get", "secret", name, "-o", "json"))
    assert live["metadata"]["labels"] == {"env": "prod"}
    assert "kubectl.kubernetes.io/last-applied-configuration" in live["metadata"]["annotations"]
    shown = kubectl.out("get", "appproj", name, "-o", "jsonpath={.spec.description}")
    assert shown == "first"


def test_server_side_dry_run_stores_nothing(kubectl: Kubectl) -> None:
    name = "d-" + _suffix(kubectl)
    kubectl.out("apply", "-f", "-", stdin=_manifest(_project(name, "kept")))
    dry = _manifest(_project(name, "changed"), _secret(name))
    answered = kubectl.out("apply", "--dry-run=server", "-f", "-", stdin=dry)
    assert f"appproject.argoproj.io/{name} configured (server dry run)" in answered
    assert f"secret/{name} created (server dry run)" in answered
    assert kubectl.out("get", "appproj", name, "-o", "jsonpath={.spec.description}") == "kept"
    assert "NotFound" in kubectl.fails("get", "secret", name)


def test_server_side_dry_run_delete_deletes_nothing(kubectl: Kubectl) -> None:
    """kubectl sends the dry run of a delete in the DeleteOptions body, not in the query."""
    name = "dd-" + _suffix(kubectl)
    manifest = _manifest(_secret(name, suite=name), _project(name, "kept"))
    kubectl.out("apply", "-f", "-", stdin=manifest)
    answered = kubectl.out("delete", "--dry-run=server", "-f", "-", stdin=manifest)
    assert f'appproject.argoproj.io "{name}" deleted (server dry run)' in answered
    by_label = kubectl.out("delete", "secrets", "-l", f"suite={name}", "--dry-run=server")
    assert f'secret "{name}" deleted (server dry run)' in by_label
    assert kubectl.out("get", "appproj", name, "-o", "jsonpath={.spec.description}") == "kept"
    assert kubectl.out("get", "secret", name, "-o", "name").strip() == f"secret/{name}"


def test_get_selects_by_label_and_field_pages_and_spans_namespaces(kubectl: Kubectl) -> None:
    suffix = _suffix(kubectl)
    names = [f"s{i}-{suffix}" for i in range(3)]
    objects = [
        _secret(n, suite=suffix, env="dev" if i < 2 else "prod") for i, n in enumerate(names)
    ]
    kubectl.out("apply", "-f", "-", stdin=_manifest(*objects))
    listed = kubectl.out("get", "secrets", "-l", f"suite={suffix},env=dev", "-o", "name")
    assert listed.split() == [f"secret/{n}" for n in names[:2]]
    paged = kubectl.run(
        "get", "secrets", "-l", f"suite={suffix}", "--chunk-size=1", "-o", "name", "-v=6"
    )
    assert paged.returncode == 0, paged.stderr
    assert paged.stdout.split() == [f"secret/{n}" for n in names]
    assert "limit=1" in paged.stderr and "continue=" in paged.stderr, "kubectl paged"
    field = f"metadata.name={names[2]}"
    assert kubectl.out("get", "secrets", "--field-selector", field, "-o", "name").split() == [
        f"secret/{names[2]}"
    ]
    everywhere = kubectl.out(
        "get", "secrets", "-A", "-l", f"suite={suffix}",
        "-o", "custom-columns=NS:.metadata.namespace,NAME:.metadata.name", "--no-headers",
    )  # fmt: skip
    assert [line.split() for line in everywhere.splitlines()] == [["argocd", n] for n in names]


def test_describe_shows_the_object_and_no_events(kubectl: Kubectl) -> None:
    name = "e-" + _suffix(kubectl)
    kubectl.out("apply", "-f", "-", stdin=_manifest(_secret(name, env="dev"), _project(name, "d")))
    secret = kubectl.out("describe", "secret", name)
    assert re.search(rf"^Name:\s+{name}$", secret, re.M), secret
    assert re.search(r"^Labels:\s+env=dev$", secret, re.M), secret
    assert re.search(r"^server:\s+19 bytes$", secret, re.M), secret
    project = kubectl.out("describe", "appproj", name)
    assert re.search(r"^Kind:\s+AppProject$", project, re.M), project
    assert re.search(r"^Events:\s+<none>$", project, re.M), project


def test_delete_removes_and_a_second_delete_is_not_found(kubectl: Kubectl) -> None:
    name = "f-" + _suffix(kubectl)
    manifest = _manifest(_secret(name), _project(name, "gone"))
    kubectl.out("apply", "-f", "-", stdin=manifest)
    deleted = kubectl.out("delete", "-f", "-", stdin=manifest)
    assert f'secret "{name}" deleted' in deleted
    assert f'appproject.argoproj.io "{name}" deleted' in deleted
    assert f'secrets "{name}" not found' in kubectl.fails("get", "secret", name)
    assert "NotFound" in kubectl.fails("delete", "appproj", name)


def _edited(kubectl: Kubectl, edit: str, where: Path) -> Kubectl:
    """The same kubectl with its kubeconfig's user or cluster changed by `edit`."""
    config = yaml.safe_load(kubectl.kubeconfig.read_text())
    if edit == "token":
        config["users"][0]["user"]["token"] = "not-a-token"
    else:
        del config["clusters"][0]["cluster"]["certificate-authority-data"]
    path = where / "edited-kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return Kubectl(kubectl.binary, path, kubectl.home)


def test_an_unknown_token_is_unauthorized(kubectl: Kubectl, tmp_path: Path) -> None:
    error = _edited(kubectl, "token", tmp_path).fails("get", "secrets")
    assert "Unauthorized" in error or "must be logged in" in error, error


def test_a_kubeconfig_without_the_sandbox_ca_does_not_trust_it(
    kubectl: Kubectl, tmp_path: Path
) -> None:
    error = _edited(kubectl, "ca", tmp_path).fails("get", "secrets")
    assert "certificate signed by unknown authority" in error, error


def test_gcloud_get_credentials_then_kubectl_reaches_a_member(tmp_path: Path) -> None:
    """The whole path a person takes: gcloud writes the gateway kubeconfig (its auth plugin
    for the user), kubectl trusts the sandbox's CA and lists the member's namespaces."""
    versions = bounding_versions()
    if not versions:
        pytest.skip(KUBECTL_ABSENT)
    gcloud = find_gcloud()
    if gcloud is None:
        pytest.skip(GCLOUD_ABSENT)
    if find_auth_plugin() is None:
        pytest.skip(PLUGIN_ABSENT)
    token = "ya29.person-" + secrets.token_urlsafe(12)
    running = start_fleet(token, tls_dir=tmp_path / "tls")
    try:
        assert running.ca_file is not None
        env = gcloud_env(running.base_url, tmp_path / "home", token, PROJECT_ID)
        env["CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE"] = str(running.ca_file)
        plugin_dir = str(Path(find_auth_plugin() or "").parent)
        env["PATH"] = plugin_dir + os.pathsep + env.get("PATH", "")
        done = subprocess.run(
            [gcloud, "container", "fleet", "memberships", "get-credentials", "gke-east",
             "--location=us-central1"],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        for version in versions:
            member = Kubectl(find_versions()[version], Path(env["KUBECONFIG"]), tmp_path, env)
            listed = member.out(
                "--certificate-authority", str(running.ca_file), "get", "namespaces", "-o", "name"
            )
            assert "namespace/default" in listed.split(), listed
    finally:
        running.stop()


def test_apply_of_an_unknown_field_is_refused_by_default_and_warned_of_when_asked(
    kubectl: Kubectl,
) -> None:
    """kubectl's default `--validate=strict` is the server's `fieldValidation=Strict`."""
    name = "u-" + _suffix(kubectl)
    manifest = _project(name, "typo")
    manifest["spec"]["sourceRepo"] = ["*"]  # sourceRepos, mistyped
    error = kubectl.fails("apply", "-f", "-", stdin=_manifest(manifest))
    assert 'strict decoding error: unknown field "spec.sourceRepo"' in error, error
    assert "NotFound" in kubectl.fails("get", "appproj", name)
    warned = kubectl.run("apply", "--validate=warn", "-f", "-", stdin=_manifest(manifest))
    assert warned.returncode == 0, warned.stderr
    assert 'Warning: unknown field "spec.sourceRepo"' in warned.stderr
    assert kubectl.out("get", "appproj", name, "-o", "jsonpath={.spec}") == (
        '{"description":"typo","sourceRepos":["*"]}'
    )


def _cluster_profile(name: str, manager: str, display: str) -> dict[str, object]:
    return {
        "apiVersion": "multicluster.x-k8s.io/v1alpha1",
        "kind": "ClusterProfile",
        "metadata": {"name": name, "namespace": "fleet-cluster-inventory"},
        "spec": {"clusterManager": {"name": manager}, "displayName": display},
    }


def test_clusterprofiles_apply_get_describe_and_refuse_a_new_manager(kubectl: Kubectl) -> None:
    """A CRD with a status subresource and a CEL rule, as kubectl meets it on a real cluster."""
    name = "cp-" + _suffix(kubectl)
    ns = ("-n", "fleet-cluster-inventory")
    first = _manifest(_cluster_profile(name, "fleet-argocd-sync", "one"))
    assert kubectl.out("apply", "-f", "-", stdin=first).strip() == (
        f"clusterprofile.multicluster.x-k8s.io/{name} created"
    )
    renamed = _manifest(_cluster_profile(name, "fleet-argocd-sync", "two"))
    assert kubectl.out("apply", "-f", "-", stdin=renamed).strip() == (
        f"clusterprofile.multicluster.x-k8s.io/{name} configured"
    )
    assert name in kubectl.out("get", "clusterprofiles", *ns)
    live = json.loads(kubectl.out("get", "clusterprofile", name, *ns, "-o", "json"))
    assert (live["spec"]["displayName"], live["metadata"]["generation"]) == ("two", 2)
    described = kubectl.out("describe", "clusterprofile", name, *ns)
    assert re.search(r"^Kind:\s+ClusterProfile$", described, re.M), described
    moved = _manifest(_cluster_profile(name, "someone-else", "two"))
    refused = kubectl.fails("apply", "-f", "-", stdin=moved)
    assert 'spec.clusterManager: Invalid value: "object": ClusterManager is immutable' in refused


def test_create_namespace_then_a_clusterprofile_in_it(kubectl: Kubectl) -> None:
    """`kubectl create namespace` sends the Namespace as protobuf from 1.33 on (client-go's
    typed clients; 1.27 sends JSON), which a real API server decodes as it decodes JSON."""
    name = "ns-" + _suffix(kubectl)
    assert kubectl.out("create", "namespace", name).strip() == f"namespace/{name} created"
    live = json.loads(kubectl.out("get", "namespace", name, "-o", "json"))
    assert live["metadata"]["labels"] == {"kubernetes.io/metadata.name": name}
    profile = _cluster_profile("cp", "fleet-argocd-sync", "x")
    profile["metadata"] = {"name": "cp", "namespace": name}
    assert kubectl.out("apply", "-f", "-", stdin=_manifest(profile)).strip() == (
        "clusterprofile.multicluster.x-k8s.io/cp created"
    )
