from portal.extensions import db
from portal.services.organizations import organization_domains
from tests.browser.evidence import accessibility_violations, screenshot
from tests.factories import make_organization


def test_try_again_on_a_domain_lost_to_another_customer_names_nobody(page, org, admin_link):
    winner = make_organization("Globex", domains=["acme.test"]).domains[0]
    organization_domains.mark_verified(winner, strategy="dns")
    db.session.commit()
    page.goto(admin_link("domain_verification"))
    assert page.get_by_text("this domain can't be verified here; ask the app for help").is_visible()
    page.get_by_role("button", name="Try again").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == "This domain can't be verified here. Ask the app for help."
    assert "Globex" not in page.content() and "another organization" not in page.content()
    assert accessibility_violations(page) == []
    screenshot(page, "domain-lost-to-another-customer")
