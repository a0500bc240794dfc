"""Okta's provisioning sequence, request by request, with the WorkOS API view and the
events after each step (request shapes from Okta's SCIM 2.0 test spec)."""

from tests.scim.scim_client import ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA

OKTA_USER = {
    "schemas": [USER_SCHEMA, ENTERPRISE],
    "userName": "Ann.Lee@acme.test",
    "name": {"givenName": "Ann", "familyName": "Lee"},
    "emails": [{"primary": True, "value": "ann.lee@acme.test", "type": "work"}],
    "displayName": "Ann Lee",
    "locale": "en-US",
    "externalId": "00u1abcd",
    "groups": [],
    "password": "never-stored-1!",
    "active": True,
    ENTERPRISE: {"department": "Engineering", "manager": {"value": "00u0boss"}},
}


def _types(events):
    return [event_type for event_type, _ in events]


def test_okta_user_lifecycle(scim, api, directory, new_events):
    directory_row, _ = directory
    lookup = scim.get('/Users?filter=userName eq "ann.lee@acme.test"&startIndex=1&count=100')
    assert lookup.status_code == 200
    assert lookup.mimetype == "application/scim+json"
    assert lookup.json["totalResults"] == 0 and lookup.json["Resources"] == []
    activated = new_events()
    assert _types(activated) == ["dsync.activated"]
    assert activated[0][1]["state"] == "active"
    assert activated[0][1]["domains"][0]["domain"] == "acme.test"
    assert api.get(f"/directories/{directory_row.id}").json["state"] == "linked"

    created = scim.post("/Users", OKTA_USER)
    assert created.status_code == 201, created.json
    user_id = created.json["id"]
    assert created.headers["Location"].endswith(f"/Users/{user_id}")
    assert "password" not in created.json
    [(event_type, data)] = new_events()
    assert event_type == "dsync.user.created"
    assert data["email"] == "ann.lee@acme.test"
    assert data["custom_attributes"] == {"department": "Engineering", "manager_id": "00u0boss"}
    view = api.get(f"/directory_users/{user_id}").json
    assert view["idp_id"] == "00u1abcd"
    assert view["first_name"] == "Ann" and view["last_name"] == "Lee"
    assert view["state"] == "active"
    assert view["emails"] == [{"primary": True, "type": "work", "value": "ann.lee@acme.test"}]
    assert view["groups"] == []

    # Okta looks up case-insensitively before it would create the same user again.
    again = scim.get('/Users?filter=userName eq "ANN.LEE@acme.test"&startIndex=1&count=100')
    assert [r["id"] for r in again.json["Resources"]] == [user_id]
    duplicate = scim.post("/Users", {**OKTA_USER, "userName": "ann.lee@ACME.test"})
    assert duplicate.status_code == 409
    assert duplicate.json["scimType"] == "uniqueness"
    assert new_events() == []

    # Profile push: Okta PUTs the whole user.
    updated = scim.put(f"/Users/{user_id}", {**OKTA_USER, "name": {"givenName": "Annie"}})
    assert updated.status_code == 200
    [(event_type, data)] = new_events()
    assert event_type == "dsync.user.updated"
    assert data["first_name"] == "Annie"
    assert data["previous_attributes"]["first_name"] == "Ann"

    # Deactivation keeps the user, inactive.
    deactivated = scim.patch(f"/Users/{user_id}", [{"op": "replace", "value": {"active": False}}])
    assert deactivated.status_code == 200
    assert deactivated.json["active"] is False
    [(event_type, data)] = new_events()
    assert (event_type, data["state"]) == ("dsync.user.updated", "inactive")
    assert api.get(f"/directory_users/{user_id}").json["state"] == "inactive"

    assert scim.delete(f"/Users/{user_id}").status_code == 204
    assert _types(new_events()) == ["dsync.user.deleted"]
    assert api.get(f"/directory_users/{user_id}").status_code == 404
    assert scim.get(f"/Users/{user_id}").status_code == 404


def test_okta_group_push(scim, api, directory, new_events):
    directory_row, _ = directory
    ann = scim.post("/Users", OKTA_USER).json["id"]
    bob = scim.post(
        "/Users", {**OKTA_USER, "userName": "bob@acme.test", "externalId": "00u2"}
    ).json["id"]
    new_events()

    group = scim.post("/Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Eng", "members": []})
    assert group.status_code == 201
    group_id = group.json["id"]
    assert _types(new_events()) == ["dsync.group.created"]

    added = scim.patch(
        f"/Groups/{group_id}",
        [{"op": "add", "path": "members", "value": [{"value": ann, "display": "Ann"}]}],
    )
    assert added.status_code in (200, 204)
    [(event_type, data)] = new_events()
    assert event_type == "dsync.group.user_added"
    assert (data["user"]["id"], data["group"]["id"]) == (ann, group_id)
    assert data["directory_id"] == directory_row.id

    scim.patch(f"/Groups/{group_id}", [{"op": "add", "path": "members", "value": [{"value": bob}]}])
    assert _types(new_events()) == ["dsync.group.user_added"]
    members = api.get(f"/directory_users?group={group_id}").json["data"]
    assert {m["id"] for m in members} == {ann, bob}
    assert [g["id"] for g in api.get(f"/directory_users/{ann}").json["groups"]] == [group_id]
    assert [g["name"] for g in api.get(f"/directory_groups?user={bob}").json["data"]] == ["Eng"]

    renamed = scim.patch(
        f"/Groups/{group_id}",
        [{"op": "replace", "value": {"id": group_id, "displayName": "Engineering"}}],
    )
    assert renamed.status_code in (200, 204)
    [(event_type, data)] = new_events()
    assert event_type == "dsync.group.updated"
    assert (data["name"], data["previous_attributes"]["name"]) == ("Engineering", "Eng")

    removed = scim.patch(
        f"/Groups/{group_id}", [{"op": "remove", "path": f'members[value eq "{ann}"]'}]
    )
    assert removed.status_code in (200, 204)
    [(event_type, data)] = new_events()
    assert (event_type, data["user"]["id"]) == ("dsync.group.user_removed", ann)
    fetched = scim.get(f"/Groups/{group_id}").json
    assert [m["value"] for m in fetched["members"]] == [bob]

    assert scim.delete(f"/Groups/{group_id}").status_code == 204
    assert _types(new_events()) == ["dsync.group.deleted"]
    assert api.get(f"/directory_groups/{group_id}").status_code == 404
    assert api.get(f"/directory_users/{bob}").json["groups"] == []
