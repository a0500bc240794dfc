"""Group-sync selection: which of a directory's groups, and so which users, the app sees.

With no selection (`synced_group_ids` None) everything syncs. With one, the API exposes only
the selected groups and the users who are a member of at least one of them, and only those
produce dsync.* events: a user entering the selection (added to a selected group) is
announced with dsync.user.created, a user leaving it with dsync.user.deleted. The rule is
written out for developers in docs/directory-sync.md.
"""

from sqlalchemy import ColumnElement, false, func, not_, or_, select

from portal.errors import InvalidInput, NotFound
from portal.extensions import db
from portal.models import Directory, DirectoryGroup, DirectoryGroupMembership, DirectoryUser
from portal.services.delivery import events
from portal.services.directory import (
    directory_groups,
    directory_shapes,
    directory_users,
    scim_access,
)

USER_EVENTS = ("dsync.user.created", "dsync.user.updated", "dsync.user.deleted")
GROUP_EVENTS = ("dsync.group.created", "dsync.group.updated", "dsync.group.deleted")
MEMBERSHIP_EVENTS = ("dsync.group.user_added", "dsync.group.user_removed")


def selection(directory: Directory) -> frozenset[str] | None:
    """The selected group ids, or None when every group syncs."""
    ids = directory.synced_group_ids
    return None if ids is None else frozenset(ids)


def _selected_memberships(user_id: str, selected: frozenset[str]) -> int:
    if not selected:
        return 0
    return db.session.scalar(
        select(func.count()).where(
            DirectoryGroupMembership.user_id == user_id,
            DirectoryGroupMembership.group_id.in_(selected),
        )
    )


def user_is_exposed(directory: Directory, user_id: str) -> bool:
    """Whether the app may see this user of the directory."""
    selected = selection(directory)
    return selected is None or _selected_memberships(user_id, selected) > 0


def group_is_exposed(directory: Directory, group_id: str) -> bool:
    """Whether the app may see this group of the directory."""
    selected = selection(directory)
    return selected is None or group_id in selected


# The developer's API


def _selections(directory_ids: list[str] | None) -> dict[str, frozenset[str]]:
    """directory id -> its selection, for the directories that have one."""
    query = select(Directory.id, Directory.synced_group_ids)
    if directory_ids is not None:
        query = query.where(Directory.id.in_(directory_ids))
    return {row[0]: frozenset(row[1]) for row in db.session.execute(query) if row[1] is not None}


def exposed_users_clause(
    directory_id: str | None = None, group_id: str | None = None
) -> ColumnElement[bool]:
    """A WHERE clause keeping only the users the API may show (none for a `group_id` that
    is outside the selection: its members are not listed through it)."""
    group = db.session.get(DirectoryGroup, group_id) if group_id else None
    if group is not None and not group_is_exposed(
        db.session.get(Directory, group.directory_id), group.id
    ):
        return false()
    limited = _selections([directory_id] if directory_id else None)
    if not limited:
        return DirectoryUser.id.is_not(None)
    selected = frozenset().union(*limited.values())
    members = select(DirectoryGroupMembership.user_id).where(
        DirectoryGroupMembership.group_id.in_(selected)
    )
    return or_(not_(DirectoryUser.directory_id.in_(limited)), DirectoryUser.id.in_(members))


def exposed_groups_clause(directory_id: str | None = None) -> ColumnElement[bool]:
    """A WHERE clause keeping only the groups the API may show."""
    limited = _selections([directory_id] if directory_id else None)
    if not limited:
        return DirectoryGroup.id.is_not(None)
    selected = frozenset().union(*limited.values())
    return or_(not_(DirectoryGroup.directory_id.in_(limited)), DirectoryGroup.id.in_(selected))


def exposed_user(user_id: str) -> DirectoryUser:
    """A user the API may show; one outside the selection is not found."""
    user = directory_users.get_user(user_id)
    if not user_is_exposed(db.session.get(Directory, user.directory_id), user.id):
        raise NotFound(f"Directory user not found: '{user_id}'.", entity_id=user_id)
    return user


def exposed_group(group_id: str) -> DirectoryGroup:
    """A group the API may show; one outside the selection is not found."""
    group = directory_groups.get_group(group_id)
    if not group_is_exposed(db.session.get(Directory, group.directory_id), group.id):
        raise NotFound(f"Directory group not found: '{group_id}'.", entity_id=group_id)
    return group


