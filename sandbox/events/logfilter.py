"""A faithful subset of the Logging query language, for the filters of Cloud Logging sinks.

Follows https://cloud.google.com/logging/docs/view/logging-query-language: comparisons
`FIELD = VALUE`, `FIELD != VALUE` and `FIELD : VALUE` ("has": a substring, or `:*` for any
value) on dotted LogEntry paths (a quoted part for names such as `labels."a/b"`), quoted or
bare values, value groups `FIELD = ("a" OR "b")`, `NOT` (or `-`), `AND`, `OR`, juxtaposition
as `AND`, and parentheses. As the page says, NOT binds tightest, then OR, then AND, so
`a OR NOT b AND c` is `(a OR (NOT b)) AND c`; string comparisons ignore case; a query is at most
20,000 characters. A repeated field matches when any element does. Anything else (global
terms, `<`, `>=`, `=~`, functions, lowercase operators) is a `LogFilterError` naming where it
is: a sink filter is refused, never half read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

MAX_LENGTH = 20_000
KEYWORDS = ("AND", "OR", "NOT")
_TOKEN = re.compile(
    r'(?P<space>\s+)|(?P<string>"(?:[^"\\]|\\.)*")|(?P<op>!=|=~|!~|<=|>=|[=:<>()]|\*)'
    r'|(?P<word>[^\s"=:<>()!*~]+)|(?P<bad>.)'
)
_NAME = re.compile(r"[A-Za-z_@][A-Za-z0-9_@-]*\Z")
Entry = dict[str, Any]
Predicate = Callable[[Entry], bool]


class LogFilterError(ValueError):
    """A query outside the subset, or malformed; the message names the character position."""


class _Token:
    def __init__(self, kind: str, text: str, at: int, spaced: bool) -> None:
        self.kind, self.text, self.at, self.spaced = kind, text, at, spaced


def compile_filter(query: str) -> Predicate:
    """The predicate a sink's filter stands for; an empty filter admits every entry."""
    if len(query) > MAX_LENGTH:
        raise LogFilterError(f"a query is at most {MAX_LENGTH} characters, got {len(query)}")
    parser = _Parser(_tokens(query), len(query) + 1)
    if parser.peek() is None:
        return lambda entry: True
    predicate = parser.conjunction()
    if (extra := parser.peek()) is not None:
        raise parser.error(extra, f"unexpected {extra.text!r}")
    return predicate


