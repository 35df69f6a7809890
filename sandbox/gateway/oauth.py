"""Google's OAuth 2.0 token endpoint, for application default credentials pointed at it.

A service account key file whose `token_uri` is the sandbox's `/token` makes google-auth fetch
tokens from the sandbox, as it would from oauth2.googleapis.com, so the function's real ADC
path (and token expiry in the middle of a run) can be exercised. The JWT assertion is read
for its issuer, not verified: the sandbox trusts whoever holds a key file.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from sandbox.google.conventions import json_response, jwt_claims
from sandbox.state.store import Store

ADVERTISED_EXPIRY_S = 3600
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def handle_token(store: Store, request: Request) -> Response:
    """Exchange a service account's signed JWT for an access token (RFC 7523)."""
    if request.method != "POST":
        return json_response({"error": "invalid_request"}, 405)
    form = request.form
    if form.get("grant_type") != JWT_BEARER or not form.get("assertion"):
        return json_response(
            {
                "error": "unsupported_grant_type",
                "error_description": f"only {JWT_BEARER} is supported",
            },
            400,
        )
    identity, _ = jwt_claims(form["assertion"])
    if identity is None:
        return json_response({"error": "invalid_grant", "error_description": "Invalid JWT."}, 400)
    if store.credentials.is_revoked(identity):
        return json_response(
            {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, 400
        )
    with store.lock:
        # The sandbox may honour a token for less time than it advertises: that is how a
        # test makes a token expire in the middle of a run.
        token = store.credentials.issue(identity)
    return json_response(
        {
            "access_token": token,
            "expires_in": ADVERTISED_EXPIRY_S,
            "token_type": "Bearer",
            "scope": form.get("scope", ""),
        }
    )
