"""Group-sync selection: the app sees only the chosen groups and their members, and the
events keep it consistent as the selection and the directory change.

Also the events that deletes emit (WorkOS semantics, docs/directory-sync.md)."""

import pytest

from portal.errors import InvalidInput
from portal.extensions import db
from portal.services.directory import group_sync
from tests.scim.scim_client import GROUP_SCHEMA, user_body


def _summary(events):
    """(type, subject) with subject the user's username or the group's name."""
    out = []
    for event_type, data in events:
        if "user" in data:
            out.append((event_type, f"{data['user']['username']}@{data['group']['name']}"))
        elif data.get("object") == "directory_user":
            out.append((event_type, data["username"]))
        else:
            out.append((event_type, data["name"]))
    return out


@pytest.fixture
def people(scim):
    """ann in Eng and Sales, bob in Eng, cat in Sales; returns name -> id."""
    ids = {}
    for name in ("ann", "bob", "cat"):
        response = scim.post("/Users", user_body(name))
        assert response.status_code == 201, response.json
        ids[name] = response.json["id"]
    for group, names in (("Eng", ["ann", "bob"]), ("Sales", ["ann", "cat"])):
        body = {
            "schemas": [GROUP_SCHEMA],
            "displayName": group,
            "members": [{"value": ids[n]} for n in names],
        }
        response = scim.post("/Groups", body)
        assert response.status_code == 201, response.json
        ids[group] = response.json["id"]
    return ids


def _api_names(api, path: str, key: str) -> list[str]:
    response = api.get(path)
    assert response.status_code == 200, response.json
    return sorted(item[key] for item in response.json["data"])


def test_without_a_selection_everything_syncs(api, directory, people):
    directory_id = directory[0].id
    assert _api_names(api, f"/directory_users?directory={directory_id}", "username") == [
        "ann",
        "bob",
        "cat",
    ]
    assert _api_names(api, f"/directory_groups?directory={directory_id}", "name") == [
        "Eng",
        "Sales",
    ]


def test_a_selection_limits_the_api_and_announces_what_left(api, directory, people, new_events):
    directory_row, _ = directory
    new_events()
    result = group_sync.set_selection(directory_row, [people["Eng"]])
    assert result == {"users_entered": 0, "users_left": 1, "groups_entered": 0, "groups_left": 1}
    assert _summary(new_events()) == [
        ("dsync.user.deleted", "cat"),
        ("dsync.group.deleted", "Sales"),
    ]

    directory_id = directory_row.id
    assert _api_names(api, f"/directory_users?directory={directory_id}", "username") == [
        "ann",
        "bob",
    ]
    assert _api_names(api, "/directory_users", "username") == ["ann", "bob"]
    assert _api_names(api, f"/directory_groups?directory={directory_id}", "name") == ["Eng"]
    assert _api_names(api, f"/directory_groups?user={people['ann']}", "name") == ["Eng"]
    # A group out of view lists no members, though ann is in view through Eng.
    assert _api_names(api, f"/directory_users?group={people['Sales']}", "username") == []
    assert _api_names(api, f"/directory_users?group={people['Eng']}", "username") == [
        "ann",
        "bob",
    ]
    assert api.get(f"/directory_users/{people['cat']}").status_code == 404
    assert api.get(f"/directory_groups/{people['Sales']}").status_code == 404
    ann = api.get(f"/directory_users/{people['ann']}").json
    assert [g["name"] for g in ann["groups"]] == ["Eng"]
    metadata = api.get(f"/directories/{directory_id}").json["metadata"]
    assert metadata == {"users": {"active": 2, "inactive": 0}, "groups": 1}


