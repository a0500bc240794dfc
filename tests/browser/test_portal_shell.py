from urllib.parse import quote

from sqlalchemy import select

from portal.extensions import db
from portal.models import PortalLink
from tests.browser.evidence import accessibility_violations, screenshot
from tests.factories import expire_link


def test_an_sdk_link_opens_the_branded_shell(page, admin_link):
    link = admin_link("domain_verification", return_url="http://localhost:3000/settings")
    page.goto(link)
    assert page.url.endswith("/admin/domains")
    assert page.locator(".org-name").inner_text() == "Acme Corp"
    assert page.get_by_role("link", name="Domains").get_attribute("aria-current") == "page"
    assert page.get_by_role("link", name="Single sign-on").count() == 0
    assert page.get_by_role("link", name="Return to the app").get_attribute("href") == (
        "http://localhost:3000/settings"
    )
    assert page.get_by_text("portal-verification.acme.test").is_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "shell-domains")


def test_check_now_runs_over_htmx_with_csrf(page, admin_link):
    page.goto(admin_link("domain_verification"))
    page.get_by_role("button", name="Check now").click()
    result = page.get_by_role("status")
    result.wait_for()
    assert "DNS" in result.inner_text()
    assert page.locator("header .org-name").count() == 1  # swapped a fragment, not a page
    screenshot(page, "shell-check-now")


def test_an_expired_link_explains_what_to_do(page, admin_link):
    link = admin_link("sso")
    expire_link(db.session.scalars(select(PortalLink)).one())
    response = page.goto(link)
    assert response.status == 410
    assert page.get_by_role("heading", name="This link has expired").is_visible()
    assert "5 minutes" in page.content()
    assert accessibility_violations(page) == []
    screenshot(page, "link-expired")


def test_the_portal_works_inside_an_iframe_of_an_allowed_origin(page, admin_link, host_apps):
    link = admin_link("domain_verification")
    page.goto(f"{host_apps[0].url}/?src={quote(link, safe='')}")
    frame = page.frame_locator("#portal")
    frame.locator(".org-name").wait_for()
    assert frame.locator(".org-name").inner_text() == "Acme Corp"
    frame.get_by_role("button", name="Check now").click()
    frame.get_by_role("status").wait_for()  # the session cookie and CSRF work third-party
    screenshot(page, "iframe-allowed")


def test_other_origins_cannot_frame_the_portal(page, admin_link, host_apps):
    link = admin_link("sso")
    with page.expect_event(
        "console", predicate=lambda message: "frame-ancestors" in message.text
    ) as refusal:
        page.goto(f"{host_apps[1].url}/?src={quote(link, safe='')}")
    assert "has been blocked" in refusal.value.text
    frame = next(f for f in page.frames if f != page.main_frame)
    assert "Acme Corp" not in frame.content()
    screenshot(page, "iframe-refused")


def test_the_shell_works_by_keyboard_and_on_a_phone(page, admin_link):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(admin_link("domain_verification"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Check now":
            break
    page.keyboard.press("Enter")
    page.get_by_role("status").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert accessibility_violations(page) == []
    screenshot(page, "shell-phone")
