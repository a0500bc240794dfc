"""Generic OIDC set-up in real Chromium against a live OpenID Connect provider on loopback:
choose the provider, enter discovery URL and client, map attributes, test sign-in in a new
tab, and end with an active connection; on a desktop and a phone-width screen, by keyboard."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Connection
from tests.browser.evidence import accessibility_violations, screenshot
from tests.factories import WITH_VERIFIED_DOMAIN
from tests.peers.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider

USER = {"sub": "00u7", "email": "jane@acme.test", "given_name": "Jane", "family_name": "Doe"}


@pytest.fixture
def provider(portal):
    app, _ = portal
    provider = OidcProvider(USER)
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = True  # the provider listens on loopback
    yield provider
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = False
    provider.stop()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@WITH_VERIFIED_DOMAIN
def test_generic_oidc_setup_ends_active(csp_page, org, admin_link, provider):
    page = csp_page  # the real button, under the real CSP, opens the provider in a new tab
    page.set_default_timeout(10000)
    page.goto(admin_link("sso"))
    page.get_by_label("Another OpenID Connect provider").check()
    screenshot(page, "oidc-1-choose")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="2. Tell us about Another OpenID Connect provider").wait_for()

    page.get_by_label("Discovery URL").fill(provider.discovery_url)
    page.get_by_label("Client ID").fill(CLIENT_ID)
    page.get_by_label("Client secret").fill(CLIENT_SECRET)
    screenshot(page, "oidc-2-provider")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved (not shown)").wait_for()
    assert accessibility_violations(page) == []

    # Step 3: the attribute map starts from the provider's defaults.
    assert page.get_by_label("Email (required)").input_value() == "email"
    assert page.get_by_label("First name (optional)").input_value() == "given_name"
    screenshot(page, "oidc-3-attributes")
    page.get_by_role("button", name="Save attribute map").click()
    page.get_by_role("heading", name="4. Test sign-in").wait_for()

    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Test sign-in").click()
    result_tab = new_tab.value
    result_tab.get_by_text("Test sign-in succeeded for jane@acme.test").wait_for()
    assert page.csp_violations == []
    screenshot(result_tab, "oidc-4-result-tab")

    page.get_by_text("Test sign-in succeeded for jane@acme.test").wait_for(timeout=15000)
    assert page.get_by_text("The connection is active.").is_visible()
    assert page.locator(".check-passed").count() == 11
    assert accessibility_violations(page) == []
    screenshot(page, "oidc-5-tested")
    db.session.expire_all()
    connection = db.session.scalars(select(Connection)).one()
    assert (connection.connection_type, connection.state) == ("GenericOIDC", "active")

    # Management on a phone, by keyboard: sort the sign-ins by state with Enter.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    sort_by_state = page.get_by_role("link", name="State (select to sort)")
    sort_by_state.focus()
    page.keyboard.press("Enter")
    page.locator('th[aria-sort="descending"] >> text=State').wait_for()
    assert _no_sideways_scroll(page)
    assert accessibility_violations(page) == []
    screenshot(page, "oidc-6-phone-management")