def user_api_shape(user: DirectoryUser) -> dict:
    """The WorkOS DirectoryUserWithGroups shape, listing only the groups the app sees."""
    return user_api_shapes([user])[0]


def user_api_shapes(users: list[DirectoryUser]) -> list[dict]:
    """The shapes of a page of users, in two queries whatever its size."""
    if not users:
        return []
    directories = {
        directory.id: directory
        for directory in db.session.scalars(
            select(Directory).where(Directory.id.in_({user.directory_id for user in users}))
        )
    }
    groups = directory_users.groups_by_user(users)
    shapes = []
    for user in users:
        directory = directories[user.directory_id]
        selected = selection(directory)
        visible = [g for g in groups[user.id] if selected is None or g.id in selected]
        shapes.append(directory_shapes.user(user, directory.attribute_map, visible))
    return shapes


def exposed_counts(directory: Directory) -> dict:
    """Active and inactive users and the groups the app sees (the API's `metadata`)."""
    by_state = dict(
        db.session.execute(
            select(DirectoryUser.active, func.count())
            .where(DirectoryUser.directory_id == directory.id, exposed_users_clause(directory.id))
            .group_by(DirectoryUser.active)
        ).all()
    )
    groups = db.session.scalar(
        select(func.count()).where(
            DirectoryGroup.directory_id == directory.id, exposed_groups_clause(directory.id)
        )
    )
    return {
        "active": by_state.get(True, 0),
        "inactive": by_state.get(False, 0),
        "groups": groups or 0,
    }


# Events as SCIM changes them


def _rewrite(event_type: str, data: dict) -> list[tuple[str, dict]]:
    """The events the app gets for one dsync.* change, given the directory's selection."""
    directory_id = data.get("directory_id") or ""
    directory = scim_access.caller(directory_id) or db.session.get(Directory, directory_id)
    selected = selection(directory) if directory is not None else None
    if selected is None:
        return [(event_type, data)]
    if event_type in USER_EVENTS:
        return [(event_type, data)] if _selected_memberships(data["id"], selected) else []
    if event_type in GROUP_EVENTS:
        if data["id"] not in selected:
            return []
        if event_type == "dsync.group.deleted":
            return [(event_type, data), *_leaving_with_group(directory, data["id"], selected)]
        return [(event_type, data)]
    if data["group"]["id"] not in selected:
        return []
    remaining = _selected_memberships(data["user"]["id"], selected)
    if event_type == "dsync.group.user_added" and remaining == 1:
        return [("dsync.user.created", data["user"]), (event_type, data)]
    if event_type == "dsync.group.user_removed" and remaining == 0:
        return [(event_type, data), ("dsync.user.deleted", data["user"])]
    return [(event_type, data)]


def _leaving_with_group(directory: Directory, group_id: str, selected) -> list[tuple[str, dict]]:
    """dsync.user.deleted for the members a selected group's deletion takes out of view."""
    others = select(DirectoryGroupMembership.user_id).where(
        DirectoryGroupMembership.group_id.in_(selected - {group_id})
    )
    return [
        ("dsync.user.deleted", directory_shapes.user(user, directory.attribute_map))
        for user in _members(group_id, DirectoryUser.id.not_in(others))
    ]


def _members(group_id: str, *conditions):
    """The group's member users, by id."""
    return db.session.scalars(
        select(DirectoryUser)
        .join(DirectoryGroupMembership, DirectoryGroupMembership.user_id == DirectoryUser.id)
        .where(DirectoryGroupMembership.group_id == group_id, *conditions)
        .order_by(DirectoryUser.id)
    )


def apply_selection_to_events() -> None:
    """Pass each dsync user, group and membership event through its directory's selection as
    it is recorded (which may drop it, or add the users entering or leaving the app's view)."""
    events.rewrite_with(USER_EVENTS + GROUP_EVENTS + MEMBERSHIP_EVENTS, _rewrite)


# The IT admin's choice


def _exposed_user_ids(directory: Directory, selected: frozenset[str] | None) -> set[str]:
    query = select(DirectoryUser.id).where(DirectoryUser.directory_id == directory.id)
    if selected is not None:
        query = query.where(
            DirectoryUser.id.in_(
                select(DirectoryGroupMembership.user_id).where(
                    DirectoryGroupMembership.group_id.in_(selected)
                )
            )
        )
    return set(db.session.scalars(query))


