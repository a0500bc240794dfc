"""Events reach webhook endpoints: fan-out after commit, signed POSTs to a real receiver,
retries on a back-off schedule, giving up, redelivery by hand, and the relay that recovers
what the queue lost. Jobs run with `run_due_jobs`; time passes by moving the delivery's
timestamps in the database, never by sleeping."""

import json
import random
import socket
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from workos import WorkOSClient

from portal import create_app
from portal.errors import EndpointDisabled, NotFound
from portal.extensions import db
from portal.models import Event, WebhookDelivery, WebhookEndpoint
from portal.models.columns import utcnow
from portal.services.delivery import delivery_shapes, webhook_deliveries, webhooks
from portal.services.delivery.delivery_claims import LOST_AFTER
from portal.services.delivery.retries import RETRY_WINDOW, retry_delay
from portal.services.delivery.webhook_deliveries import DELIVER_JOB, DISPATCH_JOB
from portal.services.infra.queue import RedisJobQueue, enqueue, job_queue, resolve_job
from portal.services.organizations import organizations
from portal.services.organizations.organizations import OrganizationChanges
from tests.environment import config_for
from tests.factories import make_organization

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def app_config():
    return {"PORTAL_OUTBOUND_ALLOW_PRIVATE": True}


@pytest.fixture
def receiver(app, make_receiver):
    return make_receiver()


def subscribe(receiver, events=("organization.created",)) -> WebhookEndpoint:
    endpoint = webhooks.create_endpoint(receiver.url, list(events))
    receiver.secret = endpoint.secret
    return endpoint


def rename(org, name: str = "Renamed") -> None:
    organizations.update_organization(org.id, OrganizationChanges(name=name, provided={"name"}))


def run_jobs() -> int:
    return job_queue().run_due_jobs()


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def event_ids(event_type: str | None = None) -> list[str]:
    query = select(Event.id).order_by(Event.id)
    if event_type:
        query = query.where(Event.event == event_type)
    return list(db.session.scalars(query))


def time_passes(delivery: WebhookDelivery, extra: timedelta = timedelta(seconds=1)) -> None:
    """Move the delivery's clock on until its next attempt is due (plus `extra`)."""
    row = db.session.get(WebhookDelivery, delivery.id)
    shift = row.next_attempt_at - utcnow() + extra
    for column in ("next_attempt_at", "retry_until", "enqueued_at", "created_at"):
        if getattr(row, column) is not None:
            setattr(row, column, getattr(row, column) - shift)
    db.session.commit()


def scheduler_fires(delivery: WebhookDelivery) -> None:
    """What RQ's scheduler does when a retry's time comes: the job joins the queue."""
    enqueue(DELIVER_JOB, delivery.id)
    run_jobs()


def with_queue_down(app, work):
    """Run `work` while the job queue is an unreachable Redis."""
    working = app.extensions["portal_queue"]
    app.extensions["portal_queue"] = RedisJobQueue(DEAD_REDIS, "portal-down")
    try:
        return work()
    finally:
        app.extensions["portal_queue"] = working


# Delivery


def test_an_event_reaches_its_endpoint_signed_as_the_sdk_verifies(receiver):
    endpoint = subscribe(receiver)
    org = make_organization("Acme")
    run_jobs()

    [arrival] = receiver.arrivals
    [event] = db.session.scalars(select(Event).where(Event.event == "organization.created"))
    assert arrival.signature_ok
    assert (arrival.event_id, arrival.event_type, arrival.status) == (
        event.id,
        "organization.created",
        200,
    )
    assert json.loads(arrival.body) == delivery_shapes.event(event)
    assert json.loads(arrival.body)["data"]["id"] == org.id
    assert arrival.headers["Content-Type"] == "application/json"
    assert arrival.headers["Workos-Signature"].startswith("t=")
    [delivery] = deliveries()
    assert (delivery.endpoint_id, delivery.event_id) == (endpoint.id, event.id)
    assert (delivery.state, delivery.attempt_count) == ("succeeded", 1)
    assert delivery.finished_at is not None and delivery.next_attempt_at is None
    [attempt] = delivery.attempts
    assert (attempt.response_status, attempt.error) == (200, None)
    assert attempt.response_body == "status 200"
    assert 0 <= attempt.latency_ms < 10_000


def test_the_signature_header_is_the_one_the_sdk_checks():
    sdk = WorkOSClient(api_key="sk_test", client_id="client_test")
    body = b'{"object":"event","id":"event_1","event":"organization.created","data":{}}'
    now_ms = time.time_ns() // 1_000_000
    header = webhook_deliveries.signature_header("whsec_test", body, now_ms)

    sdk.webhooks.verify_header(event_body=body, event_signature=header, secret="whsec_test")
    for tampered, secret in [(body + b" ", "whsec_test"), (body, "whsec_other")]:
        with pytest.raises(ValueError, match="does not match"):
            sdk.webhooks.verify_header(event_body=tampered, event_signature=header, secret=secret)
    stale = webhook_deliveries.signature_header("whsec_test", body, now_ms - 181_000)
    with pytest.raises(ValueError, match="tolerance"):
        sdk.webhooks.verify_header(event_body=body, event_signature=stale, secret="whsec_test")
    sdk.close()


