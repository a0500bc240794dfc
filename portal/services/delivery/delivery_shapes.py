"""The WorkOS JSON shapes of events and webhook endpoints."""

from portal.models import Event, WebhookEndpoint
from portal.services.infra.wire import timestamp


def event(row: Event) -> dict:
    return {
        "object": "event",
        "id": row.id,
        "event": row.event,
        "data": row.data,
        "created_at": timestamp(row.created_at),
    }


def webhook_endpoint(endpoint: WebhookEndpoint, with_secret: bool = False) -> dict:
    """The endpoint; its signing secret only in the response that created it (the SDK's
    model requires the key, so other responses carry an empty string)."""
    return {
        "object": "webhook_endpoint",
        "id": endpoint.id,
        "endpoint_url": endpoint.endpoint_url,
        "secret": endpoint.secret if with_secret else "",
        "status": endpoint.status,
        "events": list(endpoint.events),
        "created_at": timestamp(endpoint.created_at),
        "updated_at": timestamp(endpoint.updated_at),
    }
