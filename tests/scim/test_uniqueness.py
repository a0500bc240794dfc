"""userName and a group's displayName stay unique in a directory, whatever their case."""

from tests.scim.scim_client import GROUP_SCHEMA, user_body


def _conflict(response) -> None:
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.json["scimType"] == "uniqueness"


def test_a_user_cannot_take_another_users_user_name(scim):
    ann = scim.post("/Users", user_body("ann@acme.test")).json
    bob = scim.post("/Users", user_body("bob@acme.test")).json

    _conflict(scim.post("/Users", user_body("ANN@acme.test")))
    _conflict(scim.put(f"/Users/{bob['id']}", user_body("Ann@Acme.test")))
    _conflict(
        scim.patch(
            f"/Users/{bob['id']}", [{"op": "replace", "path": "userName", "value": "ann@ACME.test"}]
        )
    )
    assert scim.get(f"/Users/{bob['id']}").json["userName"] == "bob@acme.test"

    # Keeping one's own userName, or changing only its case, is no conflict.
    renamed = scim.patch(
        f"/Users/{ann['id']}",
        [{"op": "replace", "path": "userName", "value": "Ann@Acme.test"}],
    )
    assert renamed.status_code == 200 and renamed.json["userName"] == "Ann@Acme.test"
    retitled = scim.patch(f"/Users/{ann['id']}", [{"op": "add", "path": "title", "value": "CTO"}])
    assert retitled.status_code == 200


def test_a_group_cannot_take_another_groups_name(scim):
    def group(name):
        return scim.post("/Groups", {"schemas": [GROUP_SCHEMA], "displayName": name})

    group("Sales")
    eng = group("Engineering").json
    _conflict(group("SALES"))
    _conflict(
        scim.patch(
            f"/Groups/{eng['id']}", [{"op": "replace", "path": "displayName", "value": "sales"}]
        )
    )
    kept = scim.patch(
        f"/Groups/{eng['id']}", [{"op": "replace", "path": "displayName", "value": "ENGINEERING"}]
    )
    assert kept.status_code in (200, 204)
    assert scim.get(f"/Groups/{eng['id']}").json["displayName"] == "ENGINEERING"
