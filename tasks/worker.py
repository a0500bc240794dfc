"""The RQ worker behind `flask portal worker`: every job runs inside a Flask app context, and
a long-running worker keeps every periodic job armed (tasks/periodic.py)."""

import logging
import os
import time

from flask import Flask
from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy.engine import Engine

from tasks.periodic import rearm_interval_seconds, rearm_missing_logged

log = logging.getLogger(__name__)

# The longest RQ's command listener waits before it looks again whether it has been stopped.
COMMAND_LISTENER_WAIT_SECONDS = 1


class AppContextWorker(Worker):
    """An RQ worker that gives each job its own app context and database connections."""

    flask_app: Flask
    engine: Engine
    keeps_periodic_armed = False  # a burst worker leaves the periodic jobs alone
    _rearm_due_at = 0.0

    def heartbeat(self, *args, **kwargs):
        """RQ's heartbeat, which also re-arms lost periodic jobs when a check is due.

        The heartbeat comes while idle (each dequeue wait, at most the check interval: see
        run_worker) and while busy (RQ's job monitoring, every 30 s). Only the main worker
        process checks: the work horse heartbeats too, with no business arming anything.
        """
        super().heartbeat(*args, **kwargs)
        if not self.keeps_periodic_armed or os.getpid() != self.pid:
            return
        if time.monotonic() >= self._rearm_due_at:
            with self.flask_app.app_context():
                self._rearm_due_at = time.monotonic() + rearm_interval_seconds()
                rearm_missing_logged()

    def main_work_horse(self, *args, **kwargs):
        # The forked work horse must not share the parent's pooled connections.
        self.engine.dispose(close=False)
        return super().main_work_horse(*args, **kwargs)

    def perform_job(self, *args, **kwargs):
        with self.flask_app.app_context():
            return super().perform_job(*args, **kwargs)

    def subscribe(self):
        """Listen for RQ's commands (shutdown, kill-horse, stop-job) in a thread of its own."""
        # RQ's own listener waits up to 60 s at a time. At exit RQ unsubscribes, then stops the
        # thread and (redis 8.2 on) joins it: a listener that reads the unsubscribe reply before
        # it is stopped waits once more, now for a subscription, and holds the exit that long.
        # Waiting 1 s at a time bounds that; an idle listener wakes once a second.
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=COMMAND_LISTENER_WAIT_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )


def run_worker(app: Flask, engine: Engine, burst: bool = False) -> bool:
    """Work the portal queue (with RQ's scheduler) until stopped, or until empty with burst."""
    queue = app.extensions["portal_queue"]
    with app.app_context():
        rearm_seconds = rearm_interval_seconds()
    _wait_for_redis(queue.connection)  # RQ's Worker talks to Redis as soon as it is made
    # RQ waits for a job dequeue_timeout = worker_ttl - 15 seconds at a time, then heartbeats.
    worker = AppContextWorker(
        [queue.rq_queue()], connection=queue.connection, worker_ttl=int(rearm_seconds) + 15
    )
    worker.flask_app = app
    worker.engine = engine
    worker.keeps_periodic_armed = not burst
    return worker.work(burst=burst, with_scheduler=True)


def _wait_for_redis(connection, longest_wait: float = 30) -> None:
    """Return once Redis answers; a worker started before its Redis waits rather than exits."""
    wait = 1.0
    while True:
        try:
            connection.ping()
            return
        except RedisError as error:
            log.warning("Redis is not reachable (%s); trying again in %.0f s", error, wait)
            time.sleep(wait)
            wait = min(wait * 2, longest_wait)
