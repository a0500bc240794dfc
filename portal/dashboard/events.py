"""Settings → Events: browse the event outbox by type and organization, read one as JSON."""

import json

from flask import render_template, request
from sqlalchemy import select

from portal.dashboard import bp
from portal.errors import InvalidInput
from portal.extensions import db
from portal.models import Organization
from portal.services.delivery import delivery_shapes, events
from portal.services.infra.pagination import PageRequest

PAGE_SIZE = 25


@bp.get("/settings/events")
def events_browser():
    """Newest first; `type` and `organization_id` narrow the list, cursors page through it."""
    chosen = {
        "type": request.args.get("type", "").strip(),
        "organization_id": request.args.get("organization_id", "").strip(),
    }
    errors, page = {}, None
    try:
        event_filter = events.EventFilter(
            types=(chosen["type"],) if chosen["type"] else (),
            organization_id=chosen["organization_id"] or None,
        )
        page = events.list_events(
            event_filter,
            PageRequest(
                limit=PAGE_SIZE, before=request.args.get("before"), after=request.args.get("after")
            ),
        )
    except InvalidInput as error:
        errors = {"type": error.message}
    return render_template(
        "dashboard/events.html",
        page=page,
        chosen=chosen,
        filters={key: value for key, value in chosen.items() if value},
        event_types=sorted(events.EVENT_TYPES),
        organization_names=_names_of(page.items if page else []),
        errors=errors,
    ), (422 if errors else 200)


def _names_of(rows) -> dict[str, str]:
    ids = {row.organization_id for row in rows if row.organization_id}
    if not ids:
        return {}
    found = db.session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(ids))
    )
    return dict(found.all())


@bp.get("/settings/events/<event_id>")
def event(event_id):
    row = events.get_event(event_id)
    shown = json.dumps(delivery_shapes.event(row), indent=2, sort_keys=True)
    return render_template(
        "dashboard/event.html",
        event=row,
        event_json=shown,
        organization_names=_names_of([row]),
    )
