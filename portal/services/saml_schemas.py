"""Compiled SAML XSD schemas, kept instead of re-read on every response.

python3-saml parses and compiles the protocol XSD on each `is_valid` call, about half of its
time. This replaces its `validate_xml` with one that compiles each schema once per thread
(lxml schema objects are not shared across threads) and validates exactly as before.
"""

import threading
from os.path import dirname, join

import onelogin.saml2.xml_utils as xml_utils
from lxml import etree

_local = threading.local()
_SCHEMAS = join(dirname(xml_utils.__file__), "schemas")


def _compiled(schema: str) -> etree.XMLSchema:
    cache = _local.__dict__.setdefault("schemas", {})
    if schema not in cache:
        with open(join(_SCHEMAS, schema)) as handle:
            cache[schema] = etree.XMLSchema(etree.parse(handle))
    return cache[schema]


def _validate_xml(xml, schema, debug=False):
    try:
        xml = xml_utils.OneLogin_Saml2_XML.to_etree(xml)
    except Exception:  # the library's contract: any parse failure is 'unloaded_xml'
        return "unloaded_xml"
    return xml if _compiled(schema).validate(xml) else "invalid_xml"


LIBRARY_VALIDATE_XML = xml_utils.OneLogin_Saml2_XML.validate_xml


def install() -> None:
    xml_utils.OneLogin_Saml2_XML.validate_xml = staticmethod(_validate_xml)


def uninstall() -> None:
    """Back to the library's own (for `make bench`, which measures both)."""
    xml_utils.OneLogin_Saml2_XML.validate_xml = staticmethod(LIBRARY_VALIDATE_XML)
