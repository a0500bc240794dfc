from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from portal.services.sso import saml_sp  # noqa: F401  (installs the cached schemas)

PROTOCOL = "saml-schema-protocol-2.0.xsd"


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