def _tokens(query: str) -> list[_Token]:
    tokens, spaced = [], True
    for match in _TOKEN.finditer(query):
        kind, text = match.lastgroup or "bad", match.group()
        if kind == "space":
            spaced = True
            continue
        if kind == "bad":
            raise LogFilterError(f"unexpected {text!r} at position {match.start() + 1}")
        tokens.append(_Token(kind, text, match.start() + 1, spaced))
        spaced = False
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token], end: int) -> None:
        self.tokens, self.index, self.end = tokens, 0, end

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise LogFilterError(f"the query ends too early at position {self.end}")
        self.index += 1
        return token

    def error(self, token: _Token, message: str) -> LogFilterError:
        return LogFilterError(f"{message} at position {token.at}")

    def conjunction(self) -> Predicate:
        """Terms joined by AND or by juxtaposition: the loosest binding."""
        terms = [self.disjunction()]
        while (token := self.peek()) is not None and token.text != ")":
            if token.text == "AND":
                self.take()
            terms.append(self.disjunction())
        return terms[0] if len(terms) == 1 else lambda e: all(t(e) for t in terms)

    def disjunction(self) -> Predicate:
        terms = [self.negation()]
        while (token := self.peek()) is not None and token.text == "OR":
            self.take()
            terms.append(self.negation())
        return terms[0] if len(terms) == 1 else lambda e: any(t(e) for t in terms)

    def negation(self) -> Predicate:
        token = self.take()
        if token.text == "NOT" or (token.kind == "word" and token.text == "-"):
            inner = self.negation()
            return lambda e: not inner(e)
        if token.text == "(":
            inner = self.conjunction()
            self._close(token)
            return inner
        if token.kind == "word" and token.text.startswith("-") and len(token.text) > 1:
            token.text, token.at = token.text[1:], token.at + 1  # `-field=v` is NOT field=v
            self.index -= 1
            inner = self.negation()
            return lambda e: not inner(e)
        return self.comparison(token)

    def comparison(self, first: _Token) -> Predicate:
        path = self._path(first)
        operator = self.peek()
        if first.text.upper() in KEYWORDS:
            raise self.error(first, f"operators are uppercase: {first.text.upper()}")
        if operator is not None and operator.text == "(" and not operator.spaced:
            raise self.error(first, "functions are outside the subset")
        if operator is None or operator.kind != "op" or operator.text in "()*":
            raise self.error(first, "a global search term is outside the subset: FIELD OP VALUE")
        self.take()
        if operator.text not in ("=", "!=", ":"):
            raise self.error(operator, f"operator {operator.text!r} is outside the subset")
        if operator.text == ":" and (star := self.peek()) is not None and star.text == "*":
            self.take()
            return lambda e: _present(e, path)
        test = self._value_test(operator.text)
        if operator.text == "!=":
            return lambda e: not any(test(v) for v in _values(e, path))
        return lambda e: any(test(v) for v in _values(e, path))

    def _path(self, first: _Token) -> list[str]:
        """A dotted field path; a quoted part joins its neighbours when nothing separates them."""
        if first.kind not in ("word", "string") or first.text in KEYWORDS:
            raise self.error(first, f"expected a field name, got {first.text!r}")
        parts: list[str] = []
        token = first
        while True:
            open_end = False
            if token.kind == "string":
                parts.append(_unquote(token))
            else:
                pieces = (token.text[1:] if parts else token.text).split(".")
                open_end = pieces[-1] == ""
                pieces = pieces[:-1] if open_end else pieces
                if not all(_NAME.match(piece) for piece in pieces):
                    raise self.error(token, f"malformed field name {token.text!r}")
                parts.extend(pieces)
            following = self.peek()
            adjacent = following is not None and not following.spaced
            if open_end and not (adjacent and following and following.kind == "string"):
                raise self.error(token, "a field name ends with '.'")
            if not open_end and not (
                adjacent
                and following
                and following.kind == "word"
                and following.text.startswith(".")
            ):
                return parts
            token = self.take()

    def _value_test(self, operator: str) -> Callable[[Any], bool]:
        """One value, or a group `("a" OR "b" AND ...)` of them, as a test on a field value."""
        token = self.take()
        if token.text == "(":
            tests = [[self._value_test(operator)]]
            while (joint := self.take()).text != ")":
                if joint.text == "OR":
                    tests.append([self._value_test(operator)])
                elif joint.text == "AND":
                    tests[-1].append(self._value_test(operator))
                else:
                    raise self.error(joint, "expected OR, AND or ')' in a value group")
            return lambda v: any(all(t(v) for t in group) for group in tests)
        if token.kind == "string":
            wanted = _unquote(token).casefold()
        elif token.kind == "word" and token.text not in KEYWORDS:
            wanted = token.text.casefold()
        else:
            raise self.error(token, f"expected a value, got {token.text!r}")
        if operator == ":":
            return lambda v: wanted in _text(v).casefold()
        return lambda v: _text(v).casefold() == wanted

    def _close(self, opening: _Token) -> None:
        token = self.peek()
        if token is None or token.text != ")":
            raise self.error(opening, "'(' is never closed")
        self.take()


def _unquote(token: _Token) -> str:
    body = token.text[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _values(node: Any, path: list[str]) -> list[Any]:
    """Every scalar at `path`, through repeated fields; none where the field is missing."""
    if isinstance(node, list):
        return [v for item in node for v in _values(item, path)]
    if not path:
        return [] if isinstance(node, dict) or node is None else [node]
    if not isinstance(node, dict) or path[0] not in node:
        return []
    return _values(node[path[0]], path[1:])


def _present(node: Any, path: list[str]) -> bool:
    if isinstance(node, list):
        return any(_present(item, path) for item in node)
    if not path:
        return node is not None
    return isinstance(node, dict) and path[0] in node and _present(node[path[0]], path[1:])
