"""Credentials (API keys, SCIM bearer tokens) a process has checked, kept for a few seconds
so a busy client's requests skip the lookup. Keyed by the secret's SHA-256 digest: the
secret itself is never held. Only successful checks are kept (a client guessing secrets
cannot fill the cache). A change to a credential committed in this process clears its kind
at once (the caller wires `forget_on_change`); other processes see a revocation within
`PORTAL_CREDENTIAL_CACHE_SECONDS` (default 5; 0 turns the cache off)."""

import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, has_app_context

from portal.extensions import db
from portal.services.infra.database import listen_once

T = TypeVar("T")
DEFAULT_SECONDS = 5.0
MAX_ENTRIES = 10_000  # per kind; past it the kind starts afresh
_CACHES = "portal_credential_cache"
_WATCHED: dict[type, str] = {}


def checked(kind: str, digest: str, check: Callable[[], T | None]) -> T | None:
    """What `check()` returned for this digest within the last few seconds, or its answer now."""
    seconds = current_app.config.get("PORTAL_CREDENTIAL_CACHE_SECONDS", DEFAULT_SECONDS)
    cache = current_app.extensions.setdefault(_CACHES, {}).setdefault(kind, {})
    now = time.monotonic()
    hit = cache.get(digest)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = check()
    if value is not None and seconds > 0:
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[digest] = (now + seconds, value)
    return value


def update(kind: str, digest: str, value) -> None:
    """Replace what is kept for the digest (a change the holder made), keeping its expiry."""
    cache = current_app.extensions.get(_CACHES, {}).get(kind, {})
    if digest in cache:
        cache[digest] = (cache[digest][0], value)


def forget_on_change(model: type, kind: str) -> None:
    """Clear `kind` whenever this process flushes a change to a `model` row."""
    _WATCHED[model] = kind
    listen_once(db.session, "after_flush", _forget_changed)


def _forget_changed(session, flush_context) -> None:
    if not has_app_context():
        return
    caches = current_app.extensions.get(_CACHES, {})
    for row in (*session.new, *session.dirty, *session.deleted):
        kind = _WATCHED.get(type(row))
        if kind is not None:
            caches.pop(kind, None)
