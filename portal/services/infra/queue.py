"""Background jobs by dotted name, on RQ when REDIS_URL is set, else in this process.

Web code never imports `tasks`: it names the job (`"tasks.portal_links.purge_expired"`),
so the same call works against Redis in production and against the in-process worker
thread that `make run` uses.
"""

import heapq
import importlib
import itertools
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app

from portal.errors import QueueUnavailable
from portal.models.columns import seconds_since

log = logging.getLogger(__name__)


def resolve_job(name: str):
    """Import the job function `tasks.module.function`; only the tasks package is allowed."""
    if not name.startswith("tasks."):
        raise ValueError(f"jobs live in the tasks package, not {name!r}")
    module_name, _, function_name = name.rpartition(".")
    return getattr(importlib.import_module(module_name), function_name)


def not_before(delay: timedelta) -> datetime:
    """When a job delayed by `delay` may start, to the whole second, rounded up.

    RQ's scheduler keeps whole seconds and drops the fraction, so a job due at 12:00:30.7
    could start at 12:00:30.0; a job that checks it is due (a delivery retry) then found it was
    not yet, did nothing, and the delivery waited minutes for the relay. Rounded up, it waits.
    """
    run_at = datetime.now(UTC) + delay
    if run_at.microsecond:
        run_at = run_at.replace(microsecond=0) + timedelta(seconds=1)
    return run_at


class RedisJobQueue:
    backend = "redis"

    def __init__(self, redis_url: str, queue_name: str):
        from redis import Redis

        self.connection = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
        self.queue_name = queue_name

    def rq_queue(self):
        from rq import Queue

        return Queue(self.queue_name, connection=self.connection)

    def enqueue(
        self, name: str, args: tuple, kwargs: dict, delay: timedelta | None, job_id: str | None
    ) -> str:
        from redis.exceptions import RedisError

        resolve_job(name)  # fail here, not in the worker, on a misspelt job name
        queue = self.rq_queue()
        try:
            if delay:
                job = queue.enqueue_at(
                    not_before(delay), name, args=args, kwargs=kwargs, job_id=job_id
                )
            elif job_id and self._waiting(job_id):
                return job_id  # already queued to run now: one run does it
            else:
                job = queue.enqueue_call(func=name, args=args, kwargs=kwargs, job_id=job_id)
        except RedisError as error:
            raise QueueUnavailable(f"could not reach Redis: {error}") from error
        return job.id

    def _waiting(self, job_id: str) -> bool:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job, JobStatus

        try:
            return Job.fetch(job_id, connection=self.connection).get_status() == JobStatus.QUEUED
        except NoSuchJobError:
            return False

    def depth(self) -> tuple[int, float]:
        """Jobs waiting to run now, and the age in seconds of the oldest of them."""
        from rq.job import Job

        queue = self.rq_queue()
        oldest_ids = queue.get_job_ids(0, 0)
        if not oldest_ids:
            return 0, 0.0
        enqueued_at = Job.fetch(oldest_ids[0], connection=self.connection).enqueued_at
        return queue.count, seconds_since(enqueued_at)  # RQ writes UTC

    def note_periodic_run(self, name: str) -> None:
        self.connection.hset(self._periodic_runs_key, name, time.time())

    def periodic_runs(self) -> dict[str, float]:
        """When each periodic job last ran (epoch seconds), as far as this Redis remembers."""
        runs = self.connection.hgetall(self._periodic_runs_key)
        return {name.decode(): float(at) for name, at in runs.items()}

    @property
    def _periodic_runs_key(self) -> str:
        return f"portal:{self.queue_name}:periodic-last-run"

    def status(self) -> dict:
        from redis.exceptions import RedisError

        try:
            self.connection.ping()
            return {"status": "ok", "backend": self.backend, "queued": len(self.rq_queue())}
        except RedisError as error:
            return {"status": "unavailable", "backend": self.backend, "error": str(error)}


