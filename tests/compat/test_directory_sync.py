"""Directory sync through `workos.directory_sync`, after an IdP pushed users and groups over
SCIM to the same live server (real HTTP both ways)."""

import json
import urllib.request

import pytest
from workos import NotFoundError

from tests.factories import make_directory


class LiveScim:
    """An IdP's SCIM calls over HTTP to the served app."""

    def __init__(self, base_url: str, directory_id: str, token: str):
        self.base = f"{base_url}/scim/v2/{directory_id}"
        self.token = token

    def call(self, method: str, path: str, body=None) -> dict | None:
        request = urllib.request.Request(  # noqa: S310  (the loopback test server)
            self.base + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/scim+json",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            raw = response.read()
        return json.loads(raw) if raw else None


@pytest.fixture
def pushed(org, base_url):
    """A linked directory holding two users and a group with one of them."""
    directory, token = make_directory(org, "azure scim v2.0")
    scim = LiveScim(base_url, directory.id, token)
    ann = scim.call(
        "POST",
        "/Users",
        {
            "userName": "ann@acme.test",
            "externalId": "idp-ann",
            "name": {"givenName": "Ann", "familyName": "Lee"},
            "emails": [{"primary": True, "value": "ann@acme.test", "type": "work"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"},
        },
    )
    bob = scim.call("POST", "/Users", {"userName": "bob@acme.test", "active": "False"})
    group = scim.call("POST", "/Groups", {"displayName": "R&D", "members": [{"value": ann["id"]}]})
    return {"org": org.id, "directory": directory.id, "ann": ann, "bob": bob, "group": group}


def test_directories_list_and_get(workos, pushed):
    page = workos.directory_sync.list_directories(organization_id=pushed["org"])
    [directory] = page.data
    assert directory.id == pushed["directory"]
    assert directory.type == "azure scim v2.0"
    assert directory.state == "linked"
    assert directory.metadata.users.active == 1
    assert directory.metadata.users.inactive == 1
    assert directory.metadata.groups == 1
    assert workos.directory_sync.get_directory(directory.id).name == directory.name


def test_users_list_and_get_with_groups(workos, pushed):
    users = workos.directory_sync.list_users(directory=pushed["directory"]).data
    assert sorted(u.username for u in users) == ["ann@acme.test", "bob@acme.test"]
    ann = workos.directory_sync.get_user(pushed["ann"]["id"])
    assert (ann.idp_id, ann.email, ann.first_name) == ("idp-ann", "ann@acme.test", "Ann")
    assert ann.state == "active"
    assert ann.custom_attributes == {"department": "R&D"}
    assert [g.id for g in ann.groups] == [pushed["group"]["id"]]
    assert ann.emails[0].value == "ann@acme.test"
    members = workos.directory_sync.list_users(group=pushed["group"]["id"]).data
    assert [u.id for u in members] == [ann.id]
    assert workos.directory_sync.get_user(pushed["bob"]["id"]).state == "inactive"


def test_groups_list_and_get(workos, pushed):
    groups = workos.directory_sync.list_groups(directory=pushed["directory"]).data
    assert [g.name for g in groups] == ["R&D"]
    by_user = workos.directory_sync.list_groups(user=pushed["ann"]["id"]).data
    assert [g.id for g in by_user] == [pushed["group"]["id"]]
    group = workos.directory_sync.get_group(pushed["group"]["id"])
    assert (group.directory_id, group.organization_id) == (pushed["directory"], pushed["org"])


def test_unknown_ids_raise_not_found(workos, pushed):
    with pytest.raises(NotFoundError):
        workos.directory_sync.get_directory("directory_01M00000000000000000000000")
    with pytest.raises(NotFoundError):
        workos.directory_sync.get_user("directory_user_01M00000000000000000000000")
    with pytest.raises(NotFoundError):
        workos.directory_sync.get_group("directory_group_01M00000000000000000000000")


def test_delete_directory(workos, pushed):
    workos.directory_sync.delete_directory(pushed["directory"])
    with pytest.raises(NotFoundError):
        workos.directory_sync.get_directory(pushed["directory"])
    assert workos.directory_sync.list_users(directory=pushed["directory"]).data == []


def test_dsync_events_through_the_sdk(workos, pushed):
    events = workos.events.list_events(
        events=["dsync.activated", "dsync.user.created", "dsync.group.created"]
    ).data
    assert [e.event for e in events] == [
        "dsync.activated",
        "dsync.user.created",
        "dsync.user.created",
        "dsync.group.created",
    ]


def test_a_group_sync_selection_hides_the_rest_from_the_sdk(workos, pushed):
    from portal.extensions import db
    from portal.models import Directory
    from portal.services.directory import group_sync

    group_sync.set_selection(
        db.session.get(Directory, pushed["directory"]), [pushed["group"]["id"]]
    )
    users = workos.directory_sync.list_users(directory=pushed["directory"]).data
    assert [u.username for u in users] == ["ann@acme.test"]
    with pytest.raises(NotFoundError):
        workos.directory_sync.get_user(pushed["bob"]["id"])
    directory = workos.directory_sync.get_directory(pushed["directory"])
    assert directory.metadata.users.active == 1 and directory.metadata.groups == 1
