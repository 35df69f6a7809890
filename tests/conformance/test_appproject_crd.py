"""The sandbox's AppProjects against Argo CD's published CRD (v3.5.1, ../shared/reference/argocd):
its embedded schema is the published one, and on probes drawn from that CRD it prunes, drops
and refuses exactly as a real API server would (`crd_probes`), which `jsonschema` on the
published schema confirms for every probe it can judge. Over the Kubernetes API:
`test_sandbox_appprojects.py`."""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from sandbox.kubernetes.appprojects import SCHEMA, validated_appproject
from sandbox.kubernetes.conventions import KubeError
from tests.conformance.crd_probes import Probe, field, probes, reference_schema

PROBES = 600  # drawn examples; each kind about a sixth (Argo CD's CRD has no CEL rule)


def _without_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _without_descriptions(v)
            for k, v in node.items()
            if not (k == "description" and isinstance(v, str))
        }
    if isinstance(node, list):
        return [_without_descriptions(v) for v in node]
    return node


def test_the_embedded_schema_is_the_published_one() -> None:
    assert _without_descriptions(reference_schema()) == SCHEMA


@functools.cache
def _validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(reference_schema())


def sandbox_answer(probe: Probe) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """What the sandbox stores for the probe, or the causes of its refusal."""
    try:
        return validated_appproject(json.loads(json.dumps(probe.body)), "argocd"), []
    except KubeError as refused:
        assert refused.code == 422, refused.message
        return None, list((refused.details or {}).get("causes", []))


@settings(max_examples=PROBES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(probes())
def test_the_sandbox_answers_probes_as_the_crd_says(probe: Probe) -> None:
    stored, causes = sandbox_answer(probe)
    if probe.stored is not None:
        assert causes == [], f"{probe.kind}: refused {causes}"
        assert stored == probe.stored, probe.kind
        _validator().validate(stored)
        return
    assert stored is None, f"{probe.kind}: stored what the CRD refuses at {probe.field}"
    assert [(c["field"], c["reason"]) for c in causes] == list(probe.causes)


@settings(max_examples=PROBES // 3, deadline=None)
@given(probes(kinds=("missing", "wrong-type", "too-long")))
def test_jsonschema_on_the_published_schema_agrees_with_each_refusal(probe: Probe) -> None:
    """An independent validator, where no pruning is involved, finds the same one field."""
    errors = list(_validator().iter_errors(probe.body))
    where = {
        field(
            tuple(e.absolute_path)
            + ((e.message.split("'")[1],) if e.validator == "required" else ())
        )
        for e in errors
    }
    assert where == {probe.field}, [e.message for e in errors]


def test_several_violations_are_all_named_as_the_api_server_lists_them() -> None:
    body = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": "many", "unknownMeta": "dropped"},
        "spec": {"description": "d" * 256, "roles": [{"policies": ["p"]}], "sourceRepos": [7]},
    }
    with pytest.raises(KubeError) as refused:
        validated_appproject(body, "argocd")
    assert refused.value.message == (
        'AppProject.argoproj.io "many" is invalid: ['
        "spec.description: Too long: may not be more than 255 bytes, "
        "spec.roles[0].name: Required value, "
        'spec.sourceRepos[0]: Invalid value: "integer": spec.sourceRepos[0] in body must be of '
        'type string: "integer"]'
    )


def test_unknown_metadata_fields_are_dropped_as_object_meta_decoding_does() -> None:
    body = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": "m", "labels": {"a": "b"}, "colour": "red"},
        "spec": {},
    }
    assert validated_appproject(body, "argocd")["metadata"] == {
        "name": "m",
        "namespace": "argocd",
        "labels": {"a": "b"},
    }
