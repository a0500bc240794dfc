"""Input the API refuses before any service sees it. NUL characters used to reach PostgreSQL,
which cannot hold or compare them, and answered 500 (found by tests/api/test_fuzz.py)."""

import pytest

from tests.factories import make_organization


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/organizations", {"name": "Ac\u0000me"}, "name"),
        (
            "/organizations",
            {"name": "A", "domain_data": [{"domain": "a\u0000.com"}]},
            "domain_data.0.domain",
        ),
        ("/organizations", {"name": "A", "metadata": {"k\u0000": "v"}}, "metadata.k\u0000"),
        (
            "/organization_domains",
            {"organization_id": "org_\u0000", "domain": "a.com"},
            "organization_id",
        ),
        ("/portal/generate_link", {"organization": "org_\u0000", "intent": "sso"}, "organization"),
        (
            "/portal/revoke_link",
            {"organization": "o", "external_user_id": "\u0000"},
            "external_user_id",
        ),
    ],
)
def test_nul_in_a_body_is_a_422_naming_the_field(api, path, body, field):
    response = api.post(path, json=body)
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["field"] == field
    assert "NUL" in error["message"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/organizations?search=%00", "search"),
        ("/organizations?after=org_%00", "after"),
        ("/organizations?before=org_%00", "before"),
        ("/organizations?domains=a%00.com", "domains"),
        ("/events?organization_id=org_%00", "organization_id"),
    ],
)
def test_nul_in_a_query_is_a_422_naming_the_parameter(api, query, field):
    response = api.get(query)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    "path",
    [
        "/organizations/org_%00",
        "/organizations/external_id/acme%00",
        "/organization_domains/org_domain_%00",
        "/organization_domains/org_domain_%00/verify",
    ],
)
def test_nul_in_a_path_names_no_object(api, path):
    make_organization("Acme", external_id="acme")
    method = "POST" if path.endswith("/verify") else "GET"
    response = api.open(path, method=method)
    assert response.status_code == 404
    assert response.get_json()["code"] == "entity_not_found"
