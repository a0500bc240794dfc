"""Who may talk to portal as the developer: the environment's client id, API keys, users."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.columns import UTCDateTime, created_at_column, id_column


class Environment(db.Model):
    """The one environment this deployment serves: its client id and the developer's settings
    (branding shown to IT admins, default redirects)."""

    __tablename__ = "environments"

    id: Mapped[str] = id_column("environment")
    client_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    app_name: Mapped[str | None] = mapped_column(String(100))
    brand_color: Mapped[str | None] = mapped_column(String(7))
    # Read only when the logo itself is served, not with every page's branding.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_mimetype: Mapped[str | None] = mapped_column(String(32))
    default_return_url: Mapped[str | None] = mapped_column(Text)
    # Origins (scheme://host[:port]) whose pages may show the portal in an iframe, besides
    # those in PORTAL_FRAME_ANCESTORS.
    frame_ancestors: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # /sso/authorize redirect URIs allowed besides those in PORTAL_REDIRECT_URIS (normalized).
    redirect_uris: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    created_at: Mapped[datetime] = created_at_column()


class ApiKey(db.Model):
    """A secret `sk_...` key; only its SHA-256 is stored, its prefix is shown."""

    __tablename__ = "api_keys"

    id: Mapped[str] = id_column("key")
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    display_prefix: Mapped[str] = mapped_column(String(32), nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DashboardUser(UserMixin, db.Model):
    """A developer who signs in to the dashboard with email and password."""

    __tablename__ = "dashboard_users"

    id: Mapped[str] = id_column("user")
    email: Mapped[str] = mapped_column(String(320), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
