"""The multi form of the configuration: `FLEET_SYNC_CONFIG`, fleets and Argo CD targets.

One JSON document (the CLI also reads it as YAML) lists the fleet host project numbers and
the targets; each target is an Argo CD instance (its cluster's membership and namespace)
with the selector of memberships it gets, and its tenancy options. Every error is named by
its path in the document (`targets[1].selector: ...`) and all of them are reported at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fleetsync.config.jsonfields import field_list, field_object, field_string, field_typed
from fleetsync.config.outputs import Tenancy, read_tenancy
from fleetsync.core.errors import PermanentError
from fleetsync.core.labels import Selector, is_dns_label, is_dns_subdomain, parse_selector
from fleetsync.core.model import MembershipRef
from fleetsync.core.naming import is_project_number, membership_name, parse_resource_name

DOCUMENT_KEYS = {"fleets", "targets"}
TARGET_KEYS = {
    "name",
    "argocd_membership",
    "namespace",
    "selector",
    "project",
    "tenancy",
    "previous_names",
}


@dataclass(frozen=True)
class Target:
    """One Argo CD instance: where its Secrets go and which memberships it gets.

    The single-form variables make one target whose name is empty: its Secrets carry no
    target label, exactly as before the multi form existed.
    """

    name: str
    argocd_project_number: str  # the fleet the Argo CD cluster's membership is in
    argocd_membership: MembershipRef
    namespace: str = "argocd"
    selector: Selector = field(default_factory=Selector)
    project: str = ""  # the Argo CD AppProject of its Secrets ("": Argo CD's default)
    tenancy: Tenancy = field(default_factory=Tenancy)
    # Names this target had before a rename: their Secrets and AppProjects are its own.
    previous_names: tuple[str, ...] = ()

    @property
    def owners(self) -> tuple[str, ...]:
        """The target labels whose objects are this target's: its name, those before a rename."""
        return (self.name, *self.previous_names)

    @property
    def label(self) -> str:
        return self.name or "default"


@dataclass(frozen=True)
class SyncConfig:
    fleets: tuple[str, ...]
    targets: tuple[Target, ...]


def parse_document(text: str) -> SyncConfig:
    """Read FLEET_SYNC_CONFIG; raise PermanentError naming every error by its path."""
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except ValueError as err:
        raise PermanentError(f"not valid JSON: {err}") from None
    except RecursionError:
        raise PermanentError("not valid JSON: nested too deeply") from None
    return read_document(document)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON keeps the last of two equal keys; a second `targets` would silently win."""
    keys = [key for key, _ in pairs]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise ValueError(f"key {', '.join(map(repr, twice))} given twice in one object")
    return dict(pairs)


def read_document(document: object) -> SyncConfig:
    errors: list[str] = []
    body = field_object(document, "", DOCUMENT_KEYS, errors)
    before = len(errors)
    fleets = field_list(body.get("fleets"), "fleets", errors)
    numbers: list[str] = []
    for i, raw in enumerate(fleets):
        if isinstance(raw, str) and is_project_number(raw):
            if raw in numbers:
                errors.append(f"fleets[{i}]: {raw} is listed twice")
            numbers.append(raw)
        else:
            errors.append(f"fleets[{i}]: must be a project number (digits, as a string)")
    if isinstance(body.get("fleets"), list) and not fleets:
        errors.append("fleets: must list at least one fleet host project number")
    # With the fleets wrong, whether a membership's project is among them says nothing.
    known = numbers if len(errors) == before else None
    targets = []
    for i, raw in enumerate(field_list(body.get("targets"), "targets", errors)):
        target = _target(raw, f"targets[{i}]", known, errors)
        if target is not None:
            targets.append(target)
    if isinstance(body.get("targets"), list) and not body["targets"]:
        errors.append("targets: must list at least one target")
    errors.extend(_clashes(targets))
    if errors:
        raise PermanentError("; ".join(errors))  # Settings names the variable
    return SyncConfig(tuple(numbers), tuple(targets))


def _clashes(targets: list[Target]) -> list[str]:
    """Two targets writing into one namespace of one cluster would delete each other's work."""
    errors: list[str] = []
    names: dict[str, int] = {}
    places: dict[tuple[str, MembershipRef, str], int] = {}
    for i, target in enumerate(targets):
        if target.name in names:
            errors.append(
                f"targets[{i}].name: {target.name!r} is also targets[{names[target.name]}]"
            )
        names.setdefault(target.name, i)
    for i, target in enumerate(targets):
        for name in sorted(set(target.previous_names) & set(names)):
            errors.append(f"targets[{i}].previous_names: {name!r} is targets[{names[name]}]")
        place = (target.argocd_project_number, target.argocd_membership, target.namespace)
        if place in places:
            errors.append(
                f"targets[{i}]: writes into namespace {target.namespace} of "
                f"{target.argocd_membership}, as targets[{places[place]}] does"
            )
        places.setdefault(place, i)
    return errors


def _target(raw: object, path: str, fleets: list[str] | None, errors: list[str]) -> Target | None:
    before = len(errors)
    body = field_object(raw, path, TARGET_KEYS, errors)
    name = field_string(body, "name", path, errors, None, is_dns_label, "a DNS label")
    namespace = field_string(
        body, "namespace", path, errors, "argocd", is_dns_label, "a namespace name"
    )
    project = field_string(
        body, "project", path, errors, "", lambda s: not s or is_dns_subdomain(s), "an AppProject"
    )
    selector = Selector()
    text = field_string(body, "selector", path, errors, "", None, "")
    try:
        selector = parse_selector(text)
    except (PermanentError, ValueError) as err:
        errors.append(f"{path}.selector: {err}")
    number, ref = "", MembershipRef("", "")
    raw_ref = field_string(body, "argocd_membership", path, errors, None, None, "")
    if raw_ref:
        try:
            number, kind, ref = parse_resource_name(raw_ref)
            if kind != "membership" or raw_ref != membership_name(number, ref):
                raise PermanentError("not a membership")
            if fleets is not None and number not in fleets:
                errors.append(
                    f"{path}.argocd_membership: project {number} is not one of fleets "
                    "(use the project number of the fleet it is registered in)"
                )
        except PermanentError:
            errors.append(
                f"{path}.argocd_membership: must be projects/{{project number}}/"
                f"locations/{{location}}/memberships/{{id}}, got {raw_ref!r}"
            )
    tenancy = read_tenancy(body.get("tenancy"), f"{path}.tenancy", errors)
    previous = field_typed(body, "previous_names", path, list, errors, [])
    if not all(isinstance(p, str) and is_dns_label(p) for p in previous):
        errors.append(f"{path}.previous_names: must be a list of earlier names (DNS labels)")
    if len(errors) > before:
        return None
    return Target(name, number, ref, namespace, selector, project, tenancy, tuple(previous))
