"""The IT admin reads, filters and exports their audit log in real Chromium."""

import csv
import io
from datetime import UTC, datetime, timedelta

from workos.audit_logs.models import (
    AuditLogEvent,
    AuditLogEventActor,
    AuditLogEventContext,
    AuditLogEventTarget,
)

from tests.browser.evidence import accessibility_violations, screenshot
from tests.factories import org_with

PEOPLE = [("Ada Lovelace", "user.signed_in"), ("Grace Hopper", "invoice.paid")]


def _record(workos, org, minutes: int, name: str, action: str) -> None:
    workos.audit_logs.create_event(
        organization_id=org.id,
        event=AuditLogEvent(
            action=action,
            occurred_at=datetime(2026, 11, 20, 9, tzinfo=UTC) + timedelta(minutes=minutes),
            actor=AuditLogEventActor(id=f"user_{minutes}", type="user", name=name),
            targets=[AuditLogEventTarget(id="team_core", type="team", name="Core team")],
            context=AuditLogEventContext(location="203.0.113.7", user_agent="Firefox/120"),
            metadata={"reason": "monthly review"},
        ),
    )


# The test runs every due job: an organization without domains queues no DNS check.
@org_with(domains=[])
def test_the_admin_filters_and_exports_the_audit_log(page, app, org, workos, admin_link):
    for minutes in range(6):
        name, action = PEOPLE[minutes % 2]
        _record(workos, org, minutes, name, action)
    page.goto(admin_link("audit_logs"))
    assert page.url.endswith("/admin/audit-logs")
    assert page.locator("table.audit-events tbody tr").count() == 6
    assert accessibility_violations(page) == []
    screenshot(page, "audit-logs")

    page.get_by_label("Action").select_option("invoice.paid")
    page.get_by_role("button", name="Show events").click()
    page.wait_for_url("**action=invoice.paid**")
    rows = page.locator("table.audit-events tbody tr")
    rows.first.wait_for()
    assert rows.count() == 3
    assert "Ada Lovelace" not in page.locator("#audit-results").inner_text()
    assert page.locator("header .org-name").count() == 1  # a fragment was swapped in

    page.get_by_role("button", name="Export these events as CSV").click()
    page.get_by_text("Preparing your CSV export").wait_for()
    app.extensions["portal_queue"].run_due_jobs()
    page.get_by_text("Your export is ready: 3 events.").wait_for(timeout=10_000)
    assert accessibility_violations(page) == []
    screenshot(page, "audit-logs-export-ready")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = download.value.path().read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["actor_name"] for r in rows} == {"Grace Hopper"} and len(rows) == 3
