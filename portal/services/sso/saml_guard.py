"""Checks on a SAML response made before python3-saml and xmlsec see it.

xmlsec runs every `ds:Transform` the document names before the signature is known to be
good (an XSLT transform there is a denial of service: GHSA-8mmq-f9vf-8fg2), so only the
transforms a SAML signature needs are allowed. DTDs and entities, several assertions, SHA-1,
RSA 1.5 key transport and signatures that do not cover the element they sit in are refused
too. An encrypted assertion passes these checks twice: as it came, and decrypted.
"""

import base64
import binascii

from lxml import etree

from portal.errors import SignInRefused

MAX_RESPONSE_BYTES = 512 * 1024
DS = "http://www.w3.org/2000/09/xmldsig#"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
ALLOWED_TRANSFORMS = {
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
}
XENC = "http://www.w3.org/2001/04/xmlenc#"
# RSA PKCS#1 v1.5 key transport answers padding oracles (Bleichenbacher); OAEP is required.
WEAK_ENCRYPTION = {"http://www.w3.org/2001/04/xmlenc#rsa-1_5"}
SHA1 = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#sha1",
    "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
}


def decode(saml_response: str) -> bytes:
    if not saml_response:
        raise SignInRefused("missing_response", "The POST carried no SAMLResponse.")
    if len(saml_response) > MAX_RESPONSE_BYTES * 4 // 3 + 4:
        raise SignInRefused("response_too_large", "The SAMLResponse is larger than 512 KB.")
    try:
        return base64.b64decode(saml_response, validate=False)
    except (binascii.Error, ValueError):
        raise SignInRefused("malformed_response", "The SAMLResponse is not base64.") from None


def parse(xml: bytes) -> etree._Element:
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise SignInRefused("dtd_forbidden", "The response contains a DTD or entity declaration.")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=False,
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        raise SignInRefused("malformed_response", f"The response is not XML: {error}") from None
    if root.getroottree().docinfo.doctype:
        raise SignInRefused("dtd_forbidden", "The response contains a DTD.")
    return root


def check(root: etree._Element) -> bool:
    """Refuse layouts and algorithms we never accept (raises SignInRefused); whether the one
    assertion is encrypted. An encrypted one is checked again once decrypted."""
    encrypted = root.findall(f".//{{{SAML}}}EncryptedAssertion")
    if len(root.findall(f".//{{{SAML}}}Assertion")) + len(encrypted) != 1:
        raise SignInRefused("multiple_assertions", "The response must carry exactly one assertion.")
    if encrypted and encrypted[0].getparent() is not root:
        raise SignInRefused("signature_wrapping", "The encrypted assertion is out of place.")
    for method in root.iter(f"{{{XENC}}}EncryptionMethod"):
        if method.get("Algorithm") in WEAK_ENCRYPTION:
            raise SignInRefused("weak_encryption", f"EncryptionMethod {method.get('Algorithm')}.")
    for transform in root.iter(f"{{{DS}}}Transform"):
        if transform.get("Algorithm") not in ALLOWED_TRANSFORMS:
            raise SignInRefused("forbidden_transform", f"Transform {transform.get('Algorithm')}.")
    for tag in ("SignatureMethod", "DigestMethod"):
        for method in root.iter(f"{{{DS}}}{tag}"):
            if method.get("Algorithm") in SHA1:
                raise SignInRefused("sha1_rejected", f"{tag} {method.get('Algorithm')}.")
    _check_signature_placement(root)
    return bool(encrypted)


def _check_signature_placement(root: etree._Element) -> None:
    ids = [el.get("ID") for el in root.iter() if el.get("ID")]
    if len(ids) != len(set(ids)):
        raise SignInRefused("signature_wrapping", "Two elements share one ID.")
    for signature in root.iter(f"{{{DS}}}Signature"):
        parent = signature.getparent()
        references = signature.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
        if parent is None or len(references) != 1:
            raise SignInRefused("signature_wrapping", "A signature must sign exactly one element.")
        if references[0].get("URI") != f"#{parent.get('ID')}":
            raise SignInRefused(
                "signature_wrapping", "A signature signs something other than its parent."
            )
        if parent is not root and parent.tag != f"{{{SAML}}}Assertion":
            raise SignInRefused("signature_wrapping", "A signature sits in an unexpected place.")
