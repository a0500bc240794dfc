"""Who may talk to a directory's SCIM server, and the errors everyone else gets."""

from datetime import timedelta

import pytest

from portal.extensions import db
from tests.factories import make_directory, make_organization
from tests.scim.scim_client import ScimClient, user_body

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture
def other(app):
    """A second organization's directory, with a user and a group of its own."""
    org = make_organization("Bravo")
    directory, token = make_directory(org)
    scim = ScimClient(app, directory.id, token)
    user = scim.post("/Users", user_body("zed@bravo.test")).json["id"]
    group = scim.post("/Groups", {"displayName": "Bravo team"}).json["id"]
    return directory, token, user, group


def _assert_scim_error(response, status: int, scim_type: str | None = None):
    assert response.status_code == status
    assert response.mimetype == "application/scim+json"
    assert response.json["schemas"] == [ERROR_SCHEMA]
    assert response.json["status"] == str(status)
    if scim_type:
        assert response.json["scimType"] == scim_type


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer wrong", "Basic YTpi", "Bearer scim_" + "x" * 43]
)
def test_a_missing_or_wrong_token_is_401_and_does_not_link(app, directory, header):
    directory_row, _ = directory
    headers = {"Authorization": header} if header else {}
    response = app.test_client().get(f"/scim/v2/{directory_row.id}/Users", headers=headers)
    _assert_scim_error(response, 401)
    db.session.refresh(directory_row)
    assert directory_row.state == "unlinked"


def test_a_token_of_directory_a_cannot_open_directory_b(app, directory, other):
    _, token_a = directory
    b_directory, _, b_user, _ = other
    as_a_on_b = ScimClient(app, b_directory.id, token_a)
    for path in ("/Users", f"/Users/{b_user}", "/Groups", "/ServiceProviderConfig"):
        _assert_scim_error(as_a_on_b.get(path), 401)
    _assert_scim_error(as_a_on_b.delete(f"/Users/{b_user}"), 401)


def test_ids_of_another_directory_are_not_found(scim, other):
    _, _, b_user, b_group = other
    for method, path in [
        ("GET", f"/Users/{b_user}"),
        ("PUT", f"/Users/{b_user}"),
        ("PATCH", f"/Users/{b_user}"),
        ("DELETE", f"/Users/{b_user}"),
        ("GET", f"/Groups/{b_group}"),
        ("PATCH", f"/Groups/{b_group}"),
        ("DELETE", f"/Groups/{b_group}"),
    ]:
        body = user_body("x@acme.test") if method in ("PUT", "PATCH") else None
        _assert_scim_error(scim.open(method, path, body), 404)
    assert scim.get("/Users").json["totalResults"] == 0


def test_members_of_another_directory_are_not_added(scim, other):
    _, _, b_user, _ = other
    group = scim.post("/Groups", {"displayName": "A", "members": [{"value": b_user}]}).json
    assert scim.get(f"/Groups/{group['id']}").json["members"] == []


def test_the_api_answers_404_for_unknown_ids(api):
    for path in (
        "/directories/directory_01M00000000000000000000000",
        "/directory_users/directory_user_x",
        "/directory_groups/nothing",
    ):
        assert api.get(path).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "scim_type"),
    [
        ("POST", "/Users", {"name": {"givenName": "A"}}, 400, "invalidValue"),
        ("POST", "/Users", ["not", "an", "object"], 400, "invalidSyntax"),
        ("POST", "/Users", {"userName": "a\x00b"}, 400, "invalidValue"),
        ("POST", "/Users", {"userName": "a", "active": "maybe"}, 400, "invalidValue"),
        ("GET", '/Users?filter=userName eq "a" and', None, 400, "invalidFilter"),
        ("GET", "/Users?filter=userName zz 1", None, 400, "invalidFilter"),
        ("GET", "/Users?startIndex=abc", None, 400, "invalidValue"),
        ("POST", "/Groups", {"displayName": 5}, 400, "invalidValue"),
        ("GET", "/Schemas/urn:nope", None, 404, None),
        ("GET", "/Nope", None, 404, None),
    ],
)
def test_bad_input_gets_a_scim_error_not_a_500(scim, method, path, body, status, scim_type):
    _assert_scim_error(scim.open(method, path, body), status, scim_type)


