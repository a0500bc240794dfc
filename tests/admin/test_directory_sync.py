"""The dsync section: choose the provider, copy URL and token once, watch it link, manage."""

import pytest

from portal.idp_guides import GUIDES
from portal.services.onboarding import setup_progress
from tests.pages import shown_to_copy
from tests.scim.scim_client import ScimClient, user_body


@pytest.fixture
def dsync_admin(admin_client):
    return admin_client("dsync")


def test_every_provider_has_a_walk_through():
    assert {guide.name for guide in GUIDES} >= {
        "Okta",
        "Microsoft Entra ID",
        "OneLogin",
        "JumpCloud",
        "PingFederate",
        "Rippling",
        "CyberArk",
    }
    assert all(len(guide.steps) >= 3 for guide in GUIDES)


def test_set_up_shows_url_and_token_once_then_links(app, dsync_admin, org):
    page = dsync_admin.get("/admin/directory-sync").get_data(as_text=True)
    assert 'value="okta scim v2.0"' in page and 'value="azure scim v2.0"' in page

    setup = dsync_admin.post("/admin/directory-sync", data={"type": "azure scim v2.0"})
    body = setup.get_data(as_text=True)
    assert setup.status_code == 200
    token, base_url = shown_to_copy(body, "scim-token"), shown_to_copy(body, "scim-base-url")
    assert 'data-copy="scim-token"' in body and "Microsoft Entra ID" in body
    assert token not in dsync_admin.get("/admin/directory-sync").get_data(as_text=True)

    status = dsync_admin.get("/admin/directory-sync/status", headers={"HX-Request": "true"})
    assert 'hx-trigger="load delay:2s"' in status.get_data(as_text=True)
    assert not setup_progress.is_configured(org.id, "dsync")

    directory_id = base_url.rsplit("/", 1)[1]
    ScimClient(app, directory_id, token).post("/Users", user_body("a@acme.test"))

    linked = dsync_admin.get("/admin/directory-sync/status").get_data(as_text=True)
    assert "Connected" in linked and "hx-trigger" not in linked
    assert setup_progress.is_configured(org.id, "dsync")
    manage = dsync_admin.get("/admin/directory-sync").get_data(as_text=True)
    assert "1 active user," in manage and "a@acme.test" in manage
    assert "0 groups" in manage


def test_rotating_the_token_stops_the_old_one(app, dsync_admin):
    first = dsync_admin.post("/admin/directory-sync", data={"type": "okta scim v2.0"})
    old, base = shown_to_copy(first, "scim-token"), shown_to_copy(first, "scim-base-url")
    rotated = dsync_admin.post("/admin/directory-sync/token", data={"confirm": "yes"})
    new = shown_to_copy(rotated, "scim-token")
    directory_id = base.rsplit("/", 1)[1]
    assert ScimClient(app, directory_id, old).get("/Users").status_code == 401
    assert ScimClient(app, directory_id, new).get("/Users").status_code == 200


def test_an_unknown_provider_is_refused(dsync_admin):
    response = dsync_admin.post("/admin/directory-sync", data={"type": "ldap"})
    assert response.status_code == 422
    assert "type must be one of" in response.get_data(as_text=True)


def test_a_new_token_is_made_only_once_the_admin_confirms(app, dsync_admin):
    first = dsync_admin.post("/admin/directory-sync", data={"type": "okta scim v2.0"})
    old, base = shown_to_copy(first, "scim-token"), shown_to_copy(first, "scim-base-url")
    page = dsync_admin.get("/admin/directory-sync").get_data(as_text=True)
    assert "cannot provision or" in page and "Yes, stop the current token now" in page
    unconfirmed = dsync_admin.post("/admin/directory-sync/token")
    assert unconfirmed.status_code == 422
    assert "Tick the box" in unconfirmed.get_data(as_text=True)
    assert '<code id="scim-token">' not in unconfirmed.get_data(as_text=True)
    directory_id = base.rsplit("/", 1)[1]
    assert ScimClient(app, directory_id, old).get("/Users").status_code == 200