def test_only_enabled_endpoints_get_the_types_they_chose_from_their_creation_on(app, make_receiver):
    make_organization("Before")
    wanted, disabled = make_receiver(), make_receiver()
    subscribe(wanted, ["organization.created", "organization.deleted"])
    paused = subscribe(disabled, ["organization.created"])
    webhooks.update_endpoint(paused.id, webhooks.EndpointChanges(status="disabled"))

    rename(make_organization("Acme"))
    run_jobs()
    webhook_deliveries.relay()  # the event from before any endpoint: dispatched to nobody
    run_jobs()

    _, created = event_ids("organization.created")
    assert wanted.processed == [created]
    assert disabled.arrivals == []
    assert db.session.scalar(select(Event).where(Event.dispatched_at.is_(None))) is None


def test_without_a_subscribed_endpoint_no_job_is_queued(receiver):
    subscribe(receiver, ["organization.deleted"])
    queued = job_queue().status()["queued"]  # the relay run a subscription change schedules
    rename(make_organization("Acme"))
    assert job_queue().status()["queued"] == queued
    assert webhook_deliveries.relay().events_dispatched == 2
    assert deliveries() == []


def test_an_endpoint_added_by_another_process_gets_the_events_this_one_wrote_meanwhile(
    app, receiver, database_url
):
    make_organization("Before")  # this process now knows that nobody subscribes
    other = create_app(config_for(database_url, PORTAL_OUTBOUND_ALLOW_PRIVATE=True))
    with other.app_context():
        subscribe(receiver)
        [(run_at, *_, name, _args, _kwargs, _id)] = other.extensions["portal_queue"]._due
        db.session.remove()
    assert name == webhook_deliveries.RELAY_JOB
    assert run_at - time.monotonic() > webhook_deliveries.SUBSCRIPTIONS_TTL.total_seconds()

    make_organization("Meanwhile")  # within the TTL: this process does not queue a dispatch
    assert job_queue().status()["queued"] == 0
    with other.app_context():
        resolve_job(name)()  # the relay run, once it is due
        db.session.remove()
        other.extensions["portal_queue"].run_due_jobs()  # its deliveries
        db.session.remove()
        db.engine.dispose()

    assert [a.event_type for a in receiver.arrivals] == ["organization.created"]
    assert receiver.processed == event_ids("organization.created")[1:]


def test_an_endpoint_change_is_seen_at_once_by_the_process_that_made_it(receiver):
    make_organization("Before")  # read while nobody subscribed
    subscribe(receiver, ["organization.updated"])
    rename(make_organization("Acme"))
    run_jobs()
    assert [a.event_type for a in receiver.arrivals] == ["organization.updated"]


def test_the_events_of_a_rolled_back_change_are_never_sent(receiver):
    from portal.services.delivery import events

    subscribe(receiver)
    events.record("organization.created", {"id": "org_rolled_back"}, None)
    db.session.rollback()
    make_organization("Acme")
    run_jobs()
    assert [a.event_type for a in receiver.arrivals] == ["organization.created"]
    assert event_ids() == [receiver.processed[0]]


# Retries


def test_failed_attempts_are_retried_with_back_off_until_one_succeeds(receiver):
    subscribe(receiver)
    receiver.status_for = lambda event_id, nth: 500 if nth <= 2 else 204
    make_organization("Acme")

    run_jobs()
    [delivery] = deliveries()
    first_wait = delivery.next_attempt_at - delivery.attempts[0].attempted_at
    assert (delivery.state, delivery.attempt_count) == ("pending", 1)
    assert timedelta(seconds=24) <= first_wait <= timedelta(seconds=36.1)
    assert delivery.attempts[0].response_status == 500
    assert delivery.attempts[0].response_body == "status 500"
    assert run_jobs() == 0  # the retry is not due yet
    assert len(receiver.arrivals) == 1

    time_passes(delivery)
    scheduler_fires(delivery)
    [delivery] = deliveries()
    second_wait = delivery.next_attempt_at - delivery.attempts[1].attempted_at
    assert delivery.attempt_count == 2
    assert timedelta(seconds=48) <= second_wait <= timedelta(seconds=72.1)

    time_passes(delivery)
    scheduler_fires(delivery)
    [delivery] = deliveries()
    assert (delivery.state, delivery.attempt_count) == ("succeeded", 3)
    assert [a.response_status for a in delivery.attempts] == [500, 500, 204]
    assert len(receiver.processed) == 1 and receiver.duplicates == 0


