"""Settings → Webhooks: endpoints (secret shown once, enable/disable, delete) and each
endpoint's delivery log with Redeliver, against a real receiver that checks signatures with
the WorkOS SDK. Jobs run with `run_due_jobs`."""

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import WebhookDelivery, WebhookEndpoint
from portal.services.infra.queue import job_queue
from tests.factories import make_organization
from tests.pages import shown_to_copy


@pytest.fixture
def app_config():
    return {"PORTAL_OUTBOUND_ALLOW_PRIVATE": True}


def body(response) -> str:
    return response.get_data(as_text=True)


def add_endpoint(client, url, events=("organization.created",)):
    return client.post(
        "/dashboard/settings/webhooks", data={"endpoint_url": url, "events": list(events)}
    )


@pytest.fixture
def subscribed(dashboard_client, make_receiver):
    """A receiver subscribed through the dashboard, knowing the secret the page showed."""
    receiver = make_receiver()
    response = add_endpoint(dashboard_client, receiver.url)
    assert response.status_code == 201
    receiver.secret = shown_to_copy(response, "new-secret")
    assert receiver.secret.startswith("whsec_")
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    return receiver, endpoint


def test_creating_shows_the_secret_once_then_lists_the_endpoint(dashboard_client, subscribed):
    receiver, endpoint = subscribed
    page = body(dashboard_client.get("/dashboard/settings/webhooks"))
    assert receiver.url in page and "organization.created" in page and "enabled" in page
    assert receiver.secret not in page and "whsec_" not in page
    assert receiver.secret not in body(
        dashboard_client.get(f"/dashboard/settings/webhooks/{endpoint.id}")
    )


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"endpoint_url": "not a url", "events": "organization.created"}, "endpoint_url", ""),
        ({"endpoint_url": "https://1.1.1.1/h"}, "events", "at least one event type"),
        ({"endpoint_url": "https://1.1.1.1/h", "events": "nope"}, "events", "Unknown event type"),
    ],
)
def test_refused_input_is_explained_next_to_the_field(dashboard_client, form, field, message):
    response = dashboard_client.post("/dashboard/settings/webhooks", data=form)
    assert response.status_code == 422
    page = body(response)
    assert f'id="f-{field}-error"' in page and message in page
    assert db.session.scalars(select(WebhookEndpoint)).all() == []


def test_a_taken_url_is_refused(dashboard_client):
    add_endpoint(dashboard_client, "https://1.1.1.1/h")
    response = add_endpoint(dashboard_client, "https://1.1.1.1/h")
    assert response.status_code == 409
    assert "already exists" in body(response)


def test_the_delivery_log_shows_every_attempt_and_redeliver_sends_again(
    dashboard_client, subscribed
):
    receiver, endpoint = subscribed
    receiver.status_for = lambda event_id, nth: 503 if nth == 1 else 200
    make_organization("Acme Corp")
    job_queue().run_due_jobs()
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    log_page = f"/dashboard/settings/webhooks/{endpoint.id}"

    page = body(dashboard_client.get(log_page))
    assert "organization.created" in page and delivery.event_id in page
    assert ">503<" in page and "status 503" in page and " ms<" in page
    assert "1 attempt;" in page and "pending" in page

    redeliver = f"{log_page}/deliveries/{delivery.id}/redeliver"
    assert dashboard_client.post(redeliver).status_code == 302
    job_queue().run_due_jobs()
    page = body(dashboard_client.get(log_page))
    assert f"Sending organization.created ({delivery.event_id}) again." in page
    assert ">200<" in page and "status 200" in page and "succeeded" in page
    assert receiver.processed == [delivery.event_id]
    assert all(arrival.signature_ok for arrival in receiver.arrivals)


