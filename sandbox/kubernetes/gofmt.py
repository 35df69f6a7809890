"""Go's `fmt` of decoded JSON values, as the API server's field errors print them: a bad value
as apimachinery `field.Error.ErrorBody` shows it (simple types with `%v`, strings with `%q`,
anything else with `%#v`, so a map is `map[string]interface {}{"type":"Joined"}`), and
`strconv.Quote` for strings. Sources: apimachinery v0.33.5 `pkg/util/validation/field/
errors.go`; Go's `fmt` (`%v` of a float64 is `strconv.FormatFloat(f, 'g', -1, 64)`: the
shortest digits, with an exponent from e+06 and below e-04) and `strconv.Quote`.
"""

from __future__ import annotations

import decimal
from typing import Any

_GO_ESCAPES = {
    "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
    "\\": "\\\\", '"': '\\"',
}  # fmt: skip


def go_quote(text: str) -> str:
    """Go's `strconv.Quote` (`%q`): Go's escapes, printable runes kept, others as `\\x`/`\\u`."""
    out = []
    for char in text:
        if char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}" if code < 0x10000
                       else f"\\U{code:08x}")  # fmt: skip
    return '"' + "".join(out) + '"'


def go_float(number: float) -> str:
    """Go's `%v` of a float64: shortest digits, `e` form for an exponent from 6 or below -4."""
    sign = "-" if number < 0 else ""
    exact = decimal.Decimal(repr(abs(number))).normalize()
    digits = "".join(map(str, exact.as_tuple().digits))
    power = len(digits) + int(exact.as_tuple().exponent) - 1
    if power < -4 or power >= 6:
        head = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
        return f"{sign}{head}e{'-' if power < 0 else '+'}{abs(power):02d}"
    return sign + format(exact, "f")


def go_repr(value: Any) -> str:
    """Go's `%#v` of a decoded JSON value (`map[string]interface {}{...}`)."""
    if isinstance(value, dict):
        inner = ", ".join(f"{go_quote(k)}:{go_repr(v)}" for k, v in sorted(value.items()))
        return f"map[string]interface {{}}{{{inner}}}"
    if isinstance(value, list):
        return f"[]interface {{}}{{{', '.join(go_repr(v) for v in value)}}}"
    if value is None:
        return "interface {}(nil)"
    return go_value(value)


def go_value(value: Any) -> str:
    """How `field.Error.ErrorBody` prints a bad value: simple types as they are, a string (and
    null, as "null") quoted, anything else as `%#v`."""
    if value is None:
        return '"null"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    return go_quote(value) if isinstance(value, str) else go_repr(value)
