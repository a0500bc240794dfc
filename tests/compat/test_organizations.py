"""Organizations through `workos.organizations`: create, get, update, delete, list."""

from datetime import UTC

import pytest
from workos import ConflictError, NotFoundError, UnprocessableEntityError
from workos.organizations import OrganizationDomainData


def claim(domain: str, state: str = "pending") -> OrganizationDomainData:
    return OrganizationDomainData(domain=domain, state=state)


def domain_states(org) -> dict[str, str]:
    return {d.domain: d.state for d in org.domains}


def test_create_returns_the_organization_with_its_domains_metadata_and_external_id(workos):
    org = workos.organizations.create_organization(
        name="Acme Corp",
        domain_data=[claim("acme.com"), claim("acme.org", "verified")],
        metadata={"tier": "diamond", "region": "eu"},
        external_id="crm-42",
    )

    assert org.id.startswith("org_")
    assert org.name == "Acme Corp"
    assert org.metadata == {"tier": "diamond", "region": "eu"}
    assert org.external_id == "crm-42"
    assert org.created_at.tzinfo == UTC
    assert org.updated_at >= org.created_at
    assert domain_states(org) == {"acme.com": "pending", "acme.org": "verified"}
    for domain in org.domains:
        assert domain.id.startswith("org_domain_")
        assert domain.organization_id == org.id
    pending = next(d for d in org.domains if d.domain == "acme.com")
    assert pending.verification_strategy == "dns"
    assert pending.verification_token
    assert pending.verification_prefix


def test_get_returns_what_create_returned(workos):
    created = workos.organizations.create_organization(
        name="Acme", domain_data=[claim("acme.com")], metadata={"a": "b"}, external_id="x"
    )

    assert workos.organizations.get_organization(created.id) == created


def test_a_new_organization_without_optional_fields_has_empty_ones(workos):
    org = workos.organizations.create_organization(name="Bare")

    assert org.domains == []
    assert org.metadata == {}
    assert org.external_id is None
    assert org.stripe_customer_id is None


@pytest.mark.parametrize(
    "external_id", ["crm/account 42", "/leading-slash", "trailing/", "a//b", "ümlaut+%?#"]
)
def test_get_by_external_id_finds_ids_with_slashes_spaces_and_symbols(workos, external_id):
    workos.organizations.create_organization(name="Decoy", external_id="leading-slash")
    org = workos.organizations.create_organization(name="Acme", external_id=external_id)

    found = workos.organizations.get_organization_by_external_id(external_id)

    assert found.id == org.id
    assert found.external_id == external_id


def test_get_by_unknown_external_id_is_not_found(workos):
    with pytest.raises(NotFoundError) as caught:
        workos.organizations.get_organization_by_external_id("nobody")
    assert caught.value.code == "entity_not_found"


def test_update_changes_only_the_fields_sent(workos):
    org = workos.organizations.create_organization(
        name="Acme", domain_data=[claim("acme.com")], metadata={"tier": "gold"}, external_id="e1"
    )

    updated = workos.organizations.update_organization(org.id, name="Acme Inc")

    assert updated.name == "Acme Inc"
    assert updated.metadata == {"tier": "gold"}
    assert updated.external_id == "e1"
    assert domain_states(updated) == {"acme.com": "pending"}
    assert updated.updated_at >= org.updated_at
    assert workos.organizations.get_organization(org.id) == updated


def test_update_with_null_metadata_and_external_id_clears_them(workos):
    org = workos.organizations.create_organization(
        name="Acme", metadata={"tier": "gold"}, external_id="crm-7"
    )

    updated = workos.organizations.update_organization(org.id, metadata=None, external_id=None)

    assert updated.metadata == {}
    assert updated.external_id is None
    with pytest.raises(NotFoundError):
        workos.organizations.get_organization_by_external_id("crm-7")
    reused = workos.organizations.create_organization(name="Other", external_id="crm-7")
    assert workos.organizations.get_organization_by_external_id("crm-7").id == reused.id


def test_update_replaces_metadata_and_external_id(workos):
    org = workos.organizations.create_organization(
        name="Acme", metadata={"tier": "gold", "old": "1"}, external_id="a"
    )

    updated = workos.organizations.update_organization(
        org.id, metadata={"tier": "silver"}, external_id="b"
    )

    assert updated.metadata == {"tier": "silver"}
    assert workos.organizations.get_organization_by_external_id("b").id == org.id
    with pytest.raises(NotFoundError):
        workos.organizations.get_organization_by_external_id("a")


def test_update_with_domain_data_replaces_the_domains(workos):
    org = workos.organizations.create_organization(
        name="Acme", domain_data=[claim("old.com"), claim("kept.com")]
    )
    kept_id = next(d.id for d in org.domains if d.domain == "kept.com")

    updated = workos.organizations.update_organization(
        org.id, domain_data=[claim("kept.com", "verified"), claim("new.com")]
    )

    assert domain_states(updated) == {"kept.com": "verified", "new.com": "pending"}
    assert next(d.id for d in updated.domains if d.domain == "kept.com") == kept_id
    assert domain_states(workos.organizations.get_organization(org.id)) == domain_states(updated)


