"""The one by-id lookup: a row is found only by its owner; a foreign, empty or NUL id is not
found, with the answer an unknown id gets."""

import pytest

from portal.errors import NotFound
from portal.models import Organization, OrganizationDomain
from portal.services.infra import tenancy
from portal.services.organizations import organization_domains
from tests.factories import make_organization


@pytest.fixture
def domain(app):
    org = make_organization("Alpha", domains=["alpha.test"])
    make_organization("Bravo")
    return organization_domains.domains_of(org.id)[0]


def _refusal(lookup) -> NotFound:
    with pytest.raises(NotFound) as refused:
        lookup()
    return refused.value


def test_the_owner_finds_its_row(domain):
    assert tenancy.owned(OrganizationDomain, domain.id, domain.organization_id) is domain


def test_another_owner_gets_what_an_unknown_id_gets(domain):
    other = make_organization("Charlie")
    foreign = _refusal(lambda: tenancy.owned(OrganizationDomain, domain.id, other.id))
    unknown = _refusal(lambda: tenancy.owned(OrganizationDomain, "org_domain_x", other.id))
    assert foreign.message == f"Organization domain not found: '{domain.id}'."
    assert foreign.details == {"entity_id": domain.id}
    assert (unknown.status, unknown.code) == (foreign.status, foreign.code)


@pytest.mark.parametrize("object_id", ["", None, "org_domain_\x00", "\x00"])
def test_an_empty_or_nul_id_is_not_found(domain, object_id):
    # Refused before the database: PostgreSQL cannot even compare text holding NUL.
    _refusal(lambda: tenancy.owned(OrganizationDomain, object_id, domain.organization_id))
    _refusal(lambda: tenancy.unscoped(OrganizationDomain, object_id))


def test_callers_may_name_the_owner_column_and_word_the_refusal(domain):
    assert tenancy.owned(Organization, domain.organization_id, domain.organization_id, owner="id")
    refused = _refusal(
        lambda: tenancy.owned(
            OrganizationDomain, domain.id, "org_other", message="That domain does not exist."
        )
    )
    assert (refused.message, refused.details) == ("That domain does not exist.", {})
    named = _refusal(lambda: tenancy.unscoped(Organization, "org_x", noun="Customer"))
    assert named.message == "Customer not found: 'org_x'."


def test_unscoped_finds_any_organizations_row(domain):
    assert tenancy.unscoped(OrganizationDomain, domain.id) is domain
