"""Periodic work re-arms itself when Redis loses its data, with no process restarted: a real
`flask portal worker` on a Redis of the test's own, flushed while webhook events are written."""

import os
import signal
import time
from contextlib import suppress

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event
from portal.services.infra.queue import RedisJobQueue
from tasks import periodic
from tests.peers.redis_server import OwnRedis
from tests.peers.worker import start_worker

RELAY_SECONDS = 4
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def own_redis():
    server = OwnRedis()
    yield server
    server.stop()


@pytest.fixture
def app_config(own_redis):
    return {
        "REDIS_URL": own_redis.url,
        "PORTAL_QUEUE_NAME": "portal-rearm-test",
        "PORTAL_OUTBOUND_ALLOW_PRIVATE": True,
    }


@pytest.fixture
def worker(app, project_root, tmp_path):
    """Start one long-running worker, relaying every RELAY_SECONDS and checking every second."""
    started = []

    def start():
        log = open(tmp_path / "worker.log", "w")  # noqa: SIM115  (closed below)
        started.append((log, start_worker(app, project_root, log=log, **_fast_periodic_env())))
        return started[-1][1]

    yield start
    for log, process in started:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log.close()


def _fast_periodic_env() -> dict:
    return {
        "PORTAL_OUTBOUND_ALLOW_PRIVATE": "true",
        "PORTAL_PERIODIC_EVERY_SECONDS": f"tasks.webhooks.relay={RELAY_SECONDS}",
        "PORTAL_PERIODIC_REARM_SECONDS": "1",
    }


def _wait_until(condition, what: str, timeout: float, log_path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting for {what} after {timeout} s:\n{log_path.read_text()}")
        time.sleep(0.1)


def _event_ids() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Event.id).order_by(Event.id)))


def _relay_jobs(app, registry: str) -> list[str]:
    connection = Redis.from_url(app.config["REDIS_URL"])
    queue = Queue(app.config["PORTAL_QUEUE_NAME"], connection=connection)
    ids = {
        "queued": lambda: queue.job_ids,
        "scheduled": queue.scheduled_job_registry.get_job_ids,
        "started": queue.started_job_registry.get_job_ids,
    }[registry]()
    return [job for job in ids if job.startswith(periodic.job_id("tasks.webhooks.relay"))]


def _relay_has_a_run_coming(app) -> bool:
    return bool(_relay_jobs(app, "queued") or _relay_jobs(app, "scheduled"))


def _relay_has_only_a_scheduled_run(app) -> bool:
    # A relay running at the flush would schedule its next run itself, hiding the loss.
    return bool(_relay_jobs(app, "scheduled")) and not _relay_jobs(app, "started")


@pytest.mark.databases("postgresql")
def test_events_are_all_delivered_once_after_redis_is_flushed_mid_stream(
    app, api, own_redis, worker, make_receiver, tmp_path
):
    own_redis.start()
    receiver = make_receiver()
    response = api.post(
        "/webhook_endpoints",
        json={"endpoint_url": receiver.url, "events": ["organization.created"]},
    )
    receiver.secret = response.get_json()["secret"]
    worker()
    log_path = tmp_path / "worker.log"
    for n in range(3):
        api.post("/organizations", json={"name": f"Before {n}"})
    _wait_until(lambda: len(receiver.processed) == 3, "the first events", 30, log_path)
    _wait_until(lambda: _relay_has_only_a_scheduled_run(app), "the relay to wait", 10, log_path)

    own_redis.flushall()
    flushed_at = time.monotonic()
    # Events whose jobs Redis lost (written while the web tier could not reach it) and events
    # written after, each way twice: only the relay can deliver the former.
    working = app.extensions["portal_queue"]
    for n in range(4):
        if n % 2 == 0:
            app.extensions["portal_queue"] = RedisJobQueue(DEAD_REDIS, "portal-rearm-test")
        api.post("/organizations", json={"name": f"After {n}"})
        app.extensions["portal_queue"] = working

    wanted = _event_ids()
    assert len(wanted) == 7
    _wait_until(
        lambda: sorted(receiver.processed) == wanted,
        "every event to be delivered",
        2 * RELAY_SECONDS + 2 - (time.monotonic() - flushed_at),
        log_path,
    )
    assert time.monotonic() - flushed_at <= 2 * RELAY_SECONDS + 2
    time.sleep(RELAY_SECONDS)  # a further relay period: still nothing delivered twice
    assert receiver.duplicates == 0
    assert len(receiver.arrivals) == 7


@pytest.mark.databases("postgresql")
def test_a_worker_started_while_redis_is_down_arms_the_periodic_jobs_once_it_is_back(
    app, own_redis, worker, tmp_path
):
    process = worker()
    log_path = tmp_path / "worker.log"
    _wait_until(
        lambda: "not reachable" in log_path.read_text() or process.poll() is not None,
        "the worker to find Redis down",
        30,
        log_path,
    )
    own_redis.start()
    _wait_until(
        lambda: _relay_has_a_run_coming(app),
        "the relay to be armed",
        20,
        tmp_path / "worker.log",
    )
