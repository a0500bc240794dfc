"""Connection settings per database engine."""

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    # SQLite enforces foreign keys (and so ON DELETE CASCADE) only when asked, per connection;
    # WAL lets the in-process worker write while pages read.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL loses no committed data on a crash of the process, only on
        # power loss, and spares an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
