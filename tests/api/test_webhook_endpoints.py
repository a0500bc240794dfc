"""`/webhook_endpoints`: create (secret shown once), list, get, update, delete, and the URL
rules. Public IP literals stand in for the developer's servers: no DNS, and nothing is sent."""

import pytest

from portal.extensions import db
from portal.models import WebhookEndpoint
from tests.api.document import body_is_valid

URL = "https://1.1.1.1/hooks"


def create(api, url=URL, events=("organization.created",), **headers):
    return api.post(
        "/webhook_endpoints", json={"endpoint_url": url, "events": list(events)}, headers=headers
    )


def test_creating_an_endpoint_shows_its_secret_once(api):
    response = create(api, events=["organization.created", "organization.deleted"])
    assert response.status_code == 201
    created = response.get_json()
    assert created["object"] == "webhook_endpoint"
    assert created["id"].startswith("we_")
    assert created["endpoint_url"] == URL
    assert created["status"] == "enabled"
    assert created["events"] == ["organization.created", "organization.deleted"]
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert db.session.get(WebhookEndpoint, created["id"]).secret == created["secret"]

    shown = api.get(f"/webhook_endpoints/{created['id']}").get_json()
    listed = api.get("/webhook_endpoints").get_json()["data"]
    assert shown == {**created, "secret": ""}
    assert listed == [shown]


def test_a_retried_create_with_its_idempotency_key_returns_the_same_endpoint(api):
    first = create(api, **{"Idempotency-Key": "k1"}).get_json()
    again = create(api, **{"Idempotency-Key": "k1"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first  # the SDK's retry still learns the secret


def test_endpoints_list_newest_first_in_pages(api):
    ids = [create(api, f"https://1.1.1.{n}/hooks").get_json()["id"] for n in range(1, 4)]
    first = api.get("/webhook_endpoints?limit=2").get_json()
    second = api.get(f"/webhook_endpoints?limit=2&after={first['list_metadata']['after']}")
    assert [e["id"] for e in first["data"]] == ids[::-1][:2]
    assert [e["id"] for e in second.get_json()["data"]] == ids[:1]
    assert second.get_json()["list_metadata"]["after"] is None


def test_an_endpoint_is_updated_field_by_field(api):
    created = create(api).get_json()
    path = f"/webhook_endpoints/{created['id']}"

    disabled = api.patch(path, json={"status": "disabled"}).get_json()
    assert (disabled["status"], disabled["events"], disabled["endpoint_url"]) == (
        "disabled",
        created["events"],
        URL,
    )
    assert disabled["updated_at"] >= created["updated_at"]
    moved = api.patch(
        path,
        json={
            "endpoint_url": "https://1.0.0.1/new",
            "events": ["organization.updated", "organization.updated", "organization.deleted"],
            "status": "enabled",
        },
    ).get_json()
    assert moved["endpoint_url"] == "https://1.0.0.1/new"
    assert moved["events"] == ["organization.updated", "organization.deleted"]
    assert moved["status"] == "enabled"
    assert moved["secret"] == ""
    unchanged = api.patch(path, json={}).get_json()
    assert unchanged == moved


def test_one_url_has_one_endpoint(api):
    create(api)
    other = create(api, "https://1.0.0.1/hooks").get_json()
    again = create(api)
    assert again.status_code == 409
    assert again.get_json()["code"] == "webhook_endpoint_already_exists"
    moved = api.patch(f"/webhook_endpoints/{other['id']}", json={"endpoint_url": URL})
    assert moved.status_code == 409


def test_deleted_endpoints_are_gone(api):
    created = create(api).get_json()
    assert api.delete(f"/webhook_endpoints/{created['id']}").status_code == 204
    for method in ("get", "patch", "delete"):
        response = api.open(f"/webhook_endpoints/{created['id']}", method=method, json={})
        assert response.status_code == 404
        assert response.get_json()["code"] == "entity_not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"endpoint_url": URL, "events": ["user.created"]}, "events.0"),
        ({"endpoint_url": URL, "events": []}, "events"),
        ({"endpoint_url": URL}, "events"),
        ({"events": ["organization.created"]}, "endpoint_url"),
        ({"endpoint_url": "ftp://1.1.1.1/", "events": ["organization.created"]}, "endpoint_url"),
        ({"endpoint_url": URL, "events": ["organization.created"], "secret": "x"}, "secret"),
    ],
)
def test_invalid_endpoints_are_refused_naming_the_field(api, body, field):
    response = api.post("/webhook_endpoints", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hooks",
        "http://localhost/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hooks",
        "http://[::1]/hooks",
    ],
)
def test_urls_that_point_inside_the_network_are_refused(api, url):
    response = create(api, url)
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert (error["field"], error["code"]) == ("endpoint_url", "invalid_endpoint_url")
    assert "only public addresses" in error["message"]
    created = create(api).get_json()
    moved = api.patch(f"/webhook_endpoints/{created['id']}", json={"endpoint_url": url})
    assert moved.status_code == 422


class TestInProduction:
    @pytest.fixture
    def app_config(self):
        return {
            "PORTAL_ENV": "production",
            "SECRET_KEY": "p" * 40,
            "PORTAL_PUBLIC_URL": "https://portal.test",
        }

    def test_only_https_urls_are_accepted(self, api):
        refused = create(api, "http://1.1.1.1/hooks")
        assert refused.status_code == 422
        assert "must start with https://" in refused.get_json()["message"]
        assert create(api, "https://1.1.1.1/hooks").status_code == 201


class TestWithPrivateAddressesAllowed:
    @pytest.fixture
    def app_config(self):
        return {"PORTAL_OUTBOUND_ALLOW_PRIVATE": True}

    def test_loopback_urls_are_accepted(self, api):
        assert create(api, "http://127.0.0.1:8080/hooks").status_code == 201


# Where the OpenAPI document and the server disagreed (tests/api/test_fuzz.py found them).


@pytest.mark.parametrize(
    "url",
    [
        'https://1.1.1.1/a"b',
        "https://1.1.1.1/{x}",
        "https://1.1.1.1/100%",
        "https://1.1.1.1/a#b#c",
        "ftp://1.1.1.1/",
    ],
)
def test_urls_the_document_refuses_are_refused(api, url):
    body = {"endpoint_url": url, "events": ["organization.created"]}
    assert not body_is_valid("post", "/webhook_endpoints", body)
    response = api.post("/webhook_endpoints", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "endpoint_url"
    assert db.session.query(WebhookEndpoint).count() == 0


def test_a_percent_encoded_url_with_a_port_is_accepted(api):
    body = {"endpoint_url": "https://1.1.1.1:65535/a%22b?x=1#top", "events": ["dsync.deleted"]}
    assert body_is_valid("post", "/webhook_endpoints", body)
    assert api.post("/webhook_endpoints", json=body).status_code == 201
