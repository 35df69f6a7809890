"""What kubectl needs of the sandbox's Kubernetes API, driven by the official kubernetes client
(and plain HTTP where it has no call): discovery in both forms, the OpenAPI documents, field
selectors, lists across namespaces and server-side dry run. kubectl itself:
`tests/clients/test_kubectl.py`.

Sources: Kubernetes API concepts ("Discovery API", "Aggregated discovery", "Dry-run",
"Field selectors"), KEP-3352, "Server Side Field Validation".
"""

import json

import kubernetes.client as k
import pytest
import requests

from sandbox.kubernetes.discovery import SERVED
from tests.integration.kube import GATEWAY, core, secret

AGGREGATED = "application/json;g=apidiscovery.k8s.io;v={v};as=APIGroupDiscoveryList"


@pytest.fixture
def api(sandbox, running_sandbox):
    return core(running_sandbox.base_url, "admin-token")


@pytest.fixture
def get(sandbox, running_sandbox):
    def answer(path, accept="application/json", token="admin-token"):
        return requests.get(
            running_sandbox.base_url + GATEWAY + path,
            headers={"Authorization": f"Bearer {token}", "Accept": accept},
            timeout=10,
        )

    return answer


def _client(api):
    return api.api_client


def test_legacy_discovery_names_every_served_resource(api):
    assert k.CoreApi(_client(api)).get_api_versions().versions == ["v1"]
    groups = {g.name: g for g in k.ApisApi(_client(api)).get_api_versions().groups}
    assert set(groups) == {"argoproj.io", "coordination.k8s.io", "multicluster.x-k8s.io"}
    assert groups["argoproj.io"].preferred_version.group_version == "argoproj.io/v1alpha1"
    core_resources = {r.name: r for r in api.get_api_resources().resources}
    assert set(core_resources) == {"namespaces", "secrets", "events"}
    assert core_resources["namespaces"].namespaced is False
    assert core_resources["events"].verbs == ["list"]
    argo = k.CustomObjectsApi(_client(api)).get_api_resources("argoproj.io", "v1alpha1")
    (project,) = argo.resources
    assert (project.name, project.kind, project.short_names) == (
        "appprojects",
        "AppProject",
        ["appproj", "appprojs"],
    )


@pytest.mark.parametrize("version", ["v2", "v2beta1"])
def test_aggregated_discovery_is_served_when_asked_for(get, version):
    answer = get("/apis", accept=AGGREGATED.format(v=version) + ",application/json;q=0.9")
    assert answer.headers["Content-Type"] == AGGREGATED.format(v=version)
    body = answer.json()
    assert (body["kind"], body["apiVersion"]) == (
        "APIGroupDiscoveryList",
        f"apidiscovery.k8s.io/{version}",
    )
    resources = {
        r["resource"]: r for g in body["items"] for v in g["versions"] for r in v["resources"]
    }
    assert resources["appprojects"]["responseKind"]["kind"] == "AppProject"
    assert resources["appprojects"]["scope"] == "Namespaced"
    core_items = get("/api", accept=AGGREGATED.format(v=version)).json()["items"]
    assert [g["metadata"].get("name", "") for g in core_items] == [""]


def test_an_unknown_group_is_not_found(get):
    assert get("/apis/example.com/v1").status_code == 404


def test_clusterprofiles_and_their_status_are_discovered(api, get):
    """A CRD's subresource is listed as `plural/sub` in APIResourceList and under
    `subresources` in aggregated discovery (KEP-3352)."""
    listed = k.CustomObjectsApi(_client(api)).get_api_resources("multicluster.x-k8s.io", "v1alpha1")
    found = {r.name: r for r in listed.resources}
    assert set(found) == {"clusterprofiles", "clusterprofiles/status"}
    assert (found["clusterprofiles"].kind, found["clusterprofiles"].namespaced) == (
        "ClusterProfile",
        True,
    )
    assert found["clusterprofiles/status"].verbs == ["get", "patch", "update"]
    answer = get("/apis", accept=AGGREGATED.format(v="v2")).json()
    (group,) = [g for g in answer["items"] if g["metadata"]["name"] == "multicluster.x-k8s.io"]
    (resource,) = group["versions"][0]["resources"]
    assert resource["subresources"] == [
        {
            "subresource": "status",
            "responseKind": {
                "group": "multicluster.x-k8s.io",
                "version": "v1alpha1",
                "kind": "ClusterProfile",
            },
            "verbs": ["get", "patch", "update"],
        }
    ]


