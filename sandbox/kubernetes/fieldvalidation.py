"""Server-side field validation: what the API server does with fields a request sets that the
object's schema does not have, as the request's `fieldValidation` asks.

Kubernetes docs, "Server Side Field Validation" (KEP-2885, GA in 1.27): `Ignore` drops them
silently; `Warn`, the default, drops them and answers one `Warning: 299 - "unknown field
\"spec.x\""` header each; `Strict` refuses the request with 400 BadRequest naming every one
(`... cannot be handled as a AppProject: strict decoding error: unknown field "spec.x"`).
kubectl 1.27 and later send `Strict` (`--validate=strict`, their default) once the OpenAPI
documents say the server takes the parameter. The directive and the warnings belong to one
request; `apiserver.py` opens that scope around it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from sandbox.kubernetes.conventions import KubeError

DIRECTIVES = ("Ignore", "Strict", "Warn")
_directive: ContextVar[str] = ContextVar("field_validation", default="Warn")
_warnings: ContextVar[list[str] | None] = ContextVar("field_warnings", default=None)


@contextmanager
def request_scope(directive: str) -> Iterator[list[str]]:
    """One request's directive ("" for the default) and the warnings it collects."""
    directive = directive or "Warn"
    if directive not in DIRECTIVES:
        supported = ", ".join(f'"{d}"' for d in DIRECTIVES)
        raise KubeError(
            400, f'fieldValidation: Unsupported value: "{directive}": supported values: {supported}'
        )
    warnings: list[str] = []
    tokens = _directive.set(directive), _warnings.set(warnings)
    try:
        yield warnings
    finally:
        _directive.reset(tokens[0])
        _warnings.reset(tokens[1])


def unknown_fields(decoding: str, fields: Sequence[str]) -> None:
    """Apply the request's directive to the fields decoding dropped; `decoding` says what
    could not be decoded (`AppProject in version "v1alpha1" cannot be handled as a
    AppProject`)."""
    if not fields:
        return
    found = [f'unknown field "{field}"' for field in fields]
    if _directive.get() == "Strict":
        raise KubeError(400, f"{decoding}: strict decoding error: {', '.join(found)}")
    if _directive.get() == "Warn" and (warnings := _warnings.get()) is not None:
        warnings.extend(found)
