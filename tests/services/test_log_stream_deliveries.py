"""Audit log events streamed to real receivers on loopback: Datadog's logs intake and Splunk's
HEC request shapes, a generic endpoint, retries with webhook back-off, give-up, the relay, and
credentials that are stored encrypted."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.errors import InvalidInput
from portal.extensions import db
from portal.models import LogStream, LogStreamDelivery
from portal.models.columns import utcnow
from portal.services.audit import audit_log_events, log_stream_deliveries, log_streams
from portal.services.audit.log_streams import StreamSettings
from portal.services.infra import encryption
from portal.services.infra.queue import job_queue
from tasks import log_streams as log_stream_jobs
from tests.factories import make_organization, org_with
from tests.peers.log_receiver import DATADOG_PATH, SPLUNK_PATH, LogReceiver

# For tests that run the due jobs: an organization without domains queues no DNS check.
WITHOUT_DOMAINS = org_with(domains=[])


@pytest.fixture
def app_config():
    return {"PORTAL_OUTBOUND_ALLOW_PRIVATE": True}


@pytest.fixture
def receivers():
    made = []

    def make(kind: str, credential: str = "") -> LogReceiver:
        made.append(LogReceiver(kind, credential))
        return made[-1]

    yield make
    for receiver in made:
        receiver.stop()


def record(org, action="user.signed_in") -> str:
    row = audit_log_events.record_event(
        org.id,
        {
            "action": action,
            "occurred_at": datetime(2026, 11, 20, 10, tzinfo=UTC),
            "actor": {"id": "user_ada", "type": "user", "name": "Ada"},
            "targets": [{"id": "team_1", "type": "team"}],
            "context": {"location": "203.0.113.7"},
            "metadata": {"mfa": True},
        },
    )
    return row.id


def deliveries() -> list[LogStreamDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(LogStreamDelivery).order_by(LogStreamDelivery.id)))


def time_passes(delivery: LogStreamDelivery, extra: timedelta = timedelta(seconds=1)) -> None:
    """Move the delivery's clock on until its next attempt is due (plus `extra`)."""
    row = db.session.get(LogStreamDelivery, delivery.id)
    shift = row.next_attempt_at - utcnow() + extra
    row.next_attempt_at -= shift
    row.retry_until -= shift
    db.session.commit()


@WITHOUT_DOMAINS
def test_datadog_receives_each_event_at_its_logs_intake_with_the_api_key(org, receivers):
    datadog = receivers("datadog", "dd-key-123")
    log_streams.configure(
        org.id,
        StreamSettings("datadog", datadog.base_url + DATADOG_PATH, "datadoghq.eu", "dd-key-123"),
    )
    event_id = record(org)
    job_queue().run_due_jobs()

    [arrival] = datadog.arrivals
    assert arrival.problem is None and arrival.status == 202
    [entry] = arrival.body
    assert (entry["ddsource"], entry["service"]) == ("portal", "audit-logs")
    assert f"organization_id:{org.id}" in entry["ddtags"]
    sent = json.loads(entry["message"])
    assert (sent["id"], sent["action"], sent["actor"]["name"]) == (
        event_id,
        "user.signed_in",
        "Ada",
    )
    assert [d.state for d in deliveries()] == ["succeeded"]
    stream = log_streams.stream_of(org.id)
    assert (log_streams.state(stream), stream.last_delivery_status) == ("active", 202)


def test_a_datadog_stream_defaults_to_its_sites_intake(org):
    stream = log_streams.configure(org.id, StreamSettings("datadog", "", "datadoghq.eu", "k"))
    assert stream.url == "https://http-intake.logs.datadoghq.eu/api/v2/logs"


@WITHOUT_DOMAINS
def test_splunk_receives_events_at_the_hec_with_its_token(org, receivers):
    splunk = receivers("splunk", "hec-token-9")
    stream = log_streams.configure(
        org.id, StreamSettings("splunk", splunk.base_url + SPLUNK_PATH, credential="hec-token-9")
    )
    assert stream.url == splunk.base_url  # the base URL is kept; the path is added per request
    record(org)
    job_queue().run_due_jobs()

    [arrival] = splunk.accepted()
    assert arrival.path == SPLUNK_PATH and arrival.headers["Authorization"] == "Splunk hec-token-9"
    assert arrival.body["sourcetype"] == "_json"
    assert arrival.body["time"] == datetime(2026, 11, 20, 10, tzinfo=UTC).timestamp()
    assert arrival.body["event"]["action"] == "user.signed_in"


