"""Where the portal may send an IT admin back to: absolute https URLs (plain http only for
localhost, and only outside production)."""

from urllib.parse import urlsplit

from flask import current_app

from portal.errors import InvalidInput

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def check_redirect_url(url: str | None, field: str) -> str | None:
    """The URL if it is an acceptable redirect target, else InvalidInput naming the field."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{field} must be an absolute https URL.", field=field)
    if parts.scheme == "http":
        if current_app.config["PORTAL_ENV"] == "production":
            raise InvalidInput(f"{field} must use https in production.", field=field)
        if parts.hostname not in LOCAL_HOSTS:
            raise InvalidInput(
                f"{field} must use https (plain http is allowed only for localhost).",
                field=field,
            )
    return url
