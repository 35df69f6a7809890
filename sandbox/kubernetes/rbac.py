"""Kubernetes RBAC as the sandbox needs it: who may do which verb on which resource, where,
and the API server's 403 `Forbidden` when nobody allowed it
(https://kubernetes.io/docs/reference/access-authn-authz/rbac/).

A subresource is its own resource, `clusterprofiles/status`: a rule for `clusterprofiles` does
not reach it, `*` and `*/status` do (rbac/v1 helpers `ResourceMatches`). The 403 names the
resource with its group and the subresource as `resource/sub` (apiserver
`endpoints/handlers/responsewriters/errors.go` `forbiddenMessage`, apimachinery
`errors.NewForbidden`: `clusterprofiles.multicluster.x-k8s.io "p" is forbidden: ...`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sandbox.kubernetes.conventions import KubeError

WILDCARD = "*"


@dataclass(frozen=True)
class Rule:
    """Allows `identity` the `verbs` on `resource` of API `group` ("" is the core group), in
    `namespace` (or everywhere: "*")."""

    identity: str
    verbs: frozenset[str]
    resource: str
    namespace: str = WILDCARD
    group: str = ""

    def allows(
        self, identity: str, verb: str, resource: str, namespace: str, group: str = ""
    ) -> bool:
        return (
            self.identity in (identity, WILDCARD)
            and (verb in self.verbs or WILDCARD in self.verbs)
            and _resource_matches(self.resource, resource)
            and self.group in (group, WILDCARD)
            and self.namespace in (namespace, WILDCARD)
        )


def _resource_matches(rule: str, resource: str) -> bool:
    _, slash, sub = resource.partition("/")
    return rule in (resource, WILDCARD) or bool(slash and rule == f"*/{sub}")


def authorize(
    rules: Iterable[Rule],
    identity: str,
    verb: str,
    resource: str,
    namespace: str,
    name: str,
    group: str = "",
) -> None:
    """Return if a rule allows the request; raise the API server's 403 otherwise."""
    if any(r.allows(identity, verb, resource, namespace, group) for r in rules):
        return
    plural = resource.partition("/")[0]
    qualified = f"{plural}.{group}" if group else plural
    subject = f'{qualified} "{name}"' if name else qualified
    where = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    message = (
        f'{subject} is forbidden: User "{identity}" cannot {verb} resource "{resource}" '
        f'in API group "{group}" {where}'
    )
    details = {"name": name, "kind": plural} if name else {"kind": plural}
    if group:
        details["group"] = group
    raise KubeError(403, message, details=details)
