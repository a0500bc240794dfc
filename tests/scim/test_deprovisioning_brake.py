"""The deprovisioning brake: a mass deactivation by Okta- and Entra-shaped SCIM sequences is
applied up to the hour's limit and held past it; the IdP is answered as if it were applied,
the API and the events keep the held users active until a person applies or discards."""

import pytest
from sqlalchemy import select

from portal.errors import InvalidInput
from portal.extensions import db
from portal.models import WebhookDelivery
from portal.services.delivery import webhook_deliveries, webhooks
from portal.services.directory import deprovisioning_holds, directories
from tests.scim.scim_client import user_body

USERS = 20  # limit: max(5, 20% of 20) = 5
OKTA_DEACTIVATE = [{"op": "replace", "value": {"active": False}}]
ENTRA_DEACTIVATE = [{"op": "Replace", "path": "active", "value": "False"}]


@pytest.fixture
def user_ids(scim, new_events):
    ids = [scim.post("/Users", user_body(f"u{i:02}@acme.test")).json["id"] for i in range(USERS)]
    new_events()
    return ids


def api_states(api, directory) -> dict[str, str]:
    response = api.get("/directory_users", query_string={"directory": directory.id, "limit": 100})
    assert response.status_code == 200, response.json
    return {user["id"]: user["state"] for user in response.json["data"]}


def inactive(api, directory) -> set[str]:
    return {i for i, state in api_states(api, directory).items() if state == "inactive"}


def types(recorded) -> list[str]:
    return [event_type for event_type, _ in recorded]


def held_ids(directory) -> list[str]:
    return [hold.user_id for hold in deprovisioning_holds.held(directory)]


