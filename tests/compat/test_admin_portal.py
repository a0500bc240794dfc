"""Magic links through `workos.admin_portal`: generate_link and revoke_link."""

from datetime import timedelta

import pytest
from workos import NotFoundError, UnprocessableEntityError

from portal.extensions import db
from portal.models import PortalLink
from portal.services.onboarding import link_tokens
from tests.magic_links import token_of

INTENTS = [
    "sso",
    "dsync",
    "audit_logs",
    "log_streams",
    "domain_verification",
    "certificate_renewal",
]
UNKNOWN_ORG = "org_01HZZZZZZZZZZZZZZZZZZZZZZZ"


def stored_link(url: str) -> PortalLink:
    """The PortalLink row the link's token names."""
    return db.session.get(PortalLink, link_tokens.read(token_of(url), max_age_seconds=300))


@pytest.mark.parametrize("intent", INTENTS)
def test_generate_link_gives_a_launch_link_for_each_intent(workos, app, org, intent):
    link = workos.admin_portal.generate_link(organization=org.id, intent=intent).link

    prefix = app.config["PORTAL_PUBLIC_URL"] + "/admin/launch?token="
    assert link.startswith(prefix)
    assert len(link) > len(prefix)
    row = stored_link(link)
    assert row.organization_id == org.id
    assert row.intents == [intent]
    assert row.kind == "api"
    lifetime = row.expires_at - row.created_at
    assert timedelta(minutes=5) - timedelta(seconds=1) < lifetime <= timedelta(minutes=5)


def test_every_link_is_different(workos, org):
    links = {
        workos.admin_portal.generate_link(organization=org.id, intent="sso").link for _ in range(3)
    }

    assert len(links) == 3


def test_generate_link_keeps_redirects_and_the_external_user(workos, app, org):
    link = workos.admin_portal.generate_link(
        organization=org.id,
        intent="domain_verification",
        return_url="https://app.example.com/settings",
        success_url="https://app.example.com/done",
        external_user_id="user_123",
    ).link

    row = stored_link(link)
    assert row.return_url == "https://app.example.com/settings"
    assert row.success_url == "https://app.example.com/done"
    assert row.external_user_id == "user_123"


def test_generate_link_for_an_unknown_organization_is_not_found(workos):
    with pytest.raises(NotFoundError) as caught:
        workos.admin_portal.generate_link(organization=UNKNOWN_ORG, intent="sso")

    assert caught.value.code == "entity_not_found"


# bring_your_own_key is in the SDK's list, but this portal has nothing to configure for it.
@pytest.mark.parametrize("intent", ["not_an_intent", "bring_your_own_key", ""])
def test_generate_link_refuses_an_intent_it_does_not_offer(workos, org, intent):
    with pytest.raises(UnprocessableEntityError) as caught:
        workos.admin_portal.generate_link(organization=org.id, intent=intent)

    assert caught.value.code == "invalid_request_parameters"
    assert caught.value.errors[0]["field"] == "intent"


@pytest.mark.parametrize("field", ["return_url", "success_url"])
@pytest.mark.parametrize(
    "url", ["http://app.example.com/back", "javascript:alert(1)", "/relative/path"]
)
def test_generate_link_refuses_redirects_that_are_not_https(workos, org, field, url):
    with pytest.raises(UnprocessableEntityError) as caught:
        workos.admin_portal.generate_link(organization=org.id, intent="sso", **{field: url})

    assert caught.value.code == "invalid_request_parameters"
    assert caught.value.errors[0]["field"] == field


def test_generate_link_accepts_http_localhost_in_development(workos, app, org):
    assert app.config["PORTAL_ENV"] == "development"

    link = workos.admin_portal.generate_link(
        organization=org.id,
        intent="sso",
        return_url="http://localhost:3000/back",
        success_url="http://127.0.0.1:3000/done",
    ).link

    assert stored_link(link).return_url == "http://localhost:3000/back"


def test_generate_link_refuses_it_contact_emails_rather_than_ignoring_them(workos, org):
    with pytest.raises(UnprocessableEntityError) as caught:
        workos.admin_portal.generate_link(
            organization=org.id, intent="sso", it_contact_emails=["it@acme.com"]
        )

    assert caught.value.errors[0]["field"] == "it_contact_emails"


def test_revoke_link_revokes_every_link_of_that_user_only(workos, app, org):
    other_org = workos.organizations.create_organization(name="Other")
    mine = [
        workos.admin_portal.generate_link(
            organization=org.id, intent=intent, external_user_id="user_1"
        ).link
        for intent in ("sso", "dsync")
    ]
    kept = [
        workos.admin_portal.generate_link(
            organization=org.id, intent="sso", external_user_id="user_2"
        ).link,
        workos.admin_portal.generate_link(organization=org.id, intent="sso").link,
        workos.admin_portal.generate_link(
            organization=other_org.id, intent="sso", external_user_id="user_1"
        ).link,
    ]

    assert workos.admin_portal.revoke_link(organization=org.id, external_user_id="user_1") is None

    assert all(stored_link(link).revoked_at is not None for link in mine)
    assert all(stored_link(link).revoked_at is None for link in kept)


def test_revoke_link_with_no_links_is_fine(workos, org):
    assert workos.admin_portal.revoke_link(organization=org.id, external_user_id="nobody") is None


def test_revoke_link_for_an_unknown_organization_is_not_found(workos):
    with pytest.raises(NotFoundError) as caught:
        workos.admin_portal.revoke_link(organization=UNKNOWN_ORG, external_user_id="user_1")

    assert caught.value.code == "entity_not_found"
