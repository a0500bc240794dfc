"""Organization-scoped SSO services: lookups refuse other organizations, payloads read well,
and metadata files with several entities are understood."""

import pytest

from portal.errors import InvalidInput, NotFound
from portal.extensions import db
from portal.models import Connection, ConnectionSession
from portal.services.infra import tenancy
from portal.services.sso import connection_sessions, connections, idp_metadata, sign_in_checks
from portal.services.sso.connections import ConnectionSettings
from tests.factories import make_organization

IDP = (
    '<md:EntityDescriptor entityID="{id}"><md:IDPSSODescriptor '
    'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>'
)


@pytest.fixture
def two_orgs(app):
    a, b = make_organization("Alpha"), make_organization("Bravo")
    connection = connections.create_connection(b.id, ConnectionSettings(connection_type="OktaSAML"))
    session = ConnectionSession(connection_id=connection.id, organization_id=b.id)
    db.session.add(session)
    db.session.commit()
    return a, b, connection, session


def test_scoped_lookups_refuse_other_organizations(two_orgs):
    a, b, connection, session = two_orgs
    with pytest.raises(NotFound):
        tenancy.owned(Connection, connection.id, a.id)
    with pytest.raises(NotFound):
        connection_sessions.session_of(a.id, session.id)
    assert tenancy.owned(Connection, connection.id, b.id) is connection
    assert connection_sessions.session_of(b.id, session.id) is session
    assert connection_sessions.sign_ins(a.id, connection.id).rows == []
    assert connection_sessions.sign_ins(b.id, connection.id).rows == [session]
    assert connection_sessions.latest_test(a.id) is None


def test_payloads_are_indented_and_never_expand_entities():
    assert connection_sessions.readable("<a><b>x</b></a>") == "<a>\n  <b>x</b>\n</a>\n"
    assert connection_sessions.readable('{"a":1}') == '{\n  "a": 1\n}'
    hostile = '<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>'
    assert connection_sessions.readable(hostile) == hostile
    assert connection_sessions.readable(None) == ""


def test_a_metadata_aggregate_with_several_idps_is_refused():
    md = 'xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
    many = f"<md:EntitiesDescriptor {md}>" + IDP.format(id="a") + IDP.format(id="b")
    with pytest.raises(InvalidInput, match="This file describes 2 entities"):
        idp_metadata.read((many + "</md:EntitiesDescriptor>").encode())


def test_the_checklist_shows_the_outcomes_recorded_as_the_checks_ran():
    session = ConnectionSession(state="failed", error_code="wrong_audience", explanation="Why.")
    sign_in_checks.record_passed(session, "readable", "in_response_to")
    sign_in_checks.record_failed(session, "saml", "wrong_audience")
    checks = {c.label: c for c in sign_in_checks.checklist(session, "saml")}
    audience = checks["Meant for us (Audience is our SP entity ID)"]
    assert audience.result == "failed" and audience.explanation == "Why."
    assert checks["It answers a sign-in we started (InResponseTo)"].result == "passed"
    # Checks before the failing one in the list but never run are not claimed as passed.
    assert checks["The signature matches the IdP certificate"].result == "not_reached"
    assert checks["Includes an email address"].result == "not_reached"
    odd = sign_in_checks.checklist(ConnectionSession(state="failed", error_code="x"), "oidc")
    assert odd[-1].result == "failed" and odd[-1].explanation == "The sign-in failed."
