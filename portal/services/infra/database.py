"""Connection settings per database engine, a liveness check for pooled connections, the
end of each request's session, and `listen_once` for the SQLAlchemy hooks the factory
registers."""

import logging
import select
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.pool import Pool

from portal.extensions import db

log = logging.getLogger(__name__)

# A pooled PostgreSQL connection idle longer than this is pinged with a round trip before use
# (a firewall or proxy may have dropped it without a word); one in steady use is not.
IDLE_PING_SECONDS = 30.0
_CHECKED_IN_AT = "portal_checked_in_at"


def listen_once(target, identifier: str, handler) -> None:
    """`sqlalchemy.event.listen`, unless `handler` already listens there: create_app runs once
    per app, and a process (the test suite) may build many."""
    if not event.contains(target, identifier, handler):
        event.listen(target, identifier, handler)


def configure_connections() -> None:
    """Set SQLite's pragmas on each new connection and check pooled PostgreSQL connections
    before use, for every engine of the process."""
    listen_once(Engine, "connect", _configure_sqlite)
    listen_once(Pool, "checkin", _note_checkin)
    listen_once(Pool, "checkout", _refuse_dead_connection)


def end_request_session(error: BaseException | None = None) -> None:
    """Close the request's session (a teardown). A connection the server ended in the middle
    of a transaction (a restart) cannot be rolled back: it is discarded instead, so the answer
    already made stands rather than turning into a 500."""
    try:
        db.session.remove()
    except (OperationalError, InterfaceError) as lost:
        log.warning("discarding a database connection the server closed: %s", lost)
        db.session().invalidate()
        db.session.remove()


def _configure_sqlite(dbapi_connection, connection_record):
    # SQLite enforces foreign keys (and so ON DELETE CASCADE) only when asked, per connection;
    # WAL lets the in-process worker write while pages read.
    if _is_sqlite(dbapi_connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL loses no committed data on a crash of the process, only on
        # power loss, and spares an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def _note_checkin(dbapi_connection, connection_record):
    connection_record.info[_CHECKED_IN_AT] = time.monotonic()


def _refuse_dead_connection(dbapi_connection, connection_record, connection_proxy):
    """Hand out only PostgreSQL connections that are still open; the pool replaces a dead one.

    This stands in for `pool_pre_ping`, whose `SELECT 1` would be one more round trip on every
    request. A server that closes a connection (restart, terminated backend, idle timeout)
    sends its notice and a FIN first, so an idle connection with something to read, or a
    hang-up, is one it has closed: one poll() tells, without a query. (A false alarm, such as
    a late TLS record, costs only a new connection.) Only a connection idle for long, which a
    middlebox could have dropped silently, still gets the round trip.
    """
    if _is_sqlite(dbapi_connection):
        return
    idle_since = connection_record.info.get(_CHECKED_IN_AT)
    if dbapi_connection.closed or _has_pending_input(dbapi_connection.fileno()):
        raise DisconnectionError("the database server closed this connection")
    if idle_since is not None and time.monotonic() - idle_since > IDLE_PING_SECONDS:
        _ping(dbapi_connection)


def _has_pending_input(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def _ping(dbapi_connection) -> None:
    try:
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.autocommit = False
    except Exception as error:  # any failure means this connection cannot be used
        raise DisconnectionError(f"the database server did not answer: {error}") from error


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")
