"""Where the portal may send an IT admin back to: absolute https URLs (plain http only for
localhost, and only outside production)."""

from urllib.parse import SplitResult, urlsplit

from flask import current_app

from portal.errors import InvalidInput
from portal.services.infra.outbound import URI_CHARACTERS, url_pattern

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
# The form the OpenAPI document states (it leaves out the [::1] host the server also reads).
REDIRECT_URL_PATTERN = url_pattern(r"(?:https://[A-Za-z0-9.-]+|http://(?:localhost|127\.0\.0\.1))")


def check_redirect_url(url: str | None, field: str) -> str | None:
    """The URL if it is an acceptable redirect target, else InvalidInput naming the field."""
    if not url:
        return None
    parts = _url_parts(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"{field} must be an absolute https URL (percent-encode what a URL cannot hold).",
            field=field,
        )
    if parts.scheme == "http":
        if current_app.config["PORTAL_ENV"] == "production":
            raise InvalidInput(f"{field} must use https in production.", field=field)
        if parts.hostname not in LOCAL_HOSTS:
            raise InvalidInput(
                f"{field} must use https (plain http is allowed only for localhost).",
                field=field,
            )
    return url


def _url_parts(url: str) -> SplitResult | None:
    """The URL's parts; None if it holds what a URL cannot, or its host or port is unreadable."""
    if not URI_CHARACTERS.fullmatch(url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number in range)
    except ValueError:
        return None
    return parts
