"""`/audit_logs/...`: events checked against action schemas, idempotent retries, CSV exports of
one organization by a job, signed download links that expire, and retention with its purge."""

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditLogEvent, AuditLogTarget
from portal.services.audit import audit_log_exports, log_streams
from portal.services.audit.log_streams import StreamSettings
from tasks import audit_logs as audit_log_jobs
from tasks.periodic import EVERY
from tests.api.document import body_is_valid
from tests.factories import make_organization, org_with

# For tests that run the due jobs: an organization without domains queues no DNS check.
WITHOUT_DOMAINS = org_with(domains=[])

PUBLIC_URL = "http://portal.test"


def event(action="user.signed_in", **changes) -> dict:
    base = {
        "action": action,
        "occurred_at": "2026-11-20T10:00:00.000Z",
        "actor": {"id": "user_ada", "type": "user", "name": "Ada", "metadata": {"role": "admin"}},
        "targets": [{"id": "team_1", "type": "team", "name": "Core"}],
        "context": {"location": "203.0.113.7", "user_agent": "Firefox/120"},
        "metadata": {"mfa": True},
    }
    return base | changes


def record(api, org, body=None, **headers):
    payload = {"organization_id": org.id, "event": body or event()}
    return api.post("/audit_logs/events", json=payload, headers=headers)


@pytest.fixture
def other_org(app):
    return make_organization("Globex")


def stored_events(org) -> list[AuditLogEvent]:
    query = select(AuditLogEvent).where(AuditLogEvent.organization_id == org.id)
    return list(db.session.scalars(query.order_by(AuditLogEvent.id)))


# Events


def test_an_event_of_an_action_without_a_schema_is_recorded_as_sent(api, org):
    response = record(api, org)
    assert response.status_code == 201
    assert response.get_json() == {"success": True}
    [row] = stored_events(org)
    assert (row.action, row.actor_id, row.actor_name, row.location) == (
        "user.signed_in",
        "user_ada",
        "Ada",
        "203.0.113.7",
    )
    assert row.occurred_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert [(t.type, t.target_id, t.name) for t in row.targets] == [("team", "team_1", "Core")]
    assert (row.metadata_, row.actor_metadata, row.version) == (
        {"mfa": True},
        {"role": "admin"},
        None,
    )


def test_a_retry_with_the_same_idempotency_key_records_the_event_once(api, org):
    first = record(api, org, **{"Idempotency-Key": "evt-1"})
    again = record(api, org, **{"Idempotency-Key": "evt-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(stored_events(org)) == 1
    reused = record(api, org, event(action="user.signed_out"), **{"Idempotency-Key": "evt-1"})
    assert reused.status_code == 400
    assert reused.get_json()["code"] == "idempotency_key_reused"
    assert len(stored_events(org)) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"occurred_at": "2026-11-20T10:00:00"}, "event.occurred_at"),
        ({"occurred_at": "last tuesday"}, "event.occurred_at"),
        ({"context": {"user_agent": "x"}}, "event.context.location"),
        ({"actor": {"id": "u1"}}, "event.actor.type"),
        ({"metadata": {"nested": {"a": 1}}}, "event.metadata.nested"),
        ({"targets": [{"id": "t", "type": "team", "color": "red"}]}, "event.targets.0.color"),
        ({"action": "has spaces"}, "event.action"),
        ({"version": 0}, "event.version"),
    ],
)
def test_malformed_events_are_refused_naming_the_field(api, org, changes, field):
    response = record(api, org, event(**changes))
    assert response.status_code == 422
    fields = [error["field"] for error in response.get_json()["errors"]]
    assert any(f.startswith(field) for f in fields), fields
    assert stored_events(org) == []


def test_metadata_past_the_workos_limits_is_refused(api, org):
    too_many = {f"k{i}": "v" for i in range(51)}
    response = record(
        api,
        org,
        event(metadata=too_many, actor={"id": "u", "type": "user", "metadata": {"k" * 41: "v"}}),
    )
    assert response.status_code == 422
    codes = {error["code"] for error in response.get_json()["errors"]}
    assert codes == {"too_many_keys", "key_too_long"}


def test_an_event_for_an_unknown_organization_is_a_404(api, org):
    response = api.post(
        "/audit_logs/events", json={"organization_id": "org_nope", "event": event()}
    )
    assert response.status_code == 404
    assert response.get_json()["code"] == "entity_not_found"


# Schemas

SCHEMA = {
    "actor": {"metadata": {"role": "string"}},
    "targets": [{"type": "team", "metadata": {"seats": "number"}}, {"type": "user"}],
    "metadata": {
        "type": "object",
        "properties": {"mfa": {"type": "boolean"}, "reason": {"type": "string"}},
        "required": ["mfa"],
    },
}


