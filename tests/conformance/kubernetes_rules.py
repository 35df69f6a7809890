"""Kubernetes validation rules as data (../shared/reference/argocd/k8s-validation.json), and a
plain reading of them to check the sandbox against.

Where the file is absent every test that asks for it skips, saying so; the sandbox never reads
it. In a git worktree the folder beside the repository is the main checkout's, so that one's
parent is looked in too.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from tests.conformance.reference import reference_file


@functools.cache
def rules() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(reference_file("argocd/k8s-validation.json").read_text())
    return loaded


def _full(pattern: str, text: str) -> bool:
    # The file's regexes are Go RE2 anchored at both ends: fullmatch, never `$`.
    return re.fullmatch(pattern, text) is not None


def go_len(text: str) -> int:
    """Go's len(): bytes of the UTF-8 text."""
    return len(text.encode())


def dns_subdomain(text: str) -> bool:
    rule = rules()["dns1123_subdomain"]
    return go_len(text) <= rule["max"] and _full(rule["regex"], text)


def label_key(text: str) -> bool:
    rule = rules()["label_key"]
    parts = text.split("/")
    if len(parts) > 2 or (len(parts) == 2 and not (parts[0] and dns_subdomain(parts[0]))):
        return False
    return go_len(parts[-1]) <= rule["name_max"] and _full(rule["name_regex"], parts[-1])


def label_value(text: str) -> bool:
    rule = rules()["label_value"]
    return go_len(text) <= rule["max"] and _full(rule["regex"], text)


def go_lower(text: str) -> str:
    """strings.ToLower: each rune's simple lowercase mapping (UnicodeData.txt). Python's
    lower() uses the full mapping, which differs only for U+0130 (Go: "i", Python: "i̇") among
    the runes whose lowercase is ASCII, and for final sigma, which no rule admits anyway."""
    return "".join("i" if ch == "\u0130" else ch.lower() for ch in text)


def annotation_key(text: str) -> bool:
    assert "ToLower" in rules()["annotation_key"]
    return label_key(go_lower(text))


def data_key(text: str) -> bool:
    rule = rules()["secret_data_key"]
    return (
        go_len(text) <= rule["max"]
        and _full(rule["regex"], text)
        and text not in rule["not"]
        and not text.startswith(rule["not_prefix"])
    )
