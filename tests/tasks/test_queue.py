"""Jobs by dotted name: on real Redis with a real worker process, and in-process."""

from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from portal.errors import QueueUnavailable
from portal.extensions import db
from portal.models import PortalLink, PortalSession
from portal.models.columns import utcnow
from portal.services.infra.queue import enqueue, enqueue_in, job_queue
from portal.services.onboarding import portal_access
from tests.factories import expire_link, make_organization, make_portal_link
from tests.magic_links import token_of
from tests.peers.worker import run_worker_burst


@pytest.fixture
def links(app):
    """One link long expired (with the session it opened), one fresh."""
    org = make_organization("Acme")
    stale, url = make_portal_link(org, ["sso"])
    portal_access.redeem(token_of(url), current_session=None)  # as /admin/launch does
    fresh, _ = make_portal_link(org, ["sso"])
    expire_link(stale, timedelta(days=40))
    return stale.id, fresh.id


def _remaining_link_ids() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(PortalLink.id)))


@pytest.fixture
def app_config():
    return {"PORTAL_INPROCESS_WORKER": True}


def test_in_process_worker_runs_the_same_job(app, links):
    _, fresh_id = links
    enqueue("tasks.portal_links.purge_expired")
    assert job_queue().wait_until_idle(timeout=10)
    assert _remaining_link_ids() == [fresh_id]
    assert db.session.scalars(select(PortalSession)).all() == []


def test_in_process_worker_runs_delayed_jobs_after_their_delay(app, links):
    _, fresh_id = links
    enqueue_in(timedelta(milliseconds=200), "tasks.portal_links.purge_expired")
    assert len(_remaining_link_ids()) == 2
    assert job_queue().status()["queued"] == 1
    assert job_queue().wait_until_idle(timeout=10, include_scheduled=True)
    assert job_queue().status()["queued"] == 0
    assert _remaining_link_ids() == [fresh_id]


def test_a_failing_job_does_not_stop_the_in_process_worker(app, links):
    enqueue("tasks.portal_links.purge_expired", "unexpected argument")
    enqueue("tasks.portal_links.purge_expired")
    assert job_queue().wait_until_idle(timeout=10)
    assert job_queue().failed == 1
    assert len(_remaining_link_ids()) == 1


def test_only_jobs_from_the_tasks_package_can_be_enqueued(app):
    with pytest.raises(ValueError, match="tasks package"):
        enqueue("os.system", "true")
    with pytest.raises(ModuleNotFoundError):
        enqueue("tasks.no_such_module.job")


class TestOnRealRedis:
    @pytest.fixture
    def app_config(self, redis_url, queue_name):
        return {"REDIS_URL": redis_url, "PORTAL_QUEUE_NAME": queue_name}

    @pytest.mark.databases("postgresql")
    def test_a_real_worker_process_runs_an_enqueued_job(self, app, links, project_root):
        _, fresh_id = links
        job_id = enqueue("tasks.portal_links.purge_expired")
        queue = Queue(
            app.config["PORTAL_QUEUE_NAME"], connection=Redis.from_url(app.config["REDIS_URL"])
        )
        assert job_id in queue.job_ids

        result = run_worker_burst(app, project_root)
        assert result.returncode == 0, result.stderr

        assert _remaining_link_ids() == [fresh_id]
        job = queue.fetch_job(job_id)
        assert job.get_status() == "finished"
        assert job.return_value() == 2

    def test_delayed_jobs_go_to_the_rq_scheduler(self, app):
        job_id = enqueue_in(timedelta(hours=1), "tasks.portal_links.purge_expired")
        connection = Redis.from_url(app.config["REDIS_URL"])
        registry = ScheduledJobRegistry(app.config["PORTAL_QUEUE_NAME"], connection=connection)
        assert job_id in registry.get_job_ids()
        due = registry.get_scheduled_time(job_id)
        assert timedelta(minutes=59) < due - utcnow() <= timedelta(hours=1, seconds=1)

    def test_a_delayed_job_is_never_due_before_its_delay_has_passed(self, app):
        # RQ's scheduler keeps whole seconds; a retry that started early found itself not due.
        connection = Redis.from_url(app.config["REDIS_URL"])
        registry = ScheduledJobRegistry(app.config["PORTAL_QUEUE_NAME"], connection=connection)
        for _ in range(20):
            earliest = utcnow() + timedelta(seconds=1.5)
            job_id = enqueue_in(timedelta(seconds=1.5), "tasks.portal_links.purge_expired")
            assert registry.get_scheduled_time(job_id) >= earliest

    def test_enqueue_reports_a_redis_outage_clearly(self, app):
        from portal.services.infra.queue import RedisJobQueue

        app.extensions["portal_queue"] = RedisJobQueue("redis://127.0.0.1:1/0", "x")
        with pytest.raises(QueueUnavailable, match="could not reach Redis"):
            enqueue("tasks.portal_links.purge_expired")


class TestWithoutTheWorkerThread:
    @pytest.fixture
    def app_config(self):
        return {"PORTAL_INPROCESS_WORKER": False}

    def test_jobs_wait_until_run_due_jobs_runs_them(self, app, links):
        _, fresh_id = links
        enqueue("tasks.portal_links.purge_expired")
        assert len(_remaining_link_ids()) == 2
        assert job_queue().run_due_jobs() == 1
        assert _remaining_link_ids() == [fresh_id]
        assert job_queue().run_due_jobs() == 0
