"""The IT admin of an AD FS customer makes our encryption certificate, turns on signed,
POST-bound requests, and reads the certificates to upload, in Chromium: accessible, and the
buttons work under the real CSP."""

from playwright.sync_api import expect

from portal.services.sso import connections
from portal.services.sso.connections import ConnectionSettings
from tests.browser.evidence import accessibility_violations, screenshot
from tests.peers.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL, SigningIdp


def test_an_adfs_admin_sets_up_signing_and_encryption(csp_page, org, admin_link, tmp_path):
    page = csp_page
    page.set_default_timeout(10000)
    connections.create_connection(
        org.id,
        ConnectionSettings(
            connection_type="ADFSSAML",
            saml={
                "idp_entity_id": IDP_ENTITY_ID,
                "idp_sso_url": IDP_SSO_URL,
                "idp_signing_certs": [SigningIdp(tmp_path).certificate],
            },
        ),
    )
    page.goto(admin_link("sso"))
    section = page.locator("#sp-security-step")
    expect(section).to_have_attribute("open", "")
    page.get_by_role("button", name="Create the encryption certificate").click()
    expect(page.get_by_role("heading", name="Our encryption certificate (SP)")).to_be_visible()
    page.get_by_label("Sign our sign-in requests (RSA-SHA256)").check()
    page.get_by_label("Form post (HTTP-POST)").check()
    page.locator("#request-options").get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Our signing certificate (SP)")).to_be_visible()
    expect(page.get_by_label("Form post (HTTP-POST)")).to_be_checked()
    expect(page.get_by_role("link", name="Download signing certificate (.pem)")).to_be_visible()
    page.get_by_role("button", name="Add the next encryption certificate").click()
    expect(
        page.get_by_role("button", name="Switch to the next encryption certificate")
    ).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "sso-sp-certificates")
