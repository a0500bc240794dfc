"""Listening to what a request asks of the database."""

from sqlalchemy import event

from portal.extensions import db


def statements_of(send) -> list[tuple[str, object]]:
    """The SQL statements, with their parameters, that `send()` (one request) runs, in order;
    `send` returns the response, which must be a success."""
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert send().status_code < 300
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return seen
