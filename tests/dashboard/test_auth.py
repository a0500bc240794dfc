from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import LoginAttempt
from portal.models.columns import utcnow
from portal.services.account import credentials
from tests.dashboard_login import PASSWORD, sign_in
from tests.pages import csrf_token_of


def test_front_page_shows_the_sign_in_form_when_signed_out(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'action="/dashboard/login"' in page
    assert '<label for="f-email">Email</label>' in page


def test_front_page_leads_to_the_dashboard_when_signed_in(dashboard_client):
    response = dashboard_client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"


def test_signing_in_opens_the_dashboard_home(client, dashboard_user):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "WORKOS_BASE_URL" in page
    assert "http://portal.test" in page
    assert credentials.environment().client_id in page
    assert "dev@example.com" in page


def test_sign_in_returns_to_the_page_asked_for_but_never_elsewhere(client, dashboard_user):
    assert sign_in(client, next="/dashboard/organizations").headers["Location"] == (
        "/dashboard/organizations"
    )
    client.post("/dashboard/logout")
    assert sign_in(client, next="//evil.example/x").headers["Location"] == "/dashboard/"


@pytest.mark.parametrize(
    ("email", "password"),
    [("dev@example.com", "wrong password!"), ("nobody@example.com", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_a_failed_sign_in_does_not_say_whether_the_email_exists(
    client, dashboard_user, email, password
):
    response = sign_in(client, email=email, password=password)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "The email or password is not right." in page
    assert 'role="alert"' in page
    assert client.get("/dashboard/").status_code == 302


def test_five_failures_per_email_and_address_lock_sign_in_for_a_while(client, dashboard_user):
    for _ in range(5):
        assert sign_in(client, password="wrong password!").status_code == 401
    refused = sign_in(client)  # even the right password
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    # Counted per email and address: another address may still sign in.
    other = client.post(
        "/dashboard/login",
        data={"email": "dev@example.com", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 302
    assert db.session.scalars(select(LoginAttempt)).all()  # kept in the database


def test_failures_older_than_the_window_no_longer_count(client, dashboard_user):
    for _ in range(5):
        sign_in(client, password="wrong password!")
    db.session.execute(update(LoginAttempt).values(created_at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    assert sign_in(client).status_code == 302


def test_a_success_clears_earlier_failures(client, dashboard_user):
    for _ in range(4):
        sign_in(client, password="wrong password!")
    assert sign_in(client).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(LoginAttempt)).all() == []


def test_sign_out_is_a_post_and_ends_the_session(dashboard_client):
    assert dashboard_client.get("/dashboard/logout").status_code == 405
    assert dashboard_client.get("/dashboard/").status_code == 200
    response = dashboard_client.post("/dashboard/logout")
    assert response.status_code == 302
    assert dashboard_client.get("/dashboard/").status_code == 302


def test_every_dashboard_page_refuses_anonymous_visitors(client, dashboard_requests):
    """Generated from the URL map: every dashboard endpoint but the sign-in page."""
    checked = 0
    for method, path in dashboard_requests:
        response = client.open(path, method=method)
        assert response.status_code in (302, 401), (method, path, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/dashboard/login")
        checked += 1
    assert checked >= 15


def test_htmx_requests_of_signed_out_visitors_get_hx_redirect(client):
    response = client.get(
        "/dashboard/organizations/org_x/checklist", headers={"HX-Request": "true"}
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/dashboard/login")


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_forms_without_the_token_are_refused(self, client, dashboard_user):
        refused = sign_in(client)
        assert refused.status_code == 400
        assert "This form has expired" in refused.get_data(as_text=True)

    def test_forms_with_the_token_work_and_sign_out_needs_it_too(self, client, dashboard_user):
        token = csrf_token_of(client.get("/").get_data(as_text=True))
        assert sign_in(client, csrf_token=token).status_code == 302
        assert client.post("/dashboard/logout").status_code == 400
        assert client.post("/dashboard/settings/api-keys", data={"name": "x"}).status_code == 400
        page = client.get("/dashboard/settings/api-keys").get_data(as_text=True)
        response = client.post("/dashboard/logout", data={"csrf_token": csrf_token_of(page)})
        assert response.status_code == 302
