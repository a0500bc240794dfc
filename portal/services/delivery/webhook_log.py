"""What happened to an endpoint's deliveries, for the dashboard: every attempt with its
time, status, latency and the start of the response; and sending one again."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.models import WebhookDelivery
from portal.services.delivery import webhook_deliveries, webhooks
from portal.services.infra import tenancy
from portal.services.infra.pagination import Page, PageRequest, paginate


def list_deliveries(endpoint_id: str, page: PageRequest) -> Page:
    """The endpoint's deliveries, newest first, with their event and attempts loaded."""
    endpoint = webhooks.get_endpoint(endpoint_id)
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .options(selectinload(WebhookDelivery.attempts), selectinload(WebhookDelivery.event))
    )
    return paginate(query, WebhookDelivery.id, page)


def get_delivery(endpoint_id: str, delivery_id: str) -> WebhookDelivery:
    """One delivery of this endpoint (another endpoint's is not found here)."""
    return tenancy.owned(WebhookDelivery, delivery_id, endpoint_id, owner="endpoint_id")


def redeliver(endpoint_id: str, delivery_id: str) -> WebhookDelivery:
    """Send one of this endpoint's deliveries again now, with a fresh retry window."""
    return webhook_deliveries.redeliver(get_delivery(endpoint_id, delivery_id).id)
