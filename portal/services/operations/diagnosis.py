"""`portal doctor`: each part of a deployment checked, with what to do when one is wrong."""

from dataclasses import dataclass
from datetime import UTC, datetime

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import Migrate
from sqlalchemy import text

from portal.extensions import db
from portal.services.infra.queue import job_queue
from portal.services.organizations import domain_verification

OK, WARNING, PROBLEM = "ok", "warning", "problem"
# A worker whose heartbeat is older than this is gone (RQ heartbeats every 45 s at most).
WORKER_HEARTBEAT_SECONDS = 90
# A name every resolver that reaches the internet can answer.
OUTBOUND_PROBE_NAME = "example.com"


@dataclass(frozen=True)
class Finding:
    part: str
    level: str
    says: str


def diagnose() -> list[Finding]:
    """Every check, in the order an operator fixes things: database before what needs it."""
    findings = [_configuration(), _database()]
    if findings[-1].level == OK:
        findings += [_schema(), _database_clock()]
    findings += _queue_and_workers()
    findings.append(_outbound_dns())
    return findings


def _production() -> bool:
    return current_app.config["PORTAL_ENV"] == "production"


def _configuration() -> Finding:
    config = current_app.config
    where = f"{config['PORTAL_ENV']} at {config['PORTAL_PUBLIC_URL']}"
    if not _production():
        return Finding(
            "configuration", WARNING, f"{where}: set PORTAL_ENV=production to serve customers"
        )
    return Finding("configuration", OK, where)


def _database() -> Finding:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means "cannot reach"
        db.session.rollback()
        return Finding(
            "database",
            PROBLEM,
            f"cannot connect ({type(error).__name__}: {str(error).splitlines()[0]}); "
            "check DATABASE_URL and that the database server is running",
        )
    return Finding("database", OK, f"{db.engine.dialect.name} reachable")


def _schema() -> Finding:
    migrate: Migrate = current_app.extensions["migrate"]
    head = ScriptDirectory.from_config(migrate.migrate.get_config()).get_current_head()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        found = current or "no schema"
        return Finding("schema", PROBLEM, f"at {found}, code expects {head}: run `portal init`")
    return Finding("schema", OK, f"at the newest revision ({head})")


def _database_clock() -> Finding:
    if db.engine.dialect.name != "postgresql":
        return Finding("clock", OK, "SQLite shares this machine's clock")
    database_now = db.session.execute(text("SELECT now()")).scalar_one()
    return _clock_finding("the database server", database_now)


def _clock_finding(other: str, their_now: datetime) -> Finding:
    skew = abs((datetime.now(UTC) - their_now).total_seconds())
    allowed = current_app.config["PORTAL_CLOCK_SKEW_SECONDS"] / 2
    if skew > allowed:
        return Finding(
            "clock",
            PROBLEM,
            f"this machine and {other} differ by {skew:.0f} s; SAML and OIDC checks allow "
            f"{allowed * 2:.0f} s in all: run NTP (e.g. systemd-timesyncd) on both",
        )
    return Finding("clock", OK, f"within {skew:.1f} s of {other}")


def _queue_and_workers() -> list[Finding]:
    status = job_queue().status()
    if status["backend"] == "in-process":
        level = PROBLEM if _production() else OK
        return [
            Finding(
                "queue",
                level,
                "no REDIS_URL: jobs run inside the web process "
                "(one machine only; production needs Redis and `portal worker`)",
            )
        ]
    if status["status"] != "ok":
        return [
            Finding(
                "queue",
                PROBLEM,
                f"Redis unreachable ({status['error']}): check REDIS_URL "
                "and that Redis is running; events wait in the database meanwhile",
            )
        ]
    redis_time = job_queue().connection.time()
    return [
        Finding("queue", OK, f"Redis reachable, {status['queued']} jobs waiting"),
        _clock_finding("Redis", datetime.fromtimestamp(redis_time[0] + redis_time[1] / 1e6, UTC)),
        _workers(),
    ]


def _workers() -> Finding:
    from rq import Worker

    queue = job_queue()
    now = datetime.now(UTC)
    alive = [
        worker
        for worker in Worker.all(queue=queue.rq_queue())
        if worker.last_heartbeat
        and (now - worker.last_heartbeat.replace(tzinfo=UTC)).total_seconds()
        < WORKER_HEARTBEAT_SECONDS
    ]
    if not alive:
        return Finding(
            "workers",
            PROBLEM,
            "no worker has checked in for "
            f"{WORKER_HEARTBEAT_SECONDS} s: start one with `portal worker`",
        )
    return Finding("workers", OK, f"{len(alive)} alive")


def _outbound_dns() -> Finding:
    problem = domain_verification.resolvers_fail(OUTBOUND_PROBE_NAME)
    if problem:
        level = PROBLEM if _production() else WARNING
        return Finding(
            "outbound",
            level,
            f"DNS lookups fail ({problem}): domain verification "
            "cannot succeed; check PORTAL_DNS_RESOLVERS and the network",
        )
    return Finding("outbound", OK, "DNS lookups answer")
