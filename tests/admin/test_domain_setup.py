"""The IT admin adding and verifying domains in the portal."""

import html

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import OrganizationDomain
from portal.services.account import credentials
from portal.services.organizations import organization_domains
from tests.factories import make_organization, org_with

# Initech starts with no domain: each test adds the ones it needs.
pytestmark = org_with(name="Initech", domains=[])


def test_an_admin_adds_a_domain_and_sees_its_record(admin_client, org):
    client = admin_client("domain_verification")
    page = client.get("/admin/domains").get_data(as_text=True)
    assert "Add your domain" in page
    response = client.post("/admin/domains", data={"domain": " Initech.Example "})
    assert response.status_code == 302
    page = client.get("/admin/domains").get_data(as_text=True)
    domain = db.session.scalars(select(OrganizationDomain)).one()
    assert domain.domain == "initech.example"
    assert domain.verification_started_at is not None
    assert "portal-verification.initech.example" in page
    for host in (
        "Cloudflare",
        "Amazon Route 53",
        "GoDaddy",
        "Namecheap",
        "Azure DNS",
        "Squarespace (formerly Google Domains)",
    ):
        assert f"<summary>{host}</summary>" in page
    assert "Name: portal-verification (Cloudflare adds initech.example by itself)" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("https://initech.example/login", "give just the domain, like example.com"),
        ("bob@initech.example", "give just the domain"),
        ("initech", "is not a valid domain name"),
    ],
)
def test_a_mistyped_domain_is_explained_and_kept(admin_client, org, typed, message):
    client = admin_client("domain_verification")
    response = client.post("/admin/domains", data={"domain": typed})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert f'value="{typed}"' in page
    assert db.session.scalars(select(OrganizationDomain)).all() == []


def _app_named(name):
    credentials.environment().app_name = name
    db.session.commit()


def _says_nothing_of_other_customers(page, verb="added"):
    page = html.unescape(page)
    assert "Other Co" not in page and "another organization" not in page
    assert f"This domain can't be {verb} here. Ask Hooli HR for help." in page


def test_a_domain_verified_by_another_organization_is_refused_without_naming_it(admin_client, org):
    _app_named("Hooli HR")
    other = make_organization("Other Co", domains=[("initech.example", "verified")])
    client = admin_client("domain_verification")
    response = client.post("/admin/domains", data={"domain": "Initech.example"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    _says_nothing_of_other_customers(page)
    assert 'value="Initech.example"' in page
    assert [d.organization_id for d in db.session.scalars(select(OrganizationDomain))] == [other.id]


def test_the_refusal_is_the_same_whoever_holds_the_domain_and_however(admin_client, org):
    # Nothing in the answer may depend on the holder: its name, its id, when or how it
    # verified the domain. Two holders as unlike as can be get the same page, word for word.
    _app_named("Hooli HR")
    make_organization("Other Co", domains=[("initech.example", "verified")])
    lost = make_organization("Globex Corporation", domains=["umbrella.example"]).domains[0]
    organization_domains.mark_verified(lost, strategy="dns")
    db.session.commit()
    client = admin_client("domain_verification")
    answers = []
    for typed in ("initech.example", "umbrella.example"):
        response = client.post("/admin/domains", data={"domain": typed})
        answers.append((response.status_code, response.get_data(as_text=True).replace(typed, "D")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 422
    _says_nothing_of_other_customers(answers[0][1])


def test_a_link_naming_a_domain_verified_elsewhere_is_refused_the_same_way(admin_client, org):
    _app_named("Hooli HR")
    make_organization("Other Co", domains=[("initech.example", "verified")])
    options = {"domain_verification": {"domain_name": "initech.example"}}
    client = admin_client("domain_verification", intent_options=options)
    _says_nothing_of_other_customers(client.get("/admin/domains").get_data(as_text=True))
    assert len(org.domains) == 0


def test_a_domain_another_organization_only_claimed_can_still_be_added(admin_client, org):
    make_organization("Other Co", domains=["initech.example"])
    client = admin_client("domain_verification")
    assert client.post("/admin/domains", data={"domain": "initech.example"}).status_code == 302
    states = db.session.scalars(select(OrganizationDomain.state)).all()
    assert states == ["pending", "pending"]


@pytest.mark.parametrize("typed", ["gmail.com", "Outlook.com", "yahoo.com."])
def test_a_public_mail_domain_is_refused(admin_client, org, typed):
    client = admin_client("domain_verification")
    response = client.post("/admin/domains", data={"domain": typed})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is a public email provider" in page
    assert "Use the organization&#39;s own domain instead." in page
    assert db.session.scalars(select(OrganizationDomain)).all() == []


def test_a_domain_lost_to_another_organization_cannot_be_tried_again(admin_client, org):
    _app_named("Hooli HR")
    client = admin_client("domain_verification")
    client.post("/admin/domains", data={"domain": "initech.example"})
    mine = db.session.scalars(select(OrganizationDomain)).one()
    winner = make_organization("Other Co", domains=["initech.example"]).domains[0]
    organization_domains.mark_verified(winner, strategy="dns")
    db.session.commit()
    db.session.refresh(mine)
    assert mine.failure_reason == "domain_verified_by_other_organization"
    page = client.get("/admin/domains").get_data(as_text=True)
    assert "this domain can&#39;t be verified here; ask Hooli HR for help" in page
    assert "another organization" not in page
    fragment = client.post(f"/admin/domains/{mine.id}/retry")
    assert fragment.status_code == 200
    _says_nothing_of_other_customers(fragment.get_data(as_text=True), verb="verified")
    db.session.refresh(mine)
    assert mine.state == "failed"


def test_a_domain_named_in_the_link_skips_the_entry_step(admin_client, org):
    options = {"domain_verification": {"domain_name": "initech.example"}}
    client = admin_client("domain_verification", intent_options=options)
    page = client.get("/admin/domains").get_data(as_text=True)
    assert "portal-verification.initech.example" in page
    client.get("/admin/domains")
    assert len(db.session.scalars(select(OrganizationDomain)).all()) == 1


def test_a_failed_domain_can_be_tried_again(admin_client, org):
    client = admin_client("domain_verification")
    client.post("/admin/domains", data={"domain": "initech.example"})
    db.session.execute(
        update(OrganizationDomain).values(
            state="failed", failure_reason="domain_verification_period_expired"
        )
    )
    db.session.commit()
    page = client.get("/admin/domains").get_data(as_text=True)
    assert "the record did not appear within 7 days" in page
    domain = db.session.scalars(select(OrganizationDomain)).one()
    fragment = client.post(f"/admin/domains/{domain.id}/retry").get_data(as_text=True)
    assert "Check now" in fragment
    db.session.refresh(domain)
    assert domain.state == "pending"


def test_the_sso_section_says_a_verified_domain_comes_first(admin_client, org):
    client = admin_client("sso", "domain_verification")
    page = client.get("/admin/sso").get_data(as_text=True)
    assert "Verify a domain first" in page
    assert 'href="/admin/domains"' in page
    org.allow_profiles_outside_organization = True
    db.session.commit()
    assert "Verify a domain first" not in client.get("/admin/sso").get_data(as_text=True)
