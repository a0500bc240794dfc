"""Two organizations claiming one domain through the API (docs/domains.md, rule 4): pending
claims coexist whichever call made them, the first DNS proof wins against a real DNS server,
and the other claims fail with an event; after that, the domain is refused to everyone else.
Refusals naming the holder are `tests/api/test_domain_ownership.py`."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, OrganizationDomain
from portal.services.organizations import domain_verification
from tests.factories import make_organization

DOMAIN = "initech.example"


@pytest.fixture
def app_config(dns_server):
    return {"PORTAL_DNS_RESOLVERS": [dns_server.address]}


def _claims() -> dict[str, tuple[str, str | None]]:
    """Organization name -> (state, failure reason) of its claim on DOMAIN."""
    db.session.expire_all()
    rows = db.session.scalars(select(OrganizationDomain).where(OrganizationDomain.domain == DOMAIN))
    return {row.organization.name: (row.state, row.failure_reason) for row in rows}


def _claim_three_ways(api) -> dict[str, str]:
    """Globex, Hooli and Umbrella claim DOMAIN through each API call; name -> domain id."""
    created = api.post("/organizations", json={"name": "Globex", "domains": [DOMAIN]})
    hooli = api.post("/organizations", json={"name": "Hooli"}).get_json()
    updated = api.put(f"/organizations/{hooli['id']}", json={"domain_data": [{"domain": DOMAIN}]})
    umbrella = api.post("/organizations", json={"name": "Umbrella"}).get_json()
    added = api.post(
        "/organization_domains", json={"organization_id": umbrella["id"], "domain": DOMAIN}
    )
    assert (created.status_code, updated.status_code, added.status_code) == (201, 200, 201)
    return {
        "Globex": created.get_json()["domains"][0]["id"],
        "Hooli": updated.get_json()["domains"][0]["id"],
        "Umbrella": added.get_json()["id"],
    }


def test_pending_claims_on_one_domain_coexist_whichever_call_made_them(api):
    _claim_three_ways(api)
    assert _claims() == {name: ("pending", None) for name in ("Globex", "Hooli", "Umbrella")}


def test_the_first_dns_proof_wins_and_the_other_claims_fail_with_an_event(api, dns_server):
    ids = _claim_three_ways(api)
    hooli = db.session.get(OrganizationDomain, ids["Hooli"])
    dns_server.serve(
        [f'{hooli.verification_prefix}.{DOMAIN}. 60 IN TXT "{hooli.verification_token}"']
    )

    assert domain_verification.poll(ids["Globex"]) != "verified"  # Globex's token is not there
    assert domain_verification.poll(ids["Hooli"]) == "verified"
    lost = ("failed", "domain_verified_by_other_organization")
    assert _claims() == {"Globex": lost, "Hooli": ("verified", None), "Umbrella": lost}
    failed = db.session.scalars(
        select(Event).where(Event.event == "organization_domain.verification_failed")
    ).all()
    assert sorted(event.data["organization_domain"]["id"] for event in failed) == sorted(
        [ids["Globex"], ids["Umbrella"]]
    )
    assert {event.data["reason"] for event in failed} == {lost[1]}
    shown = api.get(f"/organization_domains/{ids['Globex']}").get_json()
    assert shown["state"] == "failed"
    assert "Hooli" not in str(shown)


def test_once_verified_the_domain_is_refused_to_every_other_call(api):
    holder = make_organization("Hooli", domains=[(DOMAIN, "verified")])
    other = make_organization("Globex")
    for call, path, body in [
        (api.post, "/organizations", {"name": "Umbrella", "domains": [DOMAIN]}),
        (api.put, f"/organizations/{other.id}", {"domain_data": [{"domain": DOMAIN}]}),
        (api.post, "/organization_domains", {"organization_id": other.id, "domain": DOMAIN}),
    ]:
        response = call(path, json=body)
        assert response.status_code == 409, path
        assert response.get_json()["code"] == "domain_already_exists"
        assert holder.id in response.get_json()["message"]
    assert _claims() == {"Hooli": ("verified", None)}
