"""A sign-in's authorization code and access token open a profile, so neither is readable from
the database: after a real SAML sign-in, every column of every table holds only their hashes."""

from portal.services.infra import secret_tokens
from tests.sso.sign_in_flow import redirect_params
from tests.stored_text import everything_stored


def _code_after_sign_in(saml, idp) -> str:
    start = saml.authorize()
    request_id = idp.request_id(start.headers["Location"])
    response = idp.respond(
        sp_entity_id=saml.entity_id, destination=saml.acs_url, in_response_to=request_id
    )
    return redirect_params(saml.post_response(response))["code"]


def test_the_authorization_code_is_stored_only_as_a_hash(saml, idp):
    code = _code_after_sign_in(saml, idp)
    stored = everything_stored()
    assert secret_tokens.digest(code) in stored  # the dump did see the grant's row
    assert code not in stored
    assert saml.token(code).status_code == 200  # and the code still works


def test_the_access_token_is_stored_only_as_a_hash(saml, idp):
    token = saml.token(_code_after_sign_in(saml, idp)).get_json()["access_token"]
    stored = everything_stored()
    assert secret_tokens.digest(token) in stored
    assert token not in stored
    profile = saml.client.get("/sso/profile", headers={"Authorization": f"Bearer {token}"})
    assert profile.status_code == 200
    assert profile.get_json()["email"] == "jane@acme.test"
