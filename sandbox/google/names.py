"""Google resource-name rules the emulated Hub enforces, written from Google's documentation.

- Membership (and binding, scope) ids: an RFC 1123 label, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`,
  at most 63 characters (google/cloud/gkehub/v1/membership.proto, `Membership.name`).
- Locations: `global` or a Compute Engine region such as `us-central1`
  (https://cloud.google.com/compute/docs/regions-zones).
- Project ids: 6 to 30 characters, lowercase letters, digits and hyphens, starting with a
  letter and not ending with a hyphen; project numbers are digits
  (https://cloud.google.com/resource-manager/docs/creating-managing-projects).

This module must not share code with the product.
"""

from __future__ import annotations

import re

_RESOURCE_ID = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?")
_REGION = re.compile(r"[a-z]+(?:-[a-z]+)*[0-9]+")
_PROJECT_ID = re.compile(r"[a-z][-a-z0-9]{4,28}[a-z0-9]")
_PROJECT_NUMBER = re.compile(r"[0-9]+")
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
