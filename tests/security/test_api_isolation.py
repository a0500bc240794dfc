"""Through the REST API, a parent of organization A never reaches a child of organization B.

An API key sees the whole environment, as in WorkOS, so a single object named by its id is
answered whoever owns it. Isolation in the API is where two ids meet: a parent named in the
path or a filter, and a child named beside it. Every API rule is classified below, so a new
route fails `test_every_api_route_is_classified` until someone says which kind it is.
"""

import pytest

from portal.extensions import db
from portal.models import Connection, IdpCertificate, PortalLink, SpKeyPair
from portal.services.audit import audit_log_exports
from portal.services.directory import directory_groups, directory_users
from portal.services.sso import connections
from portal.services.sso.connections import ConnectionSettings
from tests.factories import (
    make_directory,
    make_organization,
    make_portal_link,
    make_sp_key_pair,
)
from tests.peers.saml_idp import make_key_pair
from tests.scim.scim_client import GROUP_SCHEMA, user_body
from tests.url_map import rules_of

ENVIRONMENT_WIDE = "one object by its id, or a list: the key sees every organization"

# Rules where a parent and a child meet, and the test (here unless named) that crosses them.
CROSSINGS = {
    "api.delete_connection_saml_idp_signing_cert": "test_a_foreign_certificate_is_not_dropped",
    "api.list_directory_users": "test_another_directorys_group_lists_nobody",
    "api.list_directory_groups": "test_another_directorys_user_lists_no_group",
    "api.download_audit_log_export": "test_an_exports_download_token_opens_no_other_export",
    "api.revoke_link": "test_revoking_a_user_in_one_organization_leaves_the_same_user_id_elsewhere",
    "api.list_connection_saml_idp_signing_certs": "test_a_connection_lists_its_own_certificates",
    "api.delete_connection_saml_sp_signing_cert": "test_a_foreign_sp_certificate_is_not_dropped",
    "api.delete_connection_saml_sp_encryption_cert": "test_a_foreign_sp_certificate_is_not_dropped",
    "api.list_connection_saml_sp_signing_cert": "test_a_connection_shows_its_sp_certificates",
    "api.list_connection_saml_sp_encryption_certs": "test_a_connection_shows_its_sp_certificates",
    "api.create_connection": "test_an_external_id_of_bs_connection_makes_a_new_one_for_a",
    "api.list_events": "test_lists_filtered_by_organization_hold_only_that_organization",
    "api.list_connections": "test_lists_filtered_by_organization_hold_only_that_organization",
    "api.list_directories": "test_lists_filtered_by_organization_hold_only_that_organization",
    "api.create_audit_log_export": "tests/api/test_audit_logs.py::"
    "test_an_export_holds_only_its_organization_and_what_the_filters_ask",
    "api.create_organization": "tests/api/test_domain_claims.py (domains held elsewhere)",
    "api.update_organization": "tests/api/test_domain_claims.py (domains held elsewhere)",
    "api.create_organization_domain": "tests/api/test_domain_claims.py (domains held elsewhere)",
    "api.verify_organization_domain": "tests/api/test_domain_ownership.py::"
    "test_restarting_a_domain_another_organization_verified_is_refused",
}

SINGLE_PARENT = {
    endpoint: ENVIRONMENT_WIDE
    for endpoint in (
        "api.list_audit_log_actions",
        "api.list_audit_log_schemas",
        "api.create_audit_log_schema",
        "api.create_audit_log_event",
        "api.get_audit_log_export",
        "api.get_connection",
        "api.update_connection",
        "api.delete_connection",
        "api.create_connection_saml_idp_signing_cert",
        "api.create_connection_saml_sp_signing_cert",
        "api.create_connection_saml_sp_encryption_cert",
        "api.get_directory",
        "api.delete_directory",
        "api.get_directory_group",
        "api.get_directory_user",
        "api.get_organization_domain",
        "api.delete_organization_domain",
        "api.list_organizations",
        "api.get_organization",
        "api.delete_organization",
        "api.get_organization_by_external_id",
        "api.get_audit_log_configuration",
        "api.get_audit_logs_retention",
        "api.update_audit_logs_retention",
        "api.generate_link",
        "api.list_webhook_endpoints",
        "api.create_webhook_endpoint",
        "api.get_webhook_endpoint",
        "api.update_webhook_endpoint",
        "api.delete_webhook_endpoint",
    )
} | {
    "api.healthz": "public: names no object",
    "api.openapi": "public: names no object",
}


class Tenant:
    """An organization with a connection and its certificate, a directory with a user in a
    group, and an IT admin's link for the user id `shared-user`."""

    def __init__(self, name: str, tmp_path):
        slug = name.lower()
        self.org = make_organization(f"{name} Org", domains=[(f"{slug}.test", "verified")])
        self.connection = connections.create_connection(
            self.org.id, ConnectionSettings(connection_type="OktaSAML", name=f"{name} SSO")
        )
        self.certificate = connections.add_certificate(
            self.connection, make_key_pair(tmp_path, slug)[2]
        )
        db.session.commit()
        self.directory, _ = make_directory(self.org)
        self.user = directory_users.create_user(self.directory, user_body(f"ann@{slug}.test"))
        group = {"schemas": [GROUP_SCHEMA], "displayName": f"{name} staff"}
        self.group = directory_groups.create_group(
            self.directory, {**group, "members": [{"value": self.user.id}]}
        )
        self.link, _ = make_portal_link(self.org, ["sso"], external_user_id="shared-user")


@pytest.fixture
def a(app, tmp_path):
    return Tenant("Alpha", tmp_path)


@pytest.fixture
def b(app, tmp_path, a):
    return Tenant("Bravo", tmp_path)


