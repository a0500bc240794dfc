"""Jobs that run every so often. Each run schedules the next under an id naming its time
slot, so however many workers start a chain, the chains meet in one job per slot.

(A slot id, not one fixed id: RQ expires a finished job's record after `result_ttl`, and a
next run scheduled under the same id would vanish with it.)
"""

import time
from datetime import timedelta

from flask import current_app

from portal.services.infra.queue import enqueue, enqueue_in, resolve_job

EVERY = {
    "tasks.domains.sweep_pending": timedelta(minutes=15),
    "tasks.webhooks.relay": timedelta(minutes=1),
    "tasks.audit_logs.purge_expired": timedelta(hours=1),
    "tasks.sign_ins.purge_expired": timedelta(hours=1),
    "tasks.dashboard_sessions.purge_expired": timedelta(hours=1),
    "tasks.log_streams.relay": timedelta(minutes=1),
    "tasks.mail.requeue_lost": timedelta(minutes=15),
}


def job_id(name: str) -> str:
    # RQ job ids are global to the Redis database, not per queue: the queue's name keeps two
    # deployments (or test runs) sharing one Redis from taking each other's runs for their own.
    queue = current_app.config["PORTAL_QUEUE_NAME"]
    return f"periodic-{queue}-{name.replace('.', '-')}"


def slot_job_id(name: str, due_epoch: float) -> str:
    """The id of the run of `name` due at `due_epoch` (seconds), by interval slot."""
    return f"{job_id(name)}-{int(due_epoch // EVERY[name].total_seconds())}"


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
        every = EVERY[name]
        next_id = slot_job_id(name, time.time() + every.total_seconds())
        enqueue_in(every, "tasks.periodic.run", name, job_id=next_id)
