"""Compiled XSD schemas, XPath expressions and signing keys for python3-saml, kept instead
of rebuilt.

python3-saml parses and compiles the protocol XSD on each `is_valid` call (about half of its
time), compiles each of its ~40 XPath queries per response again (and runs a third of them
more than once on the same document) and reads the IdP's certificate into a key for each
signature it checks. `install` (called by create_app) replaces its `validate_xml`, `query`
and `validate_node_sign` with versions that build each schema, expression and key once per
thread (lxml's and xmlsec's objects are not shared across threads) and answer exactly as
before; and its timestamp parser, with one that reads the usual form without strptime and
leaves the rest to it.
"""

import calendar
import re
import threading
from contextlib import contextmanager
from datetime import datetime
from os.path import dirname, join

import onelogin.saml2.xml_utils as xml_utils
import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.errors import OneLogin_Saml2_ValidationError
from onelogin.saml2.utils import OneLogin_Saml2_Utils, return_false_on_exception

_local = threading.local()
_SCHEMAS = join(dirname(xml_utils.__file__), "schemas")
LIBRARY = {
    (xml_utils.OneLogin_Saml2_XML, "validate_xml"): xml_utils.OneLogin_Saml2_XML.validate_xml,
    (xml_utils.OneLogin_Saml2_XML, "query"): xml_utils.OneLogin_Saml2_XML.query,
    (OneLogin_Saml2_Utils, "validate_node_sign"): OneLogin_Saml2_Utils.validate_node_sign,
    (OneLogin_Saml2_Utils, "parse_SAML_to_time"): OneLogin_Saml2_Utils.parse_SAML_to_time,
}
MAX_KEYS = 256  # certificates kept per thread; more is an attack or a leak, so start over


def _cache(name: str) -> dict:
    try:
        return _local.__dict__[name]
    except KeyError:
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


@contextmanager
def answers_kept(document):
    """Within the block, each query of `document` runs once and is answered again from
    memory: validating one response asks some of them up to 13 times. Only for a document
    nothing changes meanwhile (python3-saml reads a response's document, and decrypts a copy).
    """
    _local.kept = (document, {})
    try:
        yield
    finally:
        _local.kept = None


def _query(dom, query, context=None, tagid=None):
    kept = _local.__dict__.get("kept")
    if context is not None or kept is None or kept[0] is not dom:
        return _run(query, dom if context is None else context, tagid)
    answers = kept[1]
    if (query, tagid) not in answers:
        answers[(query, tagid)] = _run(query, dom, tagid)
    return list(answers[(query, tagid)])


def _run(query, source, tagid):
    if tagid is None:
        return _xpath(query)(source)
    return _xpath(query)(source, tagid=tagid)


_SAML_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,6})?Z")


def _parse_saml_time(timestr):
    """Seconds since the epoch of `yyyy-mm-ddThh:mm:ss(.ffffff)Z`, as python3-saml reads it;
    any other form, or an impossible date, goes to python3-saml's own parser."""
    found = _SAML_TIME.fullmatch(timestr) if isinstance(timestr, str) else None
    if found:
        fields = tuple(int(part) for part in found.groups())
        try:
            datetime(*fields)
        except ValueError:
            pass
        else:
            return calendar.timegm(fields)
    return LIBRARY[(OneLogin_Saml2_Utils, "parse_SAML_to_time")](timestr)


def _key(certificate: str) -> xmlsec.Key | None:
    """The certificate's public key alone, or None if it cannot be read here.

    Only the key is kept: a context copies the key it is given, and copying one loaded with
    its certificate costs a fifth of a signature check. With the key set on the
    context xmlsec never looks at the certificate, so the check is the same.
    """
    keys = _cache("keys")
    if certificate not in keys:
        if len(keys) >= MAX_KEYS:
            keys.clear()
        keys[certificate] = _public_key(certificate)
    return keys[certificate]


def _public_key(certificate: str) -> xmlsec.Key | None:
    try:
        public_key = x509.load_pem_x509_certificate(certificate.encode()).public_key()
        pem = public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        return xmlsec.Key.from_memory(pem, xmlsec.KeyFormat.PEM, None)
    except (ValueError, TypeError, xmlsec.Error):
        return None


def _validate_node_sign(
    signature_node,
    elem,
    cert=None,
    fingerprint=None,
    fingerprintalg="sha1",
    validatecert=False,
    debug=False,
):
    key = _key(cert) if cert and not validatecert else None
    if key is None:  # by fingerprint, through a trust store, or unreadable: as shipped
        library = LIBRARY[(OneLogin_Saml2_Utils, "validate_node_sign")]
        return library(
            signature_node,
            elem,
            cert,
            fingerprint,
            fingerprintalg,
            validatecert,
            debug,
            raise_exceptions=True,
        )
    context = xmlsec.SignatureContext()
    context.key = key
    context.set_enabled_key_data([xmlsec.KeyData.X509])
    try:
        context.verify(signature_node)
    except Exception as error:  # xmlsec's refusal, in the library's words
        raise OneLogin_Saml2_ValidationError(
            "Signature validation failed. SAML Response rejected. %s",
            OneLogin_Saml2_ValidationError.INVALID_SIGNATURE,
            str(error),
        ) from None
    return True


OURS = {
    (xml_utils.OneLogin_Saml2_XML, "validate_xml"): _validate_xml,
    (xml_utils.OneLogin_Saml2_XML, "query"): _query,
    (OneLogin_Saml2_Utils, "validate_node_sign"): return_false_on_exception(_validate_node_sign),
    (OneLogin_Saml2_Utils, "parse_SAML_to_time"): _parse_saml_time,
}


def install() -> None:
    """Put these in python3-saml's place, process-wide (installing again changes nothing)."""
    for (owner, name), function in OURS.items():
        setattr(owner, name, staticmethod(function))


def uninstall() -> None:
    """Back to the library's own (for `make bench`, which measures both)."""
    for (owner, name), function in LIBRARY.items():
        setattr(owner, name, staticmethod(function))
