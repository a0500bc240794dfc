from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.errors import TokenInvalid
from portal.extensions import db
from portal.models import PortalLink, PortalSession
from portal.models.columns import utcnow
from portal.services.infra import secret_tokens
from portal.services.onboarding import link_tokens
from tests.api.document import body_is_valid
from tests.magic_links import token_of


def test_generate_link_returns_a_launch_url_valid_for_five_minutes(api, org):
    response = api.post(
        "/portal/generate_link",
        json={
            "organization": org.id,
            "intent": "sso",
            "return_url": "https://app.example.com/settings",
            "success_url": "https://app.example.com/done",
            "external_user_id": "user_42",
            "intent_options": {"sso": {"provider_type": "OktaSAML"}},
        },
    )
    assert response.status_code == 201
    link = response.get_json()["link"]
    assert link.startswith("http://portal.test/admin/launch?token=")
    token = token_of(link)
    row = db.session.scalars(select(PortalLink)).one()
    assert row.token_hash == secret_tokens.digest(token)
    assert token not in (row.token_hash, row.id)
    assert link_tokens.read(token, max_age_seconds=300) == row.id
    assert timedelta(minutes=4) < row.expires_at - utcnow() <= timedelta(minutes=5)
    assert (row.kind, row.intents, row.external_user_id) == ("api", ["sso"], "user_42")
    assert row.intent_options == {"sso": {"provider_type": "OktaSAML"}}
    assert row.return_url == "https://app.example.com/settings"


def test_an_altered_token_is_refused_without_a_database_read(api, org):
    link = api.post("/portal/generate_link", json={"organization": org.id, "intent": "dsync"})
    token = token_of(link.get_json()["link"])
    with pytest.raises(TokenInvalid):
        link_tokens.read(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], 300)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"organization": "org_01M00000000000000000000000", "intent": "sso"},
            404,
            "entity_not_found",
        ),
        ({"organization": None, "intent": "sso"}, 422, "invalid_request_parameters"),
        ({"intent": "billing"}, 422, "invalid_request_parameters"),
        ({"intent": "sso", "return_url": "javascript:alert(1)"}, 422, "invalid_request_parameters"),
        (
            {"intent": "sso", "return_url": "http://app.example.com/"},
            422,
            "invalid_request_parameters",
        ),
        ({"intent": "sso", "success_url": "/relative"}, 422, "invalid_request_parameters"),
        (
            {"intent": "sso", "intent_options": {"sso": {"colour": "red"}}},
            422,
            "invalid_request_parameters",
        ),
        (
            {"intent": "sso", "it_contact_emails": ["it@acme.com"]},
            422,
            "invalid_request_parameters",
        ),
    ],
)
def test_bad_link_requests_get_a_clear_error(api, org, body, status, code):
    body = {"organization": org.id, **body} if "organization" not in body else body
    response = api.post("/portal/generate_link", json=body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == code
    assert response.get_json()["message"]
    assert db.session.scalars(select(PortalLink)).all() == []


def test_http_localhost_return_urls_are_fine_in_development(api, org):
    response = api.post(
        "/portal/generate_link",
        json={"organization": org.id, "intent": "sso", "return_url": "http://localhost:3000/x"},
    )
    assert response.status_code == 201


class TestInProduction:
    @pytest.fixture
    def app_config(self):
        return {
            "PORTAL_ENV": "production",
            "SECRET_KEY": "s" * 40,
            "PORTAL_PUBLIC_URL": "https://portal.example.com",
        }

    def test_http_return_urls_are_refused(self, api, org):
        response = api.post(
            "/portal/generate_link",
            json={"organization": org.id, "intent": "sso", "return_url": "http://localhost/x"},
        )
        assert response.status_code == 422
        assert "https" in response.get_json()["message"]


def test_revoke_link_ends_that_users_links_and_sessions_only(api, org):
    mine = api.post(
        "/portal/generate_link",
        json={"organization": org.id, "intent": "sso", "external_user_id": "alice"},
    )
    assert mine.status_code == 201
    api.post(
        "/portal/generate_link",
        json={"organization": org.id, "intent": "sso", "external_user_id": "bob"},
    )
    alice_link = db.session.scalars(
        select(PortalLink).where(PortalLink.external_user_id == "alice")
    ).one()
    db.session.add(
        PortalSession(
            organization_id=org.id,
            portal_link_id=alice_link.id,
            external_user_id="alice",
            token_hash="f" * 64,
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    db.session.commit()
    response = api.post(
        "/portal/revoke_link", json={"organization": org.id, "external_user_id": "alice"}
    )
    assert response.status_code == 204
    db.session.expire_all()
    revoked = {
        link.external_user_id: link.revoked_at is not None
        for link in db.session.scalars(select(PortalLink))
    }
    assert revoked == {"alice": True, "bob": False}
    assert db.session.scalars(select(PortalSession)).one().revoked_at is not None


def test_revoke_link_for_an_unknown_organization_is_404(api):
    response = api.post(
        "/portal/revoke_link", json={"organization": "org_nope", "external_user_id": "alice"}
    )
    assert response.status_code == 404


# Where the OpenAPI document and the server disagreed (tests/api/test_fuzz.py found them).


@pytest.mark.parametrize(("emails", "status"), [(["it@acme.com"], 422), ([], 201), (None, 201)])
def test_it_contact_emails_are_documented_as_unsupported(api, org, emails, status):
    body = {"organization": org.id, "intent": "sso", "it_contact_emails": emails}
    assert body_is_valid("post", "/portal/generate_link", body) == (status == 201)
    assert api.post("/portal/generate_link", json=body).status_code == status


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("http://[", 422),
        ("https://app.example.com/a b", 422),
        ("https://app.example.com:99999/", 422),
        ("https://app.example.com/back?to=%2Fhome#top", 201),
        ("http://localhost:3000/back", 201),
        ("", 201),
    ],
)
def test_return_urls_are_refused_or_accepted_as_the_document_says(api, org, url, status):
    body = {"organization": org.id, "intent": "sso", "return_url": url}
    assert body_is_valid("post", "/portal/generate_link", body) == (status == 201)
    assert api.post("/portal/generate_link", json=body).status_code == status
