"""kube-openapi's checks of one value against one node of a custom resource's schema, with the
API server's messages: the type (with a kept `format`'s own type rule), then the first of
`maxLength`, `minLength`, `pattern` that fails, the `format`, `minimum`/`maximum`, and `enum`.
Walking into items and properties is `structural`'s; what the strategy adds is `crdrules`'.

Sources, at what Kubernetes 1.33.5 builds (apiextensions-apiserver v0.33.5, kube-openapi
c8a335a9a2ff): kube-openapi `pkg/validation/validate/schema.go` (`NewSchemaValidator`: the
validators in this order, each run when it `Applies` to the value's kind, so a value of the
wrong type still meets `enum`), `type.go` (`typeValidator.Validate`: with a format, a number,
boolean or object is named by the format and its Go format name, and an array passes),
`validator.go` (`stringValidator` stops at its first failure; `basicCommonValidator`:
`enum` after Go's conversion), `values.go` (lengths in runes; `Pattern` is RE2's unanchored
`MatchString`), `errors/schema.go` (the messages); `strfmt/time.go` `IsDateTime`,
`strfmt/date.go` `IsDate`, `strfmt/default.go` (`byte`: govalidator's base64 pattern);
apiextensions-apiserver `pkg/apiserver/validation/formats.go` (formats outside its list, such
as `int64`, are stripped before validating) and `validation.go`
(`kubeOpenAPIResultToFieldErrors`: each error's CauseType and detail); apimachinery
`pkg/util/validation/field/errors.go` (`NotSupported`, `TooLong`); values printed as `gofmt`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from sandbox.kubernetes.gofmt import go_float, go_quote, go_value

Check = tuple[str, str, str]  # (field, CauseType, detail), as `structural.FieldError` holds them
# formats.go's list: validated. Of them only these two are modelled; others are refused.
KEPT_FORMATS = frozenset((
    "bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr", "mac", "uuid", "uuid3",
    "uuid4", "uuid5", "isbn", "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor",
    "byte", "password", "date", "duration", "datetime",
))  # fmt: skip
MODELLED_FORMATS = frozenset(("datetime", "byte"))
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))\Z")
_BASE64 = re.compile(
    r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})\Z"
)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# sigs.k8s.io/json decodes a number that fits int64 as an int64, any other as a float64, and
# kube-openapi takes a float64 as an integer only within go-openapi/swag's JSON integers.
INT64 = range(-(2**63), 2**63)
_JSON_INTEGER = 2**53 - 1


def kept_format(schema: dict[str, Any]) -> str:
    """The schema's format as the API server keeps it ("" when stripped), dashes removed."""
    name = str(schema.get("format", "")).replace("-", "")
    if name in KEPT_FORMATS and name not in MODELLED_FORMATS:
        raise NotImplementedError(f"format {name!r} is validated by the API server, not here")
    return name if name in KEPT_FORMATS else ""


def is_date_time(text: str) -> bool:
    """strfmt `IsDateTime`: split at every "t" after lowering, the first two parts checked."""
    parts = text.translate(_ASCII_LOWER).split("t")
    if len(text.encode()) < 4 or len(parts) < 2 or not _is_date(parts[0]):
        return False
    if not (found := _TIME.match(parts[1])):
        return False
    return found[1] <= "23" and found[2] <= "59" and found[3] <= "59"


def _is_date(text: str) -> bool:
    """Go's `time.Parse("2006-01-02", ...)`: a real day of a real month, year 0 a leap year."""
    if not (found := _DATE.match(text)):
        return False
    year, month, day = (int(g) for g in found.groups())
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return 1 <= month <= 12 and 1 <= day <= days[month - 1]


def is_byte(text: str) -> bool:
    """govalidator `IsBase64`: padded standard base64, at least one group (so not "")."""
    return bool(_BASE64.match(text))


_FORMATS: dict[str, Callable[[str], bool]] = {"datetime": is_date_time, "byte": is_byte}


@functools.cache
def go_regex(pattern: str) -> re.Pattern[str]:
    """RE2's reading of a schema `pattern` in Python: `$` is the end of the text (Python's `\\Z`,
    not before a final newline) and classes are ASCII. A pattern Python cannot read fails."""
    translated, escaped, in_class = [], False, False
    for char in pattern:
        special = char == "$" and not escaped and not in_class
        in_class = (in_class or char == "[") and not (char == "]" and not escaped)
        escaped = char == "\\" and not escaped
        translated.append(r"\Z" if special else char)
    return re.compile("".join(translated), re.ASCII)


