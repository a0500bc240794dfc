"""The SSO section in real Chromium: choose Okta, enter the IdP by hand, test sign-in in a new
tab against a real pysaml2 IdP, and watch the first tab follow along."""

import urllib.request

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Connection
from tests.browser.evidence import accessibility_violations, screenshot
from tests.factories import WITH_VERIFIED_DOMAIN
from tests.peers.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL, SigningIdp, idp_answering


@WITH_VERIFIED_DOMAIN
def test_sso_setup_and_test_sign_in(csp_page, portal, org, admin_link, tmp_path):
    page = csp_page  # the real button, under the real CSP, opens the IdP in a new tab
    _, server = portal
    page.set_default_timeout(10000)
    page.goto(admin_link("sso"))
    assert page.url.endswith("/admin/sso")
    assert accessibility_violations(page) == []
    page.get_by_label("Okta (SAML)").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="1. Set up the app in Okta (SAML)").wait_for()

    idp = SigningIdp(tmp_path)
    page.get_by_text("Enter the values by hand").click()
    page.get_by_label("IdP sign-on URL (SSO URL)").fill("ftp://idp.example.test/sso")
    page.get_by_label("Signing certificate (PEM)").fill("hello")
    page.get_by_role("button", name="Save values").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Nothing was saved: fix the 3 fields marked below."
    )
    for label in ("IdP sign-on URL (SSO URL)", "IdP entity ID (Issuer)", "Signing certificate"):
        expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")
    assert accessibility_violations(page) == []
    screenshot(page, "sso-manual-values-refused")

    page.get_by_label("IdP sign-on URL (SSO URL)").fill(IDP_SSO_URL)
    page.get_by_label("IdP entity ID (Issuer)").fill(IDP_ENTITY_ID)
    page.get_by_label("Signing certificate (PEM)").fill(idp.certificate)
    page.get_by_role("button", name="Save values").click()
    page.get_by_text("SHA-256 fingerprint").wait_for()

    connection = db.session.scalars(select(Connection)).one()
    base = f"{server.url}/sso/saml/{connection.id}"
    sp_file = tmp_path / "sp.xml"
    sp_file.write_bytes(urllib.request.urlopen(f"{base}/metadata").read())  # noqa: S310
    idp.trust_service_provider(sp_file)
    idp_answering(page, idp, f"{base}/acs", base)

    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Test sign-in").click()
    result_tab = new_tab.value
    result_tab.get_by_text("Test sign-in succeeded for jane@acme.test").wait_for()
    assert result_tab.url.startswith(f"{server.url}/admin/sso/sign-in-tests/conn_session_")
    assert page.csp_violations == []

    page.get_by_text("Test sign-in succeeded for jane@acme.test").wait_for(timeout=15000)
    assert page.get_by_text("The connection is active.").is_visible()
    page.get_by_text("1. Set up the app in Okta (SAML)").click()  # open the walk-through
    assert accessibility_violations(page) == []
    screenshot(page, "sso-tested")
    db.session.expire_all()
    assert db.session.get(Connection, connection.id).state == "active"

    # Management: new IdP values wait for a test; discarding them keeps the live ones.
    renewed = SigningIdp(tmp_path, "renewed")
    page.reload()
    page.get_by_text("2. Tell us about Okta (SAML)").click()
    page.get_by_text("Enter the values by hand").click()
    page.get_by_label("IdP sign-on URL (SSO URL)").fill(IDP_SSO_URL)
    page.get_by_label("IdP entity ID (Issuer)").fill(IDP_ENTITY_ID)
    page.get_by_label("Signing certificate (PEM)").fill(renewed.certificate)
    page.get_by_role("button", name="Save values").click()
    page.get_by_role("heading", name="New settings waiting for a test").wait_for()
    assert accessibility_violations(page) == []
    screenshot(page, "sso-pending-settings")
    page.get_by_role("button", name="Discard the new settings").click()
    page.get_by_role("heading", name="4. Test sign-in").wait_for()
    assert page.get_by_text("New settings waiting for a test").count() == 0

    # Sign-in from the IdP's dashboard: off, with the reason; one click turns it on.
    section = page.get_by_role("region", name="Sign-in from Okta (SAML)'s dashboard")
    expect(section).to_contain_text("login CSRF")
    section.get_by_role("button", name="Turn on sign-in from Okta (SAML)'s dashboard").click()
    expect(section).to_contain_text("On: people can also sign in")
    assert accessibility_violations(page) == []
    screenshot(page, "sso-idp-initiated-on")
    db.session.expire_all()
    assert db.session.get(Connection, connection.id).allow_idp_initiated
