"""Google resource-name rules the emulated Hub enforces, written from Google's documentation.

- Membership (and binding, scope) ids: an RFC 1123 label, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`,
  at most 63 characters (google/cloud/gkehub/v1/membership.proto, `Membership.name`).
- Locations: `global` or a Compute Engine region such as `us-central1`
  (https://cloud.google.com/compute/docs/regions-zones).
- Project ids: 6 to 30 characters, lowercase letters, digits and hyphens, starting with a
  letter and not ending with a hyphen; project numbers are digits
  (https://cloud.google.com/resource-manager/docs/creating-managing-projects).
- Pub/Sub topic ids: 3 to 255 characters, starting with a letter, of letters, digits and
  `-_.~+%`, not starting with `goog` (https://cloud.google.com/pubsub/docs/pubsub-basics,
  "Resource names"); the full name is `projects/{project}/topics/{topic}`.

This module must not share code with the product.
"""

from __future__ import annotations

import re

_RESOURCE_ID = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?")
_REGION = re.compile(r"[a-z]+(?:-[a-z]+)*[0-9]+")
_PROJECT_ID = re.compile(r"[a-z][-a-z0-9]{4,28}[a-z0-9]")
_PROJECT_NUMBER = re.compile(r"[0-9]+")
_TOPIC_ID = re.compile(r"[A-Za-z][-A-Za-z0-9_.~+%]{2,254}")
RESOURCE_ID_MAX = 63


def resource_id_ok(text: str) -> bool:
    return len(text) <= RESOURCE_ID_MAX and _RESOURCE_ID.fullmatch(text) is not None


def location_ok(text: str) -> bool:
    return text == "global" or _REGION.fullmatch(text) is not None


def project_id_ok(text: str) -> bool:
    return _PROJECT_ID.fullmatch(text) is not None


def project_ok(text: str) -> bool:
    return _PROJECT_ID.fullmatch(text) is not None or _PROJECT_NUMBER.fullmatch(text) is not None


def membership_problem(location: str, ident: str) -> str:
    """Why `{location}/{ident}` cannot name a membership, or "" when it can."""
    if not location_ok(location):
        return f"invalid location {location!r}"
    if not resource_id_ok(ident):
        return f"invalid membership id {ident!r}"
    return ""


def topic_problem(name: str) -> str:
    """Why `name` cannot name a Pub/Sub topic (`projects/P/topics/T`), or "" when it can."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "projects" or parts[2] != "topics":
        return f"topic must be projects/PROJECT/topics/TOPIC, got {name!r}"
    if not project_id_ok(parts[1]):
        return f"invalid project id {parts[1]!r} in topic {name!r}"
    if not _TOPIC_ID.fullmatch(parts[3]) or parts[3].startswith("goog"):
        return f"invalid topic id {parts[3]!r}: 3-255 letters, digits or -_.~+%, a letter first"
    return ""
