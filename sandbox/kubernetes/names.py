"""Kubernetes naming rules, written from the API conventions and the validation docs.

- DNS-1123 label (namespace names): at most 63 characters, lowercase alphanumerics and '-',
  starting and ending alphanumeric.
- DNS-1123 subdomain (Secret and AppProject names): at most 253 characters, lowercase
  alphanumerics, '-' and '.', each dot-separated part starting and ending alphanumeric.
- Qualified name (label and annotation keys): an optional DNS-1123 subdomain prefix and '/',
  then a name of at most 63 characters: alphanumerics, '-', '_' and '.', starting and ending
  alphanumeric.
- Label value: empty, or at most 63 characters of the same alphabet as a name.

Sources: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/ and
https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
This module must not share code with the product: it is the oracle the product is checked
against.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

_ALNUM = "[A-Za-z0-9]"
_LABEL_CHARS = "[-A-Za-z0-9_.]"
_DNS_LABEL = "[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
_DNS_SUBDOMAIN = re.compile(rf"{_DNS_LABEL}(?:\.{_DNS_LABEL})*")
_NAME_PART = re.compile(rf"{_ALNUM}(?:{_LABEL_CHARS}*{_ALNUM})?")
_DATA_KEY = re.compile(r"[-._a-zA-Z0-9]+")

DNS_SUBDOMAIN_MAX = 253
NAME_PART_MAX = 63
LABEL_VALUE_MAX = 63


def dns_subdomain_ok(text: str) -> bool:
    """A lowercase RFC 1123 subdomain, as Secret names must be."""
    return len(text) <= DNS_SUBDOMAIN_MAX and _DNS_SUBDOMAIN.fullmatch(text) is not None


def dns_label_ok(text: str) -> bool:
    """A lowercase RFC 1123 label, as namespace names must be."""
    return len(text) <= NAME_PART_MAX and re.fullmatch(_DNS_LABEL, text) is not None


def qualified_name_ok(text: str) -> bool:
    """A label or annotation key: `[prefix/]name`."""
    parts = text.split("/")
    if len(parts) == 2:
        prefix, name = parts
        if not prefix or not dns_subdomain_ok(prefix):
            return False
    elif len(parts) == 1:
        name = parts[0]
    else:
        return False
    return len(name) <= NAME_PART_MAX and _NAME_PART.fullmatch(name) is not None


def label_value_ok(text: str) -> bool:
    return text == "" or (len(text) <= LABEL_VALUE_MAX and _NAME_PART.fullmatch(text) is not None)


def config_key_ok(text: str) -> bool:
    """A key of a Secret's `data`: alphanumerics, '-', '_' and '.' (IsConfigMapKey)."""
    return (
        len(text) <= DNS_SUBDOMAIN_MAX
        and _DATA_KEY.fullmatch(text) is not None
        and text
        not in (
            ".",
            "..",
        )
        and not text.startswith("..")
    )


# apiserver `storage/names/generate.go` (`SimpleNameGenerator`: 63 - 5 characters of the
# prefix, then 5 from apimachinery `util/rand`'s alphabet); `registry/rest/create.go`
# `BeforeCreate` calls it for a `generateName` without a `name`.
_GENERATED_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_GENERATED_PREFIX_MAX = 58


def with_generated_name(body: Any) -> Any:
    """`body` with `metadata.name` made from `metadata.generateName` when only that is given."""
    meta = body.get("metadata") if isinstance(body, dict) else None
    if not isinstance(meta, dict) or meta.get("name"):
        return body
    prefix = meta.get("generateName")
    if isinstance(prefix, str) and prefix:
        suffix = "".join(secrets.choice(_GENERATED_ALPHABET) for _ in range(5))
        meta["name"] = prefix[:_GENERATED_PREFIX_MAX] + suffix
    return body


_LABEL_VALUE_RULE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
_NAME_PART_RULE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def label_problems(labels: dict[str, Any]) -> list[tuple[str, str]]:
    """apimachinery `ValidateLabels`: (the bad key or value, the message) for each problem; a
    value's as `IsValidLabelValue` words it, a key's as the name part's `IsQualifiedName` rule."""
    found = []
    for key, value in labels.items():
        if not qualified_name_ok(key):
            found.append((key, _NAME_PART_RULE))
        text = value if isinstance(value, str) else str(value)
        if len(text) > LABEL_VALUE_MAX:
            found.append((text, f"must be no more than {LABEL_VALUE_MAX} characters"))
        if text and _NAME_PART.fullmatch(text) is None:
            found.append((text, _LABEL_VALUE_RULE))
    return found
