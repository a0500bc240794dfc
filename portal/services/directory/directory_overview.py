"""What the IT admin sees of their directory: a searchable, paged list of its users with their
groups, and whether the app sees each of them (the group-sync selection).

Pages follow each other by username (unique in a directory): a page link carries the username
it starts after (or ends before), so any page costs the same at 1,000 or 100,000 users. A page
asked for by number alone is counted out from the start (an index walk, longer the further)."""

from dataclasses import dataclass, replace

from sqlalchemy import String, any_, func, literal_column, select, text

from portal.extensions import db
from portal.models import Directory, DirectoryGroup, DirectoryGroupMembership, DirectoryUser
from portal.services.directory import directory_users, group_sync

PER_PAGE = 25
MAX_QUERY = 200

_NEWLINE = literal_column("'\n'", String)
_EMPTY = literal_column("''", String)
# The three searched texts in one, as migration 0021 indexes them (trigrams, on PostgreSQL):
# a search holds no newline, so it matches the joined text only where it matches one part.
SEARCHED = func.lower(
    func.coalesce(DirectoryUser.display_name, _EMPTY)
    + _NEWLINE
    + DirectoryUser.user_name_key
    + _NEWLINE
    + func.coalesce(DirectoryUser.email, _EMPTY)
)
SEARCH_INDEX = "ix_directory_users_search_trgm"

# The page's usernames, one index probe each: the planner has no choice to get wrong on a
# directory it has no statistics for yet (a sort of every user, 250 ms at 100,000).
_WALK = """
WITH RECURSIVE walk(n, user_name_key) AS (
    SELECT 0, CAST(:start AS TEXT)
    UNION ALL
    SELECT n + 1, CAST((SELECT {edge}(later.user_name_key) FROM directory_users later
                        WHERE later.directory_id = :directory_id
                        AND later.user_name_key {step} walk.user_name_key) AS TEXT)
    FROM walk WHERE n < :size AND walk.user_name_key IS NOT NULL
)
SELECT (SELECT id FROM directory_users found
        WHERE found.directory_id = :directory_id AND found.user_name_key = walk.user_name_key) AS id
FROM walk WHERE n > 0 AND user_name_key IS NOT NULL
"""


@dataclass(frozen=True)
class UserRow:
    user: DirectoryUser
    groups: list[str]
    synced: bool


@dataclass(frozen=True)
class UserPage:
    rows: list[UserRow]
    query: str
    page: int
    pages: int
    total: int
    has_next: bool = False

    @property
    def first_key(self) -> str | None:
        return self.rows[0].user.user_name_key if self.rows else None

    @property
    def last_key(self) -> str | None:
        return self.rows[-1].user.user_name_key if self.rows else None


@dataclass(frozen=True)
class Position:
    """Where a page is: its number, and the username it follows (`after`) or precedes
    (`before`) when the admin came from the page beside it."""

    page: int = 1
    after: str | None = None
    before: str | None = None


