"""Domain verification against a real DNS server on loopback."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event
from portal.models.columns import utcnow
from portal.services.infra.queue import job_queue
from portal.services.organizations import domain_verification, organization_domains
from tests.factories import make_api_key, make_organization


@pytest.fixture
def app_config(dns_server):
    return {"PORTAL_DNS_RESOLVERS": [dns_server.address]}


@pytest.fixture
def domain(app):
    org = make_organization("Acme", domains=["acme.test"])
    return org.domains[0]


def _txt(domain, *strings) -> str:
    quoted = " ".join(f'"{s}"' for s in strings)
    return f"{domain.verification_prefix}.{domain.domain}. 60 IN TXT {quoted}"


def test_the_matching_record_verifies_the_domain(dns_server, domain):
    dns_server.serve([_txt(domain, "unrelated"), _txt(domain, domain.verification_token)])
    result = domain_verification.check_domain(domain.id)
    assert result.verified
    db.session.refresh(domain)
    assert domain.state == "verified"
    assert domain.verification_strategy == "dns"
    assert "organization_domain.verified" in db.session.scalars(select(Event.event)).all()


def test_a_token_split_over_several_strings_still_matches(dns_server, domain):
    token = domain.verification_token
    dns_server.serve([_txt(domain, token[:10], token[10:])])
    assert domain_verification.check_domain(domain.id).verified


def test_a_wrong_value_says_what_was_seen(dns_server, domain):
    dns_server.serve([_txt(domain, "v=spf1 -all"), _txt(domain, "old-token")])
    result = domain_verification.check_domain(domain.id)
    assert not result.verified
    assert sorted(result.seen) == ["old-token", "v=spf1 -all"]
    assert "Found 2 TXT record(s)" in result.explanation
    db.session.refresh(domain)
    assert domain.state == "pending"


def test_a_missing_record_is_explained(dns_server, domain):
    dns_server.serve(['other.acme.test. 60 IN TXT "x"'])
    result = domain_verification.check_domain(domain.id)
    assert not result.verified
    assert result.explanation == (
        f"No DNS record exists at {domain.verification_prefix}.acme.test yet."
    )


def test_verify_endpoint_runs_the_dns_check_as_a_job(client, dns_server, domain):
    dns_server.serve([_txt(domain, domain.verification_token)])
    headers = {"Authorization": f"Bearer {make_api_key()}"}
    response = client.post(f"/organization_domains/{domain.id}/verify", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["state"] == "pending"
    assert job_queue().run_due_jobs() == 1
    after = client.get(f"/organization_domains/{domain.id}", headers=headers).get_json()
    assert after["state"] == "verified"
    again = client.post(f"/organization_domains/{domain.id}/verify", headers=headers)
    assert again.status_code == 400
    assert again.get_json()["code"] == "domain_already_verified"


def test_verifying_fails_the_other_organizations_pending_claims(dns_server, domain):
    rival = make_organization("Rival", domains=["acme.test"]).domains[0]
    dns_server.serve([_txt(domain, domain.verification_token)])
    domain_verification.check_domain(domain.id)
    db.session.refresh(rival)
    assert rival.state == "failed"
    assert rival.failure_reason == "domain_verified_by_other_organization"
    failed = db.session.scalars(
        select(Event).where(Event.event == "organization_domain.verification_failed")
    ).one()
    assert failed.data["organization_domain"]["id"] == rival.id
    assert organization_domains.get_domain(rival.id).state == "failed"


@pytest.mark.parametrize("check", ["check now", "the last poll of its 7 days"])
def test_a_check_that_loses_the_race_fails_quietly_without_naming_the_winner(
    app, dns_server, domain, check
):
    # Two workers check two claims on one domain at once: this check read its claim as
    # pending just before the other organization's check verified the domain.
    rival = make_organization("Rival", domains=["acme.test"]).domains[0]
    dns_server.serve(
        [_txt(domain, domain.verification_token), _txt(rival, rival.verification_token)]
    )
    domain.verification_started_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert domain.state == "pending"
    with app.app_context():  # the other worker, with a session of its own
        assert domain_verification.check_domain(rival.id).verified
    if check == "check now":
        result = domain_verification.check_domain(domain.id)
        assert not result.verified
        assert "Rival" not in result.explanation
        assert result.explanation.endswith("but this domain can't be verified here.")
    else:
        assert domain_verification.poll(domain.id) == "stopped"
    db.session.expire_all()
    lost = ("failed", "domain_verified_by_other_organization")
    assert (domain.state, domain.failure_reason) == lost
    assert organization_domains.get_domain(rival.id).state == "verified"
