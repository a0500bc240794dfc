"""Generated from the URL map: no dashboard page or form opens to an API key or to an IT
admin's portal session (only a signed-in dashboard user), and every dashboard form needs
its CSRF token."""

import pytest

from portal.services.account import credentials
from portal.services.onboarding import portal_links
from tests.dashboard.conftest import csrf_token_of, dashboard_requests, sign_in
from tests.factories import make_organization


def assert_refused(response, method, path):
    assert response.status_code in (302, 401), (method, path, response.status_code)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/dashboard/login")


def test_an_api_key_opens_no_dashboard_page(app, client):
    _, secret = credentials.create_api_key("app")
    headers = {"Authorization": f"Bearer {secret}"}
    requests = list(dashboard_requests(app))
    assert len(requests) >= 25
    for method, path in requests:
        assert_refused(client.open(path, method=method, headers=headers), method, path)


def test_an_it_admin_session_opens_no_dashboard_page(app, client):
    org = make_organization("Acme Corp")
    _, url = portal_links.create_setup_link(org.id, ["sso"])
    launched = client.get(url.removeprefix("http://portal.test"))
    assert launched.status_code == 302 and "portal_session" in launched.headers["Set-Cookie"]
    for method, path in dashboard_requests(app):
        assert_refused(client.open(path, method=method), method, path)


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_every_dashboard_form_needs_its_token(self, app, client):
        credentials.create_dashboard_user("dev@example.com", "correct horse battery")
        token = csrf_token_of(client.get("/").get_data(as_text=True))
        assert sign_in(client, csrf_token=token).status_code == 302
        posts = [path for method, path in dashboard_requests(app) if method == "POST"]
        assert len(posts) >= 12
        for path in posts:
            response = client.post(path, data={})
            assert response.status_code == 400, path
            assert "This form has expired" in response.get_data(as_text=True)
