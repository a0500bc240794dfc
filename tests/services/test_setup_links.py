from datetime import timedelta

import pytest

from portal.errors import Conflict, InvalidInput, NotFound
from portal.models.columns import utcnow
from portal.services.onboarding import portal_access, portal_links
from portal.services.organizations import organization_domains
from tests.factories import make_organization


def test_a_setup_link_lasts_thirty_days_for_the_chosen_features(org):
    link, url = portal_links.create_setup_link(org.id, ["domain_verification", "sso"])
    assert link.kind == "setup"
    assert link.intents == ["sso", "domain_verification"]
    assert timedelta(days=29, hours=23) < link.expires_at - utcnow() <= timedelta(days=30)
    assert "/admin/launch?token=" in url


def test_only_one_setup_link_may_be_active(org):
    portal_links.create_setup_link(org.id, ["sso"])
    with pytest.raises(Conflict, match="already has an active setup link") as refused:
        portal_links.create_setup_link(org.id, ["dsync"])
    assert "Revoke it" in refused.value.message


def test_revoking_frees_the_slot_and_ends_its_sessions(org):
    _, url = portal_links.create_setup_link(org.id, ["domain_verification"])
    token = url.split("token=")[1]
    session = portal_access.redeem(token, None).session
    portal_links.revoke_setup_link(org.id)
    assert portal_access.session_for_cookie(None) is None
    assert session.revoked_at is not None
    portal_links.create_setup_link(org.id, ["domain_verification"])
    with pytest.raises(NotFound):
        portal_links.revoke_setup_link(make_organization("Other").id)


def test_setup_links_refuse_unknown_features(org):
    with pytest.raises(InvalidInput, match="Choose one or more"):
        portal_links.create_setup_link(org.id, ["billing"])
    with pytest.raises(InvalidInput):
        portal_links.create_setup_link(org.id, [])


def test_a_setup_link_ends_when_every_chosen_feature_is_configured(org):
    link, _ = portal_links.create_setup_link(org.id, ["domain_verification"])
    organization_domains.mark_verified(org.domains[0], strategy="manual")
    assert link.revoked_at is not None
    assert portal_links.active_setup_link(org.id) is None


def test_a_setup_link_stays_while_a_chosen_feature_is_unconfigured(org):
    link, _ = portal_links.create_setup_link(org.id, ["domain_verification", "sso"])
    organization_domains.mark_verified(org.domains[0], strategy="manual")
    assert link.revoked_at is None
