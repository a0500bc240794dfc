"""Sign-ins coming back from the IdP are counted by protocol and outcome on `/metrics`."""

import pytest

from tests.prometheus import TOKEN, scrape, value
from tests.sso.sign_in_flow import REDIRECT_URI, redirect_params

NAME = "portal_sso_sign_ins_total"


@pytest.fixture
def app_config():
    return {"PORTAL_REDIRECT_URIS": [REDIRECT_URI], "PORTAL_METRICS_TOKEN": TOKEN}


def _respond(saml, idp, request_id):
    response = idp.respond(
        sp_entity_id=saml.entity_id, destination=saml.acs_url, in_response_to=request_id
    )
    return saml.post_response(response)


def test_sign_ins_are_counted_by_outcome(saml, idp):
    before = scrape(saml.client)
    request_id = idp.request_id(saml.authorize().headers["Location"])
    assert "code" in redirect_params(_respond(saml, idp, request_id))
    unknown = _respond(saml, idp, "_never-issued")
    assert unknown.status_code == 400 and b"never sent" in unknown.data
    wrong_audience = idp.respond(
        sp_entity_id="https://other-sp.example.test",
        destination=saml.acs_url,
        in_response_to=idp.request_id(saml.authorize().headers["Location"]),
    )
    refused = redirect_params(saml.post_response(wrong_audience))["error"]
    after = scrape(saml.client)

    def grew(outcome):
        labels = {"protocol": "saml", "outcome": outcome}
        return value(after, NAME, **labels) - value(before, NAME, **labels)

    assert grew("succeeded") == 1
    assert grew("unknown_in_response_to") == 1
    assert grew(refused) == 1
