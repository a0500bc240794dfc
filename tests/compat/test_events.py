"""The event stream through `workos.events.list_events`: what each change emits, and filters."""

from datetime import UTC, datetime

import pytest
from workos import UnprocessableEntityError
from workos.common.models import (
    OrganizationCreated,
    OrganizationDeleted,
    OrganizationDomainCreated,
    OrganizationDomainDeleted,
    OrganizationDomainVerified,
    OrganizationUpdated,
)
from workos.events.models import EventSchemaUnknown
from workos.organizations import OrganizationDomainData


def claim(domain: str, state: str = "pending") -> OrganizationDomainData:
    return OrganizationDomainData(domain=domain, state=state)


def all_events(workos, events=(), **filters) -> list:
    pages = workos.events.list_events(events=list(events), limit=100, **filters)
    return list(pages.auto_paging_iter())


def subject(event) -> str:
    """What an event is about: the organization's id, or the domain's name."""
    if event.event.startswith("organization_domain."):
        return event.data.domain
    return event.data.id


def test_every_change_to_an_organization_and_its_domains_is_an_event(workos):
    org = workos.organizations.create_organization(
        name="Acme",
        domain_data=[claim("a.com"), claim("b.com", "verified")],
        metadata={"tier": "gold"},
        external_id="crm-1",
    )
    workos.organizations.update_organization(org.id, name="Acme Inc")
    c = workos.organization_domains.create_organization_domain(
        domain="c.com", organization_id=org.id
    )
    workos.organization_domains.verify_organization_domain(c.id)  # stays pending: no event
    workos.organization_domains.delete_organization_domain(c.id)
    workos.organizations.update_organization(
        org.id, domain_data=[claim("b.com", "verified"), claim("d.com")]
    )
    workos.organizations.update_organization(org.id, name="Acme Inc")  # no change: no event
    workos.organizations.delete_organization(org.id)

    events = list(
        workos.events.list_events(events=[], organization_id=org.id, limit=3).auto_paging_iter()
    )

    assert [(e.event, subject(e)) for e in events] == [
        ("organization.created", org.id),
        ("organization_domain.created", "a.com"),
        ("organization_domain.created", "b.com"),
        ("organization_domain.verified", "b.com"),
        ("organization.updated", org.id),
        ("organization_domain.created", "c.com"),
        ("organization_domain.deleted", "c.com"),
        ("organization_domain.deleted", "a.com"),
        ("organization_domain.created", "d.com"),
        ("organization.updated", org.id),
        ("organization.deleted", org.id),
    ]
    assert not any(isinstance(e, EventSchemaUnknown) for e in events)
    assert [e.created_at for e in events] == sorted(e.created_at for e in events)
    assert len({e.id for e in events}) == len(events)


def test_event_data_is_the_object_as_the_api_showed_it(workos):
    org = workos.organizations.create_organization(
        name="Acme",
        domain_data=[claim("a.com"), claim("b.com", "verified")],
        metadata={"tier": "gold"},
        external_id="crm-1",
    )
    updated = workos.organizations.update_organization(org.id, name="Acme Inc", metadata=None)
    workos.organizations.delete_organization(org.id)

    created, *domain_events, changed, deleted = all_events(workos)

    assert isinstance(created, OrganizationCreated)
    assert created.data.id == org.id
    assert created.data.name == "Acme"
    assert created.data.metadata == {"tier": "gold"}
    assert created.data.external_id == "crm-1"
    assert {(d.domain, d.state) for d in created.data.domains} == {
        ("a.com", "pending"),
        ("b.com", "verified"),
    }
    assert [type(e) for e in domain_events] == [
        OrganizationDomainCreated,
        OrganizationDomainCreated,
        OrganizationDomainVerified,
    ]
    verified = domain_events[-1].data
    assert verified.id == next(d.id for d in org.domains if d.domain == "b.com")
    assert verified.organization_id == org.id
    assert verified.state == "verified"
    assert isinstance(changed, OrganizationUpdated)
    assert changed.data.name == "Acme Inc"
    assert changed.data.metadata == {}
    assert changed.data.updated_at == updated.updated_at
    assert isinstance(deleted, OrganizationDeleted)
    assert deleted.data.id == org.id


