"""The sandbox's ClusterProfiles against SIG-Multicluster's published CRD (cluster-inventory-api
v0.1.2, ../shared/reference/cluster-inventory): its embedded schema is the published one, and
on probes drawn from that CRD (`crd_probes`) a create and a `/status` write store or refuse
exactly as a real API server would, which `jsonschema` on the published schema confirms for
every probe it can judge. The transition rule: any `spec.clusterManager` change is refused,
any other spec accepted. Over the Kubernetes API: `test_sandbox_clusterprofiles.py`.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.kubernetes.clusterprofiles import (
    SCHEMA,
    validated_create,
    validated_status,
    validated_update,
)
from sandbox.kubernetes.conventions import KubeError
from sandbox.kubernetes.crdrules import check_modelled
from tests.conformance.crd_probes import CLUSTERPROFILE, KINDS, META, MORE_KINDS, Probe, probes
from tests.conformance.crd_values import crd_version, values
from tests.conformance.test_appproject_crd import _without_descriptions

PER_KIND = 15  # drawn examples of each kind of probe, for each write: 180 each
ALL_KINDS = KINDS + MORE_KINDS
NS = CLUSTERPROFILE.namespace
FAST = settings(max_examples=PER_KIND, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JUDGED = ("missing", "null-required", "wrong-type", "too-long", "too-short", "not-in-enum",
          "no-match", "below-minimum")  # fmt: skip


def test_the_embedded_schema_is_the_published_one() -> None:
    assert _without_descriptions(CLUSTERPROFILE.schema) == SCHEMA
    embedded = json.loads(
        resources.files("sandbox.kubernetes")
        .joinpath("crds/clusterprofile-v1alpha1.json")
        .read_text()
    )
    assert embedded["subresources"] == crd_version(CLUSTERPROFILE.relative)["subresources"]


@functools.cache
def _validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(CLUSTERPROFILE.schema)


def _answer(write: Any, *args: Any) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    try:
        return write(*args), []
    except KubeError as refused:
        assert refused.code == 422, refused.message
        return None, [(c["field"], c["reason"]) for c in refused.details["causes"]]


def _without_status(found: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in found.items() if k != "status"}


def _in_status(probe: Probe) -> bool:
    return probe.path[:1] == ("status",)


def _expect(probe: Probe, stored: Any, causes: list[tuple[str, str]], wanted: Any) -> None:
    if wanted is None:
        assert stored is None, f"{probe.kind}: stored what the CRD refuses at {probe.field}"
        assert causes == list(probe.causes), probe.kind
        return
    assert causes == [], f"{probe.kind}: refused {causes}"
    assert stored == wanted, probe.kind
    _validator().validate(stored)


@pytest.mark.parametrize("kind", ALL_KINDS)
@FAST
@given(data=st.data())
def test_creates_drop_status_and_answer_the_rest_as_the_crd_says(kind: str, data: Any) -> None:
    probe = data.draw(probes(kinds=(kind,), crd=CLUSTERPROFILE), label="probe")
    stored, causes = _answer(validated_create, json.loads(json.dumps(probe.body)), NS)
    if _in_status(probe):  # whatever is wrong in status, a create never sees it
        wanted: Any = _without_status(probe.body)
    else:
        wanted = None if probe.stored is None else _without_status(probe.stored)
    _expect(probe, stored, causes, wanted)


@pytest.mark.parametrize("kind", ALL_KINDS)
@FAST
@given(data=st.data())
def test_status_writes_take_only_status_and_answer_it_as_the_crd_says(kind: str, data: Any) -> None:
    probe = data.draw(probes(kinds=(kind,), crd=CLUSTERPROFILE), label="probe")
    assert probe.valid is not None
    current = _without_status(probe.valid)
    assert validated_create(copy.deepcopy(probe.valid), NS) == current
    stored, causes = _answer(validated_status, json.loads(json.dumps(probe.body)), NS, current)
    if _in_status(probe):
        given_status = (probe.stored or {}).get("status")
        wanted = None if probe.stored is None else {**current, "status": given_status}
        if wanted is not None and given_status is None:
            wanted = current
    else:  # a change outside status is ignored
        wanted = {
            **current,
            **({"status": probe.valid["status"]} if "status" in probe.valid else {}),
        }
    _expect(probe, stored, causes, wanted)


@pytest.mark.parametrize("kind", JUDGED)
@FAST
@given(data=st.data())
def test_jsonschema_on_the_published_schema_agrees_with_each_refusal(kind: str, data: Any) -> None:
    """An independent validator finds the same one field (it knows no list types, formats
    or CEL; for a wrong type in an `enum` it also names the one field)."""
    probe = data.draw(probes(kinds=(kind,), crd=CLUSTERPROFILE), label="probe")
    if probe.stored is not None:  # no field to break was drawn
        return
    errors = list(_validator().iter_errors(probe.body))
    where = {
        ".".join(str(p) for p in e.absolute_path).replace(".[", "[")
        + (f".{e.message.split(chr(39))[1]}" if e.validator == "required" else "")
        for e in errors
    }
    assert {w.replace(".", "", 1) if w.startswith(".") else w for w in where} == {
        _dotted(probe.field)
    }, [e.message for e in errors]


def _dotted(name: str) -> str:
    return name.replace("[", ".").replace("]", "")


def _profile(spec: dict[str, Any]) -> dict[str, Any]:
    kind = {"apiVersion": CLUSTERPROFILE.api_version, "kind": "ClusterProfile"}
    return {**kind, "metadata": {**META, "namespace": NS}, "spec": spec}


@FAST
@given(st.data())
def test_cluster_manager_is_immutable_and_every_other_spec_change_accepted(data: Any) -> None:
    spec_schema = CLUSTERPROFILE.schema["properties"]["spec"]
    before, after = data.draw(values(spec_schema)), data.draw(values(spec_schema))
    if data.draw(st.booleans()):
        after["clusterManager"] = copy.deepcopy(before["clusterManager"])
    current = validated_create(_profile(before), NS)
    stored, causes = _answer(validated_update, _profile(after), NS, current)
    if after["clusterManager"] == before["clusterManager"]:
        assert (stored, causes) == (_profile(after), [])
    else:
        assert (stored, causes) == (None, [("spec.clusterManager", "FieldValueInvalid")])


def test_pattern_dollar_is_the_end_of_the_text_as_in_go() -> None:
    """RE2's `$` does not match before a final newline, Python's does: `Joined\\n` fails."""
    current = validated_create(_profile({"clusterManager": {"name": "m"}}), NS)
    condition = {"type": "Joined", "status": "True", "reason": "Joined\n", "message": "",
                 "lastTransitionTime": "2026-01-01T00:00:00Z"}  # fmt: skip
    body = {**_profile({}), "status": {"conditions": [condition]}}
    stored, causes = _answer(validated_status, body, NS, current)
    assert (stored, causes) == (None, [("status.conditions[0].reason", "FieldValueInvalid")])


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "x-kubernetes-validations": [{"rule": "self.size() > 1"}]},
        {"type": "string", "x-kubernetes-validations": [{"rule": "self == oldSelf",
                                                         "messageExpression": "'no'"}]},
        {"type": "string", "format": "uri"},
        {"type": "array", "minItems": 1},
        {"type": "object", "x-kubernetes-list-type": "map", "oneOf": []},
    ],
)  # fmt: skip
def test_what_is_not_modelled_is_refused_when_a_schema_loads(schema: dict[str, Any]) -> None:
    with pytest.raises(NotImplementedError):
        check_modelled({"type": "object", "properties": {"f": schema}})


def test_a_wrong_type_in_an_enum_field_is_also_unsupported() -> None:
    """kube-openapi runs `enum` whatever the value's type (`validate/schema.go`), so the number
    7 for a condition's status is both the wrong type and not one of the values; and the CEL
    validator then says it did not run."""
    current = validated_create(_profile({"clusterManager": {"name": "m"}}), NS)
    condition = {"type": "Joined", "status": 7, "reason": "Joined", "message": "",
                 "lastTransitionTime": "2026-01-01T00:00:00Z"}  # fmt: skip
    with pytest.raises(KubeError) as refused:
        validated_status({**_profile({}), "status": {"conditions": [condition]}}, NS, current)
    assert refused.value.message == (
        'ClusterProfile.multicluster.x-k8s.io "probe" is invalid: ['
        'status.conditions[0].status: Invalid value: "integer": conditions[0].status in body '
        'must be of type string: "integer", '
        'status.conditions[0].status: Unsupported value: 7: supported values: "True", "False", '
        '"Unknown", '
        '<nil>: Invalid value: "null": some validation rules were not checked because the object '
        "was invalid; correct the existing errors to complete validation]"
    )
