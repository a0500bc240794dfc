"""The worker stops promptly: after its last job in burst mode, and on SIGTERM, losing no job."""

import os
import signal
import subprocess
import time
from contextlib import ExitStack, suppress

import pytest
from redis import Redis
from rq import Queue, Worker
from rq.job import Job

from portal.services.infra.queue import enqueue
from tasks.worker import COMMAND_LISTENER_WAIT_SECONDS, AppContextWorker
from tests.peers.worker import start_worker

# A stopping worker used to wait up to 60 s for RQ's command listener; now it waits about 1 s.
PROMPT_EXIT_SECONDS = 10


def _wait_until(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)


def test_a_listener_that_read_the_unsubscribe_reply_first_stops_within_its_wait(
    redis_url, queue_name
):
    connection = Redis.from_url(redis_url)
    worker = AppContextWorker([Queue(queue_name, connection=connection)], connection=connection)
    worker.subscribe()
    # The race at exit, made certain: the listener reads the reply to UNSUBSCRIBE before it is
    # told to stop, and goes back to waiting, now for a subscription.
    worker.pubsub.unsubscribe()
    _wait_until(lambda: not worker.pubsub.subscribed, "the listener to read the reply")

    started = time.monotonic()
    worker.unsubscribe()

    assert time.monotonic() - started < COMMAND_LISTENER_WAIT_SECONDS + 4
    assert not worker.pubsub_thread.is_alive()


@pytest.mark.databases("postgresql")
class TestWorkerProcess:
    @pytest.fixture
    def app_config(self, redis_url, queue_name):
        return {"REDIS_URL": redis_url, "PORTAL_QUEUE_NAME": queue_name}

    @pytest.fixture
    def rq_queue(self, app):
        return app.extensions["portal_queue"].rq_queue()

    @pytest.fixture
    def workers(self, app, project_root, tmp_path):
        """Starts `flask portal worker` processes; any still running at the end are killed, with
        their work horses and schedulers."""
        started = []
        with ExitStack() as logs:

            def start(*options):
                log = logs.enter_context(open(tmp_path / f"worker-{len(started)}.log", "w"))
                started.append(start_worker(app, project_root, *options, log=log))
                return started[-1]

            yield start
            for process in started:
                with suppress(ProcessLookupError):  # the whole group has exited
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def _exit_code(self, process, tmp_path, within: float = PROMPT_EXIT_SECONDS) -> int:
        try:
            return process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            logs = "\n".join(path.read_text() for path in sorted(tmp_path.glob("worker-*.log")))
            pytest.fail(f"the worker was still running {within} s later:\n{logs}")

    def _idle(self, rq_queue) -> bool:
        states = [worker.get_state() for worker in Worker.all(queue=rq_queue)]
        return states == ["idle"] and rq_queue.count == 0

    def test_a_burst_worker_exits_promptly_after_its_last_job(self, rq_queue, workers, tmp_path):
        for _ in range(3):
            job_id = enqueue("tasks.portal_links.purge_expired")
            job = Job.fetch(job_id, connection=rq_queue.connection)
            worker = workers("--burst")
            _wait_until(lambda job=job: job.get_status() == "finished", "the job to finish")
            assert self._exit_code(worker, tmp_path) == 0

    def test_sigterm_stops_an_idle_worker_and_its_scheduler_promptly(
        self, rq_queue, workers, tmp_path
    ):
        worker = workers()
        _wait_until(lambda: self._idle(rq_queue), "the worker to run the periodic jobs")
        scheduler_lock = f"rq:scheduler-lock:{rq_queue.name}"
        assert rq_queue.connection.exists(scheduler_lock)

        worker.send_signal(signal.SIGTERM)

        assert self._exit_code(worker, tmp_path) == 0
        assert not rq_queue.connection.exists(scheduler_lock)  # the scheduler stopped cleanly
        assert Worker.all(queue=rq_queue) == []

    def test_sigterm_during_a_job_lets_it_finish_then_exits_promptly(
        self, rq_queue, workers, tmp_path
    ):
        worker = workers()
        job = rq_queue.enqueue("time.sleep", 2)
        _wait_until(lambda: job.get_status() == "started", "the job to start")

        worker.send_signal(signal.SIGTERM)

        assert self._exit_code(worker, tmp_path, within=2 + PROMPT_EXIT_SECONDS) == 0
        assert job.get_status() == "finished"
