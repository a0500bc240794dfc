"""A Directory is one organization's SCIM connection; its users and groups mirror the IdP."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.columns import UTCDateTime, created_at_column, id_column, updated_at_column


class Directory(db.Model):
    __tablename__ = "directories"

    id: Mapped[str] = id_column("directory")
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    type: Mapped[str] = mapped_column(String(64), nullable=False)
    # WorkOS directory states: `unlinked` until the IdP's first authenticated request.
    state: Mapped[str] = mapped_column(String(32), nullable=False, default="unlinked")
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    token_suffix: Mapped[str] = mapped_column(String(8), nullable=False)
    # custom attribute name -> SCIM attribute path (`urn:...:User:department`, `title`).
    attribute_map: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    # Group ids whose members are exposed through the API; None exposes every user.
    synced_group_ids: Mapped[list | None] = mapped_column(JSON)
    # Percent of active users deprovisioned per rolling hour before the brake holds the rest
    # (0: no brake); None follows PORTAL_DEPROVISION_BRAKE_PERCENT.
    deprovision_brake_percent: Mapped[int | None] = mapped_column(Integer)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    def __repr__(self) -> str:
        return f"<Directory {self.id} {self.type} {self.state}>"


class DirectoryUser(db.Model):
    __tablename__ = "directory_users"
    # SCIM lists page a directory's users by id: (directory_id, id) serves the page, its
    # OFFSET and the count from the index alone, at any directory size.
    __table_args__ = (
        UniqueConstraint("directory_id", "user_name_key"),
        Index("ix_directory_users_directory_id_id", "directory_id", "id"),
        # Inactive users alone, to count them without reading the active ones.
        Index(
            "ix_directory_users_inactive",
            "directory_id",
            postgresql_where=text("NOT active"),
            sqlite_where=text("active = 0"),  # as SQLAlchemy writes NOT active there
        ),
    )

    id: Mapped[str] = id_column("directory_user")
    directory_id: Mapped[str] = mapped_column(
        ForeignKey("directories.id", ondelete="CASCADE"), nullable=False
    )
    organization_id: Mapped[str] = mapped_column(String(64), nullable=False)
    user_name: Mapped[str] = mapped_column(String(512), nullable=False)
    # userName is unique case-insensitively (RFC 7643 caseExact false).
    user_name_key: Mapped[str] = mapped_column(String(512), nullable=False)
    external_id: Mapped[str | None] = mapped_column(String(512), index=True)
    email: Mapped[str | None] = mapped_column(String(512))
    display_name: Mapped[str | None] = mapped_column(String(512))
    # Deactivation by the IdP keeps the user, inactive: a soft delete.
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    raw_attributes: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    # A deprovisioning the brake holds ("deactivate" or "delete"): the IdP's SCIM view has
    # it, the API's does not (deprovisioning_brake.py).
    held_deprovisioning: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


# Email is compared case-insensitively everywhere (SCIM `emails.value eq`, the API's `email`
# filter), so the index is on lower(email): one on email itself serves none of them.
Index("ix_directory_users_email_key", func.lower(DirectoryUser.email))


class DirectoryGroup(db.Model):
    __tablename__ = "directory_groups"
    __table_args__ = (
        UniqueConstraint("directory_id", "display_name_key"),
        Index("ix_directory_groups_directory_id_id", "directory_id", "id"),
    )

    id: Mapped[str] = id_column("directory_group")
    directory_id: Mapped[str] = mapped_column(
        ForeignKey("directories.id", ondelete="CASCADE"), nullable=False
    )
    organization_id: Mapped[str] = mapped_column(String(64), nullable=False)
    display_name: Mapped[str] = mapped_column(String(512), nullable=False)
    display_name_key: Mapped[str] = mapped_column(String(512), nullable=False)
    external_id: Mapped[str | None] = mapped_column(String(512), index=True)
    raw_attributes: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    members: Mapped[list["DirectoryGroupMembership"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class DirectoryGroupMembership(db.Model):
    __tablename__ = "directory_group_memberships"
    __table_args__ = (Index("ix_directory_group_memberships_user_id", "user_id"),)

    group_id: Mapped[str] = mapped_column(
        ForeignKey("directory_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("directory_users.id", ondelete="CASCADE"), primary_key=True
    )
    directory_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    # The label the IdP sent for the member, echoed back as `display`.
    display: Mapped[str | None] = mapped_column(String(512))


class DirectoryUserCount(db.Model):
    """How many users a directory has, and how many of them are inactive, kept by database
    triggers on `directory_users` (migrations 0011, 0022) in 16 slots summed on read, so a SCIM
    list or a directory page counts without a scan."""

    __tablename__ = "directory_user_counts"

    directory_id: Mapped[str] = mapped_column(
        ForeignKey("directories.id", ondelete="CASCADE"), primary_key=True
    )
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    users: Mapped[int] = mapped_column(Integer, nullable=False)
    inactive: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")


class Deprovisioning(db.Model):
    """A deprovisioning the IdP asked for: `passed` (applied at once, counted against the
    brake's rolling hour), `held` by the brake, then `applied`, `discarded` or `cancelled`
    (the IdP reactivated the user)."""

    __tablename__ = "deprovisionings"
    __table_args__ = (
        Index("ix_deprovisionings_directory_state", "directory_id", "state", "created_at"),
    )

    id: Mapped[str] = id_column("deprovisioning")
    directory_id: Mapped[str] = mapped_column(
        ForeignKey("directories.id", ondelete="CASCADE"), nullable=False
    )
    organization_id: Mapped[str] = mapped_column(String(64), nullable=False)
    # No foreign key: a passed or applied DELETE removes the user, the record stays.
    user_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    user_name: Mapped[str] = mapped_column(String(512), nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)  # deactivate | delete
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
