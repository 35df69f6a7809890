"""Who a request comes from: the access tokens the sandbox honours, and each cluster's RBAC.

Two fixed tokens stand for the function's service account and a cluster admin; more are
added through the control API or issued by the OAuth endpoint (`oauth`). A token the sandbox
does not know may still be a signed JWT, whose issuer is then the identity.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from sandbox.googleapi import jwt_claims
from sandbox.rbac import WILDCARD, Rule

FUNCTION_IDENTITY = "fleet-argocd-sync@{project}.iam.gserviceaccount.com"
ADMIN_IDENTITY = "admin@{project}.example.com"
# What the function's Role in the Terraform module grants: the calls the product makes, no more.
SECRET_VERBS = frozenset({"get", "list", "create", "patch", "delete"})


@dataclass
class Token:
    identity: str
    expires_at: float | None = None


class Credentials:
    """The tokens honoured now; reset with the store, and changed only through its methods."""

    def __init__(self, project_id: str) -> None:
        self.tokens = {
            "sandbox-token": Token(FUNCTION_IDENTITY.format(project=project_id)),
            "admin-token": Token(ADMIN_IDENTITY.format(project=project_id)),
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


def cluster_rules(project_id: str, argocd_namespace: str, is_argocd: bool) -> list[Rule]:
    """RBAC of a member cluster: the admin may do anything; the function only manages Secrets
    in the Argo CD namespace of the Argo CD cluster."""
    rules = [Rule(ADMIN_IDENTITY.format(project=project_id), frozenset({WILDCARD}), WILDCARD)]
    if is_argocd:
        function = FUNCTION_IDENTITY.format(project=project_id)
        rules.append(Rule(function, SECRET_VERBS, "secrets", argocd_namespace))
    return rules
