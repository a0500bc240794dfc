"""`GET /events`: the event stream, oldest first."""

from portal.api import bp
from portal.api.parsing import list_param, page_request, text_param, timestamp_param
from portal.services.delivery import delivery_shapes, events
from portal.services.infra import wire


@bp.get("/events")
def list_events():
    event_filter = events.EventFilter(
        types=tuple(list_param("events")),
        organization_id=text_param("organization_id"),
        range_start=timestamp_param("range_start"),
        range_end=timestamp_param("range_end"),
    )
    page = events.list_events(event_filter, page_request(default_order="asc"))
    items = [delivery_shapes.event(row) for row in page.items]
    return wire.list_envelope(items, page.before, page.after)
