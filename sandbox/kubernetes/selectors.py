"""Kubernetes label selectors, as the API server parses `labelSelector`, written from the docs.

Grammar (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
and the `labels.Parse` documentation of k8s.io/apimachinery):

    selector    := "" | requirement ("," requirement)*
    requirement := "!" key | key | key ("=" | "==" | "!=") [value]
                 | key ("in" | "notin") "(" [value] ("," [value])* ")" | key (">" | "<") integer

An omitted value is the empty string (`env=` matches `env: ""`, `env in ()` is `in ("")`).
`!=` and `notin` also match objects without the key. Keys must be qualified names and values
label values (`names`). This module must not share code with the product.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sandbox.kubernetes.names import label_value_ok, qualified_name_ok

_TOKEN = re.compile(r"\s*(!=|==|=|!|\(|\)|,|>|<|[^\s!=(),<>]+)")
_OPERATORS = ("=", "==", "!=", "in", "notin", ">", "<")
_INTEGER = re.compile(r"[-+]?[0-9]+")


class SelectorError(ValueError):
    """The selector does not parse; the message is the API server's wording."""


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # exists, !, in, notin, gt, lt
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.key)
        if self.operator == "exists":
            return value is not None
        if self.operator == "!":
            return value is None
        if self.operator == "in":
            return value is not None and value in self.values
        if self.operator == "notin":
            return value is None or value not in self.values
        if value is None or _INTEGER.fullmatch(value) is None:
            return False
        bound = int(next(iter(self.values)))
        return int(value) > bound if self.operator == "gt" else int(value) < bound


def _lex(text: str) -> list[str]:
    tokens, pos = [], 0
    while text[pos:].strip():
        found = _TOKEN.match(text, pos)
        if found is None:  # unreachable with this token pattern, kept as a guard
            raise SelectorError(f"unable to parse requirement: cannot read {text[pos:]!r}")
        tokens.append(found.group(1))
        pos = found.end()
    return tokens


def parse(text: str) -> tuple[Requirement, ...]:
    """The requirements of a selector (all must hold); () matches everything."""
    tokens = _lex(text)
    requirements: list[Requirement] = []
    while tokens:
        requirements.append(_requirement(tokens))
        if tokens:
            if tokens.pop(0) != ",":
                raise SelectorError("unable to parse requirement: expected ','")
            if not tokens:
                raise SelectorError("found '', expected: identifier after ','")
    return tuple(requirements)


def matches(requirements: tuple[Requirement, ...], labels: Mapping[str, str]) -> bool:
    return all(r.matches(labels) for r in requirements)


def _key(tokens: list[str]) -> str:
    key = tokens.pop(0) if tokens else ""
    if not qualified_name_ok(key):  # "in" and "notin" are valid keys: context decides
        raise SelectorError(f"unable to parse requirement: invalid label key {key!r}")
    return key


def _requirement(tokens: list[str]) -> Requirement:
    if tokens[0] == "!":
        tokens.pop(0)
        key = _key(tokens)
        if tokens and tokens[0] != ",":
            raise SelectorError(f"found '{tokens[0]}', expected: ',' or 'end of string'")
        return Requirement(key, "!")
    key = _key(tokens)
    if not tokens or tokens[0] == ",":
        return Requirement(key, "exists")
    operator = tokens.pop(0)
    if operator not in _OPERATORS:
        raise SelectorError(f"found '{operator}', expected: an operator")
    if operator in ("in", "notin"):
        return Requirement(key, operator, _value_set(tokens))
    value = "" if not tokens or tokens[0] == "," else _value(tokens.pop(0))
    if operator in (">", "<"):
        if _INTEGER.fullmatch(value) is None:
            raise SelectorError(f"for 'Gt', 'Lt' operators, the value must be an integer: {value}")
        return Requirement(key, "gt" if operator == ">" else "lt", frozenset([value]))
    return Requirement(key, "notin" if operator == "!=" else "in", frozenset([value]))


def _value(token: str) -> str:
    if token in ("!", "=", "==", "!=", "(", ")", ",", ">", "<") or not label_value_ok(token):
        raise SelectorError(f"unable to parse requirement: invalid label value {token!r}")
    return token


def _value_set(items: list[str]) -> frozenset[str]:
    if not items or items.pop(0) != "(":
        raise SelectorError("found '', expected: '('")
    values: set[str] = set()
    current = ""
    while True:
        if not items:
            raise SelectorError("found '', expected: ')'")
        item = items.pop(0)
        if item in (",", ")"):
            values.add(current)
            current = ""
            if item == ")":
                return frozenset(values)
        elif current:
            raise SelectorError(f"found '{item}', expected: ',' or ')'")
        else:
            current = _value(item)