def test_a_retry_that_is_not_due_yet_does_nothing(receiver):
    subscribe(receiver)
    receiver.status_for = lambda event_id, nth: 503
    make_organization("Acme")
    run_jobs()
    [delivery] = deliveries()
    scheduler_fires(delivery)  # early, or a duplicate job
    assert deliveries()[0].attempt_count == 1
    assert len(receiver.arrivals) == 1


def test_retry_delays_double_from_30_seconds_to_an_hour_with_jitter():
    for attempts_made in range(1, 12):
        base = min(30 * 2 ** (attempts_made - 1), 3600)
        samples = [retry_delay(attempts_made).total_seconds() for _ in range(200)]
        assert all(0.8 * base <= s <= 1.2 * base for s in samples)
        assert len(set(samples)) > 1
    # About three days of attempts: the first seven take about an hour, then hourly.
    attempts, waited = 1, timedelta(0)
    while waited + retry_delay(attempts) <= RETRY_WINDOW:
        waited += retry_delay(attempts)
        attempts += 1
    assert 60 <= attempts <= 100


def test_a_delivery_gives_up_when_the_retry_window_closes(receiver):
    subscribe(receiver)
    receiver.status_for = lambda event_id, nth: 500
    make_organization("Acme")
    run_jobs()
    [delivery] = deliveries()

    time_passes(delivery, extra=RETRY_WINDOW)  # three days on
    scheduler_fires(delivery)

    [delivery] = deliveries()
    assert (delivery.state, delivery.attempt_count) == ("failed", 2)
    assert delivery.next_attempt_at is None and delivery.finished_at is not None
    assert webhook_deliveries.relay().deliveries_requeued == 0
    assert run_jobs() == 0
    assert receiver.processed == []


def test_a_failed_delivery_can_be_sent_again_by_hand(receiver):
    endpoint = subscribe(receiver)
    receiver.status_for = lambda event_id, nth: 500 if nth <= 2 else 200
    make_organization("Acme")
    run_jobs()
    [delivery] = deliveries()
    time_passes(delivery, extra=RETRY_WINDOW)
    scheduler_fires(delivery)
    assert deliveries()[0].state == "failed"

    webhook_deliveries.redeliver(delivery.id)
    run_jobs()

    [delivery] = deliveries()
    assert (delivery.state, delivery.attempt_count) == ("succeeded", 3)
    assert delivery.retry_until > utcnow() + RETRY_WINDOW - timedelta(minutes=1)
    assert receiver.processed == [delivery.event_id]
    webhook_deliveries.redeliver(delivery.id)  # a receiver that lost it asks again
    run_jobs()
    assert [a.nth for a in receiver.accepted()] == [3, 4]
    assert receiver.duplicates == 1  # ... and recognises the repeat by the event id
    with pytest.raises(NotFound):
        webhook_deliveries.redeliver("webhook_delivery_01M00000000000000000000000")
    webhooks.update_endpoint(endpoint.id, webhooks.EndpointChanges(status="disabled"))
    with pytest.raises(EndpointDisabled):
        webhook_deliveries.redeliver(delivery.id)


def test_a_failure_without_a_response_is_recorded_and_retried(app):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    webhooks.create_endpoint(f"http://127.0.0.1:{port}/hooks", ["organization.created"])
    make_organization("Acme")
    run_jobs()
    [delivery] = deliveries()
    [attempt] = delivery.attempts
    assert delivery.state == "pending"
    assert attempt.response_status is None
    assert attempt.error.startswith("Could not connect to 127.0.0.1")


def test_the_address_rules_are_checked_again_at_delivery_time(app, receiver):
    subscribe(receiver)
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = False
    make_organization("Acme")
    run_jobs()
    [delivery] = deliveries()
    assert delivery.state == "pending"
    assert "loopback address" in delivery.attempts[0].error
    assert receiver.arrivals == []


def test_a_disabled_endpoint_pauses_its_deliveries_until_enabled(receiver):
    endpoint = subscribe(receiver)
    receiver.status_for = lambda event_id, nth: 500 if nth == 1 else 200
    make_organization("Acme")
    run_jobs()
    webhooks.update_endpoint(endpoint.id, webhooks.EndpointChanges(status="disabled"))
    [delivery] = deliveries()
    time_passes(delivery, extra=LOST_AFTER)

    scheduler_fires(delivery)
    assert webhook_deliveries.relay().deliveries_requeued == 0
    assert deliveries()[0].attempt_count == 1

    webhooks.update_endpoint(endpoint.id, webhooks.EndpointChanges(status="enabled"))
    assert webhook_deliveries.relay().deliveries_requeued == 1
    run_jobs()
    assert deliveries()[0].state == "succeeded"


