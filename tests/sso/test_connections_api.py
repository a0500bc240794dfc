"""The connections API: configuration states, certificates, events, plain-words errors."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event
from tests.api.document import body_is_valid
from tests.factories import make_organization
from tests.peers.saml_idp import make_key_pair


@pytest.fixture
def pem(tmp_path):
    return make_key_pair(tmp_path, "idp")[2]


def test_a_connection_without_idp_details_is_a_draft_until_they_arrive(api, org, pem):
    created = api.post("/connections", json={"organization_id": org.id, "name": "Acme SSO"})
    assert created.status_code == 201
    body = created.get_json()
    assert (body["state"], body["connection_type"], body["status"]) == (
        "draft",
        "GenericSAML",
        "unlinked",
    )
    updated = api.patch(
        f"/connections/{body['id']}",
        json={
            "saml_options": {
                "idp_entity_id": "https://idp.test",
                "idp_sso_url": "https://idp.test/sso",
                "idp_signing_certs": [pem],
            }
        },
    )
    assert updated.get_json()["state"] == "validating"
    certificates = api.get(f"/connections/{body['id']}/saml_idp_signing_certs").get_json()
    assert [c["not_after"] is not None for c in certificates["data"]] == [True]


def test_a_bad_certificate_is_explained(api, org):
    response = api.post(
        "/connections",
        json={"organization_id": org.id, "saml_options": {"idp_signing_certs": ["hello"]}},
    )
    assert response.status_code == 422
    assert "-----BEGIN CERTIFICATE-----" in response.get_json()["message"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"saml_options": {"idp_metadata_url": "notaurl"}}, "saml_options.idp_metadata_url"),
        ({"saml_options": {"idp_sso_url": "ftp://idp.test/sso"}}, "saml_options.idp_sso_url"),
        (
            {"connection_type": "GenericOIDC", "oidc_options": {"discovery_endpoint": "idp"}},
            "oidc_options.discovery_endpoint",
        ),
    ],
)
def test_a_url_that_cannot_be_reached_is_refused_and_nothing_is_created(api, org, options, field):
    response = api.post("/connections", json={"organization_id": org.id, **options})
    assert response.status_code == 422
    assert response.get_json()["message"].startswith(field)
    assert api.get(f"/connections?organization_id={org.id}").get_json()["data"] == []


def test_the_type_cannot_change_and_must_match_the_options(api, org):
    created = api.post("/connections", json={"organization_id": org.id}).get_json()
    response = api.patch(f"/connections/{created['id']}", json={"connection_type": "OktaSAML"})
    assert response.status_code == 409
    mismatch = api.post(
        "/connections",
        json={
            "organization_id": org.id,
            "connection_type": "OktaSAML",
            "oidc_options": {"client_id": "x"},
        },
    )
    assert mismatch.status_code == 422


def test_same_external_id_returns_the_existing_connection(api, org):
    body = {"organization_id": org.id, "external_id": "acme-okta"}
    first = api.post("/connections", json=body).get_json()
    second = api.post("/connections", json=body).get_json()
    assert first["id"] == second["id"]


def test_deleting_emits_connection_deleted(api, org):
    created = api.post("/connections", json={"organization_id": org.id}).get_json()
    assert api.delete(f"/connections/{created['id']}").status_code == 204
    deleted = db.session.scalars(select(Event).where(Event.event == "connection.deleted")).one()
    assert deleted.data["id"] == created["id"]
    assert api.get(f"/connections/{created['id']}").status_code == 404


def test_list_filters_by_organization_type_and_domain(api, org):
    other = make_organization("Other", domains=["other.test"])
    mine = api.post("/connections", json={"organization_id": org.id}).get_json()
    api.post("/connections", json={"organization_id": other.id, "connection_type": "GenericOIDC"})
    by_org = api.get(f"/connections?organization_id={org.id}").get_json()["data"]
    assert [c["id"] for c in by_org] == [mine["id"]]
    by_domain = api.get("/connections?domain=acme.test").get_json()["data"]
    assert [c["id"] for c in by_domain] == [mine["id"]]
    by_type = api.get("/connections?connection_type=GenericOIDC").get_json()["data"]
    assert [c["organization_id"] for c in by_type] == [other.id]


# Where the OpenAPI document and the server disagreed (tests/api/test_fuzz.py found them).


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"connection_type": "connection_not_found"}, 422),
        ({"connection_type": "OktaSAML", "oidc_options": {"client_id": "x"}}, 422),
        ({"connection_type": "OktaOIDC", "saml_options": {"idp_entity_id": "x"}}, 422),
        ({"saml_options": {"idp_entity_id": "x"}, "oidc_options": {"client_id": "x"}}, 422),
        ({"saml_options": {"idp_sso_url": "https://idp.test/a b"}}, 422),
        ({"oidc_options": {"client_id": "x"}}, 201),
        ({"connection_type": "OktaSAML", "oidc_options": {"client_id": None}}, 201),
        ({"connection_type": "GenericSAML", "saml_options": {"idp_sso_url": ""}}, 201),
    ],
)
def test_the_document_says_which_types_and_options_go_together(api, org, fields, status):
    body = {"organization_id": org.id, **fields}
    assert body_is_valid("post", "/connections", body) == (status == 201)
    assert api.post("/connections", json=body).status_code == status
