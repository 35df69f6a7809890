"""A validator of Google API discovery-document schemas, for answers read as proto3 JSON.

What it checks, from the discovery format (https://developers.google.com/discovery/v1/type-format)
and the proto3 JSON mapping (https://protobuf.dev/programming-guides/json/):

- `$ref` to a schema of the document; `type` object / string / integer / number / boolean /
  array / any; `properties` (a field the schema lacks is a disagreement), `additionalProperties`
  (maps), `items`;
- `format`: int64 / uint64 travel as JSON strings of digits, int32 / uint32 as numbers,
  `google-datetime` is RFC 3339 in UTC with `Z` and 0, 3, 6 or 9 fractional digits,
  `google-duration` is seconds with an `s`, `byte` is base64;
- `enum`: a listed name, or with `enum_numbers` (what `$alt=json;enum-encoding=int` asks for)
  its number, which is its place in the list (checked against the client library's protos in
  test_validator.py); a number past the list is a value newer than the document, which proto3
  JSON writes as a number in either mode; `enumDeprecated` values are reported;
- proto3 defaults are omitted on output: "", 0, false, [], {} (a map) and an enum's first
  (`*_UNSPECIFIED`) value are disagreements where a scalar, list or map field holds them.
  A message-typed field (a `$ref`) has presence, so `{}` is allowed there;
- `readOnly` is ignored (it says who writes a field, not its shape).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z")
_DURATION = re.compile(r"-?\d+(\.\d{3}|\.\d{6}|\.\d{9})?s")
_INT64 = re.compile(r"-?\d+")
_UINT64 = re.compile(r"\d+")


class Discovery:
    def __init__(self, document: dict[str, Any]) -> None:
        self.schemas: dict[str, Any] = document["schemas"]

    def check(self, value: Any, schema: str, *, enum_numbers: bool = False) -> list[str]:
        """Every way `value` disagrees with the schema named `schema`, one line each."""
        problems: list[str] = []
        _Walk(self.schemas, enum_numbers, problems).node(value, {"$ref": schema}, "$")
        return problems


class _Walk:
    def __init__(self, schemas: dict[str, Any], enum_numbers: bool, problems: list[str]) -> None:
        self.schemas, self.enum_numbers, self.problems = schemas, enum_numbers, problems

    def say(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def node(self, value: Any, schema: dict[str, Any], where: str) -> None:
        if "$ref" in schema:
            self.node(value, self.schemas[schema["$ref"]], where)
            return
        kind = schema.get("type", "any")
        if kind == "any":
            return
        if "enum" in schema:
            self.enum(value, schema, where)
        elif kind == "object":
            self.object(value, schema, where)
        elif kind == "array":
            self.array(value, schema, where)
        elif kind == "string":
            self.string(value, schema.get("format", ""), where)
        elif kind == "integer":
            self.integer(value, where)
        elif kind == "number":
            if not isinstance(value, int | float) or isinstance(value, bool):
                self.say(where, f"{value!r} is not a number")
        elif kind == "boolean" and not isinstance(value, bool):
            self.say(where, f"{value!r} is not a boolean")

    def object(self, value: Any, schema: dict[str, Any], where: str) -> None:
        if not isinstance(value, dict):
            self.say(where, f"{_short(value)} is not an object")
            return
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        if properties is None and extra is None:
            return  # a free-form object (google.protobuf.Struct)
        for key, item in value.items():
            at = f"{where}.{key}"
            field = (properties or {}).get(key)
            if field is None and extra is None:
                self.say(at, "field not in the schema")
                continue
            field = field if field is not None else extra
            self.default(item, field, at)
            self.node(item, field, at)

    def default(self, item: Any, field: dict[str, Any], where: str) -> None:
        """proto3 JSON leaves out scalars, lists and maps that hold their default; an enum's
        default is its first value (number 0)."""
        if "$ref" in field or field.get("type") == "any":
            return
        if "enum" in field:
            if item in (field["enum"][0], 0):
                self.say(where, f"default enum value {item!r} should be omitted")
        elif isinstance(item, list | dict):
            if not item:
                self.say(where, f"empty {type(item).__name__} should be omitted")
        elif item in ("", 0) or (field.get("format") in ("int64", "uint64") and item == "0"):
            self.say(where, f"default value {item!r} should be omitted")

    def enum(self, value: Any, schema: dict[str, Any], where: str) -> None:
        names: list[str] = schema["enum"]
        deprecated = schema.get("enumDeprecated", [False] * len(names))
        if isinstance(value, int) and not isinstance(value, bool):
            if value >= len(names):
                return  # newer than the document: proto3 JSON writes it as a number
            if not self.enum_numbers:
                self.say(where, f"enum as number {value} without enum-encoding=int")
            index = value
        elif isinstance(value, str):
            if value not in names:
                self.say(where, f"{value!r} is not one of {names}")
                return
            if self.enum_numbers:
                self.say(where, f"enum {value!r} as a name although enum-encoding=int was asked")
            index = names.index(value)
        else:
            self.say(where, f"{_short(value)} is not an enum value")
            return
        if index < len(deprecated) and deprecated[index]:
            self.say(where, f"deprecated enum value {names[index]}")

    def array(self, value: Any, schema: dict[str, Any], where: str) -> None:
        if not isinstance(value, list):
            self.say(where, f"{_short(value)} is not an array")
            return
        for index, item in enumerate(value):
            self.node(item, schema.get("items", {}), f"{where}[{index}]")

    def string(self, value: Any, form: str, where: str) -> None:
        if not isinstance(value, str):
            self.say(where, f"{_short(value)} is not a string" + (f" ({form})" if form else ""))
            return
        if form == "int64" and not _INT64.fullmatch(value):
            self.say(where, f"{value!r} is not an int64 in decimal")
        elif form == "uint64" and not _UINT64.fullmatch(value):
            self.say(where, f"{value!r} is not a uint64 in decimal")
        elif form == "google-datetime" and not _DATETIME.fullmatch(value):
            self.say(where, f"{value!r} is not an RFC 3339 UTC time with 0/3/6/9 digits")
        elif form == "google-duration" and not _DURATION.fullmatch(value):
            self.say(where, f"{value!r} is not a duration in seconds")
        elif form == "byte":
            try:
                base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
            except (binascii.Error, ValueError):
                self.say(where, f"{value!r} is not base64")

    def integer(self, value: Any, where: str) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            self.say(where, f"{_short(value)} is not an integer")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."
