"""The IT admin's audit log: filters, pages, and a CSV export that is offered once it is built."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from portal.services.audit import audit_log_events, audit_log_exports
from tests.factories import make_organization


def record(org, action="user.signed_in", actor="Ada", target=("team", "team_1", "Core"), when=None):
    audit_log_events.record_event(
        org.id,
        {
            "action": action,
            "occurred_at": when or datetime(2026, 11, 20, 10, tzinfo=UTC),
            "actor": {"id": f"user_{actor.lower()}", "type": "user", "name": actor},
            "targets": [{"type": target[0], "id": target[1], "name": target[2]}],
            "context": {"location": "203.0.113.7"},
            "metadata": {"reason": "quarterly review"},
        },
    )


@pytest.fixture
def viewer(admin_client):
    return admin_client("audit_logs")


@pytest.fixture
def other_org(app):
    return make_organization("Globex")


def test_the_log_lists_the_organizations_events_newest_first(viewer, org, other_org):
    record(org, actor="Ada", when=datetime(2026, 11, 20, tzinfo=UTC))
    record(org, action="invoice.paid", actor="Grace", when=datetime(2026, 11, 21, tzinfo=UTC))
    record(other_org, actor="Mallory")
    page = viewer.get("/admin/audit-logs").get_data(as_text=True)
    assert page.index("Grace") < page.index("Ada")
    assert "invoice.paid" in page and "quarterly review" in page
    assert "Mallory" not in page
    assert '<option value="invoice.paid"' in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("action=invoice.paid", "Grace", "Ada"),
        ("actor=Ada", "Ada", "Grace"),
        ("actor=user_grace", "Grace", "Ada"),
        ("target=Billing", "Grace", "Ada"),
        ("target=team", "Ada", "Grace"),
        ("start=2026-11-21", "Grace", "Ada"),
        ("end=2026-11-20", "Ada", "Grace"),
    ],
)
def test_each_filter_narrows_the_list(viewer, org, query, shown, hidden):
    record(org, actor="Ada", when=datetime(2026, 11, 20, 23, 59, tzinfo=UTC))
    record(
        org,
        action="invoice.paid",
        actor="Grace",
        target=("invoice", "inv_1", "Billing"),
        when=datetime(2026, 11, 21, tzinfo=UTC),
    )
    fragment = viewer.get(
        f"/admin/audit-logs?{query}", headers={"HX-Request": "true", "HX-Target": "audit-results"}
    )
    body = fragment.get_data(as_text=True)
    assert "<html" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    assert shown in body and hidden not in body


def test_a_filter_that_matches_nothing_says_what_to_do(viewer, org):
    record(org)
    body = viewer.get("/admin/audit-logs?actor=nobody").get_data(as_text=True)
    assert "No events match these filters" in body and "Try fewer filters" in body
    bad = viewer.get("/admin/audit-logs?start=yesterday").get_data(as_text=True)
    assert "Enter dates as year-month-day" in bad


def test_the_log_pages_by_25_keeping_the_filters(viewer, org):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for n in range(30):
        record(org, actor=f"Person{n:02d}", when=start + timedelta(minutes=n))
    first = viewer.get("/admin/audit-logs?action=user.signed_in").get_data(as_text=True)
    assert "Person29" in first and "Person05" in first and "Person04" not in first
    assert "Older events" in first and "Newer events" not in first
    after = first.split("after=")[1].split("&")[0].split('"')[0]
    second = viewer.get(f"/admin/audit-logs?action=user.signed_in&after={after}")
    body = second.get_data(as_text=True)
    assert "Person04" in body and "Person00" in body and "Person05" not in body
    assert "Newer events" in body and "action=user.signed_in" in body


def test_an_export_is_offered_for_download_once_built(app, viewer, org, other_org):
    record(org, actor="Ada")
    record(org, action="invoice.paid", actor="Grace")
    record(other_org, actor="Mallory")
    started = viewer.post("/admin/audit-logs/exports", data={"action": "invoice.paid"})
    body = started.get_data(as_text=True)
    assert "Preparing your CSV export" in body and 'hx-trigger="load delay:1s"' in body
    export_id = body.split("/audit-logs/exports/")[1].split('"')[0]

    app.extensions["portal_queue"].run_due_jobs()
    ready = viewer.get(f"/admin/audit-logs/exports/{export_id}").get_data(as_text=True)
    assert "Your export is ready: 1 event." in ready and "hx-trigger" not in ready
    download = viewer.get(f"/admin/audit-logs/exports/{export_id}/download")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert [r["actor_name"] for r in rows] == ["Grace"]
    assert "Your export is ready" in viewer.get("/admin/audit-logs").get_data(as_text=True)


def test_a_pending_export_cannot_be_downloaded_yet(viewer, org):
    body = viewer.post("/admin/audit-logs/exports", data={}).get_data(as_text=True)
    export_id = body.split("/audit-logs/exports/")[1].split('"')[0]
    assert viewer.get(f"/admin/audit-logs/exports/{export_id}/download").status_code == 404


def test_without_the_audit_logs_intent_the_section_does_not_exist(admin_client):
    client = admin_client("domain_verification")
    assert client.get("/admin/audit-logs").status_code == 404
    assert client.post("/admin/audit-logs/exports").status_code == 404


def test_nul_characters_in_filters_are_refused_and_in_ids_name_nothing(viewer, org):
    record(org, actor="Ada")
    refused = viewer.get("/admin/audit-logs?actor=A%00da")
    assert refused.status_code == 422
    assert "actor must not contain NUL characters." in refused.get_data(as_text=True)
    assert viewer.get("/admin/audit-logs?after=x%00").status_code == 422
    assert viewer.get("/admin/audit-logs/exports/x%00y").status_code == 404
    assert viewer.get("/admin/audit-logs/exports/x%00y/download").status_code == 404
    export = viewer.post("/admin/audit-logs/exports", data={"target": "C\x00ore"})
    assert export.status_code == 422
    assert "target must not contain NUL characters." in export.get_data(as_text=True)
    assert audit_log_exports.exports_of(org.id) == []
    assert "Ada" in viewer.get("/admin/audit-logs?actor=Ada").get_data(as_text=True)


def test_the_log_orders_by_when_events_happened_not_when_they_arrived(app, viewer, org):
    record(org, actor="Late", when=datetime(2026, 11, 22, tzinfo=UTC))
    record(org, actor="Backfilled", when=datetime(2026, 11, 1, tzinfo=UTC))
    record(org, actor="Recent", when=datetime(2026, 11, 23, tzinfo=UTC))
    page = viewer.get("/admin/audit-logs").get_data(as_text=True)
    assert page.index("Recent") < page.index("Late") < page.index("Backfilled")

    body = viewer.post("/admin/audit-logs/exports", data={}).get_data(as_text=True)
    export_id = body.split("/audit-logs/exports/")[1].split('"')[0]
    app.extensions["portal_queue"].run_due_jobs()
    download = viewer.get(f"/admin/audit-logs/exports/{export_id}/download")
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert [r["actor_name"] for r in rows] == ["Backfilled", "Late", "Recent"]


def test_pages_follow_when_events_happened(viewer, org):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    # Recorded newest first: insertion order is the reverse of the timeline.
    for n in reversed(range(30)):
        record(org, actor=f"Person{n:02d}", when=start + timedelta(minutes=n))
    first = viewer.get("/admin/audit-logs").get_data(as_text=True)
    assert "Person29" in first and "Person05" in first and "Person04" not in first
    after = first.split("after=")[1].split("&")[0].split('"')[0]
    second = viewer.get(f"/admin/audit-logs?after={after}").get_data(as_text=True)
    assert "Person04" in second and "Person00" in second and "Person05" not in second
    before = second.split("before=")[1].split("&")[0].split('"')[0]
    back = viewer.get(f"/admin/audit-logs?before={before}").get_data(as_text=True)
    assert "Person29" in back and "Person05" in back and "Older events" in back
    assert "Newer events" not in back


def test_a_reversed_date_range_says_so(viewer, org):
    record(org)
    body = viewer.get("/admin/audit-logs?start=2026-11-21&end=2026-11-20").get_data(as_text=True)
    assert "From is after To" in body
    assert "No events match" not in body
    export = viewer.post(
        "/admin/audit-logs/exports", data={"start": "2026-11-21", "end": "2026-11-20"}
    )
    assert "From is after To" in export.get_data(as_text=True)
    assert "Preparing your CSV export" not in export.get_data(as_text=True)
