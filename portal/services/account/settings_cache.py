"""The app-wide settings every portal page reads (branding, the origins that may frame it),
kept per process for TTL_SECONDS rather than read on each request. A change committed in
this process clears them at once (`forget_on_environment_change`, wired in create_app); other
processes see it within TTL_SECONDS."""

import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, has_app_context

from portal.extensions import db
from portal.models import Environment
from portal.services.infra.database import listen_once

T = TypeVar("T")
TTL_SECONDS = 5
_CACHE = "portal_settings_cache"


def cached(name: str, load: Callable[[], T]) -> T:
    cache = current_app.extensions.setdefault(_CACHE, {})
    now = time.monotonic()
    hit = cache.get(name)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    cache[name] = (now + TTL_SECONDS, value)
    return value


def forget_on_environment_change() -> None:
    listen_once(db.session, "after_flush", _forget_if_environment_flushed)


def _forget_if_environment_flushed(session, flush_context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if has_app_context() and any(isinstance(row, Environment) for row in changed):
        current_app.extensions.pop(_CACHE, None)
