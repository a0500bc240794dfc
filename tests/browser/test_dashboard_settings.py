"""The dashboard's settings pages in real Chromium: webhooks with their delivery log, the
events browser, embedding (a real iframe refused, then allowed, then refused again), and the
outbox showing a failed mail."""

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import MailMessage
from portal.services.account import credentials
from portal.services.infra.queue import job_queue
from tests.browser.evidence import accessibility_violations, screenshot
from tests.factories import make_organization
from tests.pages import shown_to_copy


@pytest.fixture
def dashboard(page, portal, sign_in_to_dashboard):
    """A signed-in dashboard page; returns the portal's base URL."""
    sign_in_to_dashboard(page)
    return portal[1].url


def open_settings(page, name: str) -> None:
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name=name).click()


@pytest.fixture
def private_targets_allowed(portal):
    app, _ = portal
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = True
    yield
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = False


def test_webhooks_add_an_endpoint_read_its_log_and_redeliver(
    page, dashboard, make_receiver, private_targets_allowed
):
    receiver = make_receiver()
    receiver.status_for = lambda event_id, nth: 500 if nth == 1 else 200
    open_settings(page, "Webhooks")
    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_label("organization.created").check()
    page.get_by_role("button", name="Add endpoint").click()
    receiver.secret = shown_to_copy(page, "new-secret")
    assert receiver.secret.startswith("whsec_")
    assert accessibility_violations(page) == []
    screenshot(page, "dashboard-webhooks")

    make_organization("Acme Corp")
    job_queue().run_due_jobs()
    page.get_by_role("link", name=receiver.url, exact=True).click()
    expect(page.get_by_text("status 500")).to_be_visible()
    page.get_by_role("button", name="Redeliver").click()
    job_queue().run_due_jobs()
    page.reload()
    expect(page.get_by_text("status 200")).to_be_visible()
    assert len(receiver.processed) == 1
    assert accessibility_violations(page) == []
    screenshot(page, "dashboard-webhook-log")

    page.get_by_role("button", name="Disable").click()
    expect(page.locator(".badge", has_text="disabled")).to_be_visible()
    page.get_by_role("link", name=f"Delete {receiver.url}").click()
    assert accessibility_violations(page) == []
    screenshot(page, "dashboard-webhook-delete")
    page.get_by_role("button", name="Delete endpoint and log").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted the endpoint")


def test_events_browser_filters_and_shows_json(page, dashboard):
    make_organization("Acme Corp")
    make_organization("Beta Inc")
    open_settings(page, "Events")
    expect(page.locator("tbody tr")).to_have_count(2)
    page.get_by_role("link", name="Beta Inc").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    assert accessibility_violations(page) == []
    screenshot(page, "dashboard-events")
    page.locator("tbody tr a code", has_text="event_").click()
    expect(page.locator("pre.event-json")).to_contain_text('"name": "Beta Inc"')
    screenshot(page, "dashboard-event-json")


def test_embedding_origins_decide_which_iframe_shows_the_portal(
    page, dashboard, org, admin_link, host_apps
):
    _, refused_host = host_apps

    def host_page_url() -> str:
        """The refused host's page framing a fresh portal link."""
        link = admin_link("domain_verification")
        return f"{refused_host.url}/?src={quote(link, safe='')}"

    def assert_blocked():
        framed = page.context.new_page()
        with framed.expect_event(
            "console", predicate=lambda message: "frame-ancestors" in message.text
        ) as refusal:
            framed.goto(host_page_url())
        assert "has been blocked" in refusal.value.text
        framed.close()

    assert_blocked()

    open_settings(page, "Embedding")
    page.get_by_label("Allowed frame origins").fill(refused_host.url.upper())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(f"framed by {refused_host.url}")
    assert accessibility_violations(page) == []
    screenshot(page, "dashboard-embedding")

    shown = page.context.new_page()
    shown.goto(host_page_url())
    expect(shown.frame_locator("#portal").locator(".org-name")).to_have_text("Acme Corp")
    screenshot(shown, "iframe-allowed-by-dashboard")
    shown.close()

    page.get_by_label("Allowed frame origins").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("No origin set here")
    assert_blocked()


def test_sent_emails_show_a_failed_mail_with_the_server_error(page, dashboard):
    db.session.add(
        MailMessage(
            recipient="it@acme.test",
            subject="Acme: set up single sign-on",
            body="Open https://portal.example/admin/launch?token=x",
            transport="smtp",
            state="failed",
            attempt_count=5,
            last_error="The mail server at 127.0.0.1:2525 did not accept the message "
            "([Errno 111] Connection refused). Check SMTP_URL and that the server is running.",
        )
    )
    db.session.commit()
    open_settings(page, "Sent emails")
    expect(page.get_by_text("Gave up after 5 attempts")).to_be_visible()
    expect(page.get_by_role("button", name="Send again")).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "dashboard-emails-failed")


def test_allowed_redirect_uris_refuse_then_save(page, dashboard):
    open_settings(page, "Redirects")
    box = page.get_by_label("Allowed redirect URIs")
    box.fill("http://app.example.com/callback")
    page.get_by_role("button", name="Save redirect URIs").click()
    expect(page.get_by_text("plain http is allowed only for localhost")).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "redirect-uris-refused")
    page.get_by_label("Allowed redirect URIs").fill(
        "https://App.Example.com/callback\nhttp://localhost:3000/cb"
    )
    page.get_by_role("button", name="Save redirect URIs").click()
    expect(page.get_by_text("Allowed redirect URIs saved (2)")).to_be_visible()
    expect(page.get_by_label("Allowed redirect URIs")).to_have_value(
        "https://app.example.com/callback\nhttp://localhost:3000/cb"
    )
    assert accessibility_violations(page) == []
    screenshot(page, "redirect-uris-saved")


def test_revoking_an_api_key_asks_first_and_keeping_it_changes_nothing(page, dashboard):
    secret = credentials.create_api_key("billing app")[1]
    open_settings(page, "API keys")
    page.get_by_role("link", name="Revoke… billing app").click()
    expect(page.get_by_role("heading", name="Revoke the API key billing app")).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "dashboard-api-key-revoke")
    page.get_by_role("link", name="Keep it").click()
    assert credentials.authenticate_api_key(secret) is not None

    page.get_by_role("link", name="Revoke… billing app").click()
    page.get_by_role("button", name="Revoke key").click()
    expect(page.get_by_text("Revoked the API key billing app")).to_be_visible()
    db.session.expire_all()
    assert credentials.authenticate_api_key(secret) is None
