"""What to tell an operator when an endpoint cannot be reached: an untrusted certificate is a
setting to change (FLEET_SYNC_CA_FILE), not a network to check.

requests and urllib3 bury the TLS failure several exceptions deep (requests' SSLError holds
urllib3's MaxRetryError, whose `reason` holds urllib3's SSLError, whose argument is Python's
`ssl.SSLCertVerificationError`), so the chain is searched rather than its top read.
"""

from __future__ import annotations

import ssl


def _links(err: BaseException) -> list[BaseException]:
    nested = [getattr(err, "reason", None), err.__cause__, err.__context__, *err.args]
    return [e for e in nested if isinstance(e, BaseException)]


def untrusted_certificate(err: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification failure behind `err`, if that is what it is."""
    seen: set[int] = set()
    pending = [err]
    while pending:
        current = pending.pop()
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        if id(current) not in seen:
            seen.add(id(current))
            pending.extend(_links(current))
    return None


def unreachable_message(service: str, setting: str, err: BaseException) -> str:
    """One line: why `service` (configured by the `setting` variable) could not be reached."""
    untrusted = untrusted_certificate(err)
    if untrusted is not None:
        reason = untrusted.verify_message or "certificate verify failed"
        return (
            f"{service}'s certificate is not trusted ({reason}): check {setting}, and set "
            "FLEET_SYNC_CA_FILE to the CA that signed it"
        )
    return f"{service} unreachable ({type(err).__name__}): check {setting} and the network"
