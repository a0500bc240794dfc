"""The outbox: one row per state change, written in the same transaction as the change."""

from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.columns import UTCDateTime, created_at_column, id_column


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_event_id", "event", "id"),)

    id: Mapped[str] = id_column("event")
    event: Mapped[str] = mapped_column(String(100), nullable=False)
    organization_id: Mapped[str | None] = mapped_column(String(64), index=True)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    # When the event was fanned out to the webhook endpoints (None: not yet; the relay will).
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