def test_every_api_route_is_classified(app):
    api_rules = {rule.endpoint for rule in rules_of(app, "api")}
    classified = CROSSINGS.keys() | SINGLE_PARENT.keys()
    assert not CROSSINGS.keys() & SINGLE_PARENT.keys()
    assert api_rules - classified == set(), "classify these API routes in this file"
    assert classified - api_rules == set(), "these routes are gone: drop them here"


def test_every_crossing_names_a_test_that_exists(project_root):
    for named in CROSSINGS.values():
        path, _, test = named.partition("::")
        if not path.startswith("tests/"):
            assert named in globals(), f"{named}: no such test here"
            continue
        source = (project_root / path.split(" ")[0]).read_text()
        assert not test or f"def {test}(" in source, f"{named}: no such test"


def test_a_foreign_certificate_is_not_dropped(api, a, b):
    url = f"/connections/{a.connection.id}/saml_idp_signing_certs/{b.certificate.id}"
    response = api.delete(url)
    assert response.status_code == 404
    assert response.get_json()["code"] == "entity_not_found"
    db.session.expire_all()
    assert db.session.get(IdpCertificate, b.certificate.id) is not None


def test_another_directorys_group_lists_nobody(api, a, b):
    response = api.get(f"/directory_users?directory={a.directory.id}&group={b.group.id}")
    assert response.status_code == 200
    assert response.get_json()["data"] == []
    own = api.get(f"/directory_users?directory={b.directory.id}&group={b.group.id}")
    assert [user["id"] for user in own.get_json()["data"]] == [b.user.id]


def test_another_directorys_user_lists_no_group(api, a, b):
    response = api.get(f"/directory_groups?directory={a.directory.id}&user={b.user.id}")
    assert response.status_code == 200
    assert response.get_json()["data"] == []
    own = api.get(f"/directory_groups?directory={b.directory.id}&user={b.user.id}")
    assert [group["id"] for group in own.get_json()["data"]] == [b.group.id]


def _ready_export_url(api, org) -> str:
    body = {"organization_id": org.id, "range_start": "2026-01-01T00:00:00Z"}
    body["range_end"] = "2030-01-01T00:00:00Z"
    export = api.post("/audit_logs/exports", json=body).get_json()
    audit_log_exports.build_export(export["id"])
    return api.get(f"/audit_logs/exports/{export['id']}").get_json()["url"]


def test_an_exports_download_token_opens_no_other_export(api, client, a, b):
    a_url, b_url = _ready_export_url(api, a.org), _ready_export_url(api, b.org)
    a_token = a_url.split("token=")[1]
    b_export_id = b_url.split("/audit_logs/exports/")[1].split("/")[0]
    response = client.get(f"/audit_logs/exports/{b_export_id}/download?token={a_token}")
    assert response.status_code == 403
    assert response.get_json()["code"] == "export_link_invalid"


def test_revoking_a_user_in_one_organization_leaves_the_same_user_id_elsewhere(api, a, b):
    body = {"organization": b.org.id, "external_user_id": "shared-user"}
    assert api.post("/portal/revoke_link", json=body).status_code == 204
    db.session.expire_all()
    assert db.session.get(PortalLink, b.link.id).revoked_at is not None
    assert db.session.get(PortalLink, a.link.id).revoked_at is None


def test_lists_filtered_by_organization_hold_only_that_organization(api, a, b):
    for path in ("/events", "/connections", "/directories"):
        response = api.get(f"{path}?organization_id={a.org.id}&limit=100")
        items = response.get_json()["data"]
        assert items, f"{path}: the test needs something of A to list"
        body = response.get_data(as_text=True)
        for secret in (b.org.id, b.connection.id, b.directory.id):
            assert secret not in body, f"{path} lists B"


def test_a_connection_lists_its_own_certificates(api, a, b):
    listed = api.get(f"/connections/{a.connection.id}/saml_idp_signing_certs").get_json()
    assert [c["id"] for c in listed["data"]] == [a.certificate.id]


@pytest.mark.parametrize("use", ["signing", "encryption"])
def test_a_foreign_sp_certificate_is_not_dropped(api, a, b, use):
    theirs = make_sp_key_pair(b.connection, use)
    make_sp_key_pair(a.connection, use)
    path = "saml_sp_signing_cert" if use == "signing" else "saml_sp_encryption_certs"
    response = api.delete(f"/connections/{a.connection.id}/{path}/{theirs.id}")
    assert response.status_code == 404
    assert response.get_json()["code"] == "entity_not_found"
    db.session.expire_all()
    assert db.session.get(SpKeyPair, theirs.id) is not None


def test_a_connection_shows_its_sp_certificates(api, a, b):
    ours = make_sp_key_pair(a.connection, "signing")
    mine = make_sp_key_pair(a.connection, "encryption")
    make_sp_key_pair(b.connection, "signing", status="next")
    make_sp_key_pair(b.connection, "encryption", status="next")
    signing = api.get(f"/connections/{a.connection.id}/saml_sp_signing_cert").get_json()
    assert signing["id"] == ours.id
    listed = api.get(f"/connections/{a.connection.id}/saml_sp_encryption_certs").get_json()
    assert [c["id"] for c in listed["data"]] == [mine.id]


def test_an_external_id_of_bs_connection_makes_a_new_one_for_a(api, a, b):
    named = api.patch(f"/connections/{b.connection.id}", json={"external_id": "shared-okta"})
    assert named.status_code == 200
    db.session.expire_all()
    assert db.session.get(Connection, b.connection.id).external_id == "shared-okta"
    body = {"organization_id": a.org.id, "external_id": "shared-okta"}
    created = api.post("/connections", json=body)
    assert created.status_code == 201
    assert created.get_json()["id"] != b.connection.id
    assert created.get_json()["organization_id"] == a.org.id