def test_deleting_an_endpoint_deletes_its_deliveries(receiver):
    endpoint = subscribe(receiver)
    make_organization("Acme")
    run_jobs()
    webhooks.delete_endpoint(endpoint.id)
    assert deliveries() == []


# The relay: nothing is lost when the queue is


def test_events_written_while_the_queue_is_down_are_relayed(app, receiver):
    subscribe(receiver)
    with_queue_down(app, lambda: [make_organization(f"Org {n}") for n in range(3)])
    assert run_jobs() == 0
    assert db.session.scalar(select(Event.dispatched_at)) is None

    report = webhook_deliveries.relay()
    run_jobs()

    assert report.events_dispatched == 3
    assert sorted(receiver.processed) == event_ids()


def test_deliveries_the_queue_never_received_are_relayed(app, receiver):
    subscribe(receiver)
    make_organization("Acme")
    [event_id] = event_ids()
    with_queue_down(app, lambda: webhook_deliveries.dispatch([event_id]))
    [delivery] = deliveries()
    assert delivery.enqueued_at is None
    run_jobs()  # the dispatch job queued earlier finds the event already fanned out
    assert receiver.arrivals == []

    assert webhook_deliveries.relay().deliveries_requeued == 1
    assert webhook_deliveries.relay().deliveries_requeued == 0  # now it waits in the queue
    run_jobs()
    assert receiver.processed == [event_id]


def test_a_delivery_whose_job_was_lost_is_queued_again(receiver):
    subscribe(receiver)
    receiver.status_for = lambda event_id, nth: 500 if nth == 1 else 200
    make_organization("Acme")
    run_jobs()
    [delivery] = deliveries()

    time_passes(delivery)
    assert webhook_deliveries.relay().deliveries_requeued == 0  # its job may still come
    time_passes(delivery, extra=LOST_AFTER)
    assert webhook_deliveries.relay().deliveries_requeued == 1
    run_jobs()
    assert deliveries()[0].state == "succeeded"


def _concurrently(app, work, times: int) -> None:
    errors = []

    def run():
        try:
            with app.app_context():
                work()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []


def test_relays_and_jobs_running_side_by_side_deliver_each_event_once(app, make_receiver):
    first, second = make_receiver(), make_receiver()
    subscribe(first, ["organization.created", "organization.updated"])
    subscribe(second, ["organization.created"])
    with_queue_down(app, lambda: [rename(make_organization(f"Org {n}")) for n in range(6)])

    _concurrently(app, webhook_deliveries.relay, times=4)
    enqueue(DISPATCH_JOB, event_ids())  # a second dispatch of every event
    for delivery in deliveries():
        enqueue(DELIVER_JOB, delivery.id)  # and a second delivery job for every delivery
    _concurrently(app, run_jobs, times=3)

    assert len(deliveries()) == 12 + 6
    assert {d.state for d in deliveries()} == {"succeeded"}
    assert sorted(first.processed) == event_ids()
    assert sorted(second.processed) == event_ids("organization.created")
    assert len(first.arrivals) == 12 and len(second.arrivals) == 6


def test_no_event_is_lost_or_delivered_twice_whatever_fails(app, make_receiver):
    flaky, flakier = make_receiver(), make_receiver()
    subscribe(flaky, ["organization.created", "organization.updated", "organization.deleted"])
    subscribe(flakier, ["organization.updated", "organization.deleted"])
    chance = random.Random(20260124)
    flaky.status_for = lambda event_id, nth: 500 if chance.random() < 0.4 else 200
    flakier.status_for = lambda event_id, nth: 502 if chance.random() < 0.6 else 202

    orgs = [make_organization(f"Org {n}") for n in range(4)]
    with_queue_down(app, lambda: [make_organization(f"Down {n}") for n in range(3)])
    with_queue_down(app, lambda: rename(orgs[0]))
    rename(orgs[2])
    organizations.delete_organization(orgs[1].id)

    for _ in range(40):
        run_jobs()
        webhook_deliveries.relay()
        pending = [d for d in deliveries() if d.state == "pending"]
        if not pending:
            break
        for delivery in pending:
            time_passes(delivery, extra=LOST_AFTER)

    assert {d.state for d in deliveries()} == {"succeeded"}
    wanted_by_flaky = [e.id for e in _events() if e.event.startswith("organization.")]
    wanted_by_flakier = [
        e.id for e in _events() if e.event in ("organization.updated", "organization.deleted")
    ]
    assert sorted(flaky.processed) == wanted_by_flaky
    assert sorted(flakier.processed) == wanted_by_flakier
    assert flaky.duplicates == flakier.duplicates == 0
    assert all(a.signature_ok for a in flaky.arrivals + flakier.arrivals)


def _events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.id)))
