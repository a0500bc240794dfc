"""The developer's dashboard in real Chromium: sign in, invite an IT admin, watch the checklist."""

from playwright.sync_api import expect

from portal.services.organizations import organization_domains
from portal.services.sso import connections
from portal.services.sso.connections import ConnectionSettings
from tests.browser.evidence import accessibility_violations, screenshot
from tests.pages import shown_to_copy


def test_invite_an_admin_and_watch_the_checklist_update(page, portal, org, sign_in_to_dashboard):
    _, server = portal
    page.goto(server.url + "/")
    assert accessibility_violations(page) == []  # the sign-in page
    sign_in_to_dashboard(page)

    page.get_by_role("navigation", name="Dashboard").get_by_role(
        "link", name="Organizations"
    ).click()
    page.get_by_role("link", name="Acme Corp").click()
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Invite admin").first.click()
    page.get_by_label("IT admin's email").fill("it@acme.test")
    page.get_by_role("button", name="Create setup link").click()
    assert "/admin/launch?token=" in shown_to_copy(page, "setup-link")
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


def test_turn_on_idp_initiated_sign_in_for_a_connection(page, portal, org, sign_in_to_dashboard):
    _, server = portal
    connections.create_connection(org.id, ConnectionSettings(connection_type="OktaSAML"))
    page.goto(server.url + "/")
    sign_in_to_dashboard(page)
    page.goto(f"{server.url}/dashboard/organizations/{org.id}")
    table = page.get_by_role("region", name="SSO connections")
    expect(table).to_contain_text("Off")
    table.get_by_role("button", name="Turn on IdP-initiated sign-in").click()
    expect(page.get_by_role("region", name="SSO connections")).to_contain_text("On")
    expect(
        page.get_by_text("now accepts sign-ins started from the identity provider")
    ).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "dashboard-idp-initiated-on")
