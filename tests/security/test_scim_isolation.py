"""Directory A's SCIM token reaches nothing of directory B, on every SCIM route.

Routes come from the URL map: each method of each rule is sent with A's token to B's base
URL (401), and, where it names a user or a group, to A's base URL with B's ids (404). Both
answers carry the SCIM error schema, and B's rows are compared before and after, column by
column. A new rule with a parameter this test does not know fails the coverage check.
"""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Directory, DirectoryGroup, DirectoryGroupMembership, DirectoryUser
from tests.factories import make_directory, make_organization
from tests.scim.scim_client import GROUP_SCHEMA, PATCH_OP, ScimClient, user_body
from tests.url_map import methods_of, rules_of

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
SEARCH = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}


class Side:
    """One organization's directory with a user in a group, and its SCIM client."""

    def __init__(self, app, name: str):
        self.directory, self.token = make_directory(make_organization(f"{name} Org"))
        self.scim = ScimClient(app, self.directory.id, self.token)
        self.user = self.scim.post("/Users", user_body(f"ann@{name.lower()}.test")).json["id"]
        group = {"displayName": f"{name} staff", "members": [{"value": self.user}]}
        self.group = self.scim.post("/Groups", group).json["id"]


@pytest.fixture
def a(app):
    return Side(app, "Alpha")


@pytest.fixture
def b(app, a):
    return Side(app, "Bravo")


def _scim_rules(app):
    return rules_of(app, "scim")


def _ids(side: Side) -> dict[str, str]:
    """URL parameter name -> a value naming something of `side`."""
    return {
        "directory_id": side.directory.id,
        "user_id": side.user,
        "group_id": side.group,
        "type_id": "User",
        "schema_id": "urn:ietf:params:scim:schemas:core:2.0:User",
    }


def _body(rule, method: str):
    """A request body that would be accepted were the ids its own."""
    if method == "PATCH":
        return {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "value": {"active": False, "displayName": "x"}}],
        }
    if rule.rule.endswith(".search"):
        return {**SEARCH, "filter": "displayName pr or userName pr"}
    if method in ("POST", "PUT") and "/Groups" in rule.rule:
        return {"schemas": [GROUP_SCHEMA], "displayName": "Taken over"}
    if method in ("POST", "PUT"):
        return user_body("taken-over@alpha.test")
    return None


def _rows_of(directory_id: str) -> list[dict]:
    """Every column of the directory, its users, groups and memberships."""
    db.session.expire_all()
    users = select(DirectoryUser.id).where(DirectoryUser.directory_id == directory_id)
    queries = [
        select(Directory).where(Directory.id == directory_id),
        select(DirectoryUser).where(DirectoryUser.directory_id == directory_id),
        select(DirectoryGroup).where(DirectoryGroup.directory_id == directory_id),
        select(DirectoryGroupMembership).where(DirectoryGroupMembership.user_id.in_(users)),
    ]
    return [
        {column.key: getattr(row, column.key) for column in row.__table__.columns}
        for query in queries
        for row in db.session.scalars(query)
    ]


def _assert_scim_error(response, status: int, request: str):
    assert response.status_code == status, f"{request}: {response.status_code}"
    assert response.json["schemas"] == [ERROR_SCHEMA], request
    assert response.json["status"] == str(status), request


def _requests(app, ids: dict[str, str]):
    for rule in _scim_rules(app):
        path = rule.rule.removeprefix("/scim/v2/<directory_id>")
        for argument in rule.arguments - {"directory_id"}:
            path = path.replace(f"<{argument}>", ids[argument])
        for method in methods_of(rule):
            yield rule, method, path


def test_every_scim_route_is_covered(app, a):
    known = set(_ids(a))
    for rule in _scim_rules(app):
        assert not rule.arguments - known, f"{rule.rule}: add a value for it in _ids"


def test_a_token_of_directory_a_opens_nothing_of_directory_b(app, a, b):
    before = _rows_of(b.directory.id)
    a_token_on_b = ScimClient(app, b.directory.id, a.token)
    for rule, method, path in _requests(app, _ids(b)):
        response = a_token_on_b.open(method, path, _body(rule, method))
        _assert_scim_error(response, 401, f"{method} {path}")
        assert b.user not in response.get_data(as_text=True)
    assert _rows_of(b.directory.id) == before


def test_ids_of_directory_b_are_not_found_through_directory_a(app, a, b):
    before = _rows_of(b.directory.id)
    crossing = {"user_id": b.user, "group_id": b.group}
    requests = [
        (rule, method, path)
        for rule, method, path in _requests(app, {**_ids(a), **crossing})
        if rule.arguments & crossing.keys()
    ]
    assert {method for _, method, _ in requests} == {"GET", "PUT", "PATCH", "DELETE"}
    for rule, method, path in requests:
        _assert_scim_error(a.scim.open(method, path, _body(rule, method)), 404, f"{method} {path}")
    assert _rows_of(b.directory.id) == before


def test_searching_directory_a_finds_nothing_of_directory_b(a, b):
    for path, attribute in [("/Users", "userName"), ("/Groups", "displayName")]:
        for filter_ in (f'id eq "{b.user}"', f'id eq "{b.group}"', f"{attribute} pr"):
            found = a.scim.get(f"{path}?filter={filter_}").json
            assert b.directory.id not in str(found)
            assert {b.user, b.group}.isdisjoint(r["id"] for r in found["Resources"])
    for path in ("/.search", "/Users/.search", "/Groups/.search"):
        found = a.scim.post(path, {**SEARCH, "filter": "userName pr or displayName pr"}).json
        ids = {resource["id"] for resource in found["Resources"]}
        assert ids, f"{path}: the test needs something of A to find"
        assert ids <= {a.user, a.group}, f"{path} finds B"


def test_a_group_of_a_never_takes_members_of_b(a, b):
    before = _rows_of(b.directory.id)
    members = [{"value": b.user}]
    group = {"schemas": [GROUP_SCHEMA], "displayName": "Alpha staff", "members": members}
    for response in (
        a.scim.patch(f"/Groups/{a.group}", [{"op": "add", "path": "members", "value": members}]),
        a.scim.patch(
            f"/Groups/{a.group}", [{"op": "replace", "path": "members", "value": members}]
        ),
        a.scim.put(f"/Groups/{a.group}", group),
        a.scim.post("/Groups", {**group, "displayName": "Alpha new"}),
    ):
        assert response.status_code < 500, response.json
    memberships = db.session.scalars(
        select(DirectoryGroupMembership.user_id).where(DirectoryGroupMembership.user_id == b.user)
    ).all()
    assert memberships == [b.user]  # only B's own group holds B's user
    assert b.user not in str(a.scim.get(f"/Groups/{a.group}").json)
    assert _rows_of(b.directory.id) == before