def test_deleting_a_domain_is_an_event_with_its_last_state(workos):
    org = workos.organizations.create_organization(name="Acme")
    domain = workos.organization_domains.create_organization_domain(
        domain="acme.com", organization_id=org.id
    )
    workos.organization_domains.delete_organization_domain(domain.id)

    deleted = all_events(workos, events=["organization_domain.deleted"])

    assert len(deleted) == 1
    assert isinstance(deleted[0], OrganizationDomainDeleted)
    assert deleted[0].data.id == domain.id
    assert deleted[0].data.organization_id == org.id


def test_events_filter_by_type(workos):
    first = workos.organizations.create_organization(name="First", domain_data=[claim("a.com")])
    second = workos.organizations.create_organization(name="Second")
    workos.organizations.delete_organization(first.id)

    page = workos.events.list_events(events=["organization.created", "organization.deleted"])

    assert [(e.event, e.data.id) for e in page] == [
        ("organization.created", first.id),
        ("organization.created", second.id),
        ("organization.deleted", first.id),
    ]


def test_events_filter_by_organization(workos):
    first = workos.organizations.create_organization(name="First", domain_data=[claim("a.com")])
    second = workos.organizations.create_organization(name="Second", domain_data=[claim("b.com")])
    workos.organizations.update_organization(first.id, name="First!")

    mine = workos.events.list_events(events=[], organization_id=first.id)
    theirs = workos.events.list_events(events=["organization.created"], organization_id=second.id)

    assert [e.event for e in mine] == [
        "organization.created",
        "organization_domain.created",
        "organization.updated",
    ]
    assert [e.data.id for e in theirs] == [second.id]


def test_range_start_and_range_end_agree_with_the_timestamps_shown(workos):
    for n in range(3):
        workos.organizations.create_organization(
            name=f"Org {n}", domain_data=[claim(f"a{n}.com"), claim(f"b{n}.com", "verified")]
        )
    everything = all_events(workos)

    for event in everything:
        since = all_events(workos, range_start=event.created_at)
        until = all_events(workos, range_end=event.created_at)
        at = all_events(workos, range_start=event.created_at, range_end=event.created_at)

        moment = event.created_at
        assert [e.id for e in since] == [e.id for e in everything if e.created_at >= moment]
        assert [e.id for e in until] == [e.id for e in everything if e.created_at <= moment]
        assert event.id in [e.id for e in at]


def test_range_accepts_the_z_strings_the_docs_show(workos):
    workos.organizations.create_organization(name="Acme")

    past = workos.events.list_events(events=[], range_start="2000-01-01T00:00:00.000Z")
    future = workos.events.list_events(events=[], range_start=datetime(2999, 1, 1, tzinfo=UTC))

    assert [e.event for e in past] == ["organization.created"]
    assert list(future) == []


def test_events_page_forward_with_after_oldest_first(workos):
    for n in range(5):
        workos.organizations.create_organization(name=f"Org {n}")
    everything = all_events(workos)

    first = workos.events.list_events(events=[], limit=2)
    second = workos.events.list_events(events=[], limit=2, after=first.after)
    last = workos.events.list_events(events=[], limit=2, after=second.after)

    assert [e.data.name for e in everything] == [f"Org {n}" for n in range(5)]
    assert [e.id for e in [*first, *second, *last]] == [e.id for e in everything]
    assert first.before is None
    assert last.after is None
    assert len(last.data) == 1


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"events": ["organization.exploded"]}, "events"),
        ({"events": [], "range_start": "yesterday"}, "range_start"),
        (
            {
                "events": [],
                "range_start": "2026-02-01T00:00:00.000Z",
                "range_end": "2026-01-01T00:00:00.000Z",
            },
            "range_start",
        ),
        ({"events": [], "limit": 0}, "limit"),
    ],
)
def test_bad_event_filters_are_refused_naming_the_field(workos, filters, field):
    with pytest.raises(UnprocessableEntityError) as caught:
        workos.events.list_events(**filters)

    assert caught.value.code == "invalid_request_parameters"
    assert caught.value.errors[0]["field"] == field
