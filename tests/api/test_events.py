from datetime import UTC, datetime, timedelta

import pytest

from portal.services.infra.wire import timestamp
from tests.api.document import query_is_valid
from tests.factories import make_organization


def test_events_come_oldest_first_with_their_data(api):
    acme = make_organization("Acme", domains=["acme.com"])
    api.put(f"/organizations/{acme.id}", json={"name": "Acme Inc"})
    body = api.get("/events").get_json()
    assert [e["event"] for e in body["data"]] == [
        "organization.created",
        "organization_domain.created",
        "organization.updated",
    ]
    first = body["data"][0]
    assert first["object"] == "event"
    assert first["id"].startswith("event_")
    assert first["data"]["name"] == "Acme"
    assert body["data"][2]["data"]["name"] == "Acme Inc"


def test_events_filter_by_type_in_every_spelling(api):
    make_organization("Acme", domains=["acme.com"])
    for query in (
        "events=organization.created",
        "events[]=organization.created",
        "events=organization.created,organization.deleted",
        "events=organization.created&events=organization.deleted",
    ):
        names = [e["event"] for e in api.get(f"/events?{query}").get_json()["data"]]
        assert names == ["organization.created"], query


def test_events_filter_by_organization(api):
    acme = make_organization("Acme")
    make_organization("Globex")
    data = api.get(f"/events?organization_id={acme.id}").get_json()["data"]
    assert [e["data"]["id"] for e in data] == [acme.id]


def test_events_filter_by_time_range(api):
    make_organization("Acme")
    now = datetime.now(UTC)
    hour_ago, in_an_hour = timestamp(now - timedelta(hours=1)), timestamp(now + timedelta(hours=1))
    assert len(api.get(f"/events?range_start={hour_ago}").get_json()["data"]) == 1
    assert api.get(f"/events?range_start={in_an_hour}").get_json()["data"] == []
    assert api.get(f"/events?range_end={hour_ago}").get_json()["data"] == []
    both = api.get(f"/events?range_start={hour_ago}&range_end={in_an_hour}").get_json()
    assert len(both["data"]) == 1


def test_events_page_forward_with_after(api):
    for i in range(5):
        make_organization(f"Org {i}")
    first = api.get("/events?limit=2").get_json()
    second = api.get(f"/events?limit=2&after={first['list_metadata']['after']}").get_json()
    third = api.get(f"/events?limit=2&after={second['list_metadata']['after']}").get_json()
    names = [e["data"]["name"] for page in (first, second, third) for e in page["data"]]
    assert names == [f"Org {i}" for i in range(5)]
    assert third["list_metadata"]["after"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("events=organization.exploded", "events"),
        ("range_start=yesterday", "range_start"),
        ("range_start=2026-01-01T00:00:00", "range_start"),
        ("range_start=2026-02-01T00:00:00Z&range_end=2026-01-01T00:00:00Z", "range_start"),
        ("limit=1000", "limit"),
    ],
)
def test_bad_event_queries_get_422(api, query, field):
    response = api.get(f"/events?{query}")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field


@pytest.mark.parametrize("name", ["range_start", "range_end", "limit", "order"])
def test_an_empty_typed_parameter_is_refused_as_the_document_says(api, name):
    assert not query_is_valid("get", "/events", name, "")
    response = api.get("/events", query_string={name: ""})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == name


def test_an_empty_events_filter_is_no_filter_as_the_sdk_sends_it(api):
    make_organization("Acme")
    assert query_is_valid("get", "/events", "events", "")
    response = api.get("/events?events=")
    assert response.status_code == 200
    assert [e["event"] for e in response.get_json()["data"]] == ["organization.created"]
