"""Microsoft Entra ID's provisioning shapes: capitalised ops, "False" as a string,
path-less values with dotted keys, and `members[value eq "..."]` removals."""

from tests.scim.scim_client import ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA

ENTRA_USER = {
    "schemas": [USER_SCHEMA, ENTERPRISE],
    "externalId": "8f1c2d3e",
    "userName": "ben@acme.test",
    "active": True,
    "displayName": "Ben Ode",
    "emails": [{"primary": True, "type": "work", "value": "ben@acme.test"}],
    "name": {"formatted": "Ben Ode", "familyName": "Ode", "givenName": "Ben"},
    ENTERPRISE: {"department": "Sales"},
}


def test_entra_user_updates(scim, api, new_events):
    # Entra probes with a filter on a random userName first.
    probe = scim.get('/Users?filter=userName eq "non-existent-user-1234"')
    assert probe.json["totalResults"] == 0
    user_id = scim.post("/Users", ENTRA_USER).json["id"]
    new_events()

    by_external_id = scim.get('/Users?filter=externalId eq "8f1c2d3e"').json
    assert [r["id"] for r in by_external_id["Resources"]] == [user_id]

    response = scim.patch(
        f"/Users/{user_id}",
        [
            {"op": "Replace", "path": "displayName", "value": "Benjamin Ode"},
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "bo@acme.test"},
            {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Marketing"},
            {"op": "Replace", "value": {"name.givenName": "Benjamin"}},
        ],
    )
    assert response.status_code == 200, response.json
    [(event_type, data)] = new_events()
    assert event_type == "dsync.user.updated"
    assert data["name"] == "Benjamin Ode" and data["first_name"] == "Benjamin"
    assert data["email"] == "bo@acme.test"
    assert data["custom_attributes"]["department"] == "Marketing"

    disabled = scim.patch(
        f"/Users/{user_id}", [{"op": "Replace", "path": "active", "value": "False"}]
    )
    assert disabled.status_code == 200
    assert disabled.json["active"] is False
    assert api.get(f"/directory_users/{user_id}").json["state"] == "inactive"
    assert new_events()[0][1]["state"] == "inactive"

    enabled = scim.patch(f"/Users/{user_id}", [{"op": "Replace", "value": {"active": "True"}}])
    assert enabled.json["active"] is True


def test_entra_group_membership(scim, api, new_events):
    ids = [
        scim.post(
            "/Users", {**ENTRA_USER, "userName": f"u{i}@acme.test", "externalId": f"e{i}"}
        ).json["id"]
        for i in range(3)
    ]
    group = scim.post(
        "/Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Sales", "externalId": "g-1"}
    ).json
    new_events()

    added = scim.patch(
        f"/Groups/{group['id']}",
        [{"op": "Add", "path": "members", "value": [{"value": i} for i in ids]}],
    )
    assert added.status_code in (200, 204)
    assert [t for t, _ in new_events()] == ["dsync.group.user_added"] * 3

    removed = scim.patch(
        f"/Groups/{group['id']}",
        [
            {"op": "Remove", "path": f'members[value eq "{ids[0]}"]'},
            {"op": "Remove", "path": "members", "value": [{"value": ids[1]}]},
        ],
    )
    assert removed.status_code in (200, 204)
    assert sorted(d["user"]["id"] for _, d in new_events()) == sorted(ids[:2])
    listed = api.get(f"/directory_users?group={group['id']}").json["data"]
    assert [u["id"] for u in listed] == [ids[2]]

    excluded = scim.get('/Groups?filter=displayName eq "sales"&excludedAttributes=members')
    assert excluded.json["totalResults"] == 1
    assert "members" not in excluded.json["Resources"][0]
