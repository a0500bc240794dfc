"""The retry rules every outbound delivery follows (webhooks, log streams): 30 s doubling to at
most an hour, ±20% jitter, for three days; then the delivery has failed.

The first wait, how long a claim lasts and when a delivery counts as lost (delivery_claims.py)
can be shortened by settings, for tests that run real workers against real receivers."""

import random
from datetime import datetime, timedelta

from flask import current_app

RETRY_WINDOW = timedelta(days=3)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
JITTER = 0.2
TIMEOUT_SECONDS = 10.0


def configured(setting: str, default: timedelta) -> timedelta:
    """`default`, unless the app's `setting` (seconds; 0 or unset: the default) says otherwise."""
    seconds = current_app.config.get(setting)
    return timedelta(seconds=seconds) if seconds else default


def retry_delay(attempts_made: int, first: timedelta = FIRST_RETRY) -> timedelta:
    """How long to wait after the n-th failed attempt: 30 s doubling, at most an hour, ±20%."""
    base = min(first * 2 ** min(attempts_made - 1, 20), LONGEST_RETRY)
    return base * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311  (jitter, not a secret)


def succeeded(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def after_attempt(
    attempts_made: int, status: int | None, now: datetime, retry_until: datetime
) -> tuple[str, timedelta]:
    """The delivery's state after an attempt (`succeeded`, `failed` or `pending`) and, when
    pending, how long until the next attempt."""
    delay = retry_delay(
        attempts_made, configured("PORTAL_DELIVERY_FIRST_RETRY_SECONDS", FIRST_RETRY)
    )
    if succeeded(status):
        return "succeeded", delay
    if now + delay > retry_until:
        return "failed", delay
    return "pending", delay
