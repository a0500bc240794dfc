"""The progress columns every outbound delivery has (webhooks, log streams)."""

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.columns import UTCDateTime


class DeliveryProgress:
    """`pending` until an attempt succeeds (`succeeded`) or the retry window closes (`failed`)."""

    state: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempt_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retry_until: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # When a job for the next attempt was handed to the queue (None: it could not be), so the
    # relay can tell a delivery that waits in the queue from one the queue lost.
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # While an attempt is under way no other worker may start one (a claim that expires).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
