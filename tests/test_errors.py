import logging

import pytest
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.models import Organization
from tests.dashboard_login import sign_in
from tests.environment import config_for
from tests.peers.dns_server import free_port


def test_unknown_api_path_gets_a_workos_style_json_error(client):
    response = client.get("/organizations/org_missing/nothing-here")
    assert response.status_code == 404
    assert response.is_json
    body = response.get_json()
    assert body["code"] == "not_found"
    assert body["message"]


def test_an_api_client_calling_a_path_outside_the_api_gets_json(client):
    response = client.get("/v2/whatever", headers={"Authorization": "Bearer sk_anything"})
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["code"] == "not_found"


def test_unknown_page_gets_an_html_page_saying_what_to_do(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "This page does not exist" in page
    assert "Check the address" in page
    assert "<html" in page


def test_htmx_requests_get_a_fragment_not_a_whole_page(client):
    response = client.get("/no/such/page", headers={"HX-Request": "true"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "This page does not exist" in page
    assert "<html" not in page


def test_wrong_method_on_an_api_path_is_405_json_with_allow(client):
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert response.get_json()["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_oversize_body_is_413_not_500(client):
    response = client.post(
        "/organizations", data=b"x" * (2 * 1024 * 1024), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == "request_too_large"


@pytest.fixture
def failing_routes(app):
    def write_then_fail():
        db.session.add(Organization(name="half-written"))
        db.session.flush()
        raise RuntimeError("boom")

    app.add_url_rule("/organizations/_boom", "api_boom", write_then_fail)
    app.add_url_rule("/pages/_boom", "page_boom", write_then_fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False


def test_unexpected_error_is_logged_rolled_back_and_answered_cleanly(
    client, failing_routes, caplog
):
    with caplog.at_level(logging.ERROR):
        api = client.get("/organizations/_boom")
    assert api.status_code == 500
    assert api.get_json() == {"code": "server_error", "message": "An unexpected error occurred."}
    assert "boom" in caplog.text
    assert db.session.scalars(select(Organization)).all() == []

    page = client.get("/pages/_boom")
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert "Something went wrong on our side" in text
    assert "Traceback" not in text and "boom" not in text


@pytest.fixture
def app_without_its_database():
    """An app whose PostgreSQL is down: nothing listens where its database should be."""
    unreachable = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/portal"
    app = create_app(config_for(unreachable, PROPAGATE_EXCEPTIONS=False))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_while_the_database_is_down_the_api_answers_503_json(app_without_its_database):
    client = app_without_its_database.test_client()
    response = client.get("/organizations", headers={"Authorization": "Bearer sk_anything"})
    assert response.status_code == 503
    assert response.get_json() == {
        "code": "service_unavailable",
        "message": "The service cannot reach its database. Try again in a few seconds.",
    }
    assert response.headers["Retry-After"]


def test_while_the_database_is_down_scim_answers_503_in_the_scim_error_schema(
    app_without_its_database,
):
    client = app_without_its_database.test_client()
    response = client.get(
        "/scim/v2/directory_01/Users", headers={"Authorization": "Bearer any-token"}
    )
    assert response.status_code == 503
    assert response.mimetype == "application/scim+json"
    body = response.get_json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == "503"
    assert "database" in body["detail"]
    assert response.headers["Retry-After"]


def test_while_the_database_is_down_pages_say_so_in_plain_words(app_without_its_database):
    client = app_without_its_database.test_client()
    htmx = {"HX-Request": "true"}
    for response in (
        sign_in(client),
        client.post("/dashboard/login", headers=htmx),
        # The admin's pages read its branding as they render; its error page must not.
        client.get("/admin/launch?token=not-a-link"),
    ):
        assert response.status_code == 503
        text = response.get_data(as_text=True)
        assert "cannot reach its database" in text
        assert "Try again in a minute" in text
        assert "Traceback" not in text and "OperationalError" not in text
