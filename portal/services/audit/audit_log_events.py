"""Audit log events: recording them, finding them by filter, and forgetting them on schedule."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, select

from portal.errors import InvalidInput
from portal.extensions import db
from portal.models import AuditLogEvent, AuditLogRetention, AuditLogTarget
from portal.models.columns import utcnow
from portal.services.audit import audit_log_checks, audit_log_schemas, log_stream_deliveries
from portal.services.infra.pagination import Page, PageRequest, paginate
from portal.services.organizations.organizations import get_organization

# WorkOS: 30 to 330 days in steps of 30, or 365 to 3650 in steps of 365.
RETENTION_DAYS = (*range(30, 331, 30), *range(365, 3651, 365))
RETENTION_PERIODS = {
    **{f"{n}_MONTH{'S' if n > 1 else ''}": n * 30 for n in range(1, 12)},
    **{f"{n}_YEAR{'S' if n > 1 else ''}": n * 365 for n in range(1, 11)},
}


def record_event(organization_id: str, event: dict) -> AuditLogEvent:
    """Store one event of the organization after checking it against its action's schema."""
    get_organization(organization_id)
    schema = audit_log_schemas.schema_for(event["action"], event.get("version"))
    audit_log_checks.check_event(event, schema)
    actor, context = event["actor"], event["context"]
    row = AuditLogEvent(
        organization_id=organization_id,
        action=event["action"],
        occurred_at=event["occurred_at"],
        actor_id=actor["id"],
        actor_type=actor["type"],
        actor_name=actor.get("name"),
        actor_metadata=actor.get("metadata"),
        location=context["location"],
        user_agent=context.get("user_agent"),
        metadata_=event.get("metadata"),
        version=schema.version if schema is not None else None,
        targets=[
            AuditLogTarget(
                position=i,
                type=target["type"],
                target_id=target["id"],
                name=target.get("name"),
                metadata_=target.get("metadata"),
            )
            for i, target in enumerate(event["targets"])
        ],
    )
    db.session.add(row)
    db.session.flush()
    deliveries = log_stream_deliveries.plan(row)  # written with the event: none is lost
    db.session.commit()
    log_stream_deliveries.hand_over(deliveries)
    return row


@dataclass(frozen=True)
class EventFilter:
    """Which events of one organization: every field set must match (lists: any of them)."""

    organization_id: str
    range_start: datetime | None = None
    range_end: datetime | None = None
    actions: tuple[str, ...] = ()
    actor_names: tuple[str, ...] = ()
    actor_ids: tuple[str, ...] = ()
    target_types: tuple[str, ...] = ()
    # The viewer's free-text fields: an actor or target by id or name, exactly.
    actor: str | None = None
    target: str | None = None


def filtered(event_filter: EventFilter) -> Select:
    """The events matching `event_filter`, always inside its organization."""
    query = select(AuditLogEvent).where(
        AuditLogEvent.organization_id == event_filter.organization_id
    )
    if event_filter.range_start:
        query = query.where(AuditLogEvent.occurred_at >= event_filter.range_start)
    if event_filter.range_end:
        query = query.where(AuditLogEvent.occurred_at < event_filter.range_end)
    if event_filter.actions:
        query = query.where(AuditLogEvent.action.in_(event_filter.actions))
    if event_filter.actor_names:
        query = query.where(AuditLogEvent.actor_name.in_(event_filter.actor_names))
    if event_filter.actor_ids:
        query = query.where(AuditLogEvent.actor_id.in_(event_filter.actor_ids))
    if event_filter.actor:
        query = query.where(
            (AuditLogEvent.actor_id == event_filter.actor)
            | (AuditLogEvent.actor_name == event_filter.actor)
        )
    if event_filter.target_types:
        query = query.where(_has_target(AuditLogTarget.type.in_(event_filter.target_types)))
    if event_filter.target:
        value = event_filter.target
        query = query.where(
            _has_target(
                (AuditLogTarget.target_id == value)
                | (AuditLogTarget.name == value)
                | (AuditLogTarget.type == value)
            )
        )
    return query


def _has_target(condition):
    return (
        select(AuditLogTarget.id)
        .where(AuditLogTarget.event_id == AuditLogEvent.id, condition)
        .exists()
    )


def list_events(event_filter: EventFilter, page: PageRequest) -> Page:
    """A page of the organization's events, newest first by default: by when they happened,
    which is not when they were recorded (an app may send events late or backfill them)."""
    return paginate(filtered(event_filter), AuditLogEvent.id, page, AuditLogEvent.occurred_at)


def actions_of(organization_id: str) -> list[str]:
    """The action names the organization's events use, for the viewer's filter."""
    return list(
        db.session.scalars(
            select(AuditLogEvent.action)
            .where(AuditLogEvent.organization_id == organization_id)
            .distinct()
            .order_by(AuditLogEvent.action)
        )
    )


def retention_of(organization_id: str) -> int | None:
    """Days the organization's events are kept (None: not set, kept until it is)."""
    get_organization(organization_id)
    row = db.session.get(AuditLogRetention, organization_id)
    return row.retention_period_in_days if row else None


def set_retention(organization_id: str, days: int | None, period: str | None) -> int:
    get_organization(organization_id)
    days = _retention_days(days, period)
    row = db.session.get(AuditLogRetention, organization_id)
    if row is None:
        row = AuditLogRetention(organization_id=organization_id, retention_period_in_days=days)
        db.session.add(row)
    row.retention_period_in_days = days
    db.session.commit()
    return days


def _retention_days(days: int | None, period: str | None) -> int:
    if (days is None) == (period is None):
        raise InvalidInput(
            "Send exactly one of retention_period_in_days or retention_period.",
            field="retention_period_in_days",
        )
    if period is not None:
        if period not in RETENTION_PERIODS:
            raise InvalidInput(
                "retention_period must be one of 1_MONTH ... 11_MONTHS or 1_YEAR ... 10_YEARS.",
                field="retention_period",
            )
        return RETENTION_PERIODS[period]
    if days not in RETENTION_DAYS:
        raise InvalidInput(
            "retention_period_in_days must be 30 to 330 in steps of 30, or 365 to 3650 in "
            "steps of 365.",
            field="retention_period_in_days",
        )
    return days


def purge_expired(now: datetime | None = None) -> int:
    """Delete every event older than its organization's retention; returns how many."""
    now = now or utcnow()
    removed = 0
    for row in db.session.scalars(select(AuditLogRetention)).all():
        cutoff = now - timedelta(days=row.retention_period_in_days)
        expired = select(AuditLogEvent.id).where(
            AuditLogEvent.organization_id == row.organization_id,
            AuditLogEvent.occurred_at < cutoff,
        )
        db.session.execute(delete(AuditLogTarget).where(AuditLogTarget.event_id.in_(expired)))
        result = db.session.execute(delete(AuditLogEvent).where(AuditLogEvent.id.in_(expired)))
        removed += result.rowcount or 0
    db.session.commit()
    return removed
