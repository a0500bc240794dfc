"""The API's side of who may hold a domain (docs/domains.md): a conflict is refused with a 409
naming the holder, never settled by silently failing another organization's claim."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, Organization, OrganizationDomain
from portal.services.organizations import organization_domains
from tests.factories import make_organization


def _states() -> dict[tuple[str, str], str]:
    rows = db.session.scalars(select(OrganizationDomain)).all()
    return {(d.organization.name, d.domain): d.state for d in rows}


def _assert_names_the_holder(response, holder: Organization):
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "domain_already_exists"
    assert holder.id in body["message"] and holder.domains[0].id in body["message"]
    assert "Delete it there first" in body["message"]


@pytest.mark.parametrize("held", ["pending", "verified"])
def test_create_with_a_verified_domain_another_organization_holds_is_refused(api, held):
    holder = make_organization("Holder", domains=[("acme.com", held)])
    response = api.post(
        "/organizations",
        json={"name": "Taker", "domain_data": [{"domain": "acme.com", "state": "verified"}]},
    )
    _assert_names_the_holder(response, holder)
    assert _states() == {("Holder", "acme.com"): held}
    assert db.session.scalars(select(Organization.name)).all() == ["Holder"]
    failed = select(Event).where(Event.event == "organization_domain.verification_failed")
    assert db.session.scalars(failed).all() == []


def test_update_cannot_move_a_verified_domain(api):
    holder = make_organization("Holder", domains=[("acme.com", "verified")])
    taker = make_organization("Taker", domains=["taker.com"])
    for state in ("pending", "verified"):
        response = api.put(
            f"/organizations/{taker.id}",
            json={"domain_data": [{"domain": "acme.com", "state": state}]},
        )
        _assert_names_the_holder(response, holder)
    assert _states() == {("Holder", "acme.com"): "verified", ("Taker", "taker.com"): "pending"}


def test_update_cannot_mark_verified_a_domain_another_organization_claimed(api):
    holder = make_organization("Holder", domains=["acme.com"])
    taker = make_organization("Taker", domains=["acme.com"])
    response = api.put(
        f"/organizations/{taker.id}",
        json={"domain_data": [{"domain": "acme.com", "state": "verified"}]},
    )
    _assert_names_the_holder(response, holder)
    assert _states() == {("Holder", "acme.com"): "pending", ("Taker", "acme.com"): "pending"}


def test_after_deleting_the_other_claim_the_domain_can_be_assigned(api):
    holder = make_organization("Holder", domains=[("acme.com", "verified")])
    assert api.delete(f"/organization_domains/{holder.domains[0].id}").status_code == 204
    response = api.post(
        "/organizations",
        json={"name": "Taker", "domain_data": [{"domain": "acme.com", "state": "verified"}]},
    )
    assert response.status_code == 201
    assert response.get_json()["domains"][0]["state"] == "verified"


def test_restarting_a_domain_another_organization_verified_is_refused(api):
    loser = make_organization("Loser", domains=["acme.com"])
    winner = make_organization("Winner", domains=["acme.com"])
    organization_domains.mark_verified(winner.domains[0], strategy="dns")
    db.session.commit()
    response = api.post(f"/organization_domains/{loser.domains[0].id}/verify")
    _assert_names_the_holder(response, winner)
    assert _states()[("Loser", "acme.com")] == "failed"


@pytest.mark.parametrize("domain", ["gmail.com", "YAHOO.com", "outlook.com."])
def test_public_mail_domains_are_refused_with_422(api, domain):
    org = make_organization("Acme")
    calls = [
        (api.post, "/organization_domains", {"organization_id": org.id, "domain": domain}),
        (api.post, "/organizations", {"name": "B", "domain_data": [{"domain": domain}]}),
        (api.put, f"/organizations/{org.id}", {"domain_data": [{"domain": domain}]}),
    ]
    for call, path, body in calls:
        response = call(path, json=body)
        assert response.status_code == 422, path
        error = response.get_json()["errors"][0]
        assert error["code"] == "consumer_domain"
        assert "is a public email provider" in error["message"]
    assert _states() == {}
