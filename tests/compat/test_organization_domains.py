"""Organization domains through `workos.organization_domains`: create, get, verify, delete."""

import pytest
from workos import BadRequestError, ConflictError, NotFoundError, UnprocessableEntityError
from workos.organizations import OrganizationDomainData

from tests.factories import org_with

POLL_JOB = "tasks.domains.poll"
# For tests that count the organization's domains: it starts with none.
WITHOUT_DOMAINS = org_with(domains=[])


@WITHOUT_DOMAINS
def test_create_claims_a_pending_domain_to_verify_by_dns(workos, org):
    domain = workos.organization_domains.create_organization_domain(
        domain="Acme.COM.", organization_id=org.id
    )

    assert domain.id.startswith("org_domain_")
    assert domain.organization_id == org.id
    assert domain.domain == "acme.com"
    assert domain.state == "pending"
    assert domain.verification_strategy == "dns"
    assert domain.verification_prefix
    assert domain.verification_token
    assert [d.id for d in workos.organizations.get_organization(org.id).domains] == [domain.id]


def test_get_returns_what_create_returned(workos, org):
    domain = workos.organization_domains.create_organization_domain(
        domain="acme.com", organization_id=org.id
    )

    assert workos.organization_domains.get_organization_domain(domain.id) == domain


def test_verify_keeps_a_pending_domain_pending_and_schedules_a_dns_check(workos, org, check_jobs):
    domain = workos.organization_domains.create_organization_domain(
        domain="acme.com", organization_id=org.id
    )

    verified = workos.organization_domains.verify_organization_domain(domain.id)

    assert verified.id == domain.id
    assert verified.state == "pending"
    assert verified.verification_token == domain.verification_token
    jobs = check_jobs(domain.id)
    # Create and verify each queue the domain's check; one job id per domain keeps one.
    assert [(job.func_name, job.id) for job in jobs] == [(POLL_JOB, f"domain-poll-{domain.id}")]


def test_verify_of_a_verified_domain_is_a_bad_request(workos):
    org = workos.organizations.create_organization(
        name="Acme", domain_data=[OrganizationDomainData(domain="acme.com", state="verified")]
    )

    with pytest.raises(BadRequestError) as caught:
        workos.organization_domains.verify_organization_domain(org.domains[0].id)

    assert caught.value.code == "domain_already_verified"
    assert "acme.com" in caught.value.message


@WITHOUT_DOMAINS
def test_a_domain_cannot_be_claimed_twice_by_one_organization(workos, org):
    workos.organization_domains.create_organization_domain(
        domain="acme.com", organization_id=org.id
    )

    with pytest.raises(ConflictError) as caught:
        workos.organization_domains.create_organization_domain(
            domain="ACME.com", organization_id=org.id
        )

    assert caught.value.code == "domain_already_exists"
    assert len(workos.organizations.get_organization(org.id).domains) == 1


def test_a_domain_verified_by_one_organization_cannot_be_claimed_by_another(workos, org):
    workos.organizations.create_organization(
        name="Owner", domain_data=[OrganizationDomainData(domain="acme.com", state="verified")]
    )

    with pytest.raises(ConflictError) as caught:
        workos.organization_domains.create_organization_domain(
            domain="acme.com", organization_id=org.id
        )

    assert caught.value.code == "domain_already_exists"


def test_a_pending_domain_can_be_claimed_by_two_organizations(workos, org):
    other = workos.organizations.create_organization(name="Other")

    first = workos.organization_domains.create_organization_domain(
        domain="acme.com", organization_id=org.id
    )
    second = workos.organization_domains.create_organization_domain(
        domain="acme.com", organization_id=other.id
    )

    assert first.id != second.id
    assert first.verification_token != second.verification_token


@WITHOUT_DOMAINS
def test_delete_then_get_is_not_found(workos, org):
    domain = workos.organization_domains.create_organization_domain(
        domain="acme.com", organization_id=org.id
    )

    assert workos.organization_domains.delete_organization_domain(domain.id) is None

    with pytest.raises(NotFoundError) as caught:
        workos.organization_domains.get_organization_domain(domain.id)
    assert caught.value.code == "entity_not_found"
    assert workos.organizations.get_organization(org.id).domains == []
    with pytest.raises(NotFoundError):
        workos.organization_domains.delete_organization_domain(domain.id)
    with pytest.raises(NotFoundError):
        workos.organization_domains.verify_organization_domain(domain.id)


def test_a_domain_for_an_unknown_organization_is_not_found(workos):
    with pytest.raises(NotFoundError) as caught:
        workos.organization_domains.create_organization_domain(
            domain="acme.com", organization_id="org_01HZZZZZZZZZZZZZZZZZZZZZZZ"
        )

    assert caught.value.code == "entity_not_found"


@pytest.mark.parametrize("name", ["not a domain", "https://acme.com", "localhost", "a@b.com"])
def test_a_malformed_domain_is_refused(workos, org, name):
    with pytest.raises(UnprocessableEntityError) as caught:
        workos.organization_domains.create_organization_domain(domain=name, organization_id=org.id)

    assert caught.value.code == "invalid_request_parameters"
    assert caught.value.errors[0]["field"] == "domain"
