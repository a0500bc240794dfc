"""One type for a connection on the SAML path: the ORM row, the ACS's plain view and a portal
test's view are each a SamlConnection; a real sign-in gets the live connection itself."""

import pytest

from portal.extensions import db
from portal.models import ConnectionSession
from portal.services.sso import pending_idp, sign_in_attempts
from portal.services.sso.saml_connection import ConnectionView, SamlConnection
from tests.factories import make_organization, make_saml_connection
from tests.peers.saml_idp import IDP_ENTITY_ID, SigningIdp


@pytest.fixture(scope="module")
def idps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saml-connection")
    return SigningIdp(folder, "live-key"), SigningIdp(folder, "pending-key")


@pytest.fixture
def connection(app, idps):
    return make_saml_connection(make_organization(), idps[0])


def _attempt(connection, test_target=None) -> sign_in_attempts.Attempt:
    session = ConnectionSession(
        connection_id=connection.id,
        organization_id=connection.organization_id,
        request_id="id-1",
        test_target=test_target,
    )
    db.session.add(session)
    db.session.commit()
    return sign_in_attempts.find(connection.id, "id-1")


def test_the_row_and_the_acs_view_are_saml_connections(connection):
    attempt = _attempt(connection)
    assert isinstance(connection, SamlConnection)
    assert isinstance(attempt.connection, ConnectionView)
    assert isinstance(attempt.connection, SamlConnection)
    assert attempt.connection.certificates == tuple(
        (c.id, c.value) for c in connection.certificates
    )


def test_a_real_sign_in_is_checked_against_the_live_connection_itself(connection):
    attempt = _attempt(connection)
    assert pending_idp.saml_connection_for(attempt.connection, attempt) is attempt.connection
    assert pending_idp.oidc_connection_for(connection, attempt) is connection


def test_a_test_of_pending_settings_sees_them_and_the_rest_as_live(connection, idps):
    pending_idp.stage_saml(
        connection, "https://next.idp.test", "https://next.idp.test/sso", [idps[1].certificate]
    )
    attempt = _attempt(connection, test_target=pending_idp.PENDING)
    tested = pending_idp.saml_connection_for(attempt.connection, attempt)
    assert isinstance(tested, SamlConnection)
    assert (tested.saml_idp_entity_id, tested.saml_idp_sso_url) == (
        "https://next.idp.test",
        "https://next.idp.test/sso",
    )
    assert [c.value for c in tested.certificates] == [idps[1].certificate]
    assert (tested.id, tested.organization_id, tested.protocol) == (
        connection.id,
        connection.organization_id,
        "saml",
    )


def test_a_test_of_one_certificate_sees_only_that_one(connection):
    certificate = connection.certificates[0]
    attempt = _attempt(connection, test_target=certificate.id)
    tested = pending_idp.saml_connection_for(connection, attempt)
    assert [(c.id, c.value) for c in tested.certificates] == [(certificate.id, certificate.value)]
    assert tested.saml_idp_entity_id == IDP_ENTITY_ID