def test_okta_half_deactivation_holds_past_the_limit_then_applies(
    scim, api, directory, user_ids, new_events
):
    directory = directory[0]
    half = user_ids[: USERS // 2]
    for user_id in half[:5]:
        response = scim.patch(f"/Users/{user_id}", OKTA_DEACTIVATE)
        assert response.status_code == 200 and response.json["active"] is False
    assert types(new_events()) == ["dsync.user.updated"] * 5
    assert inactive(api, directory) == set(half[:5])

    for user_id in half[5:]:
        response = scim.patch(f"/Users/{user_id}", OKTA_DEACTIVATE)
        assert response.status_code == 200 and response.json["active"] is False
    held_events = new_events()
    assert types(held_events) == ["dsync.deprovisioning_held"] * 5
    assert [data["user"]["id"] for _, data in held_events] == half[5:]
    assert held_events[0][1]["action"] == "deactivate" and held_events[0][1]["hourly_limit"] == 5
    assert inactive(api, directory) == set(half[:5])
    assert held_ids(directory) == half[5:]

    # The IdP reads back what it asked for, and sending it again holds nothing twice.
    assert scim.get(f"/Users/{half[6]}").json["active"] is False
    listed = scim.get("/Users?filter=active eq false&count=100").json
    assert {r["id"] for r in listed["Resources"]} == set(half)
    assert scim.patch(f"/Users/{half[6]}", OKTA_DEACTIVATE).status_code == 200
    assert (
        scim.put(f"/Users/{half[7]}", user_body("u07@acme.test", active=False)).json["active"]
        is False
    )
    assert new_events() == [] and held_ids(directory) == half[5:]

    assert deprovisioning_holds.apply_all(directory) == 5
    applied = new_events()
    assert types(applied) == ["dsync.user.updated"] * 5
    assert all(data["state"] == "inactive" for _, data in applied)
    assert all(data["previous_attributes"] == {"state": "active"} for _, data in applied)
    assert inactive(api, directory) == set(half)
    assert deprovisioning_holds.apply_all(directory) == 0 and new_events() == []
    assert scim.get(f"/Users/{half[6]}").json["active"] is False


def test_entra_deactivations_and_deletes_held_then_discarded(
    scim, api, directory, user_ids, new_events
):
    directory = directory[0]
    for user_id in user_ids[:5]:
        assert scim.patch(f"/Users/{user_id}", ENTRA_DEACTIVATE).status_code == 200
    assert types(new_events()) == ["dsync.user.updated"] * 5

    held_deactivations, held_deletes = user_ids[5:8], user_ids[8:10]
    for user_id in held_deactivations:
        response = scim.patch(f"/Users/{user_id}", ENTRA_DEACTIVATE)
        assert response.status_code == 200 and response.json["active"] is False
    for user_id in held_deletes:
        assert scim.delete(f"/Users/{user_id}").status_code == 204
    # Entra deletes a user it disabled: the one hold now deletes.
    assert scim.delete(f"/Users/{held_deactivations[0]}").status_code == 204
    assert types(new_events()) == ["dsync.deprovisioning_held"] * 5
    holds = deprovisioning_holds.held(directory)
    assert [h.action for h in holds] == ["delete", "deactivate", "deactivate", "delete", "delete"]

    # Deleted, as far as the IdP can see; active, as far as the app can see.
    for user_id in [*held_deletes, held_deactivations[0]]:
        assert scim.get(f"/Users/{user_id}").status_code == 404
        assert scim.delete(f"/Users/{user_id}").status_code == 404
    assert scim.get("/Users?count=100").json["totalResults"] == USERS - 3
    states = api_states(api, directory)
    assert len(states) == USERS and inactive(api, directory) == set(user_ids[:5])

    assert deprovisioning_holds.discard_all(directory) == 5
    assert new_events() == [] and held_ids(directory) == []
    assert inactive(api, directory) == set(user_ids[:5])
    # The IdP sees them active again: a change it still means comes back, and is braked again.
    for user_id in [*held_deactivations, *held_deletes]:
        assert scim.get(f"/Users/{user_id}").json["active"] is True
    assert scim.get("/Users?count=100").json["totalResults"] == USERS
    assert scim.patch(f"/Users/{held_deletes[0]}", ENTRA_DEACTIVATE).status_code == 200
    assert types(new_events()) == ["dsync.deprovisioning_held"]
    assert deprovisioning_holds.discard_all(directory) == 1
    assert deprovisioning_holds.apply_all(directory) == 0 and new_events() == []


def test_applying_a_held_delete_deletes_once(scim, api, directory, user_ids, new_events):
    directory = directory[0]
    for user_id in user_ids[:6]:
        assert scim.delete(f"/Users/{user_id}").status_code == 204
    assert types(new_events()) == ["dsync.user.deleted"] * 5 + ["dsync.deprovisioning_held"]
    assert user_ids[5] in api_states(api, directory)

    assert deprovisioning_holds.apply_all(directory) == 1
    assert types(new_events()) == ["dsync.user.deleted"]
    assert user_ids[5] not in api_states(api, directory)
    assert deprovisioning_holds.apply_all(directory) == 0 and new_events() == []


def test_reactivation_cancels_a_hold(scim, api, directory, user_ids, new_events):
    directory = directory[0]
    for user_id in user_ids[:6]:
        scim.patch(f"/Users/{user_id}", OKTA_DEACTIVATE)
    new_events()
    assert held_ids(directory) == [user_ids[5]]

    # A held user's other attributes still change; its deactivation stays held.
    renamed = scim.patch(
        f"/Users/{user_ids[5]}", [{"op": "replace", "path": "displayName", "value": "Ann"}]
    )
    assert renamed.json["active"] is False and renamed.json["displayName"] == "Ann"
    [(event_type, data)] = new_events()
    assert event_type == "dsync.user.updated" and data["state"] == "active"
    assert data["raw_attributes"]["active"] is True

    response = scim.patch(
        f"/Users/{user_ids[5]}", [{"op": "replace", "path": "active", "value": True}]
    )
    assert response.json["active"] is True
    assert new_events() == [] and held_ids(directory) == []
    assert deprovisioning_holds.apply_all(directory) == 0
    assert user_ids[5] not in inactive(api, directory)


@pytest.mark.parametrize("app_config", [{"PORTAL_DEPROVISION_BRAKE_PERCENT": 0}])
def test_the_deployment_can_turn_the_brake_off(scim, api, directory, user_ids, new_events):
    for user_id in user_ids[:12]:
        scim.patch(f"/Users/{user_id}", OKTA_DEACTIVATE)
    assert types(new_events()) == ["dsync.user.updated"] * 12
    assert inactive(api, directory[0]) == set(user_ids[:12])


def test_a_directory_sets_its_own_limit(scim, api, directory, user_ids, new_events):
    directory = directory[0]
    deprovisioning_holds.set_percent(directory, "50")  # 10 of 20
    for user_id in user_ids[:11]:
        scim.patch(f"/Users/{user_id}", OKTA_DEACTIVATE)
    assert types(new_events()) == ["dsync.user.updated"] * 10 + ["dsync.deprovisioning_held"]

    deprovisioning_holds.set_percent(directory, "0")
    scim.patch(f"/Users/{user_ids[11]}", OKTA_DEACTIVATE)
    assert types(new_events()) == ["dsync.user.updated"]
    deprovisioning_holds.set_percent(directory, "")
    assert directories.get_directory(directory.id).deprovision_brake_percent is None
    for bad in ("-1", "101", "ten", "5.5"):
        with pytest.raises(InvalidInput, match="0 to 100"):
            deprovisioning_holds.set_percent(directory, bad)


@pytest.mark.parametrize("app_config", [{"PORTAL_OUTBOUND_ALLOW_PRIVATE": True}])
def test_the_held_event_reaches_only_endpoints_that_name_it(
    scim, api, directory, user_ids, new_events
):
    workos_only = webhooks.create_endpoint("http://127.0.0.1:9/a", ["dsync.user.updated"])
    by_name = webhooks.create_endpoint("http://127.0.0.1:9/b", ["dsync.deprovisioning_held"])
    for user_id in user_ids[:6]:
        scim.patch(f"/Users/{user_id}", OKTA_DEACTIVATE)
    new_events()
    listed = api.get("/events", query_string={"limit": 100}).json["data"]
    assert "dsync.deprovisioning_held" not in {e["event"] for e in listed}
    named = api.get("/events", query_string={"events": "dsync.deprovisioning_held"}).json["data"]
    [held] = named
    assert held["data"]["user"]["id"] == user_ids[5]

    updated = [e["id"] for e in listed if e["event"] == "dsync.user.updated"]
    webhook_deliveries.dispatch([*updated, held["id"]])
    rows = db.session.execute(select(WebhookDelivery.endpoint_id, WebhookDelivery.event_id)).all()
    assert {event for endpoint, event in rows if endpoint == by_name.id} == {held["id"]}
    assert {event for endpoint, event in rows if endpoint == workos_only.id} == set(updated)