def create_schema(api, body=SCHEMA, action="user.signed_in"):
    return api.post(f"/audit_logs/actions/{action}/schemas", json=body)


def test_schemas_are_versioned_and_an_unchanged_one_is_not_a_new_version(api):
    first = create_schema(api)
    assert first.status_code == 201
    schema = first.get_json()
    assert (schema["object"], schema["version"]) == ("audit_log_schema", 1)
    assert schema["actor"]["metadata"]["properties"] == {"role": {"type": "string"}}
    assert schema["metadata"]["required"] == ["mfa"]
    assert create_schema(api).get_json()["version"] == 1
    changed = create_schema(api, {"targets": [{"type": "team"}]}).get_json()
    assert changed["version"] == 2

    [action] = api.get("/audit_logs/actions").get_json()["data"]
    assert (action["object"], action["name"], action["schema"]["version"]) == (
        "audit_log_action",
        "user.signed_in",
        2,
    )
    versions = api.get("/audit_logs/actions/user.signed_in/schemas?order=asc").get_json()
    assert [s["version"] for s in versions["data"]] == [1, 2]
    assert api.get("/audit_logs/actions/user.nothing/schemas").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"targets": []}, "targets"),
        ({"targets": [{"type": "team"}, {"type": "team"}]}, "targets"),
        ({"targets": [{"type": "team", "metadata": {"when": "date"}}]}, "targets.0.metadata.when"),
        ({"targets": [{"type": "t"}], "metadata": {"type": "object", "oneOf": []}}, "metadata"),
        (
            {"targets": [{"type": "t"}], "metadata": {"properties": {}, "required": ["x"]}},
            "metadata.required",
        ),
    ],
)
def test_schemas_portal_cannot_check_are_refused(api, body, field):
    response = create_schema(api, body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field
    assert api.get("/audit_logs/actions").get_json()["data"] == []


def test_an_event_is_checked_against_the_latest_schema_and_every_problem_is_listed(api, org):
    create_schema(api)
    good = event(
        actor={"id": "u1", "type": "user", "metadata": {"role": "admin"}},
        targets=[
            {"id": "t1", "type": "team", "metadata": {"seats": 5}},
            {"id": "u2", "type": "user"},
        ],
        metadata={"mfa": True, "reason": "login"},
    )
    assert record(api, org, good).status_code == 201
    assert stored_events(org)[0].version == 1

    bad = event(
        actor={"id": "u1", "type": "user", "metadata": {"role": 7, "shoe": "42"}},
        targets=[
            {"id": "t1", "type": "team", "metadata": {"seats": "many"}},
            {"id": "x", "type": "bot"},
        ],
        metadata={"reason": "login"},
    )
    response = record(api, org, bad)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid_request_parameters"
    assert "schema version 1" in body["message"]
    problems = {(e["field"], e["code"]) for e in body["errors"]}
    assert problems == {
        ("event.actor.metadata.role", "wrong_type"),
        ("event.actor.metadata.shoe", "not_in_schema"),
        ("event.targets.0.metadata.seats", "wrong_type"),
        ("event.targets.1.type", "unknown_target_type"),
        ("event.targets", "missing_target_type"),
        ("event.metadata.mfa", "required"),
    }
    assert len(stored_events(org)) == 1


def test_an_event_naming_a_version_is_checked_against_that_version(api, org):
    create_schema(api, {"targets": [{"type": "team"}]})
    create_schema(api, {"targets": [{"type": "user"}]})
    assert record(api, org, event(version=1)).status_code == 201
    assert record(api, org, event()).status_code == 422  # latest (2) wants a user target
    missing = record(api, org, event(version=3))
    assert missing.status_code == 422
    assert missing.get_json()["errors"][0]["field"] == "event.version"
    unknown = record(api, org, event(action="no.schema", version=1))
    assert unknown.status_code == 422


# Exports

RANGE = {"range_start": "2026-11-01T00:00:00Z", "range_end": "2026-12-01T00:00:00Z"}


def start_export(api, org, **filters):
    return api.post("/audit_logs/exports", json={"organization_id": org.id, **RANGE, **filters})


def run_jobs(app) -> int:
    return app.extensions["portal_queue"].run_due_jobs()


def download(client, export) -> list[dict]:
    response = client.get(export["url"].removeprefix(PUBLIC_URL))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@WITHOUT_DOMAINS
def test_an_export_is_pending_until_its_job_builds_the_csv(app, api, client, org):
    record(api, org)
    created = start_export(api, org)
    assert created.status_code == 201
    export = created.get_json()
    assert (export["object"], export["state"], export["url"]) == (
        "audit_log_export",
        "pending",
        None,
    )
    assert export["id"].startswith("audit_log_export_")

    assert run_jobs(app) == 1
    ready = api.get(f"/audit_logs/exports/{export['id']}").get_json()
    assert ready["state"] == "ready"
    assert ready["url"].startswith(
        f"{PUBLIC_URL}/audit_logs/exports/{export['id']}/download?token="
    )
    [row] = download(client, ready)
    assert (row["action"], row["actor_id"], row["actor_name"], row["location"]) == (
        "user.signed_in",
        "user_ada",
        "Ada",
        "203.0.113.7",
    )
    assert row["occurred_at"] == "2026-11-20T10:00:00.000Z"
    assert '"type": "team"' in row["targets"]


@WITHOUT_DOMAINS
def test_an_export_holds_only_its_organization_and_what_the_filters_ask(
    app, api, client, org, other_org
):
    record(api, org)
    record(api, org, event(action="invoice.paid", actor={"id": "svc", "type": "service"}))
    record(api, org, event(targets=[{"id": "u9", "type": "user"}]))
    record(api, org, event(occurred_at="2026-10-01T00:00:00Z"))
    record(api, other_org)
    cases = {
        "all": ({}, 3),
        "actions": ({"actions": ["invoice.paid"]}, 1),
        "actor_names": ({"actor_names": ["Ada"]}, 2),
        "actors": ({"actors": ["Ada"]}, 2),
        "actor_ids": ({"actor_ids": ["svc"]}, 1),
        "targets": ({"targets": ["user"]}, 1),
    }
    exports = {name: start_export(api, org, **f).get_json()["id"] for name, (f, _) in cases.items()}
    run_jobs(app)
    for name, (_, expected) in cases.items():
        export = api.get(f"/audit_logs/exports/{exports[name]}").get_json()
        rows = download(client, export)
        assert len(rows) == expected, name
        assert all(r["occurred_at"].startswith("2026-11") for r in rows), name
    other_ids = {e.id for e in stored_events(other_org)}
    every_row = download(client, api.get(f"/audit_logs/exports/{exports['all']}").get_json())
    assert not other_ids & {r["id"] for r in every_row}


@WITHOUT_DOMAINS
def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted(app, api, client, org):
    record(api, org, event(actor={"id": "u", "type": "user", "name": '=HYPERLINK("x")'}))
    export = start_export(api, org).get_json()
    run_jobs(app)
    [row] = download(client, api.get(f"/audit_logs/exports/{export['id']}").get_json())
    assert row["actor_name"] == '\'=HYPERLINK("x")'


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"range_start": "2026-12-02T00:00:00Z"}, 422),
        ({"range_end": "soon"}, 422),
        ({"actions": "user.signed_in"}, 422),
        ({"organization_id": "org_nope"}, 404),
    ],
)
def test_bad_export_requests_are_refused(api, org, changes, status):
    response = api.post("/audit_logs/exports", json={"organization_id": org.id, **RANGE, **changes})
    assert response.status_code == status


