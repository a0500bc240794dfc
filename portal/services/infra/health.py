"""Is this process able to serve: database reachable, job queue reachable."""

import time

from sqlalchemy import text

from portal.extensions import db
from portal.services.infra.queue import job_queue


def _database_status() -> dict:
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means "down"
        db.session.rollback()
        return {"status": "unavailable", "error": type(error).__name__}
    finally:
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    return {"status": "ok", "dialect": db.engine.dialect.name, "latency_ms": elapsed_ms}


def check() -> dict:
    """A report of each dependency; overall `ok` only when all of them are."""
    database = _database_status()
    queue = job_queue().status()
    healthy = database["status"] == "ok" and queue["status"] == "ok"
    return {"status": "ok" if healthy else "unavailable", "database": database, "queue": queue}
