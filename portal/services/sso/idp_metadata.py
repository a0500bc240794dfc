"""Reading an identity provider's SAML metadata: from pasted XML, a file, or its URL.

The XML comes from outside, so it is parsed without DTDs, entities or network access, and
every way it can be unusable is said in words an IT admin can act on.
"""

from dataclasses import dataclass

from lxml import etree

from portal.errors import InvalidInput, OutboundError
from portal.services.infra import outbound
from portal.services.sso.certificates import read_certificate

MAX_METADATA_BYTES = 1024 * 1024
FETCH_TIMEOUT = 10.0
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"


@dataclass(frozen=True)
class IdpMetadata:
    entity_id: str
    sso_url: str
    certificates: tuple[str, ...]  # PEM


def read(xml: bytes, field: str = "metadata") -> IdpMetadata:
    """The IdP's entity ID, sign-on URL and signing certificates, or InvalidInput saying why not."""
    root = _parse(xml, field)
    entity = _entity(root, field)
    idp = entity.find(f"{{{MD}}}IDPSSODescriptor")
    if idp is None:
        if entity.find(f"{{{MD}}}SPSSODescriptor") is not None:
            raise InvalidInput(
                "This is SP metadata, not IdP metadata: it describes a service provider. "
                "Download the metadata of your identity provider's app instead.",
                field=field,
            )
        raise InvalidInput(
            "This metadata describes no identity provider (it has no IDPSSODescriptor).",
            field=field,
        )
    return IdpMetadata(
        entity_id=_entity_id(entity, field),
        sso_url=_sso_url(idp, field),
        certificates=_certificates(idp, field),
    )


def fetch(url: str, field: str = "metadata_url") -> tuple[IdpMetadata, bytes]:
    """Download metadata from the IdP (SSRF-safe, 1 MB and 10 seconds at most) and read it."""
    url = url.strip()
    if not url:
        raise InvalidInput("Enter the metadata URL.", field=field)
    try:
        response = outbound.get(
            url,
            {"Accept": "application/samlmetadata+xml, application/xml, text/xml"},
            timeout=FETCH_TIMEOUT,
            max_bytes=MAX_METADATA_BYTES,
        )
    except OutboundError as error:
        raise InvalidInput(f"We could not fetch the metadata URL: {error}", field=field) from None
    if response.status != 200:
        raise InvalidInput(
            f"The URL answered HTTP {response.status} instead of the metadata. Check that it is "
            "the metadata URL and that it is reachable without signing in.",
            field=field,
        )
    if response.truncated:
        raise InvalidInput("The document at this URL is larger than 1 MB.", field=field)
    if _looks_like_html(response.body, response.headers.get("content-type", "")):
        raise InvalidInput(
            "The URL returned HTML, not XML: it is probably a sign-in or web page. Use the "
            "metadata URL your identity provider shows for this app.",
            field=field,
        )
    return read(response.body, field), response.body


def _parse(xml: bytes, field: str) -> etree._Element:
    xml = xml.strip()
    if not xml:
        raise InvalidInput("Paste the metadata XML or choose its file.", field=field)
    if len(xml) > MAX_METADATA_BYTES:
        raise InvalidInput("This metadata is larger than 1 MB.", field=field)
    if _looks_like_html(xml, ""):
        raise InvalidInput(
            "This is a web page (HTML), not metadata XML. Download the metadata file itself.",
            field=field,
        )
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise InvalidInput(
            "This XML contains a DTD or entity declaration, which IdP metadata never has. "
            "Download the metadata again from your identity provider.",
            field=field,
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"This is not well-formed XML ({error}).", field=field) from None


def _looks_like_html(body: bytes, content_type: str) -> bool:
    start = body.lstrip()[:512].lower()
    return "html" in content_type.lower() or start.startswith((b"<!doctype html", b"<html"))


def _entity(root: etree._Element, field: str) -> etree._Element:
    if root.tag == f"{{{MD}}}EntityDescriptor":
        return root
    if root.tag == f"{{{MD}}}EntitiesDescriptor":
        entities = root.findall(f".//{{{MD}}}EntityDescriptor")
        idps = [e for e in entities if e.find(f"{{{MD}}}IDPSSODescriptor") is not None]
        if len(idps) == 1:
            return idps[0]
        if len(entities) == 1:
            return entities[0]
        raise InvalidInput(
            f"This file describes {len(idps) or len(entities)} entities; use the metadata of "
            "your one identity provider app.",
            field=field,
        )
    name = etree.QName(root).localname
    raise InvalidInput(
        f"This XML is not SAML metadata (it starts with <{name}>, not <EntityDescriptor>).",
        field=field,
    )


def _entity_id(entity: etree._Element, field: str) -> str:
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        raise InvalidInput("The metadata has no entityID.", field=field)
    return entity_id


def _sso_url(idp: etree._Element, field: str) -> str:
    for service in idp.findall(f"{{{MD}}}SingleSignOnService"):
        if service.get("Binding") == REDIRECT_BINDING and service.get("Location"):
            return service.get("Location").strip()
    raise InvalidInput(
        "The metadata names no sign-on URL for the HTTP-Redirect binding "
        "(SingleSignOnService). Turn on HTTP-Redirect in the identity provider, or enter the "
        "sign-on URL by hand.",
        field=field,
    )


def _certificates(idp: etree._Element, field: str) -> tuple[str, ...]:
    found = []
    for key in idp.findall(f"{{{MD}}}KeyDescriptor"):
        if key.get("use") not in (None, "signing"):
            continue
        for element in key.iter(f"{{{DS}}}X509Certificate"):
            details = read_certificate(element.text or "", field=field)
            if details.pem not in found:
                found.append(details.pem)
    if not found:
        raise InvalidInput(
            "The metadata has no signing certificate (KeyDescriptor with an X509Certificate).",
            field=field,
        )
    return tuple(found)
