"""The developer's dashboard in real Chromium: sign in, invite an IT admin, watch the checklist."""

from playwright.sync_api import expect

from portal.services.account import credentials
from portal.services.organizations import organization_domains
from tests.browser.conftest import accessibility_violations, screenshot
from tests.factories import make_organization

PASSWORD = "correct horse battery"


def test_invite_an_admin_and_watch_the_checklist_update(page, portal):
    _, server = portal
    credentials.create_dashboard_user("dev@example.com", PASSWORD)
    org = make_organization("Acme Corp", domains=["acme.test"])
    page.goto(server.url + "/")
    assert accessibility_violations(page) == []
    page.get_by_label("Email").fill("dev@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="portal is running")).to_be_visible()

    page.get_by_role("navigation", name="Dashboard").get_by_role(
        "link", name="Organizations"
    ).click()
    page.get_by_role("link", name="Acme Corp").click()
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Invite admin").first.click()
    page.get_by_label("IT admin's email").fill("it@acme.test")
    page.get_by_role("button", name="Create setup link").click()
    assert "/admin/launch?token=" in page.locator("#setup-link").inner_text()
    screenshot(page, "dashboard-setup-link")

    page.get_by_role("link", name="Back to Acme Corp").click()
    link_sent = page.locator('[data-step="link_sent"]')
    expect(link_sent).to_have_class("step-done")
    # Someone else verifies the domain; the checklist polls and shows it without a reload.
    organization_domains.verify_manually(org.id, org.domains[0].id)
    expect(page.locator('[data-step="domain_verified"]')).to_have_class("step-done", timeout=10_000)
    # The domains table refreshes itself too.
    expect(page.locator("#setup-tables .badge-verified")).to_have_text("verified", timeout=10_000)
    assert page.locator("h1").count() == 1  # fragments were swapped, not a page
    screenshot(page, "dashboard-organization")
