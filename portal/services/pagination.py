"""Cursor pagination the WorkOS way: `limit`, `before`/`after` ids, `order` by creation time.

Ids are time-sortable, so every cursor is a comparison on the primary key.
"""

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute

from portal.errors import InvalidInput
from portal.extensions import db

ORDERS = ("desc", "asc", "normal")
DEFAULT_LIMIT = 10
MAX_LIMIT = 100


@dataclass
class Page:
    items: list
    before: str | None
    after: str | None


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    before: str | None = None
    after: str | None = None
    order: str = "desc"

    def __post_init__(self):
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}.", field="limit")
        if self.order not in ORDERS:
            raise InvalidInput("order must be one of desc, asc or normal.", field="order")
        if self.before and self.after:
            raise InvalidInput("Pass either before or after, not both.", field="before")


def paginate(query: Select, id_column: InstrumentedAttribute, request: PageRequest) -> Page:
    """One page of `query` in the requested order, with cursors to the pages either side."""
    size = request.limit
    newest_first = request.order != "asc"
    # "normal" lists newest first but swaps the cursors: `before` pages on to older records.
    if request.order == "normal":
        next_cursor, previous_cursor = request.before, request.after
    else:
        next_cursor, previous_cursor = request.after, request.before

    def later(cursor):
        return id_column < cursor if newest_first else id_column > cursor

    def earlier(cursor):
        return id_column > cursor if newest_first else id_column < cursor

    in_order = id_column.desc() if newest_first else id_column.asc()
    reversed_order = id_column.asc() if newest_first else id_column.desc()

    if previous_cursor:
        stmt = query.where(earlier(previous_cursor)).order_by(reversed_order)
        rows = list(db.session.scalars(stmt.limit(size + 1)))
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        has_next = bool(rows) and _exists(query.where(later(rows[-1].id)))
    else:
        stmt = query.where(later(next_cursor)) if next_cursor else query
        rows = list(db.session.scalars(stmt.order_by(in_order).limit(size + 1)))
        has_next = len(rows) > size
        rows = rows[:size]
        has_previous = bool(next_cursor and rows) and _exists(query.where(earlier(rows[0].id)))

    next_id = rows[-1].id if has_next else None
    previous_id = rows[0].id if has_previous else None
    if request.order == "normal":
        return Page(rows, before=next_id, after=previous_id)
    return Page(rows, before=previous_id, after=next_id)


def _exists(query: Select) -> bool:
    return bool(db.session.scalar(select(query.exists())))
