"""Webhook endpoints: where the developer's app wants events sent, and which events.

Endpoints belong to the environment (this deployment), not to an organization: each receives
the events of every organization, so there is no tenant to check ownership against here.
Getting events to them is `portal.services.webhook_deliveries`.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.errors import Conflict, DestinationRefused, InvalidInput
from portal.extensions import db
from portal.models import WebhookEndpoint
from portal.models.columns import utcnow
from portal.services.delivery import webhook_deliveries
from portal.services.delivery.events import EVENT_TYPES
from portal.services.infra import encryption, outbound, secret_tokens, tenancy
from portal.services.infra.pagination import Page, PageRequest, paginate

STATUSES = ("enabled", "disabled")
SECRET_PREFIX = "whsec"  # noqa: S105  (a prefix that secret scanners recognise)


@dataclass
class EndpointChanges:
    """The fields an update sets; those left None stay as they are."""

    endpoint_url: str | None = None
    status: str | None = None
    events: list[str] | None = None


def list_endpoints(page: PageRequest) -> Page:
    """Every endpoint, newest first by default."""
    return paginate(select(WebhookEndpoint), WebhookEndpoint.id, page)


def get_endpoint(endpoint_id: str) -> WebhookEndpoint:
    """Unscoped: webhook endpoints belong to the environment, not to an organization."""
    return tenancy.unscoped(WebhookEndpoint, endpoint_id)


def current_secret(endpoint_id: str) -> str:
    """The endpoint's signing secret, or "" when there is no such endpoint."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    return endpoint.secret if endpoint is not None else ""


def create_endpoint(endpoint_url: str, events: list[str]) -> WebhookEndpoint:
    """A new, enabled endpoint with a new signing secret (the caller shows it once)."""
    endpoint = WebhookEndpoint(
        endpoint_url=_checked_url(endpoint_url),
        events=_checked_events(events),
        status="enabled",
        secret=secret_tokens.new_secret(SECRET_PREFIX),
    )
    _refuse_taken_url(endpoint.endpoint_url)
    db.session.add(endpoint)
    _commit(endpoint.endpoint_url)
    webhook_deliveries.subscriptions_changed()
    return endpoint


def update_endpoint(endpoint_id: str, changes: EndpointChanges) -> WebhookEndpoint:
    """Change the URL, the events or the status (`disabled` pauses deliveries)."""
    endpoint = get_endpoint(endpoint_id)
    if changes.endpoint_url is not None and changes.endpoint_url != endpoint.endpoint_url:
        endpoint.endpoint_url = _checked_url(changes.endpoint_url)
        _refuse_taken_url(endpoint.endpoint_url, ignore_id=endpoint.id)
    if changes.events is not None:
        endpoint.events = _checked_events(changes.events)
    if changes.status is not None:
        if changes.status not in STATUSES:
            raise InvalidInput("status must be enabled or disabled.", field="status")
        endpoint.status = changes.status
    if db.session.is_modified(endpoint):
        endpoint.updated_at = utcnow()
    _commit(endpoint.endpoint_url)
    webhook_deliveries.subscriptions_changed()
    return endpoint


def delete_endpoint(endpoint_id: str) -> None:
    """Remove the endpoint with its deliveries and their history."""
    db.session.delete(get_endpoint(endpoint_id))
    db.session.commit()
    webhook_deliveries.subscriptions_changed()


def reencrypt_secrets() -> int:
    """Seal every endpoint's secret under the current SECRET_KEY; returns how many changed."""
    changed = 0
    for endpoint in db.session.scalars(select(WebhookEndpoint)):
        if not encryption.is_current(endpoint.encrypted_secret):
            endpoint.secret = endpoint.secret
            changed += 1
    db.session.commit()
    return changed


def _checked_url(url: str) -> str:
    # Checked again before every delivery: where a name points can change.
    try:
        outbound.resolve(url)
    except DestinationRefused as refusal:
        raise InvalidInput(
            str(refusal), field="endpoint_url", code="invalid_endpoint_url"
        ) from None
    return url


def _checked_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - EVENT_TYPES)
    if unknown:
        raise InvalidInput(
            f"Unknown event type {unknown[0]!r}; see the `events` enum for the known types.",
            field="events",
        )
    if not events:
        raise InvalidInput("Subscribe the endpoint to at least one event type.", field="events")
    return list(dict.fromkeys(events))


def _refuse_taken_url(url: str, ignore_id: str | None = None) -> None:
    query = select(WebhookEndpoint.id).where(WebhookEndpoint.endpoint_url == url)
    if ignore_id:
        query = query.where(WebhookEndpoint.id != ignore_id)
    with db.session.no_autoflush:
        taken = db.session.scalars(query).first()
    if taken:
        _raise_taken(url)


def _commit(url: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a concurrent request took the URL between check and commit
        _raise_taken(url)


def _raise_taken(url: str) -> None:
    raise Conflict(
        f"A webhook endpoint for {url} already exists.", code="webhook_endpoint_already_exists"
    )
