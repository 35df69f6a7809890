"""Kubernetes list semantics for Secrets: label selectors, chunking with `limit`/`continue`.

Follows "Retrieving large results sets in chunks"
(https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks):

- every page of a chunked list is read from the same snapshot, the state at the first page's
  `resourceVersion`, whatever was written in between;
- a `continue` token older than the snapshot's retention (etcd compaction, five minutes by
  default) is refused with 410 `Expired`; the client must start a new list;
- `remainingItemCount` is only set when the list has no label selector;
- listing in a namespace that does not exist is an empty list, not an error.

The token carries the snapshot's resourceVersion and the key to start after, as the real
API server's does; its encoding is opaque to clients.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.kubernetes.conventions import KubeError
from sandbox.kubernetes.selectors import SelectorError, matches, parse

DEFAULT_CONTINUE_TTL_S = 300.0
MAX_SNAPSHOTS = 256
EXPIRED_MESSAGE = (
    "The provided continue parameter is too old to display a consistent list result. "
    "You can start a new list without the continue parameter."
)

Entry = tuple[str, dict[str, Any]]  # ("namespace/name", secret)


@dataclass
class ListPolicy:
    """How long continue tokens live, shared by every cluster; `clock` is injectable."""

    continue_ttl_s: float = DEFAULT_CONTINUE_TTL_S
    expire_next: int = 0
    clock: Callable[[], float] = field(default=time.monotonic)


@dataclass
class Snapshots:
    """The states chunked lists are reading, by resourceVersion."""

    taken: dict[int, tuple[float, list[Entry]]] = field(default_factory=dict)

    def keep(self, revision: int, entries: list[Entry], now: float) -> None:
        if revision not in self.taken:
            self.taken[revision] = (now, entries)
        while len(self.taken) > MAX_SNAPSHOTS:
            del self.taken[min(self.taken)]

    def find(self, revision: int, policy: ListPolicy) -> list[Entry]:
        found = self.taken.get(revision)
        if policy.expire_next > 0:
            policy.expire_next -= 1
            found = None
        if found is None or policy.clock() - found[0] > policy.continue_ttl_s:
            self.taken.pop(revision, None)
            raise KubeError(410, EXPIRED_MESSAGE, reason="Expired")
        return found[1]


def list_page(
    current: Callable[[], tuple[int, list[Entry]]],
    snapshots: Snapshots,
    policy: ListPolicy,
    namespace: str,
    selector: str,
    limit: int,
    cont: str,
    fields: str = "",
) -> dict[str, Any]:
    """One page of a SecretList; `current` gives the live revision and entries, key-sorted;
    `fields` is a field selector (`kubectl delete` waits with `metadata.name=...`)."""
    try:
        requirements = parse(selector)
    except SelectorError as err:
        raise KubeError(400, str(err)) from None
    wanted = _field_requirements(fields)
    if cont:
        revision, start = _decode(cont)
        entries = snapshots.find(revision, policy)
    else:
        revision, entries = current()
        start = ""
    prefix = f"{namespace}/" if namespace else ""
    chosen: list[dict[str, Any]] = []
    remaining = 0
    for key, secret in entries:
        if key < start or not key.startswith(prefix):
            continue
        if not matches(requirements, secret["metadata"].get("labels", {})):
            continue
        if not all((secret["metadata"].get(f) == v) == eq for f, eq, v in wanted):
            continue
        if limit > 0 and len(chosen) == limit:
            remaining += 1
        else:
            chosen.append(secret)
            last = key
    metadata: dict[str, Any] = {"resourceVersion": str(revision)}
    if remaining:
        snapshots.keep(revision, entries, policy.clock())
        metadata["continue"] = _encode(revision, last + "\x00")
        if not requirements:
            metadata["remainingItemCount"] = remaining
    return {"kind": "SecretList", "apiVersion": "v1", "metadata": metadata, "items": chosen}


# Every kind serves these two field selectors; anything else is refused as the API server does.
_FIELDS = {"metadata.name": "name", "metadata.namespace": "namespace"}


def _field_requirements(fields: str) -> list[tuple[str, bool, str]]:
    """(metadata key, equal?, value) for each term of a field selector."""
    wanted = []
    for term in filter(None, fields.split(",")):
        key, op, value = term.partition("!=") if "!=" in term else term.partition("=")
        key, value = key.strip(), value.lstrip("=").strip()
        if not op:
            raise KubeError(400, f"invalid selector: '{fields}'; can't understand '{term}'")
        if key not in _FIELDS:
            raise KubeError(400, f"field label not supported: {key}")
        wanted.append((_FIELDS[key], op == "=", value))
    return wanted


def _encode(revision: int, start: str) -> str:
    token = {"v": "meta.k8s.io/v1", "rv": revision, "start": start}
    return base64.urlsafe_b64encode(json.dumps(token).encode()).decode()


def _decode(cont: str) -> tuple[int, str]:
    try:
        token = json.loads(base64.urlsafe_b64decode(cont.encode()))
        revision, start = token["rv"], token["start"]
        if token.get("v") != "meta.k8s.io/v1" or not isinstance(revision, int):
            raise ValueError(cont)
        return revision, str(start)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise KubeError(400, f"continue key is not valid: {cont}") from None
