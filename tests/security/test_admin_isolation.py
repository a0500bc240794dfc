"""A portal session of organization A reaches nothing of organization B, on every admin route.

Routes come from the URL map, so a new admin route is covered the day it is added: one with a
URL parameter this test does not know fails until an id of B is provided for it below.
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.admin.guard import PUBLIC_ENDPOINTS
from portal.admin.intents import SECTIONS
from portal.extensions import db
from portal.models import (
    AuditLogExport,
    Connection,
    ConnectionSession,
    Directory,
    Event,
    IdpCertificate,
    OrganizationDomain,
    SpKeyPair,
)
from portal.services.audit import audit_log_events, audit_log_exports
from portal.services.directory import directory_groups, directory_users
from portal.services.sso import connections
from portal.services.sso.connections import ConnectionSettings
from tests.factories import make_directory, make_organization, make_sp_key_pair
from tests.peers.saml_idp import make_key_pair
from tests.scim.scim_client import GROUP_SCHEMA, user_body
from tests.url_map import methods_of, rules_of

ALL_INTENTS = [section.intent for section in SECTIONS]


@pytest.fixture
def tenants(app, tmp_path):
    a = make_organization("Alpha Org", domains=["alpha.test"])
    b = make_organization("Bravo Org", domains=["bravo.test"])
    connection = connections.create_connection(
        b.id, ConnectionSettings(connection_type="OktaSAML", name="Bravo SSO")
    )
    connections.add_certificate(connection, make_key_pair(tmp_path, "bravo")[2])
    make_sp_key_pair(connection, "encryption")
    db.session.add(
        ConnectionSession(
            connection_id=connection.id,
            organization_id=b.id,
            state="failed",
            error_code="bad_signature",
            response_payload="<bravo-secret-response/>",
        )
    )
    db.session.commit()
    _audit_log_of(b)
    directory, _ = make_directory(b)
    user = directory_users.create_user(directory, user_body("bravo-secret-user@bravo.test"))
    group = {"schemas": [GROUP_SCHEMA], "displayName": "Bravo secret group"}
    directory_groups.create_group(directory, {**group, "members": [{"value": user.id}]})
    return a, b


def _audit_log_of(org) -> None:
    """An event of the organization, and a built export of it."""
    audit_log_events.record_event(
        org.id,
        {
            "action": "bravo.secret_action",
            "occurred_at": datetime(2026, 11, 20, tzinfo=UTC),
            "actor": {"id": "bravo-actor", "type": "user", "name": "Bravo Secret Actor"},
            "targets": [],
            "context": {"location": "198.51.100.9"},
        },
    )
    export = audit_log_exports.create_export(
        audit_log_exports.ExportRequest(org.id, datetime(2026, 1, 1, tzinfo=UTC), datetime.now(UTC))
    )
    audit_log_exports.build_export(export.id)


def _ids_of(b) -> dict[str, str]:
    """URL parameter name -> an id belonging to organization B."""
    session = db.session.scalars(
        select(ConnectionSession).where(ConnectionSession.organization_id == b.id)
    ).first()
    export = db.session.scalars(
        select(AuditLogExport).where(AuditLogExport.organization_id == b.id)
    ).one()
    certificate = db.session.scalars(
        select(IdpCertificate).join(Connection).where(Connection.organization_id == b.id)
    ).first()
    key_pair = db.session.scalars(
        select(SpKeyPair).join(Connection).where(Connection.organization_id == b.id)
    ).one()
    return {
        "domain_id": b.domains[0].id,
        "session_id": session.id,
        "export_id": export.id,
        "certificate_id": certificate.id,
        "key_pair_id": key_pair.id,
    }


def _admin_rules(app):
    return rules_of(app, "admin", PUBLIC_ENDPOINTS)


def test_every_admin_route_is_covered(app, tenants):
    known = set(_ids_of(tenants[1]))
    for rule in _admin_rules(app):
        unknown = set(rule.arguments) - known
        assert not unknown, f"{rule.rule}: add an id of organization B for {unknown}"


def test_organization_a_cannot_read_or_change_organization_b(app, admin_client, tenants):
    a, b = tenants
    client = admin_client(*ALL_INTENTS, organization=a)
    b_domain = b.domains[0]
    b_connection = db.session.scalars(
        select(Connection).where(Connection.organization_id == b.id)
    ).one()
    secrets_of_b = [
        b.name,
        b_domain.domain,
        b_domain.verification_token,
        b_domain.id,
        b_connection.id,
        "bravo-secret-response",
        "bravo.secret_action",
        "Bravo Secret Actor",
        "bravo-secret-user",
        "Bravo secret group",
    ]
    events_before = db.session.scalars(select(Event.id)).all()
    for rule in _admin_rules(app):
        url = rule.build(_ids_of(b), append_unknown=False)[1]
        for method in methods_of(rule):
            response = client.open(url, method=method, headers={"HX-Request": "true"})
            body = response.get_data(as_text=True)
            if rule.arguments:
                assert response.status_code == 404, f"{method} {url}: {response.status_code}"
            assert not [s for s in secrets_of_b if s in body], f"{method} {url} leaks B"
            if rule.endpoint == "admin.sign_out":
                client = admin_client(*ALL_INTENTS, organization=a)
    db.session.expire_all()
    assert db.session.get(OrganizationDomain, b_domain.id).state == "pending"
    assert db.session.get(Connection, b_connection.id).state == "draft"
    b_directory = db.session.scalars(select(Directory).where(Directory.organization_id == b.id))
    assert b_directory.one().synced_group_ids is None
    assert db.session.scalars(select(Event.id)).all() == events_before
    assert [p.status for p in db.session.scalars(select(SpKeyPair))] == ["active"]
