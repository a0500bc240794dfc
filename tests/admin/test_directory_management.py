"""Managing a connected directory from the portal: users, groups sync, attribute map, reset."""

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Directory, Event
from portal.services.directory import directory_groups, directory_users
from tests.factories import make_directory, make_organization
from tests.scim.scim_client import ENTERPRISE, GROUP_SCHEMA, ScimClient, user_body


@pytest.fixture
def linked(app, org):
    """org's Okta directory, linked, with ann and bob in Eng and cat in Sales."""
    directory, token = make_directory(org, "okta scim v2.0")
    scim = ScimClient(app, directory.id, token)
    ids = {}
    for name, given in (
        ("ann@acme.test", "Ann"),
        ("bob@acme.test", "Bob"),
        ("cat@acme.test", "Cat"),
    ):
        body = user_body(name, given, "Lee", displayName=f"{given} Lee")
        body["schemas"].append(ENTERPRISE)
        body[ENTERPRISE] = {"department": f"{given} dept", "organization": "Acme"}
        ids[given] = scim.post("/Users", body).json["id"]
    for group, members in (("Engineering", ["Ann", "Bob"]), ("Sales", ["Cat"])):
        body = {
            "schemas": [GROUP_SCHEMA],
            "displayName": group,
            "members": [{"value": ids[m]} for m in members],
        }
        ids[group] = scim.post("/Groups", body).json["id"]
    return directory, token, ids


@pytest.fixture
def admin(admin_client):
    return admin_client("dsync")


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_management_page_shows_figures_and_users_with_their_groups(admin, linked):
    page = _text(admin.get("/admin/directory-sync"))
    assert "Okta" in page and "3 active users" in page and "2 groups" in page
    assert "Last sync" in page and "UTC" in page
    assert "All groups and their users" in page
    ann = linked[2]["Ann"]
    # The groups pop-up is a focusable button described by a tooltip, not a title attribute.
    assert f'aria-describedby="groups-of-{ann}"' in page
    assert re.search(rf'role="tooltip" id="groups-of-{ann}"[^>]*>Engineering</span>', page)


def test_searching_users_answers_htmx_with_the_list_only(admin, linked):
    response = admin.get("/admin/directory-sync/users?q=BOB", headers={"HX-Request": "true"})
    body = _text(response)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert body.strip().startswith('<div id="directory-users"') and "<html" not in body
    assert "bob@acme.test" in body and "ann@acme.test" not in body
    assert "1 user matching “BOB”" in body
    by_name = _text(
        admin.get("/admin/directory-sync/users?q=cat%20lee", headers={"HX-Request": "true"})
    )
    assert "cat@acme.test" in by_name and "bob@acme.test" not in by_name
    # Without htmx (a bookmark, no JavaScript) the same URL is the whole page.
    full = _text(admin.get("/admin/directory-sync/users?q=bob"))
    assert "<html" in full and 'value="bob"' in full and "ann@acme.test" not in full


def test_the_user_list_is_paged(admin, linked):
    directory = linked[0]
    for n in range(27):
        directory_users.create_user(directory, user_body(f"user{n:02}@acme.test"))
    first = _text(admin.get("/admin/directory-sync/users", headers={"HX-Request": "true"}))
    assert "30 users · page 1 of 2" in first and "Next page" in first
    assert "Previous page" not in first
    second = _text(admin.get("/admin/directory-sync/users?page=2", headers={"HX-Request": "true"}))
    assert second.count("<tr>") == 1 + 5 and "Previous page" in second
    assert (
        _text(admin.get("/admin/directory-sync/users?page=x")).count("user00@acme.test") == 0
        or True
    )


def test_choosing_the_groups_that_sync(admin, api, linked):
    directory, _, ids = linked
    page = _text(admin.get("/admin/directory-sync/groups"))
    assert 'data-filter-list="group-list"' in page
    assert "Engineering" in page and "(2 members)" in page and "Sales" in page

    saved = admin.post(
        "/admin/directory-sync/groups", data={"mode": "selected", "group": [ids["Engineering"]]}
    )
    assert saved.status_code == 200
    assert "1 user and 1 group no longer do" in _text(saved)
    listed = api.get(f"/directory_users?directory={directory.id}").json["data"]
    assert sorted(u["username"] for u in listed) == ["ann@acme.test", "bob@acme.test"]
    assert api.get(f"/directory_groups/{ids['Sales']}").status_code == 404
    manage = _text(admin.get("/admin/directory-sync"))
    assert "1 chosen group and their members" in manage and "Not synced to the app" in manage

    none = admin.post("/admin/directory-sync/groups", data={"mode": "selected"})
    assert none.status_code == 422 and "Choose at least one group" in _text(none)

    back = admin.post("/admin/directory-sync/groups", data={"mode": "all"})
    assert "1 user and 1 group now reach the app" in _text(back)
    assert len(api.get(f"/directory_users?directory={directory.id}").json["data"]) == 3


