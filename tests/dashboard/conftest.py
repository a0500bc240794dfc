import re

import pytest

from portal.services.account import credentials

PASSWORD = "correct horse battery"


@pytest.fixture
def user(app):
    return credentials.create_dashboard_user("dev@example.com", PASSWORD)


def sign_in(client, email="dev@example.com", password=PASSWORD, **extra):
    return client.post("/dashboard/login", data={"email": email, "password": password, **extra})


@pytest.fixture
def signed_in(client, user):
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def csrf_token_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def dashboard_requests(app):
    """(method, path) of every dashboard route but the sign-in page, ids filled in."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("dashboard.") or rule.endpoint == "dashboard.login":
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", "x_1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path
