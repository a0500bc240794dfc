"""`Authorization: Bearer <token>`, read one way for every caller that sends a token."""

from flask import request


def bearer_token() -> str | None:
    """The request's bearer token, or None when it sends no `Bearer` authorization (the scheme
    is case-insensitive; surrounding spaces are not part of the token)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None
