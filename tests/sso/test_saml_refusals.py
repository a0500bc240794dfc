"""No forged, replayed, mis-addressed or malformed response ever yields a profile.

Each bad response is signed by a real IdP with the bad value in it, except the structural
attacks (DTD, transforms, wrapping, extra assertions), which must be caught before xmlsec runs.
"""

import base64
from datetime import timedelta

import pytest
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from sqlalchemy import select

from portal.extensions import db
from portal.models import ConnectionSession, SignInGrant
from tests.factories import make_organization, make_saml_connection
from tests.sso.sign_in_flow import redirect_params

DS = "http://www.w3.org/2000/09/xmldsig#"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"


def _request_id(saml, idp) -> str:
    start = saml.authorize()
    return idp.request_id(start.headers["Location"])


def _respond(saml, peer, request_id, **overrides):
    values = {
        "sp_entity_id": saml.entity_id,
        "destination": saml.acs_url,
        "in_response_to": request_id,
        **overrides,
    }
    return peer.respond(**values)


def _refused(saml, saml_response, code):
    params = redirect_params(saml.post_response(saml_response))
    assert params["error"] == code, params
    assert "code" not in params
    assert params["error_description"]
    assert db.session.scalars(select(SignInGrant)).all() == []
    failed = db.session.scalars(
        select(ConnectionSession).where(ConnectionSession.state == "failed")
    ).all()
    assert failed and failed[-1].error_code == code and failed[-1].explanation
    return params


def _edit(saml_response: str, change) -> str:
    root = etree.fromstring(base64.b64decode(saml_response))
    change(root)
    return base64.b64encode(etree.tostring(root)).decode()


def test_an_unsigned_response_is_refused(saml, idp):
    response = _respond(
        saml, idp, _request_id(saml, idp), sign_response=False, sign_assertion=False
    )
    _refused(saml, response, "unsigned_response")


def test_a_response_signed_with_another_key_is_refused(saml, idp, other_key_idp):
    other_key_idp.trust_service_provider(*idp.sp_metadata_files)
    response = _respond(saml, other_key_idp, _request_id(saml, idp))
    _refused(saml, response, "bad_signature")


@pytest.mark.parametrize("signed", ["response", "assertion"])
def test_a_response_altered_after_signing_is_refused_though_its_key_is_known(saml, idp, signed):
    # The IdP's key is kept after a sign-in (saml_compiled); the signature is still checked.
    assert "code" in redirect_params(
        saml.post_response(_respond(saml, idp, _request_id(saml, idp)))
    )

    def rename_the_user(root):
        for value in root.iter(f"{{{SAML}}}NameID", f"{{{SAML}}}AttributeValue"):
            value.text = value.text.replace("jane", "mallory")

    response = _respond(
        saml,
        idp,
        _request_id(saml, idp),
        sign_response=signed == "response",
        sign_assertion=signed == "assertion",
    )
    params = redirect_params(saml.post_response(_edit(response, rename_the_user)))
    assert params["error"] == "bad_signature", params
    assert len(db.session.scalars(select(SignInGrant)).all()) == 1  # the first sign-in's


def test_a_response_for_another_service_provider_is_refused(saml, idp):
    response = _respond(
        saml, idp, _request_id(saml, idp), sp_entity_id="https://other-sp.example.test"
    )
    params = _refused(saml, response, "wrong_audience")
    assert "Entity ID" in params["error_description"]


def test_a_response_addressed_elsewhere_is_refused(saml, idp):
    response = _respond(
        saml, idp, _request_id(saml, idp), destination="https://portal.test/somewhere-else"
    )
    _refused(saml, response, "wrong_destination")


@pytest.mark.parametrize(
    ("shift", "code"),
    [(timedelta(hours=2), "assertion_expired"), (timedelta(hours=-2), "assertion_not_yet_valid")],
)
def test_assertions_outside_their_validity_are_refused(saml, idp, monkeypatch, shift, code):
    response = _respond(saml, idp, _request_id(saml, idp))
    real_now = OneLogin_Saml2_Utils.now
    monkeypatch.setattr(  # the clock of the library, moved; not our code
        OneLogin_Saml2_Utils, "now", staticmethod(lambda: real_now() + int(shift.total_seconds()))
    )
    _refused(saml, response, code)


def _refused_without_a_session(saml, saml_response, code, words):
    """Refused before we know whose sign-in it is: no redirect URI to trust, so a page."""
    page = saml.post_response(saml_response)
    assert page.status_code == 400
    assert words in page.get_data(as_text=True)
    assert db.session.scalars(select(SignInGrant)).all() == []
    recorded = db.session.scalars(
        select(ConnectionSession).where(ConnectionSession.error_code == code)
    ).one()
    assert recorded.state == "failed" and recorded.response_payload