@WITHOUT_DOMAINS
def test_a_download_link_that_expired_or_was_altered_is_refused_clearly(app, api, client, org):
    record(api, org)
    export = start_export(api, org).get_json()
    run_jobs(app)
    url = api.get(f"/audit_logs/exports/{export['id']}").get_json()["url"].removeprefix(PUBLIC_URL)

    signed, _, signature = url.rpartition(".")
    altered = client.get(f"{signed}.{signature[::-1]}")
    assert altered.status_code == 403
    assert altered.get_json()["code"] == "export_link_invalid"
    assert "Fetch the export again" in altered.get_json()["message"]

    class MadeAnHourAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 3600

    old_token = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt=audit_log_exports.SALT, signer=MadeAnHourAgo
    ).dumps(export["id"])
    expired = client.get(f"/audit_logs/exports/{export['id']}/download?token={old_token}")
    assert expired.status_code == 403
    assert expired.get_json()["code"] == "export_link_expired"

    another = start_export(api, org).get_json()
    token = url.split("token=")[1]
    swapped = client.get(f"/audit_logs/exports/{another['id']}/download?token={token}")
    assert swapped.status_code == 403
    assert client.get(f"/audit_logs/exports/{export['id']}/download").status_code == 403


def test_a_pending_export_has_no_link_and_unknown_exports_are_404(api, client, org):
    export = start_export(api, org).get_json()
    token = audit_log_exports._serializer().dumps(export["id"])
    pending = client.get(f"/audit_logs/exports/{export['id']}/download?token={token}")
    assert pending.status_code == 404
    assert api.get("/audit_logs/exports/audit_log_export_nope").status_code == 404


