"""Certificate renewal in real Chromium with a pysaml2 IdP rolling to a new key: paste the new
certificate, test sign-in with it in a new tab, retire the old one by keyboard; phone width."""

import urllib.request

from portal.extensions import db
from portal.models import Connection
from tests.browser.evidence import accessibility_violations, screenshot
from tests.factories import WITH_VERIFIED_DOMAIN, make_saml_connection
from tests.peers.saml_idp import SigningIdp, idp_answering


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@WITH_VERIFIED_DOMAIN
def test_renew_test_and_retire_at_phone_width(csp_page, portal, org, admin_link, tmp_path):
    page = csp_page  # the real button, under the real CSP, opens the IdP in a new tab
    _, server = portal
    page.set_default_timeout(10000)
    page.set_viewport_size({"width": 390, "height": 844})
    old, new = SigningIdp(tmp_path, "old-key"), SigningIdp(tmp_path, "new-key")
    connection = make_saml_connection(org, old)
    connection.state = "active"
    db.session.commit()
    base = f"{server.url}/sso/saml/{connection.id}"
    sp_file = tmp_path / "sp.xml"
    sp_file.write_bytes(urllib.request.urlopen(f"{base}/metadata").read())  # noqa: S310
    new.trust_service_provider(sp_file)
    idp_answering(page, new, f"{base}/acs", base)  # the IdP now signs with the new key

    page.goto(admin_link("certificate_renewal"))
    assert page.url.endswith("/admin/certificates")
    assert accessibility_violations(page) == []
    assert _no_sideways_scroll(page)
    screenshot(page, "renewal-1-current")

    page.get_by_label("New signing certificate (PEM)").fill(new.certificate)
    page.get_by_role("button", name="Add certificate").click()
    page.get_by_text("Not tested yet").wait_for()
    screenshot(page, "renewal-2-added")

    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Test sign-in with this certificate").click()
    new_tab.value.get_by_text("The new signing certificate works.").wait_for()
    assert page.csp_violations == []
    page.get_by_text("The new signing certificate works.").wait_for(timeout=15000)
    assert page.get_by_text("Not tested yet").count() == 0  # the badge follows the test
    assert accessibility_violations(page) == []
    screenshot(page, "renewal-3-tested")

    # Retire certificate 1 with the keyboard only.
    page.reload()
    page.get_by_label("Stop accepting certificate 1").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.get_by_role("heading", name="Certificate 1").wait_for()
    assert page.get_by_text("Not tested yet").count() == 0
    assert _no_sideways_scroll(page)
    screenshot(page, "renewal-4-retired")
    db.session.expire_all()
    certificates = db.session.get(Connection, connection.id).certificates
    assert [c.value for c in certificates] == [new.certificate]
