"""Which sites may show the IT-admin portal in an iframe: the origins set in the dashboard
(Settings → Embedding) plus PORTAL_FRAME_ANCESTORS. They become the portal's CSP
`frame-ancestors`; with any allowed, the portal cookie is made for third-party use."""

import ipaddress
import logging
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from portal.errors import InvalidInput
from portal.extensions import db
from portal.models import Environment
from portal.services.account import credentials, settings_cache
from portal.services.infra.domain_names import normalize_domain

log = logging.getLogger(__name__)

MAX_ORIGINS = 50
DEFAULT_PORTS = {"https": 443, "http": 80}
LOCAL_HOSTS = ("localhost",)


def allowed_origins() -> list[str]:
    """PORTAL_FRAME_ANCESTORS, then the dashboard's origins, without repeats."""
    configured = current_app.config["PORTAL_FRAME_ANCESTORS"]
    return list(dict.fromkeys([*configured, *stored_origins()]))


def stored_origins() -> list[str]:
    """The dashboard's origins; read-only, as this runs while every portal response is built,
    and kept a few seconds per process (settings_cache)."""
    return list(settings_cache.cached("frame_origins", _read_stored_origins))


def _read_stored_origins() -> list[str]:
    query = select(Environment.frame_ancestors).order_by(Environment.id).limit(1)
    try:
        return list(db.session.scalar(query) or [])
    except SQLAlchemyError:
        log.exception("could not read the allowed frame origins; using PORTAL_FRAME_ANCESTORS")
        return []


def update_origins(raw: str) -> list[str]:
    """Replace the dashboard's origins with those in `raw` (one per line or comma)."""
    entries = raw.replace(",", "\n").split()
    origins = list(dict.fromkeys(normalize_origin(entry) for entry in entries))
    if len(origins) > MAX_ORIGINS:
        raise InvalidInput(f"List at most {MAX_ORIGINS} origins.", field="origins")
    env = credentials.environment()
    env.frame_ancestors = origins
    db.session.commit()
    return origins


def normalize_origin(raw: str) -> str:
    """`scheme://host[:port]` in canonical form (lower case, punycode, no default port), or
    InvalidInput saying what is wrong. `https://*.example.com` allows every subdomain."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise _invalid(raw, "an origin looks like https://app.example.com")
    if (
        parts.username
        or parts.password
        or parts.query
        or parts.fragment
        or parts.path
        not in (
            "",
            "/",
        )
    ):
        raise _invalid(raw, "give only the scheme, host and port, without a path")
    if parts.scheme == "http" and current_app.config["PORTAL_ENV"] == "production":
        raise _invalid(raw, "origins must use https in production")
    try:
        port = parts.port
    except ValueError:
        raise _invalid(raw, "the port is not a number between 1 and 65535") from None
    host = _checked_host(raw, parts.hostname)
    shown_port = f":{port}" if port and port != DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{host}{shown_port}"


def _checked_host(raw: str, hostname: str) -> str:
    wildcard = hostname.startswith("*.")
    name = hostname[2:] if wildcard else hostname
    if not wildcard and (name in LOCAL_HOSTS or _is_ip(name)):
        return f"[{name}]" if ":" in name else name
    try:
        domain = normalize_domain(name, field="origins")
    except InvalidInput:
        raise _invalid(raw, "the host is not a valid domain name") from None
    return f"*.{domain}" if wildcard else domain


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _invalid(raw: str, why: str) -> InvalidInput:
    return InvalidInput(f"{raw.strip()!r} is not allowed: {why}.", field="origins")
