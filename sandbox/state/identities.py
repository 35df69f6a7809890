"""Who a request comes from: the access tokens the sandbox honours, and each cluster's RBAC.

Two fixed tokens stand for the function's service account and a cluster admin; more are
added through the control API or issued by the OAuth endpoint (`gateway.oauth`). A token the sandbox
does not know may still be a signed JWT, whose issuer is then the identity.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sandbox.google.conventions import jwt_claims
from sandbox.kubernetes.rbac import WILDCARD, Rule

FUNCTION_IDENTITY = "fleet-argocd-sync@{project}.iam.gserviceaccount.com"
ADMIN_IDENTITY = "admin@{project}.example.com"
FUNCTION_TOKEN, ADMIN_TOKEN = "sandbox-token", "admin-token"
# What the function's Role in the Terraform module grants: the calls the product makes, no more.
SECRET_VERBS = frozenset({"get", "list", "create", "patch", "delete"})
# The same calls on Argo CD's AppProjects (argoproj.io/v1alpha1), in the same namespaces.
APPPROJECT_VERBS = SECRET_VERBS
ARGOCD_GROUP = "argoproj.io"
# The function's resync lease (one per target, in the Argo CD namespace): the RBAC manifest's.
LEASE_VERBS = frozenset({"get", "create", "update", "delete"})
COORDINATION_GROUP = "coordination.k8s.io"
# Where the function writes ClusterProfiles on an Argo CD cluster (SIG-Multicluster's
# ClusterProfile API, multicluster.x-k8s.io/v1alpha1), and the verbs its Role there grants.
INVENTORY_NAMESPACE = "fleet-cluster-inventory"
INVENTORY_GROUP = "multicluster.x-k8s.io"
CLUSTERPROFILE_VERBS = frozenset({"get", "list", "create", "patch", "update", "delete"})
CLUSTERPROFILE_STATUS_VERBS = frozenset({"get", "patch", "update"})


@dataclass
class Token:
    identity: str
    expires_at: float | None = None


class Credentials:
    """The tokens honoured now; reset with the store, and changed only through its methods."""

    def __init__(self, project_id: str) -> None:
        self.tokens = {
            FUNCTION_TOKEN: Token(FUNCTION_IDENTITY.format(project=project_id)),
            ADMIN_TOKEN: Token(ADMIN_IDENTITY.format(project=project_id)),
        }
        self.access_token_ttl_s = 3600.0
        self.tokens_issued = 0
        self.revoked_identities: set[str] = set()

    def accept(self, token: str, identity: str, ttl_s: float | None = None) -> None:
        expiry = time.time() + ttl_s if ttl_s is not None else None
        self.tokens[token] = Token(identity, expiry)

    def forget(self, token: str) -> None:
        self.tokens.pop(token, None)

    def revoke(self, identity: str) -> None:
        """Refuse new tokens for `identity` and its signed JWTs from now on."""
        self.revoked_identities.add(identity)

    def is_revoked(self, identity: str) -> bool:
        return identity in self.revoked_identities

    def issue(self, identity: str) -> str:
        """A new access token for `identity`, honoured for `access_token_ttl_s`."""
        token = "ya29.sandbox-" + secrets.token_urlsafe(16)
        self.accept(token, identity, self.access_token_ttl_s)
        self.tokens_issued += 1
        return token

    def identity_for(self, authorization: str) -> str | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        record = self.tokens.get(token)
        if record is None:
            issuer, expiry = jwt_claims(token)
            if issuer is None or issuer in self.revoked_identities:
                return None
            record = Token(issuer, expiry or None)
        if record.expires_at is not None and record.expires_at <= time.time():
            return None
        return record.identity


def cluster_rules(
    identity_project: str,
    argocd_namespaces: Iterable[str],
    inventory_namespaces: Iterable[str] = (),
) -> list[Rule]:
    """RBAC of a member cluster: the admin may do anything; the function only manages Secrets,
    AppProjects and its resync Leases in the Argo CD namespaces of an Argo CD cluster, and
    ClusterProfiles (and their `/status`) in its inventory namespaces (none elsewhere).

    Identities are named after the first fleet's project: one function, one admin, whichever
    fleet a cluster belongs to.
    """
    admin = ADMIN_IDENTITY.format(project=identity_project)
    rules = [Rule(admin, frozenset({WILDCARD}), WILDCARD, group=WILDCARD)]
    function = FUNCTION_IDENTITY.format(project=identity_project)
    for namespace in argocd_namespaces:
        rules.append(Rule(function, SECRET_VERBS, "secrets", namespace))
        rules.append(Rule(function, APPPROJECT_VERBS, "appprojects", namespace, ARGOCD_GROUP))
        rules.append(Rule(function, LEASE_VERBS, "leases", namespace, COORDINATION_GROUP))
    for namespace in inventory_namespaces:
        rules.append(
            Rule(function, CLUSTERPROFILE_VERBS, "clusterprofiles", namespace, INVENTORY_GROUP)
        )
        status = CLUSTERPROFILE_STATUS_VERBS
        rules.append(Rule(function, status, "clusterprofiles/status", namespace, INVENTORY_GROUP))
    return rules
