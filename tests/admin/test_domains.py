import pytest

from portal.extensions import db


@pytest.fixture
def app_config(dns_server):
    return {"PORTAL_DNS_RESOLVERS": [dns_server.address]}


def test_the_page_shows_the_record_to_add(signed_in, org):
    domain = org.domains[0]
    page = signed_in.get("/admin/domains").get_data(as_text=True)
    assert "portal-verification.acme.test" in page
    assert domain.verification_token in page
    assert "Check now" in page
    assert 'data-copy="record-value-' in page


def test_check_now_shows_what_the_resolver_saw(signed_in, org, dns_server):
    domain = org.domains[0]
    dns_server.serve([f'{domain.verification_prefix}.acme.test. 60 IN TXT "wrong-token"'])
    fragment = signed_in.post(
        f"/admin/domains/{domain.id}/check", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "none matching the verification token" in fragment
    assert "wrong-token" in fragment
    assert "<html" not in fragment


def test_check_now_verifies_and_offers_the_way_on(signed_in, org, dns_server):
    domain = org.domains[0]
    dns_server.serve(
        [f'{domain.verification_prefix}.acme.test. 60 IN TXT "{domain.verification_token}"']
    )
    fragment = signed_in.post(f"/admin/domains/{domain.id}/check").get_data(as_text=True)
    assert "acme.test is verified" in fragment
    assert 'href="https://app.example.com/done"' in fragment
    db.session.refresh(domain)
    assert domain.state == "verified"