class InProcessJobQueue:
    """A worker thread inside the web process: for `make run`, with no Redis to start."""

    backend = "in-process"

    def __init__(self, app: Flask, start_thread: bool = True):
        self.app = app
        self.start_thread = start_thread
        self._due: list[tuple[float, int, str, tuple, dict, str]] = []
        self._counter = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._running = False
        self._periodic_started = False
        self._stopped = False
        self._periodic_runs: dict[str, float] = {}
        self.failed = 0

    def enqueue(
        self, name: str, args: tuple, kwargs: dict, delay: timedelta | None, job_id: str | None
    ) -> str:
        resolve_job(name)
        run_at = time.monotonic() + (delay.total_seconds() if delay else 0)
        job_id = job_id or f"inproc-{next(self._counter)}"
        with self._wake:
            # A job id names one job: enqueueing it again replaces the earlier one (as in RQ).
            self._due = [entry for entry in self._due if entry[5] != job_id]
            heapq.heapify(self._due)
            entry = (run_at, next(self._counter), name, args, kwargs, job_id)
            heapq.heappush(self._due, entry)
            if self.start_thread:
                self._start_thread()
            self._wake.notify()
        return job_id

    def run_due_jobs(self) -> int:
        """Run every job that is due, here and now (tests run jobs this way); returns the count."""
        ran = 0
        while True:
            with self._wake:
                if not self._due or self._due[0][0] > time.monotonic():
                    return ran
                _, _, name, args, kwargs, _ = heapq.heappop(self._due)
            self._run(name, args, kwargs)
            ran += 1

    def status(self) -> dict:
        with self._wake:
            queued = len(self._due)
        alive = self._thread is None or self._thread.is_alive()
        return {
            "status": "ok" if alive else "unavailable",
            "backend": self.backend,
            "queued": queued,
        }

    def depth(self) -> tuple[int, float]:
        """Jobs due now, and how long the oldest of them has been due, in seconds."""
        now = time.monotonic()
        with self._wake:
            due = [run_at for run_at, *_ in self._due if run_at <= now]
        return len(due), (now - min(due)) if due else 0.0

    def note_periodic_run(self, name: str) -> None:
        self._periodic_runs[name] = time.time()

    def periodic_runs(self) -> dict[str, float]:
        return dict(self._periodic_runs)

    def wait_until_idle(self, timeout: float = 10.0, include_scheduled: bool = False) -> bool:
        """Wait until no job is due (or, with include_scheduled, none is left); False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._wake:
                horizon = float("inf") if include_scheduled else time.monotonic()
                busy = any(run_at <= horizon for run_at, *_ in self._due)
            if not busy and not self._running:
                return True
            time.sleep(0.01)
        return False

    def start_periodic_jobs(self) -> None:
        """Queue the periodic jobs once per process (the web process is the worker here)."""
        if not self._periodic_started:
            self._periodic_started = True
            self.enqueue("tasks.periodic.start_all", (), {}, None, "periodic-start")

    def _start_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, name="portal-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the worker thread after its current job; queued jobs are dropped."""
        with self._wake:
            self._stopped = True
            self._due.clear()
            self._wake.notify_all()

    def _next_job(self):
        with self._wake:
            while not self._stopped:
                now = time.monotonic()
                if self._due and self._due[0][0] <= now:
                    self._running = True
                    return heapq.heappop(self._due)
                timeout = (self._due[0][0] - now) if self._due else None
                self._wake.wait(timeout)
            return None

    def _work(self) -> None:
        while (job := self._next_job()) is not None:
            _, _, name, args, kwargs, _ = job
            try:
                self._run(name, args, kwargs)
            finally:
                self._running = False

    def _run(self, name: str, args: tuple, kwargs: dict) -> None:
        try:
            with self.app.app_context():
                resolve_job(name)(*args, **kwargs)
        except Exception:
            self.failed += 1
            log.exception("job %s failed", name)


def init_queue(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        queue = RedisJobQueue(app.config["REDIS_URL"], app.config["PORTAL_QUEUE_NAME"])
    else:
        queue = InProcessJobQueue(app, start_thread=app.config["PORTAL_INPROCESS_WORKER"])
        if queue.start_thread:
            app.before_request(queue.start_periodic_jobs)
    app.extensions["portal_queue"] = queue


def job_queue():
    return current_app.extensions["portal_queue"]


def enqueue(name: str, *args, job_id: str | None = None, **kwargs) -> str:
    """Run job `name` (a dotted path in `tasks`) as soon as a worker is free.

    A `job_id` makes the job unique: enqueueing the same id again replaces it.
    """
    return job_queue().enqueue(name, args, kwargs, None, job_id)


def enqueue_in(delay: timedelta, name: str, *args, job_id: str | None = None, **kwargs) -> str:
    """Run job `name` after `delay` (RQ's scheduler, or the in-process timer)."""
    return job_queue().enqueue(name, args, kwargs, delay, job_id)
