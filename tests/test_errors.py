import logging

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Organization


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
