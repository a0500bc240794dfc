"""The portal session cookie: HttpOnly, path /admin; SameSite=None, Secure and Partitioned
when the portal may be embedded in another site's iframe."""

from flask import current_app

from portal.services.account import embedding
from portal.services.onboarding.portal_access import SESSION_MAX_AGE

COOKIE_NAME = "portal_session"


def embedding_allowed() -> bool:
    return bool(embedding.allowed_origins())


def set_session_cookie(response, token: str) -> None:
    embedded = embedding_allowed()
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(SESSION_MAX_AGE.total_seconds()),
        path="/admin",
        httponly=True,
        secure=embedded or current_app.config["SESSION_COOKIE_SECURE"],
        samesite="None" if embedded else "Lax",
        partitioned=embedded,
    )


def clear_session_cookie(response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/admin")
