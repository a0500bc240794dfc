"""Where /sso/authorize may send a signed-in user back to: the redirect URIs set in the
dashboard (Settings → Redirects) plus PORTAL_REDIRECT_URIS. A URI matches exactly, after both
sides are normalized (scheme and host in lower case, no default port)."""

from urllib.parse import urlsplit, urlunsplit

from flask import current_app

from portal.errors import InvalidInput
from portal.extensions import db
from portal.services.account import credentials
from portal.services.infra.redirect_urls import LOCAL_HOSTS

FIELD = "redirect_uris"
MAX_URIS = 50
DEFAULT_PORTS = {"https": 443, "http": 80}


def allowed() -> list[str]:
    """PORTAL_REDIRECT_URIS, then the dashboard's URIs, without repeats."""
    return list(dict.fromkeys([*current_app.config["PORTAL_REDIRECT_URIS"], *stored()]))


def default() -> str | None:
    """Where a sign-in the app did not start (IdP-initiated) lands: the first URI of the
    dashboard's list, else the first of PORTAL_REDIRECT_URIS; None when there is none."""
    return next(iter([*stored(), *current_app.config["PORTAL_REDIRECT_URIS"]]), None)


def is_allowed(redirect_uri: str) -> bool:
    """Whether /sso/authorize may redirect to this URI."""
    if redirect_uri in current_app.config["PORTAL_REDIRECT_URIS"]:
        return True
    try:
        return normalize(redirect_uri) in stored()
    except InvalidInput:
        return False


def stored() -> list[str]:
    """The URIs allowed in the dashboard."""
    return list(credentials.environment().redirect_uris or [])


def update(raw: str) -> list[str]:
    """Replace the dashboard's URIs with those in `raw` (one per line)."""
    uris = list(dict.fromkeys(normalize(line) for line in raw.split()))
    if len(uris) > MAX_URIS:
        raise InvalidInput(f"List at most {MAX_URIS} redirect URIs.", field=FIELD)
    credentials.environment().redirect_uris = uris
    db.session.commit()
    return uris


def normalize(raw: str) -> str:
    """The URI in canonical form, or InvalidInput saying what is wrong with it."""
    url = raw.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise _invalid(
            url, "a redirect URI is an absolute URL like https://app.example.com/callback"
        )
    if scheme == "http":
        if current_app.config["PORTAL_ENV"] == "production":
            raise _invalid(url, "redirect URIs must use https in production")
        if parts.hostname not in LOCAL_HOSTS:
            raise _invalid(url, "plain http is allowed only for localhost")
    if parts.username or parts.password:
        raise _invalid(url, "it must not contain a user name or password")
    if parts.fragment or url.endswith("#"):
        raise _invalid(url, "it must not contain a fragment (#...)")
    try:
        port = parts.port
    except ValueError:
        raise _invalid(url, "the port is not a number between 1 and 65535") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def _invalid(url: str, why: str) -> InvalidInput:
    return InvalidInput(f"{url!r} is not allowed: {why}.", field=FIELD)
