"""`/webhook_endpoints`: where events are sent. The SDK has no call to read one endpoint;
`GET /webhook_endpoints/{id}` is portal's own addition."""

from portal.api import bp
from portal.api.idempotency import idempotent
from portal.api.parsing import json_body, page_request
from portal.api.schemas import CreateWebhookEndpoint, UpdateWebhookEndpoint
from portal.services.delivery import delivery_shapes, webhooks
from portal.services.infra import wire


@bp.get("/webhook_endpoints")
def list_webhook_endpoints():
    page = webhooks.list_endpoints(page_request())
    items = [delivery_shapes.webhook_endpoint(endpoint) for endpoint in page.items]
    return wire.list_envelope(items, page.before, page.after)


def _without_secret(body: dict) -> dict:
    return {**body, "secret": ""}


def _with_current_secret(body: dict) -> dict:
    """A replayed create answers with the endpoint's secret as it is now (read from its
    encrypted column), or none if the endpoint has since been deleted."""
    return {**body, "secret": webhooks.current_secret(body.get("id", ""))}


@bp.post("/webhook_endpoints")
@idempotent(scrub=_without_secret, restore=_with_current_secret)
def create_webhook_endpoint():
    body = json_body(CreateWebhookEndpoint)
    endpoint = webhooks.create_endpoint(body.endpoint_url, body.events)
    return delivery_shapes.webhook_endpoint(endpoint, with_secret=True), 201


@bp.get("/webhook_endpoints/<endpoint_id>")
def get_webhook_endpoint(endpoint_id):
    return delivery_shapes.webhook_endpoint(webhooks.get_endpoint(endpoint_id))


@bp.patch("/webhook_endpoints/<endpoint_id>")
def update_webhook_endpoint(endpoint_id):
    body = json_body(UpdateWebhookEndpoint)
    changes = webhooks.EndpointChanges(
        endpoint_url=body.endpoint_url, status=body.status, events=body.events
    )
    return delivery_shapes.webhook_endpoint(webhooks.update_endpoint(endpoint_id, changes))


@bp.delete("/webhook_endpoints/<endpoint_id>")
def delete_webhook_endpoint(endpoint_id):
    webhooks.delete_endpoint(endpoint_id)
    return "", 204
