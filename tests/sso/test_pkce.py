"""PKCE on /sso/authorize and /sso/token: a public client signs in with its verifier instead of
a secret; a code issued with a challenge needs the verifier; S256 only, never ignored."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ConnectionSession
from tests.sso.sign_in_flow import pkce_pair as _pair
from tests.sso.sign_in_flow import redirect_params


def _code(saml, idp, **authorize) -> str:
    """A real sign-in through the pysaml2 IdP, started with these authorize parameters."""
    start = saml.authorize(**authorize)
    assert start.status_code == 302, start.get_data(as_text=True)
    response = idp.respond(
        sp_entity_id=saml.entity_id,
        destination=saml.acs_url,
        in_response_to=idp.request_id(start.headers["Location"]),
    )
    return redirect_params(saml.post_response(response))["code"]


def _token(saml, **fields):
    return saml.exchange(**fields)


def test_a_public_client_trades_its_code_with_the_verifier_alone(saml, idp):
    verifier, challenge = _pair()
    code = _code(saml, idp, code_challenge=challenge, code_challenge_method="S256")
    answer = _token(saml, code=code, code_verifier=verifier)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["profile"]["email"] == "jane@acme.test"
    again = _token(saml, code=code, code_verifier=verifier)
    assert (again.status_code, again.get_json()["error"]) == (400, "invalid_grant")


def test_a_confidential_client_must_still_send_the_verifier_of_its_challenge(saml, idp):
    verifier, challenge = _pair()
    code = _code(saml, idp, code_challenge=challenge, code_challenge_method="S256")
    refused = _token(saml, code=code, client_secret=saml.api_key)
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "invalid_grant"
    assert "code_verifier" in refused.get_json()["error_description"]
    both = _token(saml, code=code, client_secret=saml.api_key, code_verifier=verifier)
    assert both.status_code == 200, both.get_json()


@pytest.mark.parametrize("wrong", ["missing", "another", "malformed"])
def test_a_wrong_or_missing_verifier_is_refused_and_leaves_the_code_unused(saml, idp, wrong):
    verifier, challenge = _pair()
    code = _code(saml, idp, code_challenge=challenge, code_challenge_method="S256")
    sent = {"missing": None, "another": _pair()[0], "malformed": "short"}[wrong]
    refused = _token(saml, code=code, code_verifier=sent, client_secret=saml.api_key)
    body = refused.get_json()
    assert refused.status_code == 400
    assert (body["error"], body["code"]) == ("invalid_grant", "invalid_grant")
    assert body["error_description"] == body["message"]
    assert "profile" not in body
    assert _token(saml, code=code, code_verifier=verifier).status_code == 200


def test_a_code_issued_without_a_challenge_still_needs_the_client_secret(saml, idp):
    code = _code(saml, idp)
    no_secret = _token(saml, code=code)
    assert (no_secret.status_code, no_secret.get_json()["error"]) == (401, "invalid_client")
    verifier_only = _token(saml, code=code, code_verifier=_pair()[0])
    assert verifier_only.status_code == 400
    assert "without a code_challenge" in verifier_only.get_json()["error_description"]
    # A verifier sent beside the secret is refused too: PKCE cannot be stripped off silently.
    both = _token(saml, code=code, client_secret=saml.api_key, code_verifier=_pair()[0])
    assert both.status_code == 400
    assert _token(saml, code=code, client_secret=saml.api_key).status_code == 200


def test_a_public_client_must_name_this_portals_client_id(saml, idp):
    verifier, challenge = _pair()
    code = _code(saml, idp, code_challenge=challenge, code_challenge_method="S256")
    refused = _token(saml, code=code, code_verifier=verifier, client_id="client_someone_else")
    assert (refused.status_code, refused.get_json()["error"]) == (401, "invalid_client")


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"code_challenge_method": "plain"}, "'plain' is not supported"),
        ({"code_challenge_method": "s256"}, "'s256' is not supported"),
        ({"code_challenge_method": None}, "it is required"),
        ({"code_challenge": "too-short"}, "43 characters"),
        ({"code_challenge": None}, "without a code_challenge"),
    ],
)
def test_a_challenge_portal_cannot_honour_is_refused_at_authorize(saml, params, words):
    _, challenge = _pair()
    query = {"code_challenge": challenge, "code_challenge_method": "S256", **params}
    start = saml.authorize(**{k: v for k, v in query.items() if v is not None})
    refused = redirect_params(start)
    assert refused["error"] == "invalid_request"
    assert words in refused["error_description"]
    assert refused["state"] == "s1"
    assert db.session.scalars(select(ConnectionSession)).all() == []
