"""Kubernetes label rules: which keys and values are valid, and label selectors.

The selector grammar is Kubernetes' own (equality- and set-based):
`env in (prod,staging),tier!=db,!no-argocd,team`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fleetsync.core.errors import PermanentError

_NAME = r"([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]"
_NAME_RE = re.compile(_NAME)
# Always `fullmatch`: `$` would also accept a trailing newline.
_DNS_SUBDOMAIN_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_TOKEN_RE = re.compile(r"\s*(==|!=|=|\(|\)|,|!|[^\s=!(),]+)")


_DNS_LABEL_RE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def is_dns_label(text: str) -> bool:
    """An RFC 1123 label: a namespace, a membership, scope or fleet namespace id."""
    return bool(_DNS_LABEL_RE.fullmatch(text))


def is_dns_subdomain(text: str) -> bool:
    return len(text) <= 253 and bool(_DNS_SUBDOMAIN_RE.fullmatch(text))


def is_label_key(key: str) -> bool:
    prefix, slash, name = key.rpartition("/")
    if slash and not is_dns_subdomain(prefix):
        return False
    return len(name) <= 63 and bool(_NAME_RE.fullmatch(name))


def is_label_value(value: str) -> bool:
    return value == "" or (len(value) <= 63 and bool(_NAME_RE.fullmatch(value)))


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # "in", "notin", "exists", "!"
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.operator == "exists":
            return present
        if self.operator == "!":
            return not present
        if self.operator == "in":
            return present and labels[self.key] in self.values
        return not present or labels[self.key] not in self.values


@dataclass(frozen=True)
class Selector:
    """A parsed label selector; the empty selector matches everything."""

    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(r.matches(labels) for r in self.requirements)


class _Tokens:
    def __init__(self, text: str) -> None:
        self.items = _tokenize(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def take(self, check: Callable[[str], bool] = bool, what: str = "a token") -> str:
        token = self.peek()
        if token is None or not check(token):
            found = "the end" if token is None else repr(token)
            raise PermanentError(f"label selector: expected {what}, found {found}")
        self.pos += 1
        return token


def _tokenize(text: str) -> list[str]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            raise PermanentError(f"label selector: cannot read {text[pos:]!r}")
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


def parse_selector(text: str) -> Selector:
    """Parse a Kubernetes label selector; raise PermanentError saying what is wrong."""
    tokens = _Tokens(text)
    requirements: list[Requirement] = []
    while tokens.peek() is not None:
        requirements.append(_requirement(tokens))
        if tokens.peek() is not None:
            tokens.take(lambda t: t == ",", "','")
            if tokens.peek() is None:
                raise PermanentError("label selector: trailing ','")
    return Selector(tuple(requirements))


def _requirement(tokens: _Tokens) -> Requirement:
    if tokens.peek() == "!":
        tokens.take()
        return Requirement(tokens.take(is_label_key, "a label key"), "!")
    key = tokens.take(is_label_key, "a label key")
    operator = tokens.peek()
    if operator in ("=", "==", "!="):
        tokens.take()
        value = tokens.take(is_label_value, "a label value") if _is_value(tokens.peek()) else ""
        return Requirement(key, "notin" if operator == "!=" else "in", frozenset([value]))
    if operator in ("in", "notin"):
        tokens.take()
        return Requirement(key, operator, _value_set(tokens))
    return Requirement(key, "exists")


def _is_value(token: str | None) -> bool:
    return token is not None and token not in (",", "(", ")", "!", "=", "==", "!=")


def _value_set(tokens: _Tokens) -> frozenset[str]:
    """`(a,b)`; an empty slot is the empty string, as Kubernetes' labels.Parse reads
    `()`, `(,a)` and `(a,)`."""
    tokens.take(lambda t: t == "(", "'('")
    values: set[str] = set()
    slot_open = True  # a value may come next; if a ',' or ')' comes instead, it was ""
    while True:
        separator = tokens.peek()
        if separator in (",", ")"):
            if slot_open:
                values.add("")
            tokens.take()
            if separator == ")":
                return frozenset(values)
            slot_open = True
        elif slot_open:
            values.add(tokens.take(is_label_value, "a label value, ',' or ')'"))
            slot_open = False
        else:
            tokens.take(lambda t: False, "',' or ')'")
