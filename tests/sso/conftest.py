from pathlib import Path

import pytest

from tests.factories import make_api_key, make_organization, make_saml_connection
from tests.peers.saml_idp import SigningIdp
from tests.sso.sign_in_flow import REDIRECT_URI, SamlSetup


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
