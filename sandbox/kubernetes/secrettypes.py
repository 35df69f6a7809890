"""What a Secret's `type` asks of it, and what an update may not change, as kubernetes
`pkg/apis/core/validation/validation.go` has them.

`ValidateSecret`, by type: `kubernetes.io/service-account-token` needs the annotation
`kubernetes.io/service-account.name`; `kubernetes.io/dockercfg` the key `.dockercfg`;
`kubernetes.io/dockerconfigjson` `.dockerconfigjson`; `kubernetes.io/basic-auth` `username`
or `password` (both named when neither is there); `kubernetes.io/ssh-auth` a non-empty
`ssh-privatekey`; `kubernetes.io/tls` `tls.crt` and `tls.key`; any other type nothing. (The
JSON of a docker config is not parsed here.) `ValidateSecretUpdate`: `type` is immutable
(`ValidateImmutableField`), and an `immutable: true` Secret may neither become mutable nor
change its data (`field.Forbidden`). Errors are answered together, as `errors.NewInvalid`
words a list.
"""

from __future__ import annotations

from typing import Any

from sandbox.kubernetes.conventions import KubeError

Error = tuple[str, str, str]  # field, reason, detail
_REQUIRED = "FieldValueRequired", "Required value"
_FORBIDDEN = "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set"
_KEYS = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


def type_errors(of_type: str, annotations: dict[str, Any], data: dict[str, bytes]) -> list[Error]:
    """What `ValidateSecret` finds missing for the Secret's type."""
    if of_type == "kubernetes.io/service-account-token":
        if not annotations.get("kubernetes.io/service-account.name"):
            return [("metadata.annotations[kubernetes.io/service-account.name]", *_REQUIRED)]
        return []
    if of_type == "kubernetes.io/basic-auth":
        if "username" in data or "password" in data:
            return []
        return [("data[username]", *_REQUIRED), ("data[password]", *_REQUIRED)]
    if of_type == "kubernetes.io/ssh-auth":
        return [] if data.get("ssh-privatekey") else [("data[ssh-privatekey]", *_REQUIRED)]
    return [(f"data[{key}]", *_REQUIRED) for key in _KEYS.get(of_type, ()) if key not in data]


def check_update(new: dict[str, Any], old: dict[str, Any]) -> None:
    """Refuse what `ValidateSecretUpdate` refuses in going from `old` to `new` (stored forms)."""
    errors: list[Error] = []
    if new.get("type") != old.get("type"):
        detail = f'Invalid value: "{new.get("type")}": field is immutable'
        errors.append(("type", "FieldValueInvalid", detail))
    if old.get("immutable") is True:
        if new.get("immutable") is not True:
            errors.append(("immutable", *_FORBIDDEN))
        if new.get("data") != old.get("data"):
            errors.append(("data", *_FORBIDDEN))
    if errors:
        raise refused(new["metadata"]["name"], errors)


def refused(name: str, errors: list[Error]) -> KubeError:
    """422 Invalid for every error, one as it is, several as `[a, b]`."""
    listed = [f"{field}: {detail}" for field, _, detail in errors]
    words = listed[0] if len(listed) == 1 else f"[{', '.join(listed)}]"
    causes = [{"reason": r, "message": d, "field": f} for f, r, d in errors]
    return KubeError(
        422,
        f'Secret "{name}" is invalid: {words}',
        details={"name": name, "kind": "Secret", "causes": causes},
    )