def test_a_response_to_a_request_we_never_sent_is_refused(saml, idp):
    _request_id(saml, idp)
    response = _respond(saml, idp, "_never_sent_by_us")
    _refused_without_a_session(
        saml, response, "unknown_in_response_to", "a sign-in request we never sent"
    )


def test_a_second_response_to_the_same_request_is_refused(saml, idp):
    request_id = _request_id(saml, idp)
    first = saml.post_response(_respond(saml, idp, request_id))
    assert "code" in redirect_params(first)
    again = saml.post_response(_respond(saml, idp, request_id))
    assert again.status_code == 400  # the attempt is over; nowhere to send the browser back
    last = db.session.scalars(select(ConnectionSession).order_by(ConnectionSession.id)).all()[-1]
    assert (last.state, last.error_code) == ("failed", "reused_in_response_to")


def test_sha1_signatures_are_refused(saml, idp):
    response = _respond(saml, idp, _request_id(saml, idp), sha1=True)
    _refused(saml, response, "sha1_rejected")


def test_an_xslt_transform_is_refused_before_xmlsec_runs(saml, idp):
    def add_xslt(root):
        transforms = root.find(f".//{{{DS}}}Transforms")
        xslt = etree.SubElement(transforms, f"{{{DS}}}Transform")
        xslt.set("Algorithm", "http://www.w3.org/TR/1999/REC-xslt-19991116")

    response = _edit(_respond(saml, idp, _request_id(saml, idp)), add_xslt)
    _refused(saml, response, "forbidden_transform")


def test_a_dtd_is_refused(saml, idp):
    response = _respond(saml, idp, _request_id(saml, idp))
    xml = base64.b64decode(response)
    with_dtd = (
        b'<!DOCTYPE r [<!ENTITY x "boom">]>'
        + xml[xml.index(b"<samlp") if b"<samlp" in xml else 0 :]
    )
    _refused_without_a_session(
        saml, base64.b64encode(with_dtd).decode(), "dtd_forbidden", "contains a DTD"
    )


def test_a_second_assertion_is_refused(saml, idp):
    def duplicate(root):
        assertion = root.find(f"{{{SAML}}}Assertion")
        copy = etree.fromstring(etree.tostring(assertion))
        copy.set("ID", "_evil_copy")
        root.append(copy)

    response = _edit(_respond(saml, idp, _request_id(saml, idp)), duplicate)
    _refused(saml, response, "multiple_assertions")


def test_a_signature_moved_off_what_it_signs_is_refused(saml, idp):
    def move_signature(root):
        signature = root.find(f"{{{DS}}}Signature")
        root.remove(signature)
        root.find(f"{{{SAML}}}Assertion").insert(1, signature)

    response = _respond(saml, idp, _request_id(saml, idp), sign_assertion=False)
    _refused(saml, _edit(response, move_signature), "signature_wrapping")


def test_idp_initiated_sign_in_is_refused_unless_allowed(saml, idp):
    response = _respond(saml, idp, None)
    page = saml.post_response(response)
    assert page.status_code == 400
    assert "started this sign-in on its own" in page.get_data(as_text=True)


def test_a_replayed_assertion_is_refused(saml, idp):
    saml.connection.allow_idp_initiated = True
    db.session.commit()
    response = _respond(saml, idp, None)
    assert "code" in redirect_params(saml.post_response(response))
    replay = redirect_params(saml.post_response(response))
    assert replay["error"] == "replayed_assertion"
    assert len(db.session.scalars(select(SignInGrant)).all()) == 1


def test_a_response_carrying_a_nul_byte_is_refused_and_recorded(saml, idp):
    # PostgreSQL text cannot hold NUL: the attempt is still recorded for the IT admin.
    garbage = base64.b64encode(b"<samlp:Response>\x00</samlp:Response>").decode()
    page = saml.post_response(garbage)
    assert page.status_code == 400
    recorded = db.session.scalars(
        select(ConnectionSession).where(ConnectionSession.state == "failed")
    ).one()
    assert recorded.response_payload and "\x00" not in recorded.response_payload


def test_a_response_posted_to_another_organizations_acs_is_refused(saml, idp):
    # Two customers whose connections trust one IdP (a shared IdP tenant, a copied config):
    # a response answers only the connection whose request it names.
    other = make_saml_connection(make_organization("Globex"), idp)
    request_id = _request_id(saml, idp)
    response = _respond(saml, idp, request_id)
    page = saml.client.post(f"/sso/saml/{other.id}/acs", data={"SAMLResponse": response})
    assert page.status_code == 400
    assert db.session.scalars(select(SignInGrant)).all() == []
    attempt = db.session.scalars(
        select(ConnectionSession).where(ConnectionSession.request_id == request_id)
    ).one()
    assert attempt.state == "started"  # still the Acme sign-in's, untouched
    assert "code" in redirect_params(saml.post_response(response))
