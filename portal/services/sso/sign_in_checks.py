"""The checks a sign-in goes through, recorded on its ConnectionSession as they run.

Each check has a key; the sign-in stores {key: "passed" | "failed"} as it goes, so the
checklist shows what actually ran: a check that was never reached stays "not checked".
"""

from dataclasses import dataclass

from portal.models import ConnectionSession
from portal.services.sso.sign_in_errors import explain

SAML_CHECKS = (
    (
        "readable",
        "The response arrived and is readable XML",
        {"missing_response", "malformed_response", "response_too_large", "dtd_forbidden"},
    ),
    (
        "in_response_to",
        "It answers a sign-in we started (InResponseTo)",
        {
            "unknown_in_response_to",
            "reused_in_response_to",
            "wrong_in_response_to",
            "unsolicited_response",
            "no_default_redirect_uri",
        },
    ),
    ("one_assertion", "One assertion", {"multiple_assertions"}),
    (
        "encryption",
        "Encrypted to our certificate when required, and decrypted",
        {"assertion_not_encrypted", "undecryptable_assertion", "weak_encryption"},
    ),
    (
        "algorithms",
        "Signed with SHA-256 and standard transforms",
        {"sha1_rejected", "forbidden_transform"},
    ),
    (
        "signature_placement",
        "The signature covers the assertion",
        {"signature_wrapping", "unsigned_response"},
    ),
    ("signature", "The signature matches the IdP certificate", {"bad_signature"}),
    ("idp_status", "The identity provider reported success", {"idp_reported_failure"}),
    ("issuer", "Issued by the configured IdP (Issuer)", {"wrong_issuer"}),
    (
        "destination",
        "Sent to our ACS URL (Destination and Recipient)",
        {"wrong_destination", "wrong_recipient"},
    ),
    ("audience", "Meant for us (Audience is our SP entity ID)", {"wrong_audience"}),
    (
        "validity",
        "Within its validity period",
        {"assertion_expired", "assertion_not_yet_valid"},
    ),
    ("well_formed", "A well-formed SAML response", {"invalid_response"}),
    ("replay", "Used only once", {"replayed_assertion"}),
    ("name_id", "Names the user (NameID)", {"missing_name_id"}),
    ("email", "Includes an email address", {"missing_email"}),
)
# The checks python3-saml and our XML guard run together in one validation call.
SAML_VALIDATION = (
    "one_assertion",
    "encryption",
    "algorithms",
    "signature_placement",
    "signature",
    "idp_status",
    "issuer",
    "destination",
    "audience",
    "validity",
    "well_formed",
    "name_id",
)
OIDC_CHECKS = (
    ("discovery", "The provider's discovery document was read", {"discovery_failed"}),
    ("state", "It answers a sign-in we started (state)", {"unknown_state", "reused_state"}),
    ("idp_status", "The provider reported success", {"idp_reported_failure"}),
    (
        "token_exchange",
        "The code was traded for tokens",
        {"token_request_failed", "missing_id_token"},
    ),
    (
        "signature",
        "The ID token's signature is valid",
        {"bad_signature", "jwks_failed", "invalid_id_token"},
    ),
    ("issuer", "Issued by the configured provider", {"wrong_issuer"}),
    ("audience", "Meant for this client (audience)", {"wrong_audience"}),
    ("expiry", "Not expired", {"token_expired"}),
    ("nonce", "Belongs to this sign-in (nonce)", {"bad_nonce"}),
    ("userinfo", "User info matches the ID token", {"userinfo_failed", "userinfo_mismatch"}),
    ("email", "Includes an email address", {"missing_email"}),
)
# The checks the relying party runs together when it trades the code and verifies the tokens.
OIDC_EXCHANGE = (
    "discovery",
    "token_exchange",
    "signature",
    "issuer",
    "audience",
    "expiry",
    "nonce",
    "userinfo",
)
OTHER = "other"
# What the InResponseTo check means for a sign-in the IdP started, which answers no request.
IDP_INITIATED_LABEL = "Started by the IdP, which this connection allows (no InResponseTo)"


@dataclass(frozen=True)
class Check:
    label: str
    result: str  # passed | failed | not_reached | waiting
    explanation: str = ""


def _checks_of(protocol: str):
    return OIDC_CHECKS if protocol == "oidc" else SAML_CHECKS


def record_passed(session: ConnectionSession, *keys: str) -> None:
    """Note that these checks ran and passed for this attempt."""
    session.check_results = {**(session.check_results or {}), **dict.fromkeys(keys, "passed")}


def record_all_passed(session: ConnectionSession, protocol: str) -> None:
    """A successful attempt passed every check."""
    record_passed(session, *(key for key, _, _ in _checks_of(protocol)))


def record_failed(session: ConnectionSession, protocol: str, code: str) -> None:
    """Note the check that refused this attempt (by its error code)."""
    key = next((k for k, _, codes in _checks_of(protocol) if code in codes), OTHER)
    session.check_results = {**(session.check_results or {}), key: "failed"}


def checklist(session: ConnectionSession, protocol: str) -> list[Check]:
    """Each check of the attempt with the result recorded when it ran."""
    checks = _checks_of(protocol)
    if session.state == "started":
        return [Check(label, "waiting") for _, label, _ in checks]
    results = session.check_results or {}
    if session.state == "succeeded" and not results:  # success means every check passed
        results = {key: "passed" for key, _, _ in checks}
    explanation = session.explanation or explain(session.error_code or "")
    listed = [
        Check(
            IDP_INITIATED_LABEL if key == "in_response_to" and session.idp_initiated else label,
            results.get(key, "not_reached"),
            explanation if results.get(key) == "failed" else "",
        )
        for key, label, _ in checks
    ]
    if session.state == "failed" and not any(c.result == "failed" for c in listed):
        listed.append(Check("Other checks", "failed", explanation))
    return listed