def test_delete_then_get_is_not_found(workos):
    org = workos.organizations.create_organization(name="Acme", domain_data=[claim("acme.com")])

    assert workos.organizations.delete_organization(org.id) is None

    with pytest.raises(NotFoundError) as caught:
        workos.organizations.get_organization(org.id)
    assert caught.value.code == "entity_not_found"
    with pytest.raises(NotFoundError):
        workos.organizations.delete_organization(org.id)
    with pytest.raises(NotFoundError):
        workos.organization_domains.get_organization_domain(org.domains[0].id)


def test_get_and_update_of_an_unknown_organization_are_not_found(workos):
    for call in (
        lambda: workos.organizations.get_organization("org_01HZZZZZZZZZZZZZZZZZZZZZZZ"),
        lambda: workos.organizations.update_organization("org_unknown", name="X"),
    ):
        with pytest.raises(NotFoundError) as caught:
            call()
        assert caught.value.code == "entity_not_found"


def test_an_external_id_belongs_to_one_organization(workos):
    first = workos.organizations.create_organization(name="First", external_id="shared")
    second = workos.organizations.create_organization(name="Second")

    with pytest.raises(ConflictError) as on_create:
        workos.organizations.create_organization(name="Third", external_id="shared")
    with pytest.raises(ConflictError) as on_update:
        workos.organizations.update_organization(second.id, external_id="shared")

    assert on_create.value.code == on_update.value.code == "external_id_already_exists"
    assert workos.organizations.get_organization_by_external_id("shared").id == first.id
    assert [o.name for o in workos.organizations.list_organizations()] == ["Second", "First"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "Acme", "metadata": {f"k{i}": "v" for i in range(11)}}, "metadata"),
        ({"name": "Acme", "external_id": "x" * 65}, "external_id"),
        ({"name": "Acme", "domain_data": [claim("not a domain")]}, "domain_data.0.domain"),
    ],
)
def test_invalid_organizations_are_refused_naming_the_field(workos, fields, field):
    with pytest.raises(UnprocessableEntityError) as caught:
        workos.organizations.create_organization(**fields)

    assert caught.value.code == "invalid_request_parameters"
    assert field in [error["field"] for error in caught.value.errors]
    assert list(workos.organizations.list_organizations()) == []


@pytest.fixture
def three_organizations(workos):
    """Acme, Globex and Initech, created in that order."""
    return [
        workos.organizations.create_organization(name="Acme Corp", domain_data=[claim("acme.com")]),
        workos.organizations.create_organization(
            name="Globex", domain_data=[claim("globex.com"), claim("globex.net", "verified")]
        ),
        workos.organizations.create_organization(
            name="Initech", domain_data=[claim("initech.com")]
        ),
    ]


def names(page) -> list[str]:
    return [org.name for org in page]


def test_list_is_newest_first_by_default(workos, three_organizations):
    page = workos.organizations.list_organizations()

    assert names(page) == ["Initech", "Globex", "Acme Corp"]
    assert page.list_metadata.before is None
    assert page.list_metadata.after is None


def test_list_honours_limit_and_order(workos, three_organizations):
    newest = workos.organizations.list_organizations(limit=2)
    oldest = workos.organizations.list_organizations(limit=2, order="asc")

    assert names(newest) == ["Initech", "Globex"]
    assert newest.has_more()
    assert names(oldest) == ["Acme Corp", "Globex"]
    older = workos.organizations.list_organizations(limit=2, after=newest.after)
    newer = workos.organizations.list_organizations(limit=2, order="asc", after=oldest.after)
    assert names(older) == ["Acme Corp"]
    assert names(newer) == ["Initech"]


def test_list_filters_by_domains(workos, three_organizations):
    by_two = workos.organizations.list_organizations(domains=["globex.net", "INITECH.com"])
    by_none = workos.organizations.list_organizations(domains=["unknown.com"])

    assert names(by_two) == ["Initech", "Globex"]
    assert names(by_none) == []
    assert by_none.list_metadata.before is None
    assert by_none.list_metadata.after is None


def test_list_searches_names_case_insensitively(workos, three_organizations):
    workos.organizations.create_organization(name="100% Coverage")

    assert names(workos.organizations.list_organizations(search="glob")) == ["Globex"]
    assert names(workos.organizations.list_organizations(search="ACME")) == ["Acme Corp"]
    assert names(workos.organizations.list_organizations(search="0%")) == ["100% Coverage"]
    assert names(workos.organizations.list_organizations(search="c", domains=["acme.com"])) == [
        "Acme Corp"
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 101}, "limit"), ({"limit": 0}, "limit"), ({"order": "sideways"}, "order")],
)
def test_list_refuses_out_of_range_parameters(workos, params, field):
    with pytest.raises(UnprocessableEntityError) as caught:
        workos.organizations.list_organizations(**params)

    assert caught.value.code == "invalid_request_parameters"
    assert caught.value.errors[0]["field"] == field