@WITHOUT_DOMAINS
def test_failed_attempts_are_retried_with_back_off_until_one_succeeds(org, receivers):
    endpoint = receivers("https", "bearer-1")
    endpoint.status_for = lambda nth: 503 if nth < 3 else 200
    log_streams.configure(
        org.id, StreamSettings("https", endpoint.base_url + "/in", "", "bearer-1")
    )
    record(org)
    job_queue().run_due_jobs()

    [delivery] = deliveries()
    assert (delivery.state, delivery.attempt_count, delivery.last_status) == ("pending", 1, 503)
    wait = delivery.next_attempt_at - utcnow()
    assert timedelta(seconds=20) < wait < timedelta(seconds=40)  # 30 s ± 20%
    assert log_streams.state(log_streams.stream_of(org.id)) == "error"
    assert log_stream_jobs.deliver(delivery.id) is None  # not due yet: nothing is sent

    for _ in range(2):
        time_passes(delivery)
        log_stream_jobs.deliver(delivery.id)
    [delivery] = deliveries()
    assert (delivery.state, delivery.attempt_count) == ("succeeded", 3)
    assert [a.status for a in endpoint.arrivals] == [503, 503, 200]
    assert len({a.body["id"] for a in endpoint.arrivals}) == 1  # one event, sent until it stuck
    assert log_streams.state(log_streams.stream_of(org.id)) == "active"


@WITHOUT_DOMAINS
def test_a_delivery_gives_up_when_the_retry_window_closes(org, receivers):
    endpoint = receivers("https")
    endpoint.status_for = lambda nth: 500
    log_streams.configure(org.id, StreamSettings("https", endpoint.base_url + "/in"))
    record(org)
    job_queue().run_due_jobs()
    [delivery] = deliveries()
    time_passes(delivery, extra=timedelta(days=3))
    assert log_stream_jobs.deliver(delivery.id) == "failed"
    assert deliveries()[0].finished_at is not None


def test_a_wrong_key_shows_as_a_failing_stream(org, receivers):
    datadog = receivers("datadog", "right-key")
    log_streams.configure(
        org.id, StreamSettings("datadog", datadog.base_url + DATADOG_PATH, "datadoghq.com", "wrong")
    )
    status, text = log_streams.send_test(org.id)
    assert status == 403 and "invalid API key" in text
    stream = log_streams.stream_of(org.id)
    assert (log_streams.state(stream), stream.last_delivery_status) == ("error", 403)


@WITHOUT_DOMAINS
def test_the_relay_sends_deliveries_the_queue_lost(org, receivers):
    endpoint = receivers("https")
    log_streams.configure(org.id, StreamSettings("https", endpoint.base_url + "/in"))
    record(org)
    job_queue().stop()  # the queued job is lost, as with a Redis flush
    job_queue()._stopped = False
    [delivery] = deliveries()
    row = db.session.get(LogStreamDelivery, delivery.id)
    row.enqueued_at = utcnow() - timedelta(minutes=10)
    db.session.commit()

    assert log_stream_jobs.relay() == 1
    job_queue().run_due_jobs()
    assert len(endpoint.accepted()) == 1
    assert log_stream_jobs.relay() == 0


@WITHOUT_DOMAINS
def test_only_the_streams_organization_events_are_sent(org, receivers):
    endpoint = receivers("https")
    log_streams.configure(org.id, StreamSettings("https", endpoint.base_url + "/in"))
    record(make_organization("Globex"), action="globex.secret")
    record(org)
    job_queue().run_due_jobs()
    assert [a.body["action"] for a in endpoint.arrivals] == ["user.signed_in"]


def test_credentials_are_stored_encrypted(org):
    log_streams.configure(
        org.id, StreamSettings("splunk", "https://1.1.1.1:8088", credential="s3cret-hec")
    )
    stored = db.session.scalars(select(LogStream)).one().sealed_credential
    assert "s3cret-hec" not in stored
    assert encryption.decrypt(stored) == "s3cret-hec"


def test_keys_survive_a_secret_key_rotation_and_a_lost_key_is_said_plainly(app, org, runner):
    log_streams.configure(
        org.id, StreamSettings("splunk", "https://1.1.1.1:8088", credential="hec")
    )
    old_key = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="a-new-secret-key", SECRET_KEY_FALLBACKS=[old_key])
    result = runner.invoke(args=["portal", "rotate-secrets"])
    assert "Re-encrypted 1 log stream key(s)" in result.output, result.output
    app.config["SECRET_KEY_FALLBACKS"] = []
    stream = log_streams.stream_of(org.id)
    assert (
        log_streams.outgoing(stream, {"occurred_at": "2026-11-20T10:00:00.000Z"}).headers[
            "Authorization"
        ]
        == "Splunk hec"
    )

    app.config["SECRET_KEY"] = "somebody-changed-it"
    status, text = log_streams.send_test(org.id)
    assert status is None and "enter it again" in text


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        (StreamSettings("https", "http://10.0.0.5/in"), "url"),
        (StreamSettings("https", "ftp://example.com/in"), "url"),
        (StreamSettings("datadog", "", "datadoghq.moon", "k"), "datadog_site"),
        (StreamSettings("datadog", "", "datadoghq.com", ""), "credential"),
        (StreamSettings("splunk", "https://1.1.1.1:8088", credential=""), "credential"),
        (StreamSettings("carrier-pigeon", "https://1.1.1.1"), "type"),
    ],
)
def test_settings_that_cannot_work_are_refused(app, org, settings, field):
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = False
    with pytest.raises(InvalidInput) as refused:
        log_streams.configure(org.id, settings)
    assert refused.value.errors[0]["field"] == field
    assert log_streams.stream_of(org.id) is None
    assert log_stream_deliveries.relay() == 0
