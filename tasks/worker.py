"""The RQ worker behind `flask portal worker`: every job runs inside a Flask app context, and
a long-running worker keeps every periodic job armed (tasks/periodic.py)."""

import logging
import os
import time

from flask import Flask
from redis.exceptions import RedisError
from rq import Worker
from rq.scheduler import RQScheduler
from rq.scripts import release_lock
from sqlalchemy.engine import Engine

from tasks.periodic import rearm_interval_seconds, rearm_missing_logged

log = logging.getLogger(__name__)

# The longest RQ's command listener waits before it looks again whether it has been stopped.
COMMAND_LISTENER_WAIT_SECONDS = 1
# A live scheduler renews its queue's lock every second (to RQ's TTL of its interval + 60 s);
# a lock left this long without renewal belongs to a worker that died without releasing it.
SCHEDULER_SILENT_SECONDS = 15


class AppContextWorker(Worker):
    """An RQ worker that gives each job its own app context and database connections."""

    flask_app: Flask
    engine: Engine
    keeps_periodic_armed = False  # a burst worker leaves the periodic jobs alone
    stop_requested = False  # told to stop (signal or RQ's shutdown command), not failed
    _rearm_due_at = 0.0

    def request_stop(self, *args, **kwargs):
        self.stop_requested = True
        return super().request_stop(*args, **kwargs)

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
                self.take_over_a_dead_scheduler()
                rearm_missing_logged()

    def take_over_a_dead_scheduler(self) -> None:
        """Run the queue's scheduler here if the worker that ran it died holding its lock.

        Only one worker schedules a queue (delayed jobs: retries, periodic runs), the one that
        holds its lock. RQ lets the lock of a worker killed outright (SIGKILL, OOM, power)
        expire after 61 s and has the others try to take it over only in their maintenance,
        every 10 minutes: until then no retry or periodic job ran. A lock its holder has not
        renewed for SCHEDULER_SILENT_SECONDS is released (only if that holder still has it)
        and taken here, on the heartbeat, at most a re-arm interval later.
        """
        scheduler = self.scheduler
        if scheduler is None or (scheduler._process and scheduler._process.is_alive()):
            return
        try:
            for name in self.queue_names():
                self._release_if_silent(RQScheduler.get_locking_key(name), scheduler.interval)
            if scheduler.acquire_locks(auto_start=True):
                log.warning("took over the scheduler of %s", ", ".join(scheduler.acquired_locks))
        except RedisError as error:
            log.warning("could not check the scheduler lock: %s", error)

    def _release_if_silent(self, lock_key: str, scheduler_interval: float) -> None:
        holder, ttl = self.connection.get(lock_key), self.connection.ttl(lock_key)
        renewed_ttl = scheduler_interval + 60
        silent = holder is not None and 0 <= ttl < renewed_ttl - SCHEDULER_SILENT_SECONDS
        if silent and release_lock(self.connection, lock_key, holder.decode()):
            log.warning("released the scheduler lock of a worker that stopped renewing it")

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
    """Work the portal queue (with RQ's scheduler) until stopped, or until empty with burst.

    RQ gives up (logs "unhandled exception, quitting") when Redis goes away while a job runs;
    a long-running worker then starts again once Redis answers, rather than exit for good.
    """
    queue = app.extensions["portal_queue"]
    with app.app_context():
        rearm_seconds = rearm_interval_seconds()
    while True:
        _wait_for_redis(queue.connection)  # RQ's Worker talks to Redis as soon as it is made
        # RQ waits for a job dequeue_timeout = worker_ttl - 15 seconds at a time, then heartbeats.
        worker = AppContextWorker(
            [queue.rq_queue()], connection=queue.connection, worker_ttl=int(rearm_seconds) + 15
        )
        worker.flask_app, worker.engine, worker.keeps_periodic_armed = app, engine, not burst
        try:
            worked = worker.work(burst=burst, with_scheduler=True)
        except RedisError as error:  # Redis went away again while RQ was tidying up
            log.warning("the worker lost Redis: %s", error)
            worked = False
        if burst or worker.stop_requested:
            return worked
        log.warning("the worker stopped on an error; starting again once Redis answers")


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