def test_discovery_needs_a_known_token(get):
    assert get("/api", token="nobody").status_code == 401


def test_openapi_v3_documents_name_the_field_validation_parameter(get):
    index = get("/openapi/v3").json()["paths"]
    assert set(index) == {
        "api/v1",
        "apis/argoproj.io/v1alpha1",
        "apis/coordination.k8s.io/v1",
        "apis/multicluster.x-k8s.io/v1alpha1",
    }
    document = get(index["api/v1"]["serverRelativeURL"])
    patch = document.json()["paths"]["/api/v1/namespaces/{namespace}/secrets/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {
        "group": "",
        "version": "v1",
        "kind": "Secret",
    }
    assert "fieldValidation" in {p["name"] for p in patch["parameters"]}


def test_openapi_v2_is_json_by_default_and_protobuf_when_asked(get):
    document = get("/openapi/v2").json()
    assert document["swagger"] == "2.0"
    path = "/apis/argoproj.io/v1alpha1/namespaces/{namespace}/appprojects/{name}"
    assert (
        document["paths"][path]["patch"]["x-kubernetes-group-version-kind"]["kind"] == "AppProject"
    )
    binary = get("/openapi/v2", accept="application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
    # kube-openapi serves it through http.ServeContent, which sniffs binary data so.
    assert binary.headers["Content-Type"] == "application/octet-stream"
    assert binary.content.startswith(b"\n\x032.0")  # Document.swagger (field 1) = "2.0"
    assert path.encode() in binary.content


def test_field_selectors_on_name_and_namespace(api):
    for name in ("a", "b"):
        api.create_namespaced_secret("argocd", secret(name))

    def listed(selector):
        return [
            s.metadata.name
            for s in api.list_namespaced_secret("argocd", field_selector=selector).items
        ]

    assert listed("metadata.name=a") == ["a"]
    assert listed("metadata.name!=a") == ["b"]
    assert listed("metadata.namespace==argocd,metadata.name==b") == ["b"]
    assert listed("metadata.namespace=elsewhere") == []
    with pytest.raises(k.ApiException) as raised:
        listed("spec.nodeName=x")
    assert raised.value.status == 400
    assert "field label not supported" in json.loads(raised.value.body)["message"]


def test_lists_span_every_namespace_and_single_objects_need_one(api, get):
    api.create_namespaced_secret("argocd", secret("everywhere"))
    listed = api.list_secret_for_all_namespaces(field_selector="metadata.name=everywhere")
    assert [(s.metadata.namespace, s.metadata.name) for s in listed.items] == [
        ("argocd", "everywhere")
    ]
    assert get("/api/v1/secrets/everywhere").status_code == 404


def test_server_side_dry_run_answers_as_the_write_and_stores_nothing(api, sandbox):
    api.create_namespaced_secret("argocd", secret("kept", {"v": "1"}))
    before = sandbox.secrets()
    created = api.create_namespaced_secret("argocd", secret("new"), dry_run="All")
    assert created.metadata.name == "new"
    patched = api.patch_namespaced_secret(
        "kept", "argocd", {"metadata": {"labels": {"v": "2"}}}, dry_run="All"
    )
    assert patched.metadata.labels == {"v": "2"}
    api.delete_namespaced_secret("kept", "argocd", dry_run="All")
    with pytest.raises(k.ApiException) as raised:
        api.create_namespaced_secret("argocd", secret("kept"), dry_run="All")
    assert raised.value.status == 409
    assert sandbox.secrets() == before
    live = api.read_namespaced_secret("kept", "argocd")
    assert live.metadata.labels == {"v": "1"}
    assert live.metadata.resource_version == before["kept"]["metadata"]["resourceVersion"]


def test_describe_reads_an_empty_event_list(get):
    events = get("/api/v1/namespaces/argocd/events?fieldSelector=involvedObject.name%3Dx").json()
    assert (events["kind"], events["items"]) == ("EventList", [])


def test_discovery_names_each_kind_the_api_server_routes_as_its_table_entry_does(
    running_sandbox,
):
    """Discovery's table and the kinds' table say the same of every object kind served."""
    cluster = next(iter(running_sandbox.store.clusters.values()))
    served = {(s.group, s.version, s.resource) for s in SERVED}
    for store in (cluster.secrets, cluster.appprojects, cluster.leases, cluster.clusterprofiles):
        version = store.kind.api_version.rsplit("/", 1)[-1]
        assert (store.kind.group, version, store.kind.resource) in served, store.kind.resource
