"""The event outbox: `record` adds an event to the caller's transaction; `list_events` reads."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from portal.errors import InvalidInput
from portal.extensions import db
from portal.models import Event
from portal.services.infra import tenancy
from portal.services.infra.database import listen_once
from portal.services.infra.ids import lowest_id_at, new_id, time_of
from portal.services.infra.pagination import Page, PageRequest, paginate

# WorkOS's event types portal emits (or will, as features land).
WORKOS_EVENT_TYPES = frozenset(
    {
        "organization.created",
        "organization.updated",
        "organization.deleted",
        "organization_domain.created",
        "organization_domain.updated",
        "organization_domain.deleted",
        "organization_domain.verified",
        "organization_domain.verification_failed",
        "connection.activated",
        "connection.deactivated",
        "connection.deleted",
        "dsync.activated",
        "dsync.deleted",
        "dsync.user.created",
        "dsync.user.updated",
        "dsync.user.deleted",
        "dsync.group.created",
        "dsync.group.updated",
        "dsync.group.deleted",
        "dsync.group.user_added",
        "dsync.group.user_removed",
    }
)
# Portal's own events, which WorkOS does not have: an endpoint receives them only when it
# names them, and `GET /events` lists them only when asked for by name, so an SDK client that
# does not know them never meets one.
PORTAL_EVENT_TYPES = frozenset({"dsync.deprovisioning_held"})
# Every event type portal emits; the `events` filter accepts these.
EVENT_TYPES = WORKOS_EVENT_TYPES | PORTAL_EVENT_TYPES


_subscribers: dict[str, list[Callable[[Event], None]]] = {}
_PENDING = "portal_pending_events"
_COLUMNS = ("id", "event", "organization_id", "data", "created_at", "dispatched_at")
_INSERT = insert(Event.__table__)
Rewriter = Callable[[str, dict], list[tuple[str, dict]]]
_rewriters: dict[str, Rewriter] = {}


def subscribe(event_types: tuple[str, ...], handler: Callable[[Event], None]) -> None:
    """Call `handler` inside the transaction of every event of these types as it is recorded
    (once, however often it subscribes: every app a process builds subscribes again)."""
    for event_type in event_types:
        handlers = _subscribers.setdefault(event_type, [])
        if handler not in handlers:
            handlers.append(handler)


def rewrite_with(event_types: tuple[str, ...], rewriter: Rewriter) -> None:
    """Let `rewriter` decide which events stand for one of these types as it is recorded:
    it returns `[(type, data), ...]`, empty to drop the event (the group-sync selection)."""
    for event_type in event_types:
        _rewriters[event_type] = rewriter


def record(
    event_type: str,
    data: dict,
    organization_id: str | None,
    event_id: str | None = None,
    rewrite: bool = True,
) -> Event | None:
    """Add an event to the current transaction; it is committed with the change it describes.

    Events sort by id, so the id is taken now (or reserved earlier and passed in). The
    event's `created_at` is the time in its id, so the `range_start`/`range_end` filters
    (id comparisons) agree with the timestamps the API shows. A rewriter registered for the
    type may drop the event (None is returned) or add others around it; a reserved id goes to
    the first event recorded.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    rewriter = _rewriters.get(event_type) if rewrite else None
    if rewriter is None:
        return _add(event_type, data, organization_id, event_id)
    recorded = None
    for new_type, new_data in rewriter(event_type, data):
        event = _add(new_type, new_data, organization_id, event_id)
        event_id = None
        if new_type == event_type:
            recorded = event
    return recorded


def _add(event_type: str, data: dict, organization_id: str | None, event_id: str | None) -> Event:
    event_id = event_id or new_id("event")
    event = Event(
        id=event_id,
        event=event_type,
        data=data,
        organization_id=organization_id,
        created_at=time_of(event_id),
        dispatched_at=None,
    )
    db.session.info.setdefault(_PENDING, []).append(event)
    for handler in _subscribers.get(event_type, ()):
        handler(event)
    return event


def write_outbox_on_commit() -> None:
    """Write the events a transaction recorded as it commits, and forget them if it does not.

    Events are written by one INSERT as the transaction commits, not by the ORM's unit of
    work: a SCIM request writes one event, and the flush machinery cost more than the row.
    Nothing reads the outbox inside the transaction that writes it.
    """
    listen_once(db.session, "before_commit", _write_pending_events)
    listen_once(db.session, "after_transaction_end", _forget_pending_events)


def _write_pending_events(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.execute(_INSERT, [{c: getattr(e, c) for c in _COLUMNS} for e in pending])


def _forget_pending_events(session, transaction) -> None:
    if transaction.parent is None:  # rolled back, or committed without a before_commit
        session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class EventFilter:
    types: tuple[str, ...] = ()
    organization_id: str | None = None
    range_start: datetime | None = None
    range_end: datetime | None = None

    def __post_init__(self):
        unknown = sorted(set(self.types) - EVENT_TYPES)
        if unknown:
            known = ", ".join(sorted(EVENT_TYPES))
            raise InvalidInput(
                f"Unknown event type {unknown[0]!r}. Known types: {known}.", field="events"
            )
        if self.range_start and self.range_end and self.range_start > self.range_end:
            raise InvalidInput("range_start must be before range_end.", field="range_start")


def get_event(event_id: str) -> Event:
    """Unscoped: the API key and the dashboard see every organization's events."""
    return tenancy.unscoped(Event, event_id)


def list_events(event_filter: EventFilter, page: PageRequest) -> Page:
    """Events oldest first by default, filtered by type, organization and time range."""
    query = select(Event)
    if event_filter.types:
        query = query.where(Event.event.in_(event_filter.types))
    else:
        query = query.where(Event.event.not_in(PORTAL_EVENT_TYPES))
    if event_filter.organization_id:
        query = query.where(Event.organization_id == event_filter.organization_id)
    if event_filter.range_start:
        query = query.where(Event.id >= lowest_id_at("event", _ms(event_filter.range_start)))
    if event_filter.range_end:
        query = query.where(Event.id < lowest_id_at("event", _ms(event_filter.range_end) + 1))
    return paginate(query, Event.id, page)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
