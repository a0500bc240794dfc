from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import PortalSession
from portal.models.columns import utcnow
from portal.services.account import credentials
from portal.services.onboarding import portal_links
from tests.magic_links import launch_path


def _age_session(**moves) -> None:
    session = db.session.scalars(select(PortalSession)).one()
    values = {name: getattr(session, name) - delta for name, delta in moves.items()}
    db.session.execute(update(PortalSession).where(PortalSession.id == session.id).values(values))
    db.session.commit()


def test_navigation_shows_only_the_links_intents(signed_in):
    page = signed_in.get("/admin/domains").get_data(as_text=True)
    assert 'href="/admin/domains"' in page
    assert 'aria-current="page"' in page
    for other in ("/admin/sso", "/admin/directory-sync", "/admin/audit-logs"):
        assert f'href="{other}"' not in page


def test_sections_outside_the_links_intents_do_not_exist(signed_in):
    for path in ("/admin/sso", "/admin/directory-sync", "/admin/log-streams"):
        assert signed_in.get(path).status_code == 404


def test_the_shell_is_branded_and_returns_to_the_app(signed_in):
    env = credentials.environment()
    env.app_name, env.brand_color = "Hooli Analytics", "#ffcc00"
    db.session.commit()
    page = signed_in.get("/admin/domains").get_data(as_text=True)
    assert "Hooli Analytics" in page
    assert 'href="https://app.example.com/settings"' in page
    assert "Return to Hooli Analytics" in page
    css = signed_in.get("/admin/branding.css").get_data(as_text=True)
    assert "--brand: #ffcc00" in css
    assert "--brand-ink: #000000" in css  # dark text on a light brand colour


def test_defaults_when_the_developer_set_no_branding(signed_in):
    css = signed_in.get("/admin/branding.css").get_data(as_text=True)
    assert "--brand: #1f5fbf" in css and "--brand-ink: #ffffff" in css
    assert signed_in.get("/admin/branding/logo").status_code == 404


def test_pages_without_a_session_send_the_admin_to_an_explanation(client, org):
    response = client.get("/admin/domains")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/session-ended"
    page = client.get("/admin/session-ended")
    assert page.status_code == 401
    assert "Your session has ended" in page.get_data(as_text=True)


def test_htmx_requests_after_expiry_get_hx_redirect(signed_in, org):
    _age_session(expires_at=timedelta(hours=2))
    domain = org.domains[0]
    response = signed_in.post(f"/admin/domains/{domain.id}/check", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/admin/session-ended"


def test_a_session_ends_after_an_idle_hour(signed_in):
    _age_session(expires_at=timedelta(hours=1, seconds=1), last_seen_at=timedelta(hours=2))
    assert signed_in.get("/admin/domains").status_code == 302


def test_activity_keeps_a_session_alive_but_not_past_twelve_hours(signed_in):
    _age_session(created_at=timedelta(hours=11, minutes=50), last_seen_at=timedelta(minutes=5))
    assert signed_in.get("/admin/domains").status_code == 200
    session = db.session.scalars(select(PortalSession)).one()
    db.session.refresh(session)
    assert session.expires_at <= session.created_at + timedelta(hours=12)
    assert session.expires_at - utcnow() < timedelta(minutes=11)


def test_revoke_link_ends_the_sessions_it_opened(signed_in, org):
    portal_links.revoke_for_external_user(org.id, "alice")
    assert signed_in.get("/admin/domains").status_code == 302


def test_sign_out_ends_the_session_and_offers_the_way_back(signed_in):
    page = signed_in.get("/admin/domains").get_data(as_text=True)
    assert "Sign out" in page
    response = signed_in.post("/admin/sign-out")
    assert response.status_code == 200
    assert 'href="https://app.example.com/settings"' in response.get_data(as_text=True)
    assert signed_in.get("/admin/domains").status_code == 302


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_posts_without_the_csrf_token_are_refused(self, signed_in, org):
        response = signed_in.post(f"/admin/domains/{org.domains[0].id}/check")
        assert response.status_code == 400
        assert "This form has expired" in response.get_data(as_text=True)

    def test_an_htmx_post_with_a_stale_token_reloads_the_page(self, signed_in, org):
        response = signed_in.post(
            f"/admin/domains/{org.domains[0].id}/check",
            headers={"HX-Request": "true", "X-CSRFToken": "stale"},
        )
        assert response.status_code == 400
        assert response.headers["HX-Refresh"] == "true"

    def test_htmx_posts_carry_the_token_from_the_page(self, signed_in, org):
        page = signed_in.get("/admin/domains").get_data(as_text=True)
        token = page.split('"X-CSRFToken": "')[1].split('"')[0]
        response = signed_in.post(
            f"/admin/domains/{org.domains[0].id}/check",
            headers={"HX-Request": "true", "X-CSRFToken": token},
        )
        assert response.status_code == 200


class TestEmbedding:
    @pytest.fixture
    def app_config(self):
        return {"PORTAL_FRAME_ANCESTORS": ["https://app.example.com"]}

    def test_cookies_are_partitioned_and_cross_site(self, client, api_link):
        response = client.get(launch_path(api_link[1]))
        cookie = response.headers["Set-Cookie"]
        for flag in ("Secure", "HttpOnly", "SameSite=None", "Partitioned", "Path=/admin"):
            assert flag in cookie
        page = client.get("/admin/domains")
        assert "frame-ancestors https://app.example.com" in page.headers["Content-Security-Policy"]


def test_without_embedding_cookies_stay_first_party(client, api_link):
    cookie = client.get(launch_path(api_link[1])).headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "Partitioned" not in cookie
