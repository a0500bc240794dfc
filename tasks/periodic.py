"""Jobs that run every so often. Each run schedules the next under an id naming its time
slot, so however many workers start a chain, the chains meet in one job per slot.

(A slot id, not one fixed id: RQ expires a finished job's record after `result_ttl`, and a
next run scheduled under the same id would vanish with it.)

The chains live only in Redis, so a Redis that comes back empty would end them. Every
long-running worker therefore calls `rearm_missing` every `REARM_INTERVAL_SECONDS` (idle or
busy, tasks/worker.py): a job with no queued, scheduled or running run gets one for the current
slot. A marker key per slot (SET NX) lets only one worker arm a slot, and the re-armed run's next
run lands on the chain's slot ids, so chains meet again. What this guarantees: each periodic job
runs again within one check interval of Redis losing its data, with no process restarted. What it
does not: a run in progress while Redis is flushed is invisible to the check, so that job may run
twice in that slot; every periodic job is safe to run twice.
"""

import logging
import time
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError

from portal.errors import QueueUnavailable
from portal.services.infra.queue import enqueue, enqueue_in, job_queue, resolve_job

log = logging.getLogger(__name__)

# How often a worker checks that every periodic job has a run coming (PORTAL_PERIODIC_REARM_SECONDS
# overrides it): well inside the shortest interval, so a lost chain costs at most one run.
REARM_INTERVAL_SECONDS = 30

EVERY = {
    "tasks.domains.sweep_pending": timedelta(minutes=15),
    "tasks.webhooks.relay": timedelta(minutes=1),
    "tasks.audit_logs.purge_expired": timedelta(hours=1),
    "tasks.sign_ins.purge_expired": timedelta(hours=1),
    "tasks.dashboard_sessions.purge_expired": timedelta(hours=1),
    "tasks.log_streams.relay": timedelta(minutes=1),
    "tasks.mail.requeue_lost": timedelta(minutes=15),
}


def every(name: str) -> timedelta:
    """The interval of `name`; PORTAL_PERIODIC_EVERY_SECONDS may shorten it (tests do)."""
    override = current_app.config.get("PORTAL_PERIODIC_EVERY_SECONDS", {}).get(name)
    return timedelta(seconds=override) if override else EVERY[name]


def rearm_interval_seconds() -> float:
    return current_app.config.get("PORTAL_PERIODIC_REARM_SECONDS") or REARM_INTERVAL_SECONDS


def job_id(name: str) -> str:
    # RQ job ids are global to the Redis database, not per queue: the queue's name keeps two
    # deployments (or test runs) sharing one Redis from taking each other's runs for their own.
    queue = current_app.config["PORTAL_QUEUE_NAME"]
    return f"periodic-{queue}-{name.replace('.', '-')}"


def slot_job_id(name: str, due_epoch: float) -> str:
    """The id of the run of `name` due at `due_epoch` (seconds), by interval slot."""
    return f"{job_id(name)}-{int(due_epoch // every(name).total_seconds())}"


def start_all() -> None:
    """Run every periodic job now; each then keeps itself scheduled."""
    for name in EVERY:
        enqueue("tasks.periodic.run", name, job_id=job_id(name))


def run(name: str):
    """Run one periodic job, then schedule its next run (even if this one failed)."""
    if name not in EVERY:
        raise ValueError(f"{name} is not a periodic job")
    try:
        return resolve_job(name)()
    finally:
        interval = every(name)
        next_id = slot_job_id(name, time.time() + interval.total_seconds())
        enqueue_in(interval, "tasks.periodic.run", name, job_id=next_id)
        job_queue().note_periodic_run(name)


def rearm_missing() -> list[str]:
    """Give each periodic job with no queued, scheduled or running run one now; returns the
    names armed here. Safe side by side: one worker arms a slot."""
    queue = job_queue().rq_queue()
    pending = (
        set(queue.job_ids)
        | set(queue.scheduled_job_registry.get_job_ids())
        | set(queue.started_job_registry.get_job_ids())
    )
    armed = []
    for name in EVERY:
        if _has_run(name, pending):
            continue
        slot_id = slot_job_id(name, time.time())
        ttl = max(1, int(every(name).total_seconds()))
        if queue.connection.set(f"{slot_id}-armed", 1, nx=True, ex=ttl):
            enqueue("tasks.periodic.run", name, job_id=slot_id)
            armed.append(name)
    return armed


def rearm_missing_logged() -> None:
    """`rearm_missing` for a worker's loop: Redis going away again is logged, not raised."""
    try:
        armed = rearm_missing()
    except (RedisError, QueueUnavailable) as error:
        log.warning("could not check the periodic jobs: %s", error)
        return
    if armed:
        log.warning("re-armed periodic jobs that had no run coming: %s", ", ".join(armed))


def _has_run(name: str, job_ids: set[str]) -> bool:
    prefix = job_id(name)
    return any(
        job == prefix or (job.startswith(f"{prefix}-") and job[len(prefix) + 1 :].isdigit())
        for job in job_ids
    )
