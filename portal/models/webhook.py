"""Webhook endpoints, and the deliveries of events to them with every attempt made.

Endpoints belong to the environment (one deployment), not to an organization: they receive the
events of every organization, so there is no tenant to keep apart here.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.columns import UTCDateTime, created_at_column, id_column, updated_at_column
from portal.models.delivery import DeliveryProgress
from portal.models.event import Event
from portal.services.infra import encryption


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = id_column("we")
    endpoint_url: Mapped[str] = mapped_column(String(2048), nullable=False, unique=True)
    # Every delivery is signed with the secret, so it is kept recoverable: encrypted, never in
    # the clear (`portal.services.infra.encryption`). The API shows it only in the response
    # that creates it.
    encrypted_secret: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="enabled")
    events: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    @property
    def secret(self) -> str:
        return encryption.decrypt(self.encrypted_secret)

    @secret.setter
    def secret(self, plaintext: str) -> None:
        self.encrypted_secret = encryption.encrypt(plaintext)

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.endpoint_url} {self.status}>"


class WebhookDelivery(DeliveryProgress, db.Model):
    """One event on its way to one endpoint: `pending` until an attempt succeeds (`succeeded`)
    or the retry window closes (`failed`)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[str] = id_column("webhook_delivery")
    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False, index=True
    )
    event_id: Mapped[str] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = created_at_column()

    endpoint: Mapped[WebhookEndpoint] = relationship()
    event: Mapped[Event] = relationship()
    attempts: Mapped[list["WebhookDeliveryAttempt"]] = relationship(
        back_populates="delivery",
        cascade="all, delete-orphan",
        order_by="WebhookDeliveryAttempt.id",
    )

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.event_id} -> {self.endpoint_id} {self.state}>"


class WebhookDeliveryAttempt(db.Model):
    """One POST of a delivery: what came back (status and the start of the body) or why
    nothing did, and how long it took."""

    __tablename__ = "webhook_delivery_attempts"

    id: Mapped[str] = id_column("webhook_attempt")
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False, index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    response_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    latency_ms: Mapped[int] = mapped_column(Integer, nullable=False)
    response_body: Mapped[str | None] = mapped_column(Text)

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempts")
