from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.models import Connection
from portal.services.account import credentials
from tests.factories import make_api_key, make_organization, make_saml_connection
from tests.peers.saml_idp import SigningIdp

REDIRECT_URI = "https://app.example.com/callback"


@pytest.fixture(scope="session")
def idp_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("saml-idp")


@pytest.fixture(scope="session")
def idp(idp_folder):
    return SigningIdp(idp_folder)


@pytest.fixture(scope="session")
def other_key_idp(idp_folder):
    """Same IdP entity, different signing key: what a forger without the key can make."""
    return SigningIdp(idp_folder, key_name="forger")


@pytest.fixture
def app_config():
    return {"PORTAL_REDIRECT_URIS": [REDIRECT_URI]}


@dataclass
class SamlSetup:
    connection: Connection
    entity_id: str
    acs_url: str
    client: object
    api_key: str

    def authorize(self, state: str = "s1", **params):
        query = {
            "client_id": credentials.environment().client_id,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "state": state,
            "connection": self.connection.id,
            **params,
        }
        return self.client.get("/sso/authorize", query_string=query)

    def post_response(self, saml_response: str):
        return self.client.post(urlsplit(self.acs_url).path, data={"SAMLResponse": saml_response})

    def token(self, code: str):
        return self.client.post(
            "/sso/token",
            json={
                "client_id": credentials.environment().client_id,
                "client_secret": self.api_key,
                "grant_type": "authorization_code",
                "code": code,
            },
        )


def redirect_params(response) -> dict:
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def saml(app, client, idp, idp_folder, tmp_path):
    org = make_organization("Acme", domains=[("acme.test", "verified")])
    connection = make_saml_connection(org, idp)
    metadata = client.get(f"/sso/saml/{connection.id}/metadata")
    assert metadata.status_code == 200
    sp_file = tmp_path / "sp.xml"
    sp_file.write_bytes(metadata.data)
    base = f"{app.config['PORTAL_PUBLIC_URL']}/sso/saml/{connection.id}"
    idp.trust_service_provider(sp_file, *_other_sp(idp_folder))
    return SamlSetup(connection, base, f"{base}/acs", client, make_api_key())


def _other_sp(folder: Path) -> list[Path]:
    """Metadata of an unrelated service provider, for responses meant for someone else."""
    path = folder / "other-sp.xml"
    if not path.exists():
        path.write_text(
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            'entityID="https://other-sp.example.test">'
            '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
            'Location="https://other-sp.example.test/acs" index="0"/>'
            "</md:SPSSODescriptor></md:EntityDescriptor>"
        )
    return [path]
