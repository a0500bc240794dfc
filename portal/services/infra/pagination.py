"""Cursor pagination the WorkOS way: `limit`, `before`/`after` ids, `order` by creation time.

Ids are time-sortable, so every cursor is a comparison on the primary key.
"""

from dataclasses import dataclass

from sqlalchemy import Select, and_, or_, select
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


def paginate(
    query: Select,
    id_column: InstrumentedAttribute,
    request: PageRequest,
    sort_column: InstrumentedAttribute | None = None,
) -> Page:
    """One page of `query` in the requested order, with cursors to the pages either side.

    With `sort_column` the records are ordered by it, then by id; a cursor is still an id.
    """
    size = request.limit
    key = _SortKey(query, id_column, sort_column)
    newest_first = request.order != "asc"
    # "normal" lists newest first but swaps the cursors: `before` pages on to older records.
    if request.order == "normal":
        next_cursor, previous_cursor = request.before, request.after
    else:
        next_cursor, previous_cursor = request.after, request.before

    def later(position):
        return key.before(position) if newest_first else key.after(position)

    def earlier(position):
        return key.after(position) if newest_first else key.before(position)

    in_order = key.order(descending=newest_first)
    reversed_order = key.order(descending=not newest_first)
    previous_at, next_at = key.position_of(previous_cursor), key.position_of(next_cursor)

    if previous_at:
        stmt = query.where(earlier(previous_at)).order_by(*reversed_order)
        rows = list(db.session.scalars(stmt.limit(size + 1)))
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        has_next = bool(rows) and _exists(query.where(later(key.position_of_row(rows[-1]))))
    else:
        stmt = query.where(later(next_at)) if next_at else query
        rows = list(db.session.scalars(stmt.order_by(*in_order).limit(size + 1)))
        has_next = len(rows) > size
        rows = rows[:size]
        has_previous = bool(next_at and rows) and _exists(
            query.where(earlier(key.position_of_row(rows[0])))
        )

    next_id = rows[-1].id if has_next else None
    previous_id = rows[0].id if has_previous else None
    if request.order == "normal":
        return Page(rows, before=next_id, after=previous_id)
    return Page(rows, before=previous_id, after=next_id)


def _exists(query: Select) -> bool:
    return bool(db.session.scalar(select(query.exists())))


class _SortKey:
    """Where a record sits in the order: its id, or (sort value, id) with a sort column."""

    def __init__(self, query: Select, id_column, sort_column):
        self.query, self.id_column, self.sort_column = query, id_column, sort_column

    def position_of(self, cursor: str | None) -> tuple | None:
        """The cursor record's position; None when it is not in the query (gone, or foreign)."""
        if not cursor:
            return None
        if self.sort_column is None:
            return (cursor,)
        value = db.session.scalar(
            self.query.with_only_columns(self.sort_column).where(self.id_column == cursor)
        )
        return None if value is None else (value, cursor)

    def position_of_row(self, row) -> tuple:
        if self.sort_column is None:
            return (row.id,)
        return (getattr(row, self.sort_column.key), row.id)

    def before(self, position: tuple):
        return self._compare(position, lambda column, value: column < value)

    def after(self, position: tuple):
        return self._compare(position, lambda column, value: column > value)

    def order(self, descending: bool) -> list:
        columns = [self.id_column]
        if self.sort_column is not None:
            columns.insert(0, self.sort_column)
        return [column.desc() if descending else column.asc() for column in columns]

    def _compare(self, position, beyond):
        if self.sort_column is None:
            return beyond(self.id_column, position[0])
        value, row_id = position
        return or_(
            beyond(self.sort_column, value),
            and_(self.sort_column == value, beyond(self.id_column, row_id)),
        )