def test_bad_patches_are_400(scim):
    user = scim.post("/Users", user_body("p@acme.test")).json["id"]
    for operations, scim_type in [
        ([], "invalidSyntax"),
        ([{"op": "jump", "path": "x", "value": 1}], "invalidSyntax"),
        ([{"op": "remove"}], "noTarget"),
        ([{"op": "replace", "path": "emails[type eq", "value": "x"}], "invalidPath"),
        ([{"op": "replace", "path": "name..x", "value": "x"}], "invalidPath"),
        ([{"op": "replace", "path": "userName", "value": ""}], "invalidValue"),
    ]:
        _assert_scim_error(scim.patch(f"/Users/{user}", operations), 400, scim_type)
    unreadable = scim.client.patch(
        f"{scim.base}/Users/{user}",
        data=b"{",
        headers=scim.headers,
        content_type="application/json",
    )
    _assert_scim_error(unreadable, 400, "invalidSyntax")


def test_discovery_documents(scim):
    config = scim.get("/ServiceProviderConfig").json
    assert config["patch"]["supported"] is True
    assert config["filter"]["supported"] is True
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    types = {t["id"]: t for t in scim.get("/ResourceTypes").json["Resources"]}
    assert set(types) == {"User", "Group"}
    assert types["User"]["endpoint"] == "/Users"
    schema_ids = {s["id"] for s in scim.get("/Schemas").json["Resources"]}
    assert "urn:ietf:params:scim:schemas:core:2.0:User" in schema_ids
    assert "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" in schema_ids


def test_pagination_and_attribute_selection(scim):
    for i in range(5):
        scim.post("/Users", user_body(f"u{i}@acme.test", externalId=f"x{i}"))
    page = scim.get("/Users?startIndex=2&count=2&attributes=userName").json
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
    assert [r["userName"] for r in page["Resources"]] == ["u1@acme.test", "u2@acme.test"]
    assert set(page["Resources"][0]) == {"id", "schemas", "userName"}
    trimmed = scim.get("/Users?count=1&excludedAttributes=emails,name").json["Resources"][0]
    assert "emails" not in trimmed and "name" not in trimmed and "userName" in trimmed
    by_email = scim.get('/Users?filter=emails.value eq "U3@ACME.test"').json
    assert [r["externalId"] for r in by_email["Resources"]] == ["x3"]
    either = scim.get('/Users?filter=externalId eq "x1" or userName sw "u4"').json
    assert sorted(r["externalId"] for r in either["Resources"]) == ["x1", "x4"]
    assert scim.get("/Users?count=0").json["Resources"] == []


def test_nul_characters_anywhere_are_refused_without_a_500(scim):
    user = scim.post("/Users", user_body("n@acme.test")).json["id"]
    _assert_scim_error(scim.get("/Users/abc%00def"), 404)
    _assert_scim_error(scim.get('/Users?filter=userName eq "a%00"'), 400, "invalidValue")
    group = {"displayName": "G", "members": [{"value": "x\x00"}]}
    _assert_scim_error(scim.post("/Groups", group), 400, "invalidValue")
    patch = [{"op": "add", "path": "members", "value": [{"value": "a\x00"}]}]
    gid = scim.post("/Groups", {"displayName": "H"}).json["id"]
    _assert_scim_error(scim.patch(f"/Groups/{gid}", patch), 400, "invalidValue")
    _assert_scim_error(
        scim.patch(f"/Users/{user}", [{"op": "add", "path": "title", "value": "\x00"}]), 400
    )


def test_a_deeply_nested_body_is_a_scim_400(app, directory):
    directory_row, token = directory
    response = app.test_client().post(
        f"/scim/v2/{directory_row.id}/Users",
        data="[" * 50_000 + "]" * 50_000,
        content_type="application/scim+json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.get_json()["scimType"] == "invalidSyntax"


def test_last_sync_moves_on_after_a_quiet_minute_and_not_on_every_call(scim, directory):
    directory_row, _ = directory
    scim.get("/Users")  # links it
    db.session.refresh(directory_row)
    assert directory_row.state == "linked"
    an_hour_ago = directory_row.last_activity_at - timedelta(hours=1)
    directory_row.last_activity_at = an_hour_ago
    db.session.commit()

    scim.get("/Users")
    db.session.refresh(directory_row)
    synced = directory_row.last_activity_at
    assert synced - an_hour_ago > timedelta(minutes=59)

    scim.get("/Users")
    db.session.refresh(directory_row)
    assert directory_row.last_activity_at == synced  # within the minute: no write