def json_integer(value: float) -> bool:
    """go-openapi/swag `IsFloat64AJSONInteger`: integral, and within +-(2^53 - 1)."""
    return value.is_integer() and abs(value) <= _JSON_INTEGER


def go_kind(value: Any) -> tuple[str, str]:
    """typeValidator's `schemaInfoForType`: the JSON type and Go format of a decoded value
    (an integer beyond int64 decodes as a float64)."""
    if isinstance(value, bool):
        return "boolean", ""
    if isinstance(value, int):
        return ("integer", "int64") if value in INT64 else ("number", "float64")
    if isinstance(value, float):
        return "number", "float64"
    if isinstance(value, str):
        return "string", ""
    return ("array", "") if isinstance(value, list) else ("object", "")


def _type_check(value: Any, wanted: str, form: str, path: str) -> Check | None:
    if value is None:
        detail = f'{path} in body must be of type {wanted}: "null"'
        return path, "FieldValueTypeInvalid", f'Invalid value: "null": {detail}'
    got, go_format = go_kind(value)
    float_int = (
        got == "number" and wanted == "integer" and isinstance(value, float) and json_integer(value)
    )
    int_float = got == "integer" and wanted == "number"
    if form and got not in ("string", "array"):
        if not (wanted == got or go_format == form or float_int or int_float):
            detail = f"{path} in body must be of type {form}: {go_quote(go_format)}"
            return path, "FieldValueTypeInvalid", f"Invalid value: {go_quote(go_format)}: {detail}"
    elif form and wanted not in ("number", "integer"):
        return None
    if wanted == got or float_int or int_float:
        return None
    detail = f'{path} in body must be of type {wanted}: "{got}"'
    return path, "FieldValueTypeInvalid", f'Invalid value: "{got}": {detail}'


def _string_check(text: str, schema: dict[str, Any], path: str) -> Check | None:
    if len(text) > schema.get("maxLength", len(text)):
        return (
            path,
            "FieldValueTooLong",
            f"Too long: may not be more than {schema['maxLength']} bytes",
        )
    bad = f"Invalid value: {go_quote(text)}: {path} in body"
    if len(text) < schema.get("minLength", 0):
        return (
            path,
            "FieldValueInvalid",
            f"{bad} should be at least {schema['minLength']} chars long",
        )
    if "pattern" in schema and not go_regex(schema["pattern"]).search(text):
        return path, "FieldValueInvalid", f"{bad} should match '{schema['pattern']}'"
    return None


def _number_checks(number: float, schema: dict[str, Any], path: str) -> list[Check]:
    found = []
    for key, words, sign in (("minimum", "greater", 1), ("maximum", "less", -1)):
        if key in schema and (number - schema[key]) * sign < 0:
            bound = int(schema[key]) if isinstance(number, int) else float(schema[key])
            shown = str(bound) if isinstance(bound, int) else go_float(bound)
            should = f"should be {words} than or equal to {shown}"
            detail = f"Invalid value: {go_value(number)}: {path} in body {should}"
            found.append((path, "FieldValueInvalid", detail))
    return found


def _enum_ok(value: Any, allowed: list[str]) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):  # Go converts an int to a rune
        value = chr(value) if 0 <= value < 0x110000 and not 0xD800 <= value < 0xE000 else "\ufffd"
    return isinstance(value, str) and value in allowed


def value_checks(value: Any, schema: dict[str, Any], path: str) -> list[Check]:
    """Every error kube-openapi finds in `value` itself (not in its items or properties)."""
    form, wanted = kept_format(schema), schema.get("type")
    found = [c for c in [_type_check(value, wanted, form, path) if wanted else None] if c]
    if isinstance(value, str):
        found += [c for c in [_string_check(value, schema, path)] if c]
        if form and not _FORMATS[form](value):
            detail = f"{path} in body must be of type {schema['format']}: {go_quote(value)}"
            found.append(
                (path, "FieldValueTypeInvalid", f"Invalid value: {go_quote(value)}: {detail}")
            )
    elif isinstance(value, int | float) and not isinstance(value, bool):
        found += _number_checks(value, schema, path)
    if "enum" in schema and not _enum_ok(value, schema["enum"]):
        quoted = ", ".join(go_quote(v) for v in schema["enum"])
        detail = f"Unsupported value: {go_value(value)}: supported values: {quoted}"
        found.append((path, "FieldValueNotSupported", detail))
    return found