def search_users(
    directory: Directory,
    query: str = "",
    position: Position = Position(),
    users_total: int | None = None,
) -> UserPage:
    """A page of the directory's users, by username; `query` matches name, email or username
    anywhere, ignoring case. `users_total`: how many users the directory has, when the caller
    has counted them already."""
    query = query.replace("\r", " ").replace("\n", " ").strip()[:MAX_QUERY]  # see SEARCHED
    if query:
        condition = _searched_in(directory.id) & SEARCHED.like(_like(query), escape="\\")
        total = db.session.scalar(select(func.count()).where(condition)) or 0
    else:
        condition = None
        total = directory_users.count_users(directory.id) if users_total is None else users_total
    pages = max(1, -(-total // PER_PAGE))
    position = replace(position, page=min(position.page, pages))
    users, has_next, at_start = _users_at(directory.id, condition, position)
    page = 1 if at_start else min(max(position.page, 2), pages)
    groups = _group_names([user.id for user in users])
    synced = _synced([user.id for user in users], directory)
    rows = [UserRow(u, groups.get(u.id, []), u.id in synced) for u in users]
    return UserPage(rows, query, page, pages, total, has_next)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"


def _users_at(directory_id: str, condition, position: Position):
    """The page's users in username order, whether a page follows, whether it is the first."""
    if position.before is not None:
        users = _fetch(directory_id, condition, "<", position.before)
        if len(users) <= PER_PAGE:  # what came before is the first page
            return _users_at(directory_id, condition, Position())
        return users[1:], True, False
    if position.after is not None:
        users = _fetch(directory_id, condition, ">", position.after)
    elif position.page > 1:
        users = _counted_out(directory_id, condition, position.page)
    else:  # every username is longer than ""
        users = _fetch(directory_id, condition, ">", "")
    at_start = position.after is None and position.page <= 1
    return users[:PER_PAGE], len(users) > PER_PAGE, at_start


def _fetch(directory_id: str, condition, beyond: str, start: str) -> list[DirectoryUser]:
    """One more user than a page holds, beyond `start` (ascending order, also backwards)."""
    key = DirectoryUser.user_name_key
    if condition is None:
        query = select(DirectoryUser).where(_walked(directory_id, beyond, start))
        return list(db.session.scalars(query.order_by(key)))
    backwards = beyond == "<"
    query = select(DirectoryUser).where(condition, _compare(key, beyond, start))
    query = query.order_by(key.desc() if backwards else key).limit(PER_PAGE + 1)
    users = list(db.session.scalars(query))
    return users[::-1] if backwards else users


def _compare(column, operator: str, value: str):
    return column < value if operator == "<" else column > value


def _walked(directory_id: str, beyond: str, start: str):
    """The users of the page beyond `start`, walked along the username index, by id."""
    edge = "max" if beyond == "<" else "min"
    walk = text(_WALK.format(edge=edge, step=beyond)).bindparams(
        directory_id=directory_id, start=start, size=PER_PAGE + 1
    )
    ids = walk.columns(id=String).subquery().select()
    if db.engine.dialect.name == "postgresql":
        # = ANY(ARRAY(...)) keeps the lookup one primary-key probe per user; an IN (...) may
        # be planned as a join reading the whole directory.
        return DirectoryUser.id == any_(func.array(ids.scalar_subquery()))
    return DirectoryUser.id.in_(ids)


def _counted_out(directory_id: str, condition, page: int) -> list[DirectoryUser]:
    query = select(DirectoryUser).where(
        condition if condition is not None else DirectoryUser.directory_id == directory_id
    )
    query = query.order_by(DirectoryUser.user_name_key)
    return list(db.session.scalars(query.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))


_search_indexed: dict[str, bool] = {}


def _searched_in(directory_id: str):
    """The directory's users, for a search. Over the trigram index (when the deployment has
    it) in a form no other index serves: on a table without statistics the planner would
    rather read every user of the directory by its directory_id index (26 ms against 0.6)."""
    if _has_search_index():
        return DirectoryUser.directory_id.concat("") == directory_id
    return DirectoryUser.directory_id == directory_id


def _has_search_index() -> bool:
    url = str(db.engine.url)
    if url not in _search_indexed:
        _search_indexed[url] = db.engine.dialect.name == "postgresql" and bool(
            db.session.scalar(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": SEARCH_INDEX})
        )
    return _search_indexed[url]


def _group_names(user_ids: list[str]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    if not user_ids:
        return names
    rows = db.session.execute(
        select(DirectoryGroupMembership.user_id, DirectoryGroup.display_name)
        .join(DirectoryGroup, DirectoryGroup.id == DirectoryGroupMembership.group_id)
        .where(DirectoryGroupMembership.user_id.in_(user_ids))
        .order_by(DirectoryGroup.display_name_key)
    )
    for user_id, name in rows:
        names.setdefault(user_id, []).append(name)
    return names


def _synced(user_ids: list[str], directory: Directory) -> set[str]:
    selected = group_sync.selection(directory)
    if selected is None:
        return set(user_ids)
    return set(
        db.session.scalars(
            select(DirectoryGroupMembership.user_id).where(
                DirectoryGroupMembership.user_id.in_(user_ids),
                DirectoryGroupMembership.group_id.in_(selected),
            )
        )
    )
