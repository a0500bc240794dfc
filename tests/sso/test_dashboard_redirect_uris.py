"""/sso/authorize with a redirect URI allowed in the dashboard (Settings → Redirects), not in
PORTAL_REDIRECT_URIS; and a missing redirect_uri is named as missing."""

from urllib.parse import parse_qs, urlsplit

import pytest

from portal.services.account import credentials

CALLBACK = "https://app.example.com/after-sso?tenant=acme"


@pytest.fixture
def app_config():
    return {"PORTAL_REDIRECT_URIS": []}


def _sign_in_to_dashboard(client):
    credentials.create_dashboard_user("dev@example.com", "correct horse battery")
    data = {"email": "dev@example.com", "password": "correct horse battery"}
    assert client.post("/dashboard/login", data=data).status_code == 302


def test_a_uri_added_in_the_dashboard_is_allowed_by_authorize(saml, idp):
    assert saml.authorize(redirect_uri=CALLBACK).status_code == 400
    _sign_in_to_dashboard(saml.client)
    saved = saml.client.post(
        "/dashboard/settings/redirects/sign-in",
        data={"redirect_uris": "HTTPS://App.Example.com:443/after-sso?tenant=acme\n"},
    )
    assert saved.status_code == 302

    start = saml.authorize(redirect_uri=CALLBACK)
    assert start.status_code == 302, start.get_data(as_text=True)
    saml_response = idp.respond(
        sp_entity_id=saml.entity_id,
        destination=saml.acs_url,
        in_response_to=idp.request_id(start.headers["Location"]),
    )
    back = saml.post_response(saml_response)
    assert back.status_code == 302
    location = back.headers["Location"]
    assert location.startswith("https://app.example.com/after-sso?tenant=acme&")
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert saml.token(params["code"]).get_json()["profile"]["email"] == "jane@acme.test"
    # Another path on the same host is still refused: the match is exact.
    assert saml.authorize(redirect_uri="https://app.example.com/other").status_code == 400


def test_a_missing_redirect_uri_is_named_as_required(saml):
    response = saml.authorize(redirect_uri="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "redirect_uri is required." in page
    assert "not on the allowed list" not in page
