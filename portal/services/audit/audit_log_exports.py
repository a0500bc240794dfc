"""Audit log exports: a CSV of one organization's events, built by a job, fetched by a link
that expires (itsdangerous signs the export id and the time the link was made)."""

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from portal.errors import ExportLinkRefused, InvalidInput, NotFound, QueueUnavailable
from portal.extensions import db
from portal.models import AuditLogEvent, AuditLogExport
from portal.services.audit.audit_log_events import EventFilter, filtered
from portal.services.infra import tenancy
from portal.services.infra.queue import enqueue
from portal.services.infra.wire import timestamp
from portal.services.organizations.organizations import get_organization

URL_LIFETIME = timedelta(minutes=10)
SALT = "audit-log-export-url"
COLUMNS = (
    "id",
    "occurred_at",
    "action",
    "actor_type",
    "actor_id",
    "actor_name",
    "actor_metadata",
    "targets",
    "location",
    "user_agent",
    "metadata",
    "version",
)
# A cell starting with one of these is a formula to a spreadsheet: quote it as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportRequest:
    organization_id: str
    range_start: datetime
    range_end: datetime
    actions: tuple[str, ...] = ()
    actor_names: tuple[str, ...] = ()
    actor_ids: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    # The portal viewer's filters: an actor, or a target, by id or name.
    actor: str | None = None
    target: str | None = None


def create_export(request: ExportRequest) -> AuditLogExport:
    """A pending export of the organization's events; a job builds its CSV."""
    get_organization(request.organization_id)
    if request.range_start >= request.range_end:
        raise InvalidInput("range_start must be before range_end.", field="range_start")
    export = AuditLogExport(
        organization_id=request.organization_id,
        state="pending",
        filters={
            "range_start": request.range_start.isoformat(),
            "range_end": request.range_end.isoformat(),
            "actions": list(request.actions),
            "actor_names": list(request.actor_names),
            "actor_ids": list(request.actor_ids),
            "targets": list(request.targets),
            "actor": request.actor,
            "target": request.target,
        },
    )
    db.session.add(export)
    db.session.commit()
    try:
        enqueue("tasks.audit_logs.build_export", export.id, job_id=f"audit-export-{export.id}")
    except QueueUnavailable:
        current_app.logger.warning("export %s waits for the queue", export.id)
    return export


def get_export(export_id: str, organization_id: str | None = None) -> AuditLogExport:
    """The export of `organization_id` (a portal session sees its own); without one,
    unscoped: the API key sees every organization's."""
    if organization_id is None:
        return tenancy.unscoped(AuditLogExport, export_id)
    return tenancy.owned(AuditLogExport, export_id, organization_id)


def event_filter_of(export: AuditLogExport) -> EventFilter:
    filters = export.filters
    return EventFilter(
        organization_id=export.organization_id,
        range_start=datetime.fromisoformat(filters["range_start"]),
        range_end=datetime.fromisoformat(filters["range_end"]),
        actions=tuple(filters["actions"]),
        actor_names=tuple(filters["actor_names"]),
        actor_ids=tuple(filters["actor_ids"]),
        target_types=tuple(filters["targets"]),
        actor=filters.get("actor"),
        target=filters.get("target"),
    )


def build_export(export_id: str) -> str:
    """Write the export's CSV (again, if run twice) and mark it ready; returns its state."""
    export = db.session.get(AuditLogExport, export_id)
    if export is None:
        return "gone"
    query = filtered(event_filter_of(export)).order_by(
        AuditLogEvent.occurred_at.asc(), AuditLogEvent.id.asc()
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    count = 0
    for event in db.session.scalars(query.execution_options(yield_per=500)):
        writer.writerow([_cell(value) for value in _row(event)])
        count += 1
    export.csv, export.event_count, export.state = buffer.getvalue(), count, "ready"
    db.session.commit()
    return export.state


def _row(event) -> list:
    targets = [
        {"type": t.type, "id": t.target_id, "name": t.name, "metadata": t.metadata_}
        for t in event.targets
    ]
    return [
        event.id,
        timestamp(event.occurred_at),
        event.action,
        event.actor_type,
        event.actor_id,
        event.actor_name or "",
        json.dumps(event.actor_metadata) if event.actor_metadata else "",
        json.dumps(targets),
        event.location,
        event.user_agent or "",
        json.dumps(event.metadata_) if event.metadata_ else "",
        "" if event.version is None else str(event.version),
    ]


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def ready_export(export_id: str, organization_id: str) -> AuditLogExport:
    """The organization's export, if its CSV is built (404 otherwise)."""
    export = get_export(export_id, organization_id)
    if export.state != "ready":
        raise NotFound(f"Audit log export not ready: '{export_id}'.", entity_id=export_id)
    return export


def download_token(export: AuditLogExport) -> str:
    """A token naming the export, good for URL_LIFETIME from now."""
    return _serializer().dumps(export.id)


def export_for_token(export_id: str, token: str) -> AuditLogExport:
    """The ready export the token was made for; 403 if it expired or was altered."""
    try:
        signed_id = _serializer().loads(token, max_age=int(URL_LIFETIME.total_seconds()))
    except SignatureExpired:
        raise ExportLinkRefused(
            "This download link has expired (links last 10 minutes). Fetch the export again "
            "for a new link.",
            code="export_link_expired",
        ) from None
    except BadSignature:
        raise ExportLinkRefused(
            "This download link is not valid: it was altered or cut short. Fetch the export "
            "again for a new link.",
            code="export_link_invalid",
        ) from None
    if signed_id != export_id:
        raise ExportLinkRefused(
            "This download link was made for another export.", code="export_link_invalid"
        )
    return ready_export(export_id, get_export(export_id).organization_id)


def exports_of(organization_id: str, limit: int = 5) -> list[AuditLogExport]:
    """The organization's latest exports, newest first."""
    return list(
        db.session.scalars(
            select(AuditLogExport)
            .where(AuditLogExport.organization_id == organization_id)
            .order_by(AuditLogExport.id.desc())
            .limit(limit)
        )
    )
