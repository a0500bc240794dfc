import pytest
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from portal.services.sso import saml_compiled

PROTOCOL = "saml-schema-protocol-2.0.xsd"


@pytest.fixture(autouse=True)
def cached_schemas():
    """python3-saml with the cached schemas in place, as create_app leaves it."""
    saml_compiled.install()
    cached = saml_compiled.OURS[(OneLogin_Saml2_XML, "validate_xml")]
    assert OneLogin_Saml2_XML.validate_xml is cached


def test_cached_schemas_still_refuse_invalid_documents():
    invalid = b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'
    for _ in range(2):  # the second call uses the compiled schema
        assert OneLogin_Saml2_XML.validate_xml(invalid, PROTOCOL) == "invalid_xml"
    assert OneLogin_Saml2_XML.validate_xml(b"not xml", PROTOCOL) == "unloaded_xml"


def test_cached_schemas_accept_valid_documents():
    valid = (
        b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" '
        b'Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><samlp:Status><samlp:StatusCode '
        b'Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:Response>'
    )
    for _ in range(2):
        assert OneLogin_Saml2_XML.validate_xml(valid, PROTOCOL) != "invalid_xml"