def test_disable_pauses_deliveries_and_redeliver_says_to_enable_first(dashboard_client, subscribed):
    receiver, endpoint = subscribed
    make_organization("Acme Corp")
    job_queue().run_due_jobs()
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    path = f"/dashboard/settings/webhooks/{endpoint.id}"

    dashboard_client.post(f"{path}/status", data={"status": "disabled", "back": "detail"})
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).status == "disabled"
    dashboard_client.post(f"{path}/deliveries/{delivery.id}/redeliver")
    assert "Enable the webhook endpoint before resending" in body(dashboard_client.get(path))
    make_organization("Beta Corp")
    job_queue().run_due_jobs()
    assert len(receiver.arrivals) == 1  # nothing new while disabled

    enabled = dashboard_client.post(f"{path}/status", data={"status": "enabled"})
    assert enabled.headers["Location"] == "/dashboard/settings/webhooks"
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).status == "enabled"
    assert dashboard_client.post(f"{path}/status", data={"status": "paused"}).status_code == 422


def test_delete_removes_the_endpoint_and_its_log(dashboard_client, subscribed):
    _, endpoint = subscribed
    confirm = body(dashboard_client.get(f"/dashboard/settings/webhooks/{endpoint.id}/delete"))
    assert "its delivery log is deleted with it" in confirm and "Keep it" in confirm
    assert db.session.scalars(select(WebhookEndpoint)).all() == [endpoint]  # asked, not done
    response = dashboard_client.post(f"/dashboard/settings/webhooks/{endpoint.id}/delete")
    assert response.status_code == 302
    assert "Deleted the endpoint" in body(dashboard_client.get("/dashboard/settings/webhooks"))
    assert db.session.scalars(select(WebhookEndpoint)).all() == []
    assert dashboard_client.get(f"/dashboard/settings/webhooks/{endpoint.id}").status_code == 404


def test_a_delivery_of_another_endpoint_is_not_found_here(dashboard_client, subscribed):
    _, endpoint = subscribed
    add_endpoint(dashboard_client, "https://1.1.1.1/other")
    other = db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.id != endpoint.id)
    ).one()
    make_organization("Acme Corp")
    job_queue().run_due_jobs()
    delivery = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    ).one()
    path = f"/dashboard/settings/webhooks/{other.id}/deliveries/{delivery.id}/redeliver"
    assert dashboard_client.post(path).status_code == 404
    for missing in ("we_nope/status", "we_nope/delete"):
        assert dashboard_client.post(f"/dashboard/settings/webhooks/{missing}").status_code == 404
    assert dashboard_client.get("/dashboard/settings/webhooks/we_nope/delete").status_code == 404


def test_the_attempt_count_matches_the_rows_after_a_redeliver(dashboard_client, subscribed):
    _receiver, endpoint = subscribed
    make_organization("Acme Corp")
    job_queue().run_due_jobs()
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    log_page = f"/dashboard/settings/webhooks/{endpoint.id}"
    assert (
        dashboard_client.post(f"{log_page}/deliveries/{delivery.id}/redeliver").status_code == 302
    )
    job_queue().run_due_jobs()
    page = body(dashboard_client.get(log_page))
    card = page.split(f'id="{delivery.id}"')[1].split("</article>")[0]
    rows = card.count("<tr>") - 1  # the header row
    assert rows == 2
    assert "2 attempts" in card


def test_the_delivery_log_pages_by_25(dashboard_client, subscribed):
    _receiver, endpoint = subscribed
    for number in range(26):
        make_organization(f"Customer {number:02d}")
    job_queue().run_due_jobs()
    log_page = f"/dashboard/settings/webhooks/{endpoint.id}"
    first = body(dashboard_client.get(log_page))
    assert first.count('<article class="delivery"') == 25
    older = re.search(r'href="([^"]+after=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = body(dashboard_client.get(older))
    assert second.count('<article class="delivery"') == 1
    assert "Newer" in second


def test_a_loopback_url_tells_a_local_developer_how_to_allow_it(app, dashboard_client):
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = False
    refused = add_endpoint(dashboard_client, "https://127.0.0.1:8000/hooks")
    assert refused.status_code == 422
    assert "a loopback address" in body(refused)
    assert "PORTAL_OUTBOUND_ALLOW_PRIVATE=1" in body(refused)

    app.config["PORTAL_ENV"] = "production"
    in_production = add_endpoint(dashboard_client, "https://127.0.0.1:8000/hooks")
    assert in_production.status_code == 422
    assert "a loopback address" in body(in_production)
    assert "PORTAL_OUTBOUND_ALLOW_PRIVATE" not in body(in_production)
