"""How one environment variable is read: `Variable`, and the parsers of its values.

`settings` holds the table of variables; everything here is generic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from fleetsync.core.errors import PermanentError
from fleetsync.core.labels import is_dns_label, is_dns_subdomain
from fleetsync.core.naming import is_project_number

T = TypeVar("T")
N = TypeVar("N", int, float)
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


@dataclass(frozen=True)
class Variable(Generic[T]):
    """One environment variable: how to read it, its default, its CLI flag, what it means.

    A required variable's default only stands in while the other variables are read, so
    that every error is reported at once; `from_env` raises before using it.
    """

    name: str
    parse: Callable[[str], T]
    default: T
    required: str = ""  # what is missing, for a required variable
    flag: str = ""  # the CLI flag that overrides it, if any

    def read(self, env: Mapping[str, str], errors: list[str]) -> T:
        raw = env.get(self.name, "").strip()
        if not raw:
            if self.required:
                errors.append(f"{self.name}: required: {self.required}")
            return self.default
        try:
            return self.parse(raw)
        except (PermanentError, ValueError) as err:
            errors.append(f"{self.name}: {err}")
            return self.default


def parse_project_number(raw: str) -> str:
    if not is_project_number(raw):
        raise ValueError(f"must be the fleet host project number (digits only), got {raw!r}")
    return raw


def parse_text(raw: str) -> str:
    return raw


def parse_namespace(raw: str) -> str:
    if not is_dns_label(raw):
        raise ValueError(f"must be a Kubernetes namespace name, got {raw!r}")
    return raw


def parse_app_project(raw: str) -> str:
    if not is_dns_subdomain(raw):
        raise ValueError(f"must be an Argo CD AppProject name, got {raw!r}")
    return raw


def parse_url(raw: str) -> str:
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", raw):
        raise ValueError(f"must be an http(s) URL, got {raw!r}")
    return raw.rstrip("/")


def parse_ca_file(raw: str) -> str:
    """A PEM bundle of CA certificates, checked at start so a wrong path is one clear line."""
    try:
        with open(raw, encoding="ascii", errors="replace") as bundle:
            pem = bundle.read()
    except OSError as err:
        raise ValueError(f"cannot read {raw!r}: {err.strerror}") from None
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise ValueError(f"{raw!r} holds no PEM certificate")
    return raw


def between(kind: Callable[[str], N], low: N, high: N, what: str = "") -> Callable[[str], N]:
    """A parser of numbers from `low` to `high`; `what` names the ends when they mean more."""

    def parse(raw: str) -> N:
        value = kind(raw)
        if not low <= value <= high:
            raise ValueError(f"must be between {what or f'{low} and {high}'}, got {raw!r}")
        return value

    return parse


def parse_boolean(raw: str) -> bool:
    """The one boolean vocabulary, for variables and query parameters alike."""
    if raw.lower() in BOOLEANS:
        return BOOLEANS[raw.lower()]
    raise ValueError(f"must be true or false, got {raw!r}")