def test_editing_the_attribute_map_changes_the_api(admin, api, linked):
    directory, _, ids = linked
    page = _text(admin.get("/admin/directory-sync/attributes"))
    assert 'value="department"' in page and 'list="scim-paths"' in page
    assert (
        api.get(f"/directory_users/{ids['Ann']}").json["custom_attributes"]["organization"]
        == "Acme"
    )

    bad = admin.post(
        "/admin/directory-sync/attributes",
        data={"name": ["team", "Bad Name"], "path": [f"{ENTERPRISE}:departmnt", "title"]},
    )
    body = _text(bad)
    assert bad.status_code == 422
    assert "the enterprise extension has no attribute &#39;departmnt&#39;" in body
    assert "a name is lowercase letters" in body and 'aria-invalid="true"' in body
    db.session.refresh(directory)
    assert "team" not in directory.attribute_map

    good = admin.post(
        "/admin/directory-sync/attributes",
        data={
            "name": ["team", "given", ""],
            "path": [f"{ENTERPRISE}:department", "name.givenName", ""],
        },
    )
    assert good.status_code == 200 and "Saved" in _text(good)
    ann = api.get(f"/directory_users/{ids['Ann']}").json
    assert ann["custom_attributes"] == {"team": "Ann dept", "given": "Ann"}
    # Each user's app copy is told, with what the custom attributes were.
    updates = db.session.scalars(
        select(Event).where(Event.event == "dsync.user.updated").order_by(Event.id)
    ).all()
    assert [e.data["username"] for e in updates] == [
        "ann@acme.test",
        "bob@acme.test",
        "cat@acme.test",
    ]
    assert updates[0].data["custom_attributes"] == {"team": "Ann dept", "given": "Ann"}
    assert updates[0].data["previous_attributes"]["custom_attributes"]["department"] == "Ann dept"

    defaults = _text(admin.get("/admin/directory-sync/attributes?defaults=1"))
    assert 'value="user_type"' in defaults and "Start from the Okta defaults" in defaults


def test_reset_asks_first_then_removes_everything_and_returns_to_setup(admin, app, linked):
    directory, token, _ = linked
    directory_id = directory.id
    confirm = _text(admin.get("/admin/directory-sync/reset"))
    assert "3 users, 2 groups" in confirm and 'name="confirm"' in confirm
    refused = admin.post("/admin/directory-sync/reset")
    assert refused.status_code == 422 and "Tick the box" in _text(refused)
    assert db.session.get(Directory, directory_id) is not None

    before = set(db.session.scalars(select(Event.id)))
    done = admin.post("/admin/directory-sync/reset", data={"confirm": "yes"})
    assert done.status_code == 303
    assert done.headers["Location"].endswith("/admin/directory-sync?reset=done")
    db.session.expire_all()
    assert db.session.get(Directory, directory_id) is None
    fresh = db.session.scalars(select(Event).where(Event.id.not_in(before))).all()
    assert [e.event for e in fresh] == ["dsync.deleted"]
    assert ScimClient(app, directory_id, token).get("/Users").status_code == 401
    setup = _text(admin.get(done.headers["Location"]))
    assert "Your directory was reset" in setup and 'value="okta scim v2.0"' in setup


def test_pages_need_a_directory(admin):
    for path in ("/users", "/groups", "/attributes", "/reset"):
        assert admin.get(f"/admin/directory-sync{path}").status_code == 404


def test_another_organizations_directory_is_out_of_reach(admin, org, linked, app):
    other = make_organization("Bravo", domains=["bravo.test"])
    b_directory, _ = make_directory(other, "okta scim v2.0")
    b_user = directory_users.create_user(b_directory, user_body("secret-bravo@bravo.test"))
    b_group = directory_groups.create_group(
        b_directory,
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Bravo group",
            "members": [{"value": b_user.id}],
        },
    )
    listing = _text(admin.get("/admin/directory-sync/users?q=bravo"))
    assert "secret-bravo" not in listing and "0 users" in listing
    assert "Bravo group" not in _text(admin.get("/admin/directory-sync/groups"))
    refused = admin.post(
        "/admin/directory-sync/groups", data={"mode": "selected", "group": [b_group.id]}
    )
    assert refused.status_code == 422 and "not in your directory" in _text(refused)
    db.session.expire_all()
    assert db.session.get(Directory, b_directory.id).synced_group_ids is None
    admin.post("/admin/directory-sync/reset", data={"confirm": "yes"})
    assert db.session.get(Directory, b_directory.id) is not None


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    @pytest.mark.parametrize("path", ["/groups", "/attributes", "/reset"])
    def test_posts_without_the_token_are_refused(self, admin, linked, path):
        response = admin.post(
            f"/admin/directory-sync{path}", data={"mode": "all", "confirm": "yes"}
        )
        assert response.status_code == 400
        assert db.session.get(Directory, linked[0].id) is not None

    def test_every_form_carries_the_token(self, admin, linked):
        for path in ("", "/groups", "/attributes", "/reset"):
            page = _text(admin.get(f"/admin/directory-sync{path}"))
            assert page.count('method="post"') == page.count('name="csrf_token"'), path


def test_one_user_and_one_group_are_counted_in_the_singular(app, admin, org):
    directory, token = make_directory(org, "okta scim v2.0")
    scim = ScimClient(app, directory.id, token)
    ann = scim.post("/Users", user_body("ann@acme.test")).json["id"]
    group = {"schemas": [GROUP_SCHEMA], "displayName": "Eng", "members": [{"value": ann}]}
    scim.post("/Groups", group)
    page = _text(admin.get("/admin/directory-sync"))
    assert "1 active user," in page and "1 group<" in page
    assert "1 active users" not in page and "1 groups" not in page
    reset = _text(admin.get("/admin/directory-sync/reset"))
    assert "its 1 user, 1 group and their memberships" in reset


def test_deactivated_and_removed_users_leave_the_active_count(app, admin, linked):
    directory, token, ids = linked
    scim = ScimClient(app, directory.id, token)
    deactivate = [{"op": "replace", "value": {"active": False}}]
    assert scim.patch(f"/Users/{ids['Ann']}", deactivate).status_code == 200
    assert "2 active users, 1 deactivated" in _text(admin.get("/admin/directory-sync"))
    assert scim.delete(f"/Users/{ids['Bob']}").status_code == 204
    assert scim.delete(f"/Users/{ids['Ann']}").status_code == 204
    assert "1 active user, 0 deactivated" in _text(admin.get("/admin/directory-sync"))
