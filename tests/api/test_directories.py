"""`/directories`, `/directory_users`, `/directory_groups` in WorkOS shapes."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import DirectoryUser, Event
from portal.services.directory import directories
from tests.factories import make_directory, make_organization
from tests.scim.scim_client import ENTERPRISE, ScimClient, user_body


def _linked_directory(app, org):
    directory, token = make_directory(org)
    scim = ScimClient(app, directory.id, token)
    scim.get("/Users")
    return directory, scim


def test_directories_show_state_counts_and_filter_by_organization(app, api):
    acme, bravo = make_organization("Acme", domains=["acme.test"]), make_organization("Bravo")
    directory, scim = _linked_directory(app, acme)
    make_directory(bravo, "generic scim v2.0")
    scim.post("/Users", user_body("a@acme.test"))
    b = scim.post("/Users", user_body("b@acme.test")).json["id"]
    scim.patch(f"/Users/{b}", [{"op": "replace", "path": "active", "value": False}])
    scim.post("/Groups", {"displayName": "G"})

    shown = api.get(f"/directories/{directory.id}").json
    assert shown["state"] == "linked"
    assert shown["type"] == "okta scim v2.0"
    assert shown["organization_id"] == acme.id
    assert shown["metadata"] == {"users": {"active": 1, "inactive": 1}, "groups": 1}
    listed = api.get(f"/directories?organization_id={acme.id}").json["data"]
    assert [d["id"] for d in listed] == [directory.id]
    assert len(api.get("/directories").json["data"]) == 2
    assert [d["id"] for d in api.get("/directories?domain=acme.test").json["data"]] == [
        directory.id
    ]
    assert api.get("/directories?search=bravo").json["data"][0]["organization_id"] == bravo.id


def test_custom_attributes_follow_the_attribute_map(app, api):
    directory, scim = _linked_directory(app, make_organization("Acme"))
    body = user_body("c@acme.test", title="CTO", **{ENTERPRISE: {"costCenter": "42"}})
    user_id = scim.post("/Users", body).json["id"]
    directory.attribute_map = {"cost": f"{ENTERPRISE}:costCenter", "role": "title"}
    db.session.commit()

    user = api.get(f"/directory_users/{user_id}").json
    assert user["custom_attributes"] == {"cost": "42", "role": "CTO"}
    assert user["job_title"] == "CTO"
    assert user["raw_attributes"]["userName"] == "c@acme.test"


def test_users_filter_by_idp_id_and_email_and_page(app, api):
    directory, scim = _linked_directory(app, make_organization("Acme"))
    for i in range(3):
        scim.post("/Users", user_body(f"u{i}@acme.test", externalId=f"ext-{i}"))
    by_idp = api.get(f"/directory_users?directory={directory.id}&idp_id=ext-1").json["data"]
    assert [u["username"] for u in by_idp] == ["u1@acme.test"]
    by_email = api.get(f"/directory_users?directory={directory.id}&email=U2@acme.test").json
    assert [u["idp_id"] for u in by_email["data"]] == ["ext-2"]
    first = api.get(f"/directory_users?directory={directory.id}&limit=2").json
    assert len(first["data"]) == 2 and first["list_metadata"]["after"]
    rest = api.get(f"/directory_users?limit=2&after={first['list_metadata']['after']}").json
    assert [u["idp_id"] for u in rest["data"]] == ["ext-0"]


def test_deleting_a_directory_removes_its_users_and_emits_dsync_deleted(app, api):
    directory, scim = _linked_directory(app, make_organization("Acme"))
    scim.post("/Users", user_body("a@acme.test"))

    assert api.delete(f"/directories/{directory.id}").status_code == 204

    assert api.get(f"/directories/{directory.id}").status_code == 404
    assert db.session.scalars(select(DirectoryUser)).all() == []
    event = db.session.scalars(select(Event).where(Event.event == "dsync.deleted")).one()
    assert event.data["id"] == directory.id and event.data["state"] == "deleting"
    assert scim.get("/Users").status_code == 401


def test_a_rotated_token_replaces_the_old_one(app):
    directory, scim = _linked_directory(app, make_organization("Acme"))
    new_token = directories.rotate_token(directory)
    assert scim.get("/Users").status_code == 401
    assert ScimClient(app, directory.id, new_token).get("/Users").status_code == 200
