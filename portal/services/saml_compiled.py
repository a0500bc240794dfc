"""Compiled XSD schemas and XPath expressions for python3-saml, kept instead of rebuilt.

python3-saml parses and compiles the protocol XSD on each `is_valid` call (about half of its
time) and compiles each of its ~40 XPath queries per response again. This replaces its
`validate_xml` and `query` with versions that compile each schema and expression once per
thread (lxml's compiled objects are not shared across threads) and answer exactly as before.
"""

import threading
from os.path import dirname, join

import onelogin.saml2.xml_utils as xml_utils
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants

_local = threading.local()
_SCHEMAS = join(dirname(xml_utils.__file__), "schemas")
LIBRARY = {
    "validate_xml": xml_utils.OneLogin_Saml2_XML.validate_xml,
    "query": xml_utils.OneLogin_Saml2_XML.query,
}


def _cache(name: str) -> dict:
    return _local.__dict__.setdefault(name, {})


def _schema(schema: str) -> etree.XMLSchema:
    schemas = _cache("schemas")
    if schema not in schemas:
        with open(join(_SCHEMAS, schema)) as handle:
            schemas[schema] = etree.XMLSchema(etree.parse(handle))
    return schemas[schema]


def _xpath(expression: str) -> etree.XPath:
    expressions = _cache("xpath")
    if expression not in expressions:
        expressions[expression] = etree.XPath(expression, namespaces=OneLogin_Saml2_Constants.NSMAP)
    return expressions[expression]


def _validate_xml(xml, schema, debug=False):
    try:
        xml = xml_utils.OneLogin_Saml2_XML.to_etree(xml)
    except Exception:  # the library's contract: any parse failure is 'unloaded_xml'
        return "unloaded_xml"
    return xml if _schema(schema).validate(xml) else "invalid_xml"


def _query(dom, query, context=None, tagid=None):
    source = dom if context is None else context
    if tagid is None:
        return _xpath(query)(source)
    return _xpath(query)(source, tagid=tagid)


def install() -> None:
    xml_utils.OneLogin_Saml2_XML.validate_xml = staticmethod(_validate_xml)
    xml_utils.OneLogin_Saml2_XML.query = staticmethod(_query)


def uninstall() -> None:
    """Back to the library's own (for `make bench`, which measures both)."""
    for name, function in LIBRARY.items():
        setattr(xml_utils.OneLogin_Saml2_XML, name, staticmethod(function))
