"""An unfiltered user list's totalResults is the directory's true user count, however its
users were written: SCIM, a bulk insert, a delete, a deleted directory."""

from sqlalchemy import delete, insert, select

from portal.extensions import db
from portal.models import DirectoryUser, DirectoryUserCount
from portal.services.directory import directories
from portal.services.infra.ids import new_id
from tests.factories import make_directory
from tests.scim.scim_client import ScimClient, user_body


def _total(scim) -> int:
    response = scim.get("/Users", query_string={"count": 1})
    assert response.status_code == 200
    return response.json["totalResults"]


def _bulk_insert(directory, how_many: int) -> None:
    rows = [
        {
            "id": new_id("directory_user"),
            "directory_id": directory.id,
            "organization_id": directory.organization_id,
            "user_name": f"bulk{i}@acme.test",
            "user_name_key": f"bulk{i}@acme.test",
            "active": True,
            "raw_attributes": {"userName": f"bulk{i}@acme.test"},
            "version": 1,
        }
        for i in range(how_many)
    ]
    db.session.execute(insert(DirectoryUser), rows)
    db.session.commit()


def test_totals_follow_creates_deletes_and_bulk_writes(app, scim, org, directory):
    other_directory, other_token = make_directory(org, "azure scim v2.0")
    other = ScimClient(app, other_directory.id, other_token)
    assert _total(scim) == 0

    ids = [scim.post("/Users", user_body(f"u{i}@acme.test")).json["id"] for i in range(40)]
    assert other.post("/Users", user_body("elsewhere@acme.test")).status_code == 201
    assert _total(scim) == 40 and _total(other) == 1

    assert scim.delete(f"/Users/{ids[0]}").status_code == 204
    scim.patch(f"/Users/{ids[1]}", [{"op": "replace", "path": "active", "value": False}])
    assert scim.post("/Users", user_body("U2@acme.test")).status_code == 409
    assert _total(scim) == 39

    _bulk_insert(directory[0], 25)
    db.session.execute(delete(DirectoryUser).where(DirectoryUser.id.in_(ids[2:7])))
    db.session.commit()
    assert _total(scim) == 59
    assert _total(scim) == len(scim.get("/Users", query_string={"count": 1000}).json["Resources"])


def test_a_deleted_directory_leaves_no_counters(scim, directory):
    for i in range(3):
        scim.post("/Users", user_body(f"u{i}@acme.test"))
    directory_id = directory[0].id
    directories.delete_directory(directory_id)
    left = select(DirectoryUserCount).where(DirectoryUserCount.directory_id == directory_id)
    assert db.session.scalars(left).all() == []
