"""`/metrics`: only for the holder of PORTAL_METRICS_TOKEN, counting what portal answered and
reporting the queue, deliveries and periodic runs as they stand."""

import time

import pytest

from portal.services.delivery import webhooks
from portal.services.infra.queue import enqueue, job_queue
from tests.factories import make_directory, make_organization
from tests.peers.dns_server import free_port
from tests.prometheus import TOKEN, scrape, value
from tests.scim.scim_client import ScimClient, user_body


@pytest.fixture
def app_config():
    return {"PORTAL_METRICS_TOKEN": TOKEN}


@pytest.mark.parametrize("app_config", [{}])
def test_there_is_no_metrics_page_until_a_token_is_set(client):
    assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


@pytest.mark.parametrize("sent", [None, "Bearer wrong-token", f"Basic {TOKEN}"])
def test_metrics_answer_only_the_token(client, sent):
    headers = {"Authorization": sent} if sent else {}
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "unauthorized"
    assert "PORTAL_METRICS_TOKEN" in answer.get_json()["message"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert b"portal_http_requests" not in answer.data


def test_requests_are_counted_by_route_and_status(client, api, org):
    route = "/organizations/<organization_id>"
    before = scrape(client)
    assert api.get(f"/organizations/{org.id}").status_code == 200
    assert api.get(f"/organizations/{org.id}").status_code == 200
    assert api.get("/organizations/org_01NOTHERE0000000000000000").status_code == 404
    assert api.get("/no/such/path").status_code == 404
    after = scrape(client)
    ok = {"route": route, "method": "GET", "status": "200"}
    missing = {"route": route, "method": "GET", "status": "404"}
    unmatched = {"route": "unmatched", "method": "GET", "status": "404"}
    name = "portal_http_requests_total"
    assert value(after, name, **ok) - value(before, name, **ok) == 2
    assert value(after, name, **missing) - value(before, name, **missing) == 1
    assert value(after, name, **unmatched) - value(before, name, **unmatched) == 1
    timed = "portal_http_request_duration_seconds_count"
    assert value(after, timed, route=route) - value(before, timed, route=route) == 3


def test_scim_operations_are_counted_by_outcome(app, client, org):
    directory, token = make_directory(org)
    name = "portal_scim_operations_total"
    before = scrape(client)
    scim = ScimClient(app, directory.id, token)
    assert scim.post("/Users", user_body("ann@acme.test")).status_code == 201
    assert scim.post("/Users", user_body("ann@acme.test")).status_code == 409
    assert scim.get("/Users/no-such-user").status_code == 404
    stranger = ScimClient(app, directory.id, "scim_not-the-token")
    assert stranger.get("/Users").status_code == 401
    after = scrape(client)

    def grew(operation, outcome):
        labels = {"operation": operation, "outcome": outcome}
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("create_user", "ok") == 1
    assert grew("create_user", "conflict") == 1
    assert grew("get_user", "not_found") == 1
    assert grew("list_users", "unauthorized") == 1


def test_the_queue_depth_and_periodic_runs_are_reported(client):
    waiting = scrape(client)["portal_queue_jobs", frozenset()]
    enqueue("tasks.periodic.run", "tasks.webhooks.relay")
    scraped = scrape(client)
    assert scraped["portal_queue_jobs", frozenset()] == waiting + 1
    assert scraped["portal_queue_oldest_job_age_seconds", frozenset()] >= 0
    last_run = (
        "portal_periodic_job_last_run_timestamp_seconds",
        frozenset({("job", "tasks.webhooks.relay")}),
    )
    assert last_run not in scraped
    started = time.time()
    job_queue().run_due_jobs()
    scraped = scrape(client)
    assert scraped["portal_queue_jobs", frozenset()] == 0
    assert started <= scraped[last_run] <= time.time()


@pytest.mark.parametrize(
    "app_config", [{"PORTAL_METRICS_TOKEN": TOKEN, "PORTAL_OUTBOUND_ALLOW_PRIVATE": True}]
)
def test_deliveries_waiting_and_retrying_are_reported(client):
    closed_port = free_port()  # nothing listens: every attempt fails
    webhooks.create_endpoint(f"http://127.0.0.1:{closed_port}/hooks", ["organization.created"])
    make_organization("Globex", domains=[])
    make_organization("Initech", domains=[])
    job_queue().run_due_jobs()  # fan out, then one failed attempt each
    scraped = scrape(client)
    assert value(scraped, "portal_deliveries_pending", kind="webhook") == 2
    assert value(scraped, "portal_deliveries_retrying", kind="webhook") == 2
    assert value(scraped, "portal_deliveries_failed", kind="webhook") == 0
    assert value(scraped, "portal_deliveries_pending", kind="log_stream") == 0
    assert value(scraped, "portal_delivery_lag_seconds", kind="webhook") >= 0
    assert value(scraped, "portal_dependency_up", dependency="database") == 1


@pytest.mark.parametrize(
    "app_config",
    [{"PORTAL_METRICS_TOKEN": TOKEN, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}],
)
def test_a_queue_that_cannot_be_reached_is_reported_down_not_raised(client):
    scraped = scrape(client)
    assert value(scraped, "portal_dependency_up", dependency="queue") == 0
    assert value(scraped, "portal_dependency_up", dependency="database") == 1
    assert ("portal_queue_jobs", frozenset()) not in scraped
