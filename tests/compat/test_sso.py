"""SSO through the official SDK: authorization URL, a real IdP's response, code, profile."""

from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest
from workos import AuthenticationError, BadRequestError, ConflictError, NotFoundError
from workos.public_client import create_public_client

from tests.factories import WITH_VERIFIED_DOMAIN, make_saml_connection
from tests.peers.saml_idp import SigningIdp

pytestmark = WITH_VERIFIED_DOMAIN


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    return SigningIdp(tmp_path_factory.mktemp("compat-idp"))


@pytest.fixture
def connection(org, idp, base_url, tmp_path):
    connection = make_saml_connection(org, idp)
    metadata = httpx.get(f"{base_url}/sso/saml/{connection.id}/metadata")
    sp_file = tmp_path / "sp.xml"
    sp_file.write_bytes(metadata.content)
    idp.trust_service_provider(sp_file)
    return connection


def _browser_sign_in(workos, app, base_url, idp, connection, url: str | None = None) -> dict:
    """What the user's browser does: follow the SDK's URL to the IdP and post its answer."""
    public_url = app.config["PORTAL_PUBLIC_URL"]
    [redirect_uri] = app.config["PORTAL_REDIRECT_URIS"]
    url = url or workos.sso.get_authorization_url(
        redirect_uri=redirect_uri, connection=connection.id, state="opaque-state"
    )
    assert url.startswith(f"{base_url}/sso/authorize?")
    to_idp = httpx.get(url, follow_redirects=False)
    assert to_idp.status_code == 302, to_idp.text
    request_id = idp.request_id(to_idp.headers["location"])
    acs = f"{public_url}/sso/saml/{connection.id}/acs"
    saml_response = idp.respond(
        sp_entity_id=f"{public_url}/sso/saml/{connection.id}",
        destination=acs,
        in_response_to=request_id,
    )
    back = httpx.post(
        f"{base_url}/sso/saml/{connection.id}/acs",
        data={"SAMLResponse": saml_response},
        follow_redirects=False,
    )
    assert back.status_code == 302, back.text
    location = back.headers["location"]
    assert location.startswith(redirect_uri)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_the_sdk_signs_a_user_in_through_saml(workos, app, base_url, idp, connection):
    params = _browser_sign_in(workos, app, base_url, idp, connection)
    assert params["state"] == "opaque-state"
    result = workos.sso.get_profile_and_token(code=params["code"])
    assert result.token_type == "Bearer"
    assert result.profile.email == "jane@acme.test"
    assert result.profile.connection_id == connection.id
    assert result.profile.first_name == "Jane"
    again = workos.sso.get_profile(access_token=result.access_token)
    assert again.id == result.profile.id


def test_the_sdk_lists_gets_and_deletes_connections(workos, connection):
    listed = workos.sso.list_connections(organization_id=connection.organization_id)
    assert [c.id for c in listed.data] == [connection.id]
    got = workos.sso.get_connection(connection.id)
    assert (got.connection_type, got.state) == ("OktaSAML", "validating")
    assert [d.domain for d in got.domains] == ["acme.test"]
    workos.sso.delete_connection(connection.id)
    with pytest.raises(NotFoundError):
        workos.sso.get_connection(connection.id)


def test_a_used_code_is_refused_by_the_sdk_call(workos, app, base_url, idp, connection):
    code = _browser_sign_in(workos, app, base_url, idp, connection)["code"]
    workos.sso.get_profile_and_token(code=code)
    with pytest.raises(BadRequestError):
        workos.sso.get_profile_and_token(code=code)


def test_a_public_client_signs_in_with_the_sdks_pkce_calls(workos, app, base_url, idp, connection):
    public = create_public_client(client_id=workos.client_id, base_url=base_url)
    [redirect_uri] = app.config["PORTAL_REDIRECT_URIS"]
    started = public.sso.get_authorization_url_with_pkce(
        redirect_uri=redirect_uri, connection=connection.id
    )
    params = _browser_sign_in(workos, app, base_url, idp, connection, started["url"])
    assert params["state"] == started["state"]
    with pytest.raises(BadRequestError):
        public.sso.get_profile_and_token_pkce(code=params["code"], code_verifier="x" * 43)
    with pytest.raises(AuthenticationError):
        public.sso.get_profile_and_token(code=params["code"])
    result = public.sso.get_profile_and_token_pkce(
        code=params["code"], code_verifier=started["code_verifier"]
    )
    assert result.profile.email == "jane@acme.test"
    public.close()


def test_the_sdk_manages_sp_signing_certificates(workos, connection):
    with pytest.raises(NotFoundError):
        workos.sso.list_connection_saml_sp_signing_cert(connection.id)
    created = workos.sso.create_connection_saml_sp_signing_cert(connection.id)
    assert created.object == "saml_sp_signing_certificate"
    assert created.value.startswith("-----BEGIN CERTIFICATE-----")
    assert created.not_after > created.not_before
    assert workos.sso.list_connection_saml_sp_signing_cert(connection.id).id == created.id
    with pytest.raises(ConflictError) as conflict:
        workos.sso.create_connection_saml_sp_signing_cert(connection.id)
    assert conflict.value.code == "sp_signing_cert_already_exists"
    workos.sso.delete_connection_saml_sp_signing_cert(connection.id, created.id)
    with pytest.raises(NotFoundError):
        workos.sso.list_connection_saml_sp_signing_cert(connection.id)


def test_the_sdk_appends_and_deletes_sp_encryption_certificates(workos, connection):
    assert workos.sso.list_connection_saml_sp_encryption_certs(connection.id).data == []
    first = workos.sso.create_connection_saml_sp_encryption_cert(connection.id)
    second = workos.sso.create_connection_saml_sp_encryption_cert(connection.id)
    assert first.object == second.object == "saml_sp_encryption_certificate"
    listed = workos.sso.list_connection_saml_sp_encryption_certs(connection.id)
    assert [c.id for c in listed.data] == [first.id, second.id]
    with pytest.raises(ConflictError) as conflict:
        workos.sso.create_connection_saml_sp_encryption_cert(connection.id)
    assert conflict.value.code == "too_many_sp_encryption_certs"
    workos.sso.delete_connection_saml_sp_encryption_cert(connection.id, first.id)
    listed = workos.sso.list_connection_saml_sp_encryption_certs(connection.id)
    assert [c.id for c in listed.data] == [second.id]
