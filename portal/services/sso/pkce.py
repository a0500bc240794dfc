"""PKCE (RFC 7636) for the host app's side of a sign-in, as WorkOS serves it: S256 only.

`plain` would hand the verifier to anyone who sees the authorize URL, and a challenge whose
method we do not support is refused rather than ignored: a client that believes it is
protected by PKCE must not be signed in without it.
"""

import base64
import hashlib
import hmac
import re

from portal.errors import SignInError

METHOD = "S256"
# base64url of a SHA-256 digest, without padding: always 43 characters.
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")


def challenge_of(challenge: str | None, method: str | None) -> str | None:
    """The challenge /sso/authorize keeps with the attempt, or SignInError saying what to fix."""
    if not challenge:
        if method:
            raise SignInError(
                "invalid_request", "code_challenge_method was sent without a code_challenge."
            )
        return None
    if method != METHOD:
        named = f"{method!r} is not supported" if method else "it is required"
        raise SignInError(
            "invalid_request",
            f"code_challenge_method must be S256 ({named}; plain is not accepted).",
        )
    if not _CHALLENGE.fullmatch(challenge):
        raise SignInError(
            "invalid_request",
            "code_challenge must be the base64url SHA-256 of the code verifier, "
            "43 characters without padding.",
        )
    return challenge


def matches(challenge: str, verifier: str) -> bool:
    """Whether the verifier hashes to the challenge (constant-time)."""
    if not _VERIFIER.fullmatch(verifier):
        return False
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return hmac.compare_digest(expected, challenge)
