"""An Organization is one of the developer's customers; its domains prove who it is."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.columns import UTCDateTime, created_at_column, id_column, updated_at_column


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[str] = id_column("org")
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # `metadata` is reserved by SQLAlchemy's declarative base, hence the trailing underscore.
    metadata_: Mapped[dict] = mapped_column("metadata", JSON, nullable=False, default=dict)
    allow_profiles_outside_organization: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False
    )
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    domains: Mapped[list["OrganizationDomain"]] = relationship(
        back_populates="organization",
        cascade="all, delete-orphan",
        order_by="OrganizationDomain.id",
    )

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name!r}>"


class OrganizationDomain(db.Model):
    __tablename__ = "organization_domains"
    __table_args__ = (UniqueConstraint("organization_id", "domain"),)

    id: Mapped[str] = id_column("org_domain")
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    domain: Mapped[str] = mapped_column(String(253), nullable=False, index=True)
    state: Mapped[str] = mapped_column(String(32), nullable=False, default="pending")
    verification_strategy: Mapped[str] = mapped_column(String(16), nullable=False, default="dns")
    verification_prefix: Mapped[str | None] = mapped_column(String(63))
    verification_token: Mapped[str | None] = mapped_column(String(64))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # DNS polling: when the current round of checks began, and what the last check saw.
    verification_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_check_summary: Mapped[str | None] = mapped_column(Text)
    check_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    organization: Mapped[Organization] = relationship(back_populates="domains")

    def __repr__(self) -> str:
        return f"<OrganizationDomain {self.id} {self.domain} {self.state}>"
