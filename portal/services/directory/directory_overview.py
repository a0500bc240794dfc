"""What the IT admin sees of their directory: a searchable, paged list of its users with their
groups, and whether the app sees each of them (the group-sync selection)."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.models import Directory, DirectoryGroup, DirectoryGroupMembership, DirectoryUser
from portal.services.directory import directory_users, group_sync

PER_PAGE = 25
MAX_QUERY = 200


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


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"


def search_users(
    directory: Directory, query: str = "", page: int = 1, users_total: int | None = None
) -> UserPage:
    """A page of the directory's users, by name, then username; `query` matches name, email
    or username anywhere, ignoring case. `users_total`: how many users the directory has, when
    the caller has counted them already."""
    query = query.strip()[:MAX_QUERY]
    condition = DirectoryUser.directory_id == directory.id
    if query:
        pattern = _like(query)
        condition = condition & or_(
            *(
                func.lower(column).like(pattern, escape="\\")
                for column in (
                    DirectoryUser.display_name,
                    DirectoryUser.user_name,
                    DirectoryUser.email,
                )
            )
        )
    if query:
        total = db.session.scalar(select(func.count()).where(condition)) or 0
    elif users_total is not None:
        total = users_total
    else:  # the counters the triggers keep: no scan of a 100,000-user directory per page
        total = directory_users.count_users(directory.id)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    users = list(
        db.session.scalars(
            select(DirectoryUser)
            .where(condition)
            .order_by(DirectoryUser.user_name_key, DirectoryUser.id)
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE)
        )
    )
    groups = _group_names([user.id for user in users])
    synced = _synced([user.id for user in users], directory)
    rows = [UserRow(u, groups.get(u.id, []), u.id in synced) for u in users]
    return UserPage(rows, query, page, pages, total)


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