# Retention


def test_retention_is_unset_until_set_in_days_or_as_a_period(api, org):
    path = f"/organizations/{org.id}/audit_logs_retention"
    assert api.get(path).get_json() == {"retention_period_in_days": None}
    assert api.put(path, json={"retention_period_in_days": 60}).get_json() == {
        "retention_period_in_days": 60
    }
    assert api.put(path, json={"retention_period": "2_YEARS"}).get_json() == {
        "retention_period_in_days": 730
    }
    assert api.get(path).get_json() == {"retention_period_in_days": 730}
    for body in (
        {"retention_period_in_days": 45},
        {"retention_period_in_days": 4000},
        {"retention_period": "1_WEEK"},
        {},
        {"retention_period_in_days": 30, "retention_period": "1_MONTH"},
    ):
        response = api.put(path, json=body)
        assert response.status_code == 422, body
    assert api.get(path).get_json() == {"retention_period_in_days": 730}
    assert api.get("/organizations/org_nope/audit_logs_retention").status_code == 404


def test_the_hourly_purge_forgets_only_events_past_their_organizations_retention(
    api, org, other_org
):
    now = datetime.now(UTC)
    for org_ in (org, other_org):
        for age in (10, 40):
            when = (now - timedelta(days=age)).isoformat()
            assert record(api, org_, event(occurred_at=when)).status_code == 201
    api.put(f"/organizations/{org.id}/audit_logs_retention", json={"retention_period_in_days": 30})

    assert "tasks.audit_logs.purge_expired" in EVERY
    assert audit_log_jobs.purge_expired() == 1
    kept = stored_events(org)
    assert [(now - e.occurred_at).days for e in kept] == [10]
    assert len(stored_events(other_org)) == 2  # no retention set: kept
    assert db.session.scalar(select(func.count(AuditLogTarget.id))) == 3
    assert audit_log_jobs.purge_expired() == 0


# Configuration


def test_the_configuration_shows_retention_and_the_log_stream(app, api, org):
    path = f"/organizations/{org.id}/audit_log_configuration"
    assert api.get(path).get_json() == {
        "organization_id": org.id,
        "retention_period_in_days": None,
        "state": "active",
        "log_stream": None,
    }
    api.put(f"/organizations/{org.id}/audit_logs_retention", json={"retention_period_in_days": 90})
    stream = log_streams.configure(
        org.id, StreamSettings("splunk", "https://1.1.1.1:8088", credential="hec")
    )
    shown = api.get(path).get_json()
    assert shown["retention_period_in_days"] == 90
    assert {k: v for k, v in shown["log_stream"].items() if k != "created_at"} == {
        "id": stream.id,
        "type": "Splunk",
        "state": "active",
        "last_synced_at": None,
    }
    assert api.get("/organizations/org_nope/audit_log_configuration").status_code == 404


# Where the OpenAPI document and the server disagreed (tests/api/test_fuzz.py found them).


def test_a_whole_number_written_with_a_decimal_point_is_a_whole_number(api, org):
    path = "/organizations/{organization_id}/audit_logs_retention"
    body = {"retention_period_in_days": 30.0}
    assert body_is_valid("put", path, body)
    response = api.put(path.format(organization_id=org.id), json=body)
    assert response.status_code == 200
    assert response.get_json() == {"retention_period_in_days": 30}


@pytest.mark.parametrize(
    "body", [{}, {"retention_period_in_days": 31}, {"retention_period": "1_WEEK"}]
)
def test_retention_values_the_document_refuses_are_refused(api, org, body):
    path = "/organizations/{organization_id}/audit_logs_retention"
    assert not body_is_valid("put", path, body)
    assert api.put(path.format(organization_id=org.id), json=body).status_code == 422


def test_an_action_holding_any_unicode_space_is_refused(api, org):
    body = {"organization_id": org.id, "event": event(action="user\x85signed_in")}
    assert not body_is_valid("post", "/audit_logs/events", body)
    response = api.post("/audit_logs/events", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "event.action"


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({"type": "string", "properties": {}}, "metadata.type"),
        ({"type": "object", "properties": None}, "metadata.properties"),
        ({"type": "object", "required": [{"name": "role"}]}, "metadata.required"),
    ],
)
def test_metadata_schemas_the_document_refuses_are_refused(api, metadata, field):
    body = {"targets": [{"type": "user"}], "metadata": metadata}
    path = "/audit_logs/actions/{action_name}/schemas"
    assert not body_is_valid("post", path, body)
    response = api.post(path.format(action_name="user.signed_in"), json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field
