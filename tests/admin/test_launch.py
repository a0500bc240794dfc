from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import PortalSession
from portal.services.infra import secret_tokens
from portal.services.onboarding import portal_links
from tests.factories import expire_link
from tests.magic_links import launch_path, token_of


def test_opening_a_link_starts_a_session_and_lands_on_the_intent(client, api_link):
    link, url = api_link
    response = client.get(launch_path(url))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/domains"
    cookie = client.get_cookie("portal_session", path="/admin")
    assert cookie is not None and cookie.http_only
    session = db.session.scalars(select(PortalSession)).one()
    assert session.token_hash == secret_tokens.digest(cookie.value)
    assert session.organization_id == link.organization_id
    assert session.intents == ["domain_verification"]
    page = client.get("/admin/domains")
    assert page.status_code == 200
    assert "Acme Corp" in page.get_data(as_text=True)


def test_the_same_browser_can_open_its_link_again(client, api_link):
    client.get(launch_path(api_link[1]))
    again = client.get(launch_path(api_link[1]))
    assert again.status_code == 302
    assert db.session.scalars(select(PortalSession)).all().__len__() == 1


def test_a_second_browser_cannot_reuse_the_link(app, client, api_link):
    client.get(launch_path(api_link[1]))
    other_browser = app.test_client()
    response = other_browser.get(launch_path(api_link[1]))
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This link was already used" in page
    assert "one browser only" in page
    assert other_browser.get_cookie("portal_session", path="/admin") is None


def test_an_expired_link_says_so_and_offers_the_way_back(client, api_link):
    link, url = api_link
    expire_link(link)
    response = client.get(launch_path(url))
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This link has expired" in page
    assert "5 minutes" in page
    assert 'href="https://app.example.com/settings"' in page


def test_a_revoked_link_says_it_was_withdrawn(client, org, api_link):
    portal_links.revoke_for_external_user(org.id, "alice")
    response = client.get(launch_path(api_link[1]))
    assert response.status_code == 410
    assert "This link was withdrawn" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["", "garbage", "eyJsaW5rIjoi.broken"])
def test_a_garbled_link_gets_its_own_page(client, token):
    response = client.get(f"/admin/launch?token={token}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This link is incomplete" in page
    assert "copying all of it" in page


def test_a_forged_token_is_refused_before_any_database_read(app, client, api_link):
    token = token_of(api_link[1])
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    statements = []
    from sqlalchemy import event

    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(f"/admin/launch?token={forged}")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 400
    assert not [s for s in statements if "portal_links" in s]


def test_a_link_whose_row_is_gone_is_no_longer_valid(client, org, api_link):
    db.session.delete(db.session.get(type(api_link[0]), api_link[0].id))
    db.session.commit()
    response = client.get(launch_path(api_link[1]))
    assert response.status_code == 410
    assert "no longer valid" in response.get_data(as_text=True)


def test_setup_link_problems_point_to_the_inviter(client, org):
    link, url = portal_links.create_setup_link(org.id, ["domain_verification"])
    expire_link(link, timedelta(days=1))
    page = client.get(launch_path(url)).get_data(as_text=True)
    assert "This invitation has expired" in page
    assert "30 days" in page
    assert "Ask the person who invited you" in page
