"""Audit logs: the events an app records about what its users did, the schemas their actions
follow, and the CSV exports made of them. Every event and export belongs to one organization."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.columns import UTCDateTime, created_at_column, id_column, updated_at_column
from portal.models.delivery import DeliveryProgress


class AuditLogAction(db.Model):
    """An action name (`user.signed_in`) that has at least one schema."""

    __tablename__ = "audit_log_actions"

    id: Mapped[str] = id_column("audit_log_action")
    name: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    schemas: Mapped[list["AuditLogSchema"]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="AuditLogSchema.version"
    )


class AuditLogSchema(db.Model):
    """One version of what events of an action must carry: target types and metadata schemas."""

    __tablename__ = "audit_log_schemas"
    __table_args__ = (UniqueConstraint("action_id", "version"),)

    id: Mapped[str] = id_column("audit_log_schema")
    action_id: Mapped[str] = mapped_column(
        ForeignKey("audit_log_actions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # {"targets": [{"type", "metadata"?}], "actor": {"metadata"}?, "metadata"?}, normalized.
    definition: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = created_at_column()

    action: Mapped[AuditLogAction] = relationship(back_populates="schemas")


class AuditLogEvent(db.Model):
    __tablename__ = "audit_log_events"
    __table_args__ = (
        Index("ix_audit_log_events_organization_id_occurred_at", "organization_id", "occurred_at"),
        Index("ix_audit_log_events_organization_id_action", "organization_id", "action"),
    )

    id: Mapped[str] = id_column("audit_log_event")
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    action: Mapped[str] = mapped_column(String(255), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor_id: Mapped[str] = mapped_column(String(255), nullable=False)
    actor_type: Mapped[str] = mapped_column(String(255), nullable=False)
    actor_name: Mapped[str | None] = mapped_column(String(255))
    actor_metadata: Mapped[dict | None] = mapped_column(JSON)
    location: Mapped[str] = mapped_column(String(255), nullable=False)
    user_agent: Mapped[str | None] = mapped_column(Text)
    metadata_: Mapped[dict | None] = mapped_column("metadata", JSON)
    version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()

    targets: Mapped[list["AuditLogTarget"]] = relationship(
        cascade="all, delete-orphan", order_by="AuditLogTarget.position", lazy="selectin"
    )


class AuditLogTarget(db.Model):
    """A resource an event affected; a row of its own so exports and the viewer filter on it."""

    __tablename__ = "audit_log_targets"
    __table_args__ = (Index("ix_audit_log_targets_type_event_id", "type", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(
        ForeignKey("audit_log_events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    type: Mapped[str] = mapped_column(String(255), nullable=False)
    target_id: Mapped[str] = mapped_column(String(255), nullable=False)
    name: Mapped[str | None] = mapped_column(String(255))
    metadata_: Mapped[dict | None] = mapped_column("metadata", JSON)


class AuditLogExport(db.Model):
    """A CSV of one organization's events: `pending` until the job has built it (`ready`)."""

    __tablename__ = "audit_log_exports"

    id: Mapped[str] = id_column("audit_log_export")
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    # range_start, range_end (ISO 8601), actions, actor_names, actor_ids, targets.
    filters: Mapped[dict] = mapped_column(JSON, nullable=False)
    csv: Mapped[str | None] = mapped_column(Text)
    event_count: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class AuditLogRetention(db.Model):
    """How long an organization's events are kept; no row means they are kept until set."""

    __tablename__ = "audit_log_retention"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    retention_period_in_days: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = updated_at_column()


class LogStream(db.Model):
    """Where an organization's audit log events are sent as they happen (one per organization)."""

    __tablename__ = "log_streams"

    id: Mapped[str] = id_column("log_stream")
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    type: Mapped[str] = mapped_column(String(16), nullable=False)  # https, datadog, splunk
    url: Mapped[str] = mapped_column(String(2048), nullable=False)
    datadog_site: Mapped[str | None] = mapped_column(String(64))
    # The API key or token, encrypted (portal.services.infra.encryption); never stored plain.
    sealed_credential: Mapped[str | None] = mapped_column(Text)
    last_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_delivery_status: Mapped[int | None] = mapped_column(Integer)
    last_delivery_error: Mapped[str | None] = mapped_column(Text)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last success
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class LogStreamDelivery(DeliveryProgress, db.Model):
    """One event on its way to a stream: `pending`, then `succeeded` or `failed` (as webhooks)."""

    __tablename__ = "log_stream_deliveries"
    __table_args__ = (
        UniqueConstraint("stream_id", "event_id"),
        Index("ix_log_stream_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[str] = id_column("log_stream_delivery")
    stream_id: Mapped[str] = mapped_column(
        ForeignKey("log_streams.id", ondelete="CASCADE"), nullable=False, index=True
    )
    event_id: Mapped[str] = mapped_column(
        ForeignKey("audit_log_events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
