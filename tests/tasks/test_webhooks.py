"""Webhook jobs on the real Redis: events written while Redis was unreachable are all delivered
by a real `flask portal worker --burst` once the relay runs; a failed attempt's retry waits in
RQ's scheduler; the relay keeps itself scheduled every minute."""

import time
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, WebhookDelivery
from portal.models.columns import utcnow
from portal.services.infra.queue import RedisJobQueue, enqueue, job_queue
from tasks import periodic
from tasks import webhooks as webhook_jobs
from tests.factories import make_organization
from tests.peers.worker import run_worker_burst

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def app_config(redis_url, queue_name):
    return {
        "REDIS_URL": redis_url,
        "PORTAL_QUEUE_NAME": queue_name,
        "PORTAL_OUTBOUND_ALLOW_PRIVATE": True,
    }


@pytest.fixture
def rq_queue(app):
    return Queue(
        app.config["PORTAL_QUEUE_NAME"], connection=Redis.from_url(app.config["REDIS_URL"])
    )


def subscribe(api, receiver, events) -> str:
    response = api.post("/webhook_endpoints", json={"endpoint_url": receiver.url, "events": events})
    assert response.status_code == 201
    receiver.secret = response.get_json()["secret"]
    return response.get_json()["id"]


def all_event_ids(*types: str) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Event.id).where(Event.event.in_(types)).order_by(Event.id))
    )


@pytest.mark.databases("postgresql")
def test_events_written_while_redis_is_down_are_all_delivered_by_a_real_worker(
    app, api, rq_queue, make_receiver, project_root
):
    receiver = make_receiver()
    subscribe(api, receiver, ["organization.created", "organization.updated"])
    working = app.extensions["portal_queue"]
    app.extensions["portal_queue"] = RedisJobQueue(DEAD_REDIS, app.config["PORTAL_QUEUE_NAME"])
    ids = [api.post("/organizations", json={"name": f"Org {n}"}).get_json()["id"] for n in range(4)]
    renamed = api.put(f"/organizations/{ids[0]}", json={"name": "Renamed"})
    app.extensions["portal_queue"] = working

    assert renamed.status_code == 200  # the API kept working without its queue
    wanted = all_event_ids("organization.created", "organization.updated")
    assert len(wanted) == 5
    assert db.session.scalars(select(Event.dispatched_at)).all() == [None] * 5
    assert rq_queue.count == 0

    enqueue("tasks.webhooks.relay")
    result = run_worker_burst(app, project_root, PORTAL_OUTBOUND_ALLOW_PRIVATE="true")

    assert result.returncode == 0, result.stderr
    assert sorted(receiver.processed) == wanted
    assert receiver.duplicates == 0
    assert all(arrival.signature_ok for arrival in receiver.arrivals)
    db.session.expire_all()
    assert {d.state for d in db.session.scalars(select(WebhookDelivery))} == {"succeeded"}


def test_a_failed_attempt_waits_for_its_retry_in_rqs_scheduler(app, api, make_receiver):
    receiver = make_receiver()
    receiver.status_for = lambda event_id, nth: 503
    subscribe(api, receiver, ["organization.created"])
    make_organization("Acme")
    [event_id] = all_event_ids("organization.created")

    [delivery_id] = _dispatch(event_id)
    assert webhook_jobs.deliver(delivery_id) == "pending"

    delivery = db.session.get(WebhookDelivery, delivery_id)
    registry = ScheduledJobRegistry(queue=job_queue().rq_queue())
    [retry] = [
        job
        for job in Job.fetch_many(registry.get_job_ids(), connection=job_queue().connection)
        if job.func_name == "tasks.webhooks.deliver" and job.args == (delivery_id,)
    ]
    due = registry.get_scheduled_time(retry.id)
    assert abs(due - delivery.next_attempt_at) < timedelta(seconds=2)
    assert timedelta(seconds=23) < delivery.next_attempt_at - utcnow() <= timedelta(seconds=36)


def _dispatch(event_id: str) -> list[str]:
    """What the worker does with the dispatch job that the commit queued."""
    assert webhook_jobs.dispatch_events([event_id]) == 1
    assert webhook_jobs.dispatch_events([event_id]) == 0  # run twice: no second delivery
    return list(db.session.scalars(select(WebhookDelivery.id)))


def test_the_relay_is_a_periodic_job_that_runs_every_minute(app, api, make_receiver):
    receiver = make_receiver()
    subscribe(api, receiver, ["organization.created"])
    working = app.extensions["portal_queue"]
    app.extensions["portal_queue"] = RedisJobQueue(DEAD_REDIS, app.config["PORTAL_QUEUE_NAME"])
    make_organization("Acme")
    app.extensions["portal_queue"] = working

    before = time.time()
    report = periodic.run("tasks.webhooks.relay")
    after = time.time()

    assert report == {"events_dispatched": 1, "deliveries_requeued": 0}
    registry = ScheduledJobRegistry(queue=job_queue().rq_queue())
    slots = {periodic.slot_job_id("tasks.webhooks.relay", t + 60) for t in (before, after)}
    [job_id] = [j for j in registry.get_job_ids() if j in slots]
    assert (
        timedelta(seconds=50)
        < registry.get_scheduled_time(job_id) - utcnow()
        <= timedelta(minutes=1, seconds=1)  # RQ keeps whole seconds; we round up
    )