def _group_ids(directory: Directory) -> set[str]:
    return set(
        db.session.scalars(
            select(DirectoryGroup.id).where(DirectoryGroup.directory_id == directory.id)
        )
    )


def set_selection(directory: Directory, group_ids: list[str] | None) -> dict:
    """Choose the synced groups (None: all) and tell the app what entered and left its view,
    in the same transaction. Returns how many users and groups entered and left."""
    known = _group_ids(directory)
    if group_ids is not None:
        unknown = [g for g in group_ids if g not in known]
        if unknown:
            raise InvalidInput("Some of the chosen groups are not in your directory.", "groups")
        if not group_ids:
            raise InvalidInput("Choose at least one group, or choose to sync all groups.", "groups")
    old, new = selection(directory), None if group_ids is None else frozenset(group_ids)
    old_groups = known if old is None else known & old
    new_groups = known if new is None else known & new
    old_users = _exposed_user_ids(directory, old)
    directory.synced_group_ids = None if new is None else sorted(new)
    new_users = _exposed_user_ids(directory, new)
    change = _SelectionChange(directory)
    change.users_left(old_users - new_users)
    change.groups_left(old_groups - new_groups)
    change.groups_entered(new_groups - old_groups)
    change.users_entered(new_users - old_users)
    change.memberships_entered(new_groups - old_groups)
    db.session.commit()
    return {
        "users_entered": len(new_users - old_users),
        "users_left": len(old_users - new_users),
        "groups_entered": len(new_groups - old_groups),
        "groups_left": len(old_groups - new_groups),
    }


class _SelectionChange:
    """Records the events of one selection change (the selection is not applied to them)."""

    def __init__(self, directory: Directory):
        self.directory = directory

    def _record(self, event_type: str, data: dict) -> None:
        events.record(event_type, data, self.directory.organization_id, rewrite=False)

    def _users(self, ids: set[str]):
        return db.session.scalars(
            select(DirectoryUser).where(DirectoryUser.id.in_(ids)).order_by(DirectoryUser.id)
        )

    def _groups(self, ids: set[str]):
        return db.session.scalars(
            select(DirectoryGroup).where(DirectoryGroup.id.in_(ids)).order_by(DirectoryGroup.id)
        )

    def users_left(self, ids: set[str]) -> None:
        for user in self._users(ids):
            self._record("dsync.user.deleted", directory_shapes.user(user, self._map))

    def users_entered(self, ids: set[str]) -> None:
        for user in self._users(ids):
            self._record("dsync.user.created", directory_shapes.user(user, self._map))

    def groups_left(self, ids: set[str]) -> None:
        for group in self._groups(ids):
            self._record("dsync.group.deleted", directory_shapes.group(group))

    def groups_entered(self, ids: set[str]) -> None:
        for group in self._groups(ids):
            self._record("dsync.group.created", directory_shapes.group(group))

    def memberships_entered(self, group_ids: set[str]) -> None:
        """dsync.group.user_added for every member of a group that came into view."""
        for group in self._groups(group_ids):
            group_shape = directory_shapes.group(group)
            for user in _members(group.id):
                data = {
                    "directory_id": self.directory.id,
                    "user": directory_shapes.user(user, self._map),
                    "group": group_shape,
                }
                self._record("dsync.group.user_added", data)

    @property
    def _map(self) -> dict:
        return self.directory.attribute_map


def choices(directory: Directory) -> list[tuple[DirectoryGroup, int, bool]]:
    """(group, member count, selected) for each group of the directory, by name."""
    selected = selection(directory)
    counts = (
        select(DirectoryGroupMembership.group_id, func.count().label("members"))
        .where(DirectoryGroupMembership.directory_id == directory.id)
        .group_by(DirectoryGroupMembership.group_id)
        .subquery()
    )
    rows = db.session.execute(
        select(DirectoryGroup, func.coalesce(counts.c.members, 0))
        .outerjoin(counts, counts.c.group_id == DirectoryGroup.id)
        .where(DirectoryGroup.directory_id == directory.id)
        .order_by(DirectoryGroup.display_name_key)
    )
    return [(group, members, selected is None or group.id in selected) for group, members in rows]
