"""Generated from the URL map: no dashboard page or form opens to an API key or to an IT
admin's portal session (only a signed-in dashboard user), and every dashboard form needs
its CSRF token."""

import pytest

from tests.dashboard_login import sign_in
from tests.pages import csrf_token_of


def assert_refused(response, method, path):
    assert response.status_code in (302, 401), (method, path, response.status_code)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/dashboard/login")


def test_an_api_key_opens_no_dashboard_page(api, dashboard_requests):
    assert len(dashboard_requests) >= 25
    for method, path in dashboard_requests:
        assert_refused(api.open(path, method=method), method, path)


def test_an_it_admin_session_opens_no_dashboard_page(admin_client, dashboard_requests):
    it_admin = admin_client("sso")
    assert it_admin.get_cookie("portal_session", path="/admin") is not None
    for method, path in dashboard_requests:
        assert_refused(it_admin.open(path, method=method), method, path)


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_every_dashboard_form_needs_its_token(self, client, dashboard_user, dashboard_requests):
        token = csrf_token_of(client.get("/").get_data(as_text=True))
        assert sign_in(client, csrf_token=token).status_code == 302
        posts = [path for method, path in dashboard_requests if method == "POST"]
        assert len(posts) >= 12
        for path in posts:
            response = client.post(path, data={})
            assert response.status_code == 400, path
            assert "This form has expired" in response.get_data(as_text=True)
