"""Webhook endpoints through `workos.webhooks`: create, list, update, delete. Public IP
literals stand in for the developer's servers (the served app refuses private addresses), and
no worker runs here, so nothing is sent; delivery is tested in tests/services and tests/tasks."""

import pytest
from redis import Redis
from rq import Queue
from workos import ConflictError, NotFoundError, UnprocessableEntityError
from workos.common.models import UpdateWebhookEndpointStatus, WebhookEndpointStatus
from workos.webhooks.models import WebhookEndpoint

from tests.environment import REDIS_URL

URL = "https://1.1.1.1/workos"


def create(workos, url=URL, events=("organization.created",)) -> WebhookEndpoint:
    return workos.webhooks.create_webhook_endpoint(endpoint_url=url, events=list(events))


def test_create_returns_the_endpoint_with_its_signing_secret(workos):
    endpoint = create(workos, events=["organization.created", "dsync.user.created"])

    assert isinstance(endpoint, WebhookEndpoint)
    assert endpoint.id.startswith("we_")
    assert endpoint.endpoint_url == URL
    assert endpoint.status == WebhookEndpointStatus.ENABLED
    assert endpoint.events == ["organization.created", "dsync.user.created"]
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.created_at == endpoint.updated_at


def test_the_secret_is_not_shown_again(workos):
    endpoint = create(workos)

    [listed] = workos.webhooks.list_webhook_endpoints()

    assert listed.id == endpoint.id
    assert listed.secret == ""
    assert listed.events == endpoint.events


def test_list_pages_newest_first(workos):
    made = [create(workos, f"https://1.1.1.{n}/workos").id for n in range(1, 6)]

    first = workos.webhooks.list_webhook_endpoints(limit=2)
    everything = list(workos.webhooks.list_webhook_endpoints(limit=2).auto_paging_iter())
    oldest_first = workos.webhooks.list_webhook_endpoints(order="asc", limit=5)

    assert [e.id for e in first] == made[::-1][:2]
    assert [e.id for e in everything] == made[::-1]
    assert [e.id for e in oldest_first] == made


def test_update_changes_only_what_is_sent(workos):
    endpoint = create(workos)

    disabled = workos.webhooks.update_webhook_endpoint(
        endpoint.id, status=UpdateWebhookEndpointStatus.DISABLED
    )
    moved = workos.webhooks.update_webhook_endpoint(
        endpoint.id,
        endpoint_url="https://1.0.0.1/workos",
        events=["organization.deleted"],
        status="enabled",
    )

    assert disabled.status == WebhookEndpointStatus.DISABLED
    assert (disabled.endpoint_url, disabled.events) == (URL, ["organization.created"])
    assert moved.status == WebhookEndpointStatus.ENABLED
    assert moved.endpoint_url == "https://1.0.0.1/workos"
    assert moved.events == ["organization.deleted"]
    assert moved.updated_at >= disabled.updated_at >= endpoint.updated_at


def test_delete_removes_the_endpoint(workos):
    endpoint = create(workos)

    assert workos.webhooks.delete_webhook_endpoint(endpoint.id) is None

    assert list(workos.webhooks.list_webhook_endpoints()) == []
    with pytest.raises(NotFoundError):
        workos.webhooks.delete_webhook_endpoint(endpoint.id)
    with pytest.raises(NotFoundError):
        workos.webhooks.update_webhook_endpoint(endpoint.id, status="disabled")


def test_a_second_endpoint_for_the_same_url_is_a_conflict(workos):
    create(workos)

    with pytest.raises(ConflictError) as caught:
        create(workos)

    assert caught.value.code == "webhook_endpoint_already_exists"


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("http://169.254.169.254/latest/meta-data/", ["organization.created"], "endpoint_url"),
        ("http://127.0.0.1:6379/", ["organization.created"], "endpoint_url"),
        ("not a url", ["organization.created"], "endpoint_url"),
        (URL, ["user.created"], "events.0"),
        (URL, [], "events"),
    ],
)
def test_unusable_endpoints_are_refused_naming_the_field(workos, url, events, field):
    with pytest.raises(UnprocessableEntityError) as caught:
        create(workos, url, events)

    assert caught.value.errors[0]["field"] == field


def test_an_event_an_endpoint_wants_is_queued_for_fan_out(workos, compat_queue_name):
    create(workos, events=["organization.created"])

    org = workos.organizations.create_organization(name="Acme")

    [event] = workos.events.list_events(events=["organization.created"])
    assert event.data.id == org.id
    with Redis.from_url(REDIS_URL) as connection:
        jobs = Queue(compat_queue_name, connection=connection).get_jobs()
    dispatching = [job for job in jobs if job.func_name == "tasks.webhooks.dispatch_events"]
    assert [job.args for job in dispatching if event.id in job.args[0]] == [([event.id],)]
