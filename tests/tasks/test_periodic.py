"""Periodic jobs keep themselves scheduled, one chain however often they are started."""

import time
import uuid
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry

from portal import create_app
from portal.models.columns import utcnow
from portal.services.infra.queue import job_queue
from tasks import periodic
from tests.environment import config_for
from tests.peers.worker import run_worker_burst


class TestOnRealRedis:
    @pytest.fixture
    def app_config(self, redis_url, queue_name):
        return {"REDIS_URL": redis_url, "PORTAL_QUEUE_NAME": queue_name}

    def test_starting_twice_queues_each_periodic_job_once(self, app):
        periodic.start_all()
        periodic.start_all()
        queue = Queue(
            app.config["PORTAL_QUEUE_NAME"], connection=Redis.from_url(app.config["REDIS_URL"])
        )
        assert sorted(queue.job_ids) == sorted(periodic.job_id(name) for name in periodic.EVERY)

    def test_two_deployments_sharing_one_redis_each_keep_their_own_jobs(
        self, app, database_url, redis_url
    ):
        other_name = f"portal-test-{uuid.uuid4().hex[:12]}"
        other = create_app(
            config_for(database_url, REDIS_URL=redis_url, PORTAL_QUEUE_NAME=other_name)
        )
        connection = Redis.from_url(redis_url)
        try:
            with other.app_context():
                periodic.start_all()
            periodic.start_all()
            for name in (app.config["PORTAL_QUEUE_NAME"], other_name):
                assert len(Queue(name, connection=connection).job_ids) == len(periodic.EVERY)
        finally:
            Queue(other_name, connection=connection).empty()
            for key in connection.scan_iter(f"rq:*{other_name}*"):
                connection.delete(key)

    def test_each_run_schedules_the_next(self, app):
        name = "tasks.domains.sweep_pending"
        before = time.time()
        periodic.run(name)
        periodic.run(name)
        after = time.time()
        registry = ScheduledJobRegistry(
            app.config["PORTAL_QUEUE_NAME"], connection=Redis.from_url(app.config["REDIS_URL"])
        )
        slots = {periodic.slot_job_id(name, t + 900) for t in (before, after)}
        assert set(registry.get_job_ids()) == slots  # two runs, one next run per slot
        for job_id in slots:
            due = registry.get_scheduled_time(job_id) - utcnow()
            assert timedelta(minutes=14) < due <= timedelta(minutes=15, seconds=1)  # rounded up

    @pytest.mark.databases("postgresql")
    def test_the_next_run_outlives_the_finished_one(self, app, project_root):
        periodic.start_all()
        result = run_worker_burst(app, project_root)
        assert result.returncode == 0, result.stderr
        connection = Redis.from_url(app.config["REDIS_URL"])
        registry = ScheduledJobRegistry(app.config["PORTAL_QUEUE_NAME"], connection=connection)
        scheduled = registry.get_job_ids()
        assert len(scheduled) == len(periodic.EVERY)
        for job_id in scheduled:
            # RQ expires a finished job's record; the scheduled next run must not expire.
            assert connection.ttl(f"rq:job:{job_id}") == -1, job_id


def test_only_known_jobs_run_periodically(app):
    with pytest.raises(ValueError, match="not a periodic job"):
        periodic.run("tasks.portal_links.purge_expired")


class TestInProcess:
    @pytest.fixture
    def app_config(self):
        return {"PORTAL_INPROCESS_WORKER": True}

    def test_the_first_request_starts_the_periodic_jobs(self, app, client):
        client.get("/healthz")
        client.get("/healthz")
        assert job_queue().wait_until_idle(timeout=10)
        assert job_queue().failed == 0
        assert job_queue().status()["queued"] == len(periodic.EVERY)