def test_scim_changes_under_a_selection(scim, api, directory, people, new_events):
    directory_row, _ = directory
    group_sync.set_selection(directory_row, [people["Eng"]])
    new_events()

    # A new user outside the selected groups stays out of view.
    dan = scim.post("/Users", user_body("dan")).json["id"]
    scim.patch(f"/Users/{people['cat']}", [{"op": "replace", "path": "title", "value": "CFO"}])
    scim.post("/Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Ops"})
    assert new_events() == []
    assert api.get(f"/directory_users/{dan}").status_code == 404

    # Joining a selected group brings them into view: created, then added.
    scim.patch(
        f"/Groups/{people['Eng']}", [{"op": "add", "path": "members", "value": [{"value": dan}]}]
    )
    assert _summary(new_events()) == [
        ("dsync.user.created", "dan"),
        ("dsync.group.user_added", "dan@Eng"),
    ]
    assert api.get(f"/directory_users/{dan}").status_code == 200
    scim.patch(f"/Users/{dan}", [{"op": "replace", "path": "title", "value": "SRE"}])
    assert _summary(new_events()) == [("dsync.user.updated", "dan")]

    # Leaving the last selected group takes them out of view: removed, then deleted.
    scim.patch(
        f"/Groups/{people['Eng']}",
        [{"op": "remove", "path": f'members[value eq "{people["bob"]}"]'}],
    )
    assert _summary(new_events()) == [
        ("dsync.group.user_removed", "bob@Eng"),
        ("dsync.user.deleted", "bob"),
    ]
    assert api.get(f"/directory_users/{people['bob']}").status_code == 404

    # Deleting ann: removed from the selected group only, then deleted.
    assert scim.delete(f"/Users/{people['ann']}").status_code == 204
    assert _summary(new_events()) == [
        ("dsync.group.user_removed", "ann@Eng"),
        ("dsync.user.deleted", "ann"),
    ]

    # Deleting the selected group: its deletion, and its members leave view.
    assert scim.delete(f"/Groups/{people['Eng']}").status_code == 204
    assert _summary(new_events()) == [("dsync.group.deleted", "Eng"), ("dsync.user.deleted", "dan")]
    assert _api_names(api, f"/directory_users?directory={directory_row.id}", "username") == []


def test_clearing_the_selection_brings_everything_into_view(api, directory, people, new_events):
    directory_row, _ = directory
    group_sync.set_selection(directory_row, [people["Eng"]])
    new_events()
    result = group_sync.set_selection(directory_row, None)
    assert result == {"users_entered": 1, "users_left": 0, "groups_entered": 1, "groups_left": 0}
    assert _summary(new_events()) == [
        ("dsync.group.created", "Sales"),
        ("dsync.user.created", "cat"),
        ("dsync.group.user_added", "ann@Sales"),
        ("dsync.group.user_added", "cat@Sales"),
    ]
    assert api.get(f"/directory_users/{people['cat']}").status_code == 200


def test_a_selection_must_name_groups_of_this_directory(app, directory, people):
    from tests.factories import make_directory, make_organization

    other, _ = make_directory(make_organization("Other", domains=["other.test"]))
    with pytest.raises(InvalidInput, match="not in your directory"):
        group_sync.set_selection(other, [people["Eng"]])
    with pytest.raises(InvalidInput, match="at least one group"):
        group_sync.set_selection(directory[0], [])
    db.session.refresh(other)
    assert other.synced_group_ids is None


def test_deleting_a_user_tells_of_each_group_it_leaves(scim, people, new_events):
    new_events()
    assert scim.delete(f"/Users/{people['ann']}").status_code == 204
    assert _summary(new_events()) == [
        ("dsync.group.user_removed", "ann@Eng"),
        ("dsync.group.user_removed", "ann@Sales"),
        ("dsync.user.deleted", "ann"),
    ]


def test_deleting_a_group_is_one_event(scim, people, new_events):
    # WorkOS sends a sole event when a container goes (as for dsync.deleted): the app drops
    # the group's memberships with it.
    new_events()
    assert scim.delete(f"/Groups/{people['Sales']}").status_code == 204
    assert _summary(new_events()) == [("dsync.group.deleted", "Sales")]


def test_a_large_group_entering_view_is_announced_by_the_job(scim, directory, new_events):
    from portal.services.directory import directory_users
    from portal.services.infra.queue import job_queue

    directory_row, _ = directory
    users = [directory_users.create_user(directory_row, user_body(f"u{i}")) for i in range(150)]
    group_id = scim.post("/Groups", {"displayName": "Chosen"}).json["id"]
    group_sync.set_selection(directory_row, [group_id])
    new_events()
    added = [{"value": user.id} for user in users]
    response = scim.patch(f"/Groups/{group_id}", [{"op": "add", "path": "members", "value": added}])
    assert response.status_code in (200, 204)
    assert new_events() == []  # not yet: a job records them

    job_queue().run_due_jobs()
    recorded = [event_type for event_type, _ in new_events()]
    assert recorded == ["dsync.user.created", "dsync.group.user_added"] * 150
