"""saml_compiled answers exactly as python3-saml's own functions do."""

import pytest
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from portal.services.sso import saml_compiled

PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
LIBRARY_PARSE = saml_compiled.LIBRARY[(OneLogin_Saml2_Utils, "parse_SAML_to_time")]


def _outcome(parse, text):
    try:
        return parse(text)
    except Exception as error:  # the library raises Exception or ValueError
        return type(error).__name__


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-24T11:34:39Z",
        "2026-11-24T11:34:39.123Z",
        "2026-11-24T11:34:39.1234567Z",  # more than microseconds
        "1970-01-01T00:00:00Z",
        "2024-02-29T23:59:59Z",
        "2026-02-29T10:00:00Z",  # no such day
        "2026-11-24T11:34:60Z",
        "2026-11-24T24:00:00Z",
        "2026-1-5T1:2:3Z",  # strptime takes single digits
        "2026-11-24T11:34:39",  # no Z
        "2026-11-24T11:34:39.Z",
        "2026-11-24T11:34:39+01:00",
        "2026-11-24 11:34:39Z",
        "",
        "soon",
    ],
)
def test_timestamps_read_as_python3_saml_reads_them(text):
    assert _outcome(saml_compiled._parse_saml_time, text) == _outcome(LIBRARY_PARSE, text)


def test_kept_answers_are_for_the_kept_document_only():
    first, second = (
        etree.fromstring(f'<samlp:Response xmlns:samlp="{PROTOCOL}" ID="{id_}"/>') for id_ in "ab"
    )
    ids = "/samlp:Response/@ID"
    with saml_compiled.answers_kept(first):
        assert saml_compiled._query(first, ids) == ["a"]
        assert saml_compiled._query(second, ids) == ["b"]
        assert saml_compiled._query(first, ids) == ["a"]
    first.set("ID", "changed")
    assert saml_compiled._query(first, ids) == ["changed"]  # nothing kept after the block
