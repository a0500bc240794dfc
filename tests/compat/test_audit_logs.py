"""Audit logs through `workos.audit_logs`: schemas, events (with idempotent retries), exports
and their CSV download, and retention. No worker runs here: the test runs the export job itself,
as a worker would, and downloads the CSV from the served app."""

import csv
import io
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from workos import BadRequestError, NotFoundError, UnprocessableEntityError
from workos.audit_logs import RetentionPeriod, RetentionPeriodInDays
from workos.audit_logs.models import (
    AuditLogEvent,
    AuditLogEventActor,
    AuditLogEventContext,
    AuditLogEventTarget,
    AuditLogExport,
    AuditLogSchemaActorInput,
    AuditLogSchemaTargetInput,
)

from portal.extensions import db
from portal.models import AuditLogEvent as StoredEvent
from portal.services.audit import log_streams
from portal.services.audit.log_streams import StreamSettings
from tasks import audit_logs as audit_log_jobs
from tests.factories import make_organization

START, END = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)


def an_event(action="user.signed_in", target_type="team", **fields) -> AuditLogEvent:
    return AuditLogEvent(
        action=action,
        occurred_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        actor=AuditLogEventActor(
            id="user_ada", type="user", name="Ada", metadata={"role": "admin"}
        ),
        targets=[AuditLogEventTarget(id="team_1", type=target_type, name="Core")],
        context=AuditLogEventContext(location="203.0.113.7", user_agent="Firefox/120"),
        **fields,
    )


def stored(org) -> list[StoredEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(StoredEvent).where(StoredEvent.organization_id == org.id))
    )


def test_create_event_records_it(workos, org):
    result = workos.audit_logs.create_event(
        organization_id=org.id, event=an_event(metadata={"mfa": True})
    )
    assert result.success is True
    [row] = stored(org)
    assert (row.action, row.actor_name, row.metadata_) == ("user.signed_in", "Ada", {"mfa": True})


def test_create_event_with_an_idempotency_key_records_a_retry_once(workos, org):
    for _ in range(2):
        workos.audit_logs.create_event(
            organization_id=org.id, event=an_event(), idempotency_key="signin-ada-0930"
        )
    assert len(stored(org)) == 1
    with pytest.raises(BadRequestError):
        workos.audit_logs.create_event(
            organization_id=org.id, event=an_event(action="x.y"), idempotency_key="signin-ada-0930"
        )


def test_schemas_validate_events_and_are_listed(workos, org):
    schema = workos.audit_logs.create_schema(
        "user.signed_in",
        targets=[AuditLogSchemaTargetInput(type="team", metadata={"seats": "number"})],
        actor=AuditLogSchemaActorInput(metadata={"role": "string"}),
    )
    assert schema.version == 1
    assert schema.targets[0].type == "team"

    workos.audit_logs.create_event(organization_id=org.id, event=an_event())
    with pytest.raises(UnprocessableEntityError) as refused:
        workos.audit_logs.create_event(organization_id=org.id, event=an_event(target_type="bot"))
    assert "bot" in str(refused.value)

    [action] = workos.audit_logs.list_actions().data
    assert (action.name, action.schema.version) == ("user.signed_in", 1)
    assert [s.version for s in workos.audit_logs.list_action_schemas("user.signed_in").data] == [1]
    with pytest.raises(NotFoundError):
        workos.audit_logs.list_action_schemas("nobody.did_this")


def test_an_export_is_built_and_its_csv_downloads(workos, app, org, base_url):
    other = make_organization("Globex")
    workos.audit_logs.create_event(organization_id=org.id, event=an_event())
    workos.audit_logs.create_event(organization_id=org.id, event=an_event(action="invoice.paid"))
    workos.audit_logs.create_event(organization_id=other.id, event=an_event())

    export = workos.audit_logs.create_export(
        organization_id=org.id, range_start=START, range_end=END, actions=["user.signed_in"]
    )
    assert isinstance(export, AuditLogExport)
    assert (export.state, export.url) == ("pending", None)
    assert workos.audit_logs.get_export(export.id).state == "pending"

    assert audit_log_jobs.build_export(export.id) == "ready"
    ready = workos.audit_logs.get_export(export.id)
    assert ready.state == "ready"
    public_url = app.config["PORTAL_PUBLIC_URL"]
    assert ready.url.startswith(public_url)
    served = base_url + ready.url.removeprefix(public_url)
    with urllib.request.urlopen(served) as response:  # noqa: S310  (our loopback server)
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/csv")
        text = response.read().decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["action"], r["actor_name"]) for r in rows] == [("user.signed_in", "Ada")]
    assert rows[0]["id"] in {e.id for e in stored(org)}

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(served + "x")  # noqa: S310
    assert refused.value.code == 403
    refused.value.close()  # the error holds the response and its socket
    refused.value.close()
    with pytest.raises(NotFoundError):
        workos.audit_logs.get_export("audit_log_export_nope")


def test_retention_is_read_and_set(workos, org):
    audit_logs = workos.audit_logs
    assert audit_logs.get_organization_audit_logs_retention(org.id).retention_period_in_days is None
    set_days = audit_logs.update_organization_audit_logs_retention(
        org.id, retention=RetentionPeriodInDays(retention_period_in_days=90)
    )
    assert set_days.retention_period_in_days == 90
    set_period = audit_logs.update_organization_audit_logs_retention(
        org.id, retention=RetentionPeriod(retention_period="1_YEAR")
    )
    assert set_period.retention_period_in_days == 365
    with pytest.raises(UnprocessableEntityError):
        audit_logs.update_organization_audit_logs_retention(
            org.id, retention=RetentionPeriodInDays(retention_period_in_days=7)
        )


def test_the_audit_log_configuration_reads_through_the_sdk(workos, org):
    log_streams.configure(org.id, StreamSettings("datadog", "", "datadoghq.eu", "dd-key"))
    workos.audit_logs.update_organization_audit_logs_retention(
        org.id, retention=RetentionPeriodInDays(retention_period_in_days=30)
    )
    configuration = workos.organizations.get_audit_log_configuration(org.id)
    assert configuration.organization_id == org.id
    assert configuration.retention_period_in_days == 30
    assert configuration.state == "active"
    assert configuration.log_stream.type == "Datadog"
    assert configuration.log_stream.state == "active"
    assert configuration.log_stream.last_synced_at is None
