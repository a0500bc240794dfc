"""Column types and helpers shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from portal.services.infra.ids import new_id


def utcnow() -> datetime:
    return datetime.now(UTC)


def seconds_since(moment: datetime | None) -> float:
    """How long ago `moment` was (0 for none or a future one); a naive moment is UTC."""
    if moment is None:
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (utcnow() - moment).total_seconds())


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def id_column(prefix: str) -> Mapped[str]:
    return mapped_column(String(64), primary_key=True, default=lambda: new_id(prefix))


def created_at_column() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), nullable=False, default=utcnow)


def updated_at_column() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), nullable=False, default=_created_at_or_now, onupdate=utcnow)


def _created_at_or_now(context) -> datetime:
    # A new row's updated_at is its created_at to the microsecond, as WorkOS answers a create
    # (two utcnow() calls can straddle a millisecond of the wire format).
    return context.get_current_parameters().get("created_at") or utcnow()
