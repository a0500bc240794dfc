"""Jobs that run every so often: each run schedules the next one under a fixed job id, so
however many workers start them, one chain runs."""

from datetime import timedelta

from portal.queue import enqueue, enqueue_in, resolve_job

EVERY = {
    "tasks.domains.sweep_pending": timedelta(minutes=15),
    "tasks.webhooks.relay": timedelta(minutes=1),
}


def job_id(name: str) -> str:
    return "periodic-" + name.replace(".", "-")


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
        enqueue_in(EVERY[name], "tasks.periodic.run", name, job_id=job_id(name))
