"""Server-side field validation: what the API server does with fields a request sets that the
object's schema does not have, or sets twice, as the request's `fieldValidation` asks.

Kubernetes docs, "Server Side Field Validation" (KEP-2885, GA in 1.27): `Ignore` drops them
silently; `Warn`, the default, drops them and answers one `Warning: 299 - "unknown field
\"spec.x\""` header each; `Strict` refuses the request naming every one: 400 BadRequest on a
create or an update (`... cannot be handled as a AppProject: strict decoding error: unknown
field "spec.x"`), 422 Invalid on the field `patch` for a patch (apiserver `handlers/patch.go`).
A directive other than the three (or none) is refused as `ValidateCreateOptions` (and its
Update and Patch twins) refuse it. Duplicate keys are strict errors too, reported before the
unknown fields (sigs.k8s.io/json `DisallowDuplicateFields`, as the strict serializer decodes;
apiextensions-apiserver `schemaCoercingDecoder`). Paths are Go-quoted (`strconv.Quote`).
kubectl 1.27 and later send `Strict` (`--validate=strict`, their default) once the OpenAPI
documents say the server takes the parameter. The directive, the duplicates the body had and
the warnings belong to one request; `apiserver.py` opens that scope around it.

Simplified: a built-in object's duplicates come before its unknown fields, where the decoder
names both in the order it meets them; a warning past the 4096 characters is dropped, where
the API server, its earlier ones cut to 256, may still fit one more. Leases name none.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sandbox.kubernetes.conventions import KubeError

DIRECTIVES = ("Ignore", "Strict", "Warn")
_directive: ContextVar[str] = ContextVar("field_validation", default="Warn")
_warnings: ContextVar[list[str] | None] = ContextVar("field_warnings", default=None)
_duplicates: ContextVar[list[str] | None] = ContextVar("field_duplicates", default=None)


class StrictDecodingError(KubeError):
    """A `Strict` request's strict errors; a patch re-words it (`patch_refusal`)."""

    def __init__(self, decoding: str, errors: list[str]) -> None:
        super().__init__(400, f"{decoding}: {strict_message(errors)}")
        self.errors = errors


def strict_message(errors: list[str]) -> str:
    return f"strict decoding error: {', '.join(errors)}"


def go_quote(text: str) -> str:
    """strconv.Quote, for the printable text field names are."""
    return json.dumps(text, ensure_ascii=False)


@contextmanager
def request_scope(directive: str, options_kind: str) -> Iterator[list[str]]:
    """One request's directive ("" for the default) and the warnings it collects;
    `options_kind` (`CreateOptions`) names what refuses an unsupported directive."""
    if directive not in ("", *DIRECTIVES):
        supported = ", ".join(f'"{d}"' for d in ("", *DIRECTIVES))
        detail = f"Unsupported value: {go_quote(directive)}: supported values: {supported}"
        cause = {"reason": "FieldValueNotSupported", "message": detail, "field": "fieldValidation"}
        raise KubeError(
            422,
            f'{options_kind}.meta.k8s.io "" is invalid: fieldValidation: {detail}',
            details={"group": "meta.k8s.io", "kind": options_kind, "causes": [cause]},
        )
    warnings: list[str] = []
    tokens = (
        _directive.set(directive or "Warn"),
        _warnings.set(warnings),
        _duplicates.set([]),
    )
    try:
        yield warnings
    finally:
        _directive.reset(tokens[0])
        _warnings.reset(tokens[1])
        _duplicates.reset(tokens[2])


def duplicated(paths: Sequence[str]) -> None:
    """The paths of the keys the request's body had more than once (the last one is kept)."""
    if (found := _duplicates.get()) is not None:
        found.extend(paths)


# sigs.k8s.io/json `saveStrictError` keeps no more than this many of one decoding's errors.
DECODER_STRICT_ERRORS = 100


def unknown_fields(decoding: str, fields: Sequence[str], *, built_in: bool = False) -> None:
    """Apply the request's directive to the body's duplicate keys and the fields decoding
    dropped; `decoding` says what could not be decoded (`AppProject in version "v1alpha1"
    cannot be handled as a AppProject`). A built-in object's are one decoder's, so at most
    `DECODER_STRICT_ERRORS`."""
    duplicates = _duplicates.get() or []
    found = [f"duplicate field {go_quote(p)}" for p in duplicates]
    found += [f"unknown field {go_quote(field)}" for field in fields]
    duplicates.clear()  # reported once, by the first decoding
    if built_in:
        found = found[:DECODER_STRICT_ERRORS]
    if not found:
        return
    if _directive.get() == "Strict":
        raise StrictDecodingError(decoding, found)
    if _directive.get() == "Warn" and (warnings := _warnings.get()) is not None:
        warnings.extend(found)


def patch_refusal(err: StrictDecodingError, patched: Any, go_map: bool) -> KubeError:
    """patch.go's 422 for a `Strict` patch: the patched object (a merge patch's JSON, or a
    strategic merge patch's map printed with `%+v`) as the invalid value of `patch`."""
    value = _go_map(patched) if go_map else _go_json(patched)
    body = f"Invalid value: {go_quote(value)}: {strict_message(err.errors)}"
    cause = {"reason": "FieldValueInvalid", "message": body, "field": "patch"}
    return KubeError(422, f' "" is invalid: patch: {body}', details={"causes": [cause]})


def _go_json(value: Any) -> str:
    """encoding/json's Marshal of a map: sorted keys, no spaces, <, > and & escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _go_map(value: Any) -> str:
    """fmt's %+v of a decoded JSON value."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_map(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go_map(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# apiserver `endpoints/filters/warning.go`: warnings are deduplicated, and once their text
# passes 4096 runes the rest are dropped (each then cut to 256 runes).
_WARNINGS_RUNES, _WARNING_RUNES = 4 * 1024, 256


def warning_headers(warnings: list[str]) -> list[str]:
    """`Warning` header values as the API server writes them: apimachinery `util/net`
    `NewWarningHeader` escapes only `"` and `\\` and writes the rest, UTF-8 included, as it
    is (a WSGI header is latin-1 text, so the UTF-8 bytes go as latin-1 characters)."""
    texts: list[str] = []
    for text in dict.fromkeys(warnings):
        texts.append(text)
        if sum(len(t) for t in texts) > _WARNINGS_RUNES:
            texts = [t[:_WARNING_RUNES] for t in texts]
            break
    quoted = (t.replace("\\", "\\\\").replace('"', '\\"') for t in texts)
    return [f'299 - "{q}"'.encode().decode("latin-1") for q in quoted]


class JSONObject(dict[str, Any]):
    """A decoded JSON object that remembers the keys it had more than once (the last kept)."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        seen: set[str] = set()
        self.twice = [k for k, _ in pairs if k in seen or seen.add(k)]


def duplicate_keys(value: Any, path: str = "") -> list[str]:
    """The paths of every key an object in `value` had twice, as sigs.k8s.io/json names them."""
    found: list[str] = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            found += duplicate_keys(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        found += list(
            dict.fromkeys(f"{path}.{k}" if path else k for k in getattr(value, "twice", ()))
        )
        for key, item in value.items():
            found += duplicate_keys(item, f"{path}.{key}" if path else key)
    return found
