"""The checks a sign-in goes through, as a checklist: which passed, which failed and why.

The checks are listed in the order the sign-in runs them, so for a failed attempt the checks
before the failing one passed and the ones after it were not reached.
"""

from dataclasses import dataclass

from portal.models import ConnectionSession
from portal.services.sign_in_errors import explain

SAML_CHECKS = (
    (
        "The response arrived and is readable XML",
        {"missing_response", "malformed_response", "response_too_large", "dtd_forbidden"},
    ),
    (
        "It answers a sign-in we started (InResponseTo)",
        {
            "unknown_in_response_to",
            "reused_in_response_to",
            "wrong_in_response_to",
            "unsolicited_response",
        },
    ),
    (
        "One assertion, not encrypted",
        {"encrypted_assertion_unsupported", "multiple_assertions"},
    ),
    ("Signed with SHA-256 and standard transforms", {"sha1_rejected", "forbidden_transform"}),
    ("The signature covers the assertion", {"signature_wrapping", "unsigned_response"}),
    ("The signature matches the IdP certificate", {"bad_signature"}),
    ("The identity provider reported success", {"idp_reported_failure"}),
    ("Issued by the configured IdP (Issuer)", {"wrong_issuer"}),
    ("Sent to our ACS URL (Destination and Recipient)", {"wrong_destination", "wrong_recipient"}),
    ("Meant for us (Audience is our SP entity ID)", {"wrong_audience"}),
    ("Within its validity period", {"assertion_expired", "assertion_not_yet_valid"}),
    ("A well-formed SAML response", {"invalid_response"}),
    ("Used only once", {"replayed_assertion"}),
    ("Names the user (NameID)", {"missing_name_id"}),
    ("Includes an email address", {"missing_email"}),
)
OIDC_CHECKS = (
    ("The provider's discovery document was read", {"discovery_failed"}),
    ("It answers a sign-in we started (state)", {"unknown_state", "reused_state"}),
    ("The provider reported success", {"idp_reported_failure"}),
    ("The code was traded for tokens", {"token_request_failed", "missing_id_token"}),
    ("The ID token's signature is valid", {"bad_signature", "jwks_failed", "invalid_id_token"}),
    ("Issued by the configured provider", {"wrong_issuer"}),
    ("Meant for this client (audience)", {"wrong_audience"}),
    ("Not expired", {"token_expired"}),
    ("Belongs to this sign-in (nonce)", {"bad_nonce"}),
    ("User info matches the ID token", {"userinfo_failed", "userinfo_mismatch"}),
    ("Includes an email address", {"missing_email"}),
)


@dataclass(frozen=True)
class Check:
    label: str
    result: str  # passed | failed | not_reached | waiting
    explanation: str = ""


def checklist(session: ConnectionSession, protocol: str) -> list[Check]:
    """Each check of the attempt with its result; the failing one carries the explanation."""
    checks = OIDC_CHECKS if protocol == "oidc" else SAML_CHECKS
    if session.state == "started":
        return [Check(label, "waiting") for label, _ in checks]
    if session.state == "succeeded":
        return [Check(label, "passed") for label, _ in checks]
    failing = next((i for i, (_, codes) in enumerate(checks) if session.error_code in codes), None)
    explanation = session.explanation or explain(session.error_code or "")
    if failing is None:
        return [Check(label, "not_reached") for label, _ in checks] + [
            Check("Other checks", "failed", explanation)
        ]
    return [
        Check(label, "passed")
        if i < failing
        else Check(label, "failed", explanation)
        if i == failing
        else Check(label, "not_reached")
        for i, (label, _) in enumerate(checks)
    ]
