"""At a phone's width (390 px) no page is wider than the screen: wide tables scroll inside
their own region and long ids, URLs and tokens wrap; an opened mail fits a desktop window."""

from datetime import UTC, datetime

import pytest
from workos.audit_logs.models import (
    AuditLogEvent,
    AuditLogEventActor,
    AuditLogEventContext,
    AuditLogEventTarget,
)

from portal.extensions import db
from portal.models import MailMessage
from portal.services.account import credentials
from portal.services.delivery import webhooks
from portal.services.infra.queue import job_queue
from tests.browser.evidence import screenshot
from tests.factories import make_directory, make_organization
from tests.scim.scim_client import ScimClient, user_body

PHONE = {"width": 390, "height": 844}
LONG = "a-rather-long-path-segment-that-an-app-might-really-use"


def page_width(page) -> int:
    return page.evaluate("() => document.scrollingElement.scrollWidth")


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def seed(app, workos, receiver_url: str):
    """Records with long names, ids and URLs on every page the test visits."""
    org = make_organization(
        "Acme Corporation International Holdings",
        domains=["identity-and-access.subsidiary.acme-corporation.test"],
    )
    credentials.create_api_key("Production key for the billing service backend")
    endpoint = webhooks.create_endpoint(f"{receiver_url}/{LONG}", ["organization.created"])
    make_organization("Globex")
    job_queue().run_due_jobs()  # one delivery with its attempt
    directory, token = make_directory(org)
    scim = ScimClient(app, directory.id, token)
    scim.post("/Users", user_body("someone.with.a.long.name@identity.acme-corporation.test"))
    workos.audit_logs.create_event(
        organization_id=org.id,
        event=AuditLogEvent(
            action="user.signed_in_with_single_sign_on",
            occurred_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
            actor=AuditLogEventActor(id="user_01HZZZZZZZZZZZZZZZZZZZZZZZ", type="user", name="Ada"),
            targets=[AuditLogEventTarget(id="team_01HZZZZZZZZZZZZZZZZZ", type="team")],
            context=AuditLogEventContext(location="203.0.113.7", user_agent="Firefox/120"),
        ),
    )
    return org, endpoint


def test_pages_fit_a_390px_screen(
    phone, portal, workos, admin_link, sign_in_to_dashboard, make_receiver
):
    app, server = portal
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = True
    try:
        org, endpoint = seed(app, workos, make_receiver().url)
    finally:
        app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = False
    sign_in_to_dashboard(phone)
    dashboard_pages = {
        "webhooks": "/dashboard/settings/webhooks",
        "webhook": f"/dashboard/settings/webhooks/{endpoint.id}",
        "organization": f"/dashboard/organizations/{org.id}",
        "organizations": "/dashboard/organizations",
        "api-keys": "/dashboard/settings/api-keys",
        "events": "/dashboard/settings/events",
    }
    widths = {}
    for name, path in dashboard_pages.items():
        phone.goto(server.url + path)
        widths[name] = page_width(phone)
        screenshot(phone, f"narrow-{name}")

    admin_pages = {
        "audit_logs": ["/admin/audit-logs"],
        "dsync": ["/admin/directory-sync", "/admin/directory-sync/users?q=someone"],
    }
    for intent, paths in admin_pages.items():
        phone.goto(admin_link(intent, organization=org))
        for path in paths:
            phone.goto(server.url + path)
            widths[path] = page_width(phone)
            screenshot(phone, f"narrow-{path.split('?')[0].replace('/', '-')}")
    assert {name: width for name, width in widths.items() if width > PHONE["width"]} == {}


def test_an_opened_mail_with_a_long_link_fits_the_window(page, portal, sign_in_to_dashboard):
    _, server = portal
    link = f"https://portal.example/admin/launch?token={'x' * 300}"
    db.session.add(
        MailMessage(
            recipient="it@acme.test",
            subject="Acme: set up single sign-on",
            body=f"Open {link}",
            transport="outbox",
            state="kept",
        )
    )
    db.session.commit()
    sign_in_to_dashboard(page)
    page.goto(server.url + "/dashboard/settings/emails")
    page.locator("details.mail summary").click()
    screenshot(page, "emails-opened")
    assert page_width(page) <= 1280
