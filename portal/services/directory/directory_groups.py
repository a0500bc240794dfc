"""Directory groups and their members: provisioned over SCIM, read through the API.

Membership changes are applied with bulk SQL; when many members change at once (a 10,000
member PATCH), the per-member events are recorded by a job so the IdP gets its answer now.
"""

import copy

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from portal.errors import PatchError, PathError, QueueUnavailable, ScimError
from portal.extensions import db
from portal.models import (
    Directory,
    DirectoryGroup,
    DirectoryGroupMembership,
    DirectoryUser,
    Event,
)
from portal.models.columns import utcnow
from portal.services.delivery import events
from portal.services.directory import (
    directory_shapes,
    scim_filter_sql,
    scim_filters,
    scim_input,
    scim_patch,
    scim_resources,
)
from portal.services.directory.scim_paths import GROUP_SCHEMA, find_key
from portal.services.infra import tenancy
from portal.services.infra.ids import new_id
from portal.services.infra.pagination import Page, PageRequest, paginate
from portal.services.infra.queue import enqueue

INLINE_EVENT_LIMIT = 100
# Ids per IN list: far below the bind-parameter limits of PostgreSQL and SQLite.
CHUNK = 2000
INDEXED = {
    "displayname": DirectoryGroup.display_name_key,
    "externalid": DirectoryGroup.external_id,
    "id": DirectoryGroup.id,
}
# A directory's rows in id order: the order of the (directory_id, id) index.
PAGE_ORDER = (DirectoryGroup.directory_id, DirectoryGroup.id)
# What the rest of a filter can ask of columns (scim_filter_sql), beyond that one `eq`.
SQL_COLUMNS = {
    "displayname": (scim_filter_sql.KEY, DirectoryGroup.display_name_key),
    "id": (scim_filter_sql.ID, DirectoryGroup.id),
}


def get_scim_group(directory: Directory, group_id: str) -> DirectoryGroup:
    """A group of this directory; a group of another directory is not found."""
    return tenancy.owned(
        DirectoryGroup,
        group_id,
        directory.id,
        owner="directory_id",
        message=f"Group {group_id} not found.",
    )


def member_ids(group: DirectoryGroup) -> list[str]:
    return list(
        db.session.scalars(
            select(DirectoryGroupMembership.user_id)
            .where(DirectoryGroupMembership.group_id == group.id)
            .order_by(DirectoryGroupMembership.user_id)
        )
    )


def members(group: DirectoryGroup) -> list[tuple[str, str]]:
    """(user id, display name) of each member, by id."""
    rows = db.session.execute(
        select(
            DirectoryUser.id,
            DirectoryGroupMembership.display,
            DirectoryUser.display_name,
            DirectoryUser.user_name,
        )
        .join(DirectoryGroupMembership, DirectoryGroupMembership.user_id == DirectoryUser.id)
        .where(DirectoryGroupMembership.group_id == group.id)
        .order_by(DirectoryUser.id)
    )
    return [(row[0], row[1] or row[2] or row[3]) for row in rows]


def _apply_columns(group: DirectoryGroup, raw: dict) -> None:
    name = scim_resources.required_text(raw, "displayName")
    group.display_name = name
    group.display_name_key = name.lower()
    group.external_id = scim_resources.optional_text(raw, "externalId")
    group.raw_attributes = raw


def _check_unique(directory: Directory, name: str, group_id: str | None = None) -> None:
    scim_resources.refuse_taken_name(
        DirectoryGroup,
        DirectoryGroup.display_name_key,
        directory.id,
        name,
        group_id,
        f"A group named {name!r} exists.",
    )


def _members_in(value, labels: dict | None = None) -> list[str]:
    """User ids from a SCIM `members` value (a list of `{"value": id}`); their `display`
    labels go into `labels`."""
    items = value if isinstance(value, list) else [value] if value is not None else []
    ids = []
    for item in items:
        member = item.get(find_key(item, "value") or "value") if isinstance(item, dict) else None
        if not isinstance(member, str):
            raise ScimError(
                "Each member must be an object with a string value.", 400, "invalidValue"
            )
        display = item.get(find_key(item, "display") or "display")
        if labels is not None and isinstance(display, str):
            labels[member] = display[: scim_resources.MAX_TEXT]
        ids.append(member)
    return ids


def _client_group(body) -> dict:
    raw = scim_resources.client_resource(body, GROUP_SCHEMA)
    scim_input.check_resource(raw, scim_input.declared_schemas(GROUP_SCHEMA, None))
    return raw


def create_group(directory: Directory, body) -> DirectoryGroup:
    """Provision a group with its members (SCIM POST); emits dsync.group.created."""
    raw = _client_group(body)
    labels: dict[str, str] = {}
    members = _members_in(body.get(find_key(body, "members") or "members"), labels)
    group = DirectoryGroup(directory_id=directory.id, organization_id=directory.organization_id)
    _apply_columns(group, raw)
    _check_unique(directory, group.display_name)
    db.session.add(group)
    try:
        db.session.flush()
    except IntegrityError:  # the same displayName created by a concurrent request
        db.session.rollback()
        raise ScimError(f"A group named {group.display_name!r} exists.", 409) from None
    events.record("dsync.group.created", directory_shapes.group(group), directory.organization_id)
    added = _add_members(directory, group, members, labels)
    db.session.commit()
    _announce(group, added, [])
    return group


def replace_group(directory: Directory, group_id: str, body) -> DirectoryGroup:
    """Replace a group's attributes and members (SCIM PUT)."""
    group = get_scim_group(directory, group_id)
    raw = _client_group(body)
    labels: dict[str, str] = {}
    wanted = set(_members_in(body.get(find_key(body, "members") or "members"), labels))
    current = set(member_ids(group))
    return _save(directory, group, raw, (wanted - current, current - wanted, labels))


def patch_group(directory: Directory, group_id: str, body) -> DirectoryGroup:
    """Apply a SCIM PATCH: attributes as for users, `members` as bulk membership changes."""
    group = get_scim_group(directory, group_id)
    if not isinstance(body, dict):
        raise ScimError("The request body must be a JSON object.", 400, "invalidSyntax")
    scim_input.check_patch(body, scim_input.declared_schemas(GROUP_SCHEMA, None))
    raw = copy.deepcopy(group.raw_attributes)
    changes = ([], [], {})
    try:
        for operation in scim_patch.read_operations(body):
            _apply_group_operation(group, raw, operation, changes)
    except PatchError as error:
        raise ScimError(str(error), 400, error.scim_type) from None
    except PathError as error:
        raise ScimError(str(error), 400, "invalidFilter") from None
    raw = scim_resources.client_resource(raw, GROUP_SCHEMA)
    return _save(directory, group, raw, changes)


def _apply_group_operation(group, raw, operation, changes) -> None:
    """Apply one operation: to `raw`, or for members to `changes` (add, remove, labels)."""
    if operation.path is None and isinstance(operation.value, dict):
        rest = {}
        for key, value in operation.value.items():
            if key.lower() == "members":
                _member_operation(group, operation.op, None, value, changes)
            else:
                rest[key] = value
        if rest:
            scim_patch.apply(raw, scim_patch.Operation(operation.op, None, rest))
        return
    path = scim_patch.parse_path(operation.path) if operation.path else None
    if path and not path.extension and (path.attribute or "").lower() == "members":
        _member_operation(group, operation.op, path.value_filter, operation.value, changes)
        return
    scim_patch.apply(raw, operation)


def _member_operation(group, op, value_filter, value, changes) -> None:
    to_add, to_remove, labels = changes
    if op == "add":
        to_add.extend(_members_in(value, labels))
    elif op == "replace":
        current = set(member_ids(group)) | set(to_add)
        wanted = set(_members_in(value, labels))
        to_remove.extend(current - wanted)
        to_add[:] = [m for m in to_add if m in wanted]
        to_add.extend(wanted - current)
    elif value_filter is not None:
        # `members[value eq "id"]`: the filter names the members to drop.
        current = member_ids(group) + to_add
        to_remove.extend(m for m in current if scim_filters.matches(value_filter, {"value": m}))
    elif value is not None:
        to_remove.extend(_members_in(value))
    else:
        to_remove.extend(member_ids(group))


def _save(directory, group, raw, changes) -> DirectoryGroup:
    to_add, to_remove, labels = changes
    before = directory_shapes.group(group)
    previous_key = group.display_name_key
    _apply_columns(group, raw)
    if group.display_name_key != previous_key:  # the stored name is unique already
        _check_unique(directory, group.display_name, group.id)
    after = directory_shapes.group(group)
    removed_set = set(to_remove) - set(to_add)
    added = _add_members(directory, group, [m for m in to_add if m not in removed_set], labels)
    removed = _remove_members(group, removed_set)
    if after != before or added or removed:
        group.updated_at = utcnow()
        group.version += 1
    if after != before:
        db.session.flush()
        data = directory_shapes.group(group)
        data["previous_attributes"] = directory_shapes.previous_attributes(before, after)
        events.record("dsync.group.updated", data, directory.organization_id)
    db.session.commit()
    _announce(group, added, removed)
    return group


def _chunks(items: list[str]):
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _add_members(directory: Directory, group: DirectoryGroup, user_ids, labels) -> list[str]:
    """Insert memberships for users of this directory not yet members; returns those added."""
    wanted = list(dict.fromkeys(user_ids))
    added = []
    for chunk in _chunks(wanted):
        # Which of these are users of this directory, and which are members already: one query.
        already = db.session.execute(
            select(DirectoryUser.id, DirectoryGroupMembership.user_id)
            .outerjoin(
                DirectoryGroupMembership,
                (DirectoryGroupMembership.group_id == group.id)
                & (DirectoryGroupMembership.user_id == DirectoryUser.id),
            )
            .where(DirectoryUser.directory_id == directory.id, DirectoryUser.id.in_(chunk))
        )
        known = dict(already.all())
        present = {user_id for user_id, member in known.items() if member is not None}
        new = [user_id for user_id in chunk if user_id in known and user_id not in present]
        if new:
            rows = [
                {
                    "group_id": group.id,
                    "user_id": u,
                    "directory_id": directory.id,
                    "display": labels.get(u),
                }
                for u in new
            ]
            # Core executemany: psycopg pipelines the rows; the ORM's bulk path and multi-row
            # VALUES both measured slower here (compiling thousands of parameters).
            db.session.execute(insert(DirectoryGroupMembership.__table__), rows)
        added.extend(new)
    return added


def _remove_members(group: DirectoryGroup, user_ids) -> list[str]:
    removed = []
    for chunk in _chunks(sorted(user_ids)):
        present = list(
            db.session.scalars(
                select(DirectoryGroupMembership.user_id).where(
                    DirectoryGroupMembership.group_id == group.id,
                    DirectoryGroupMembership.user_id.in_(chunk),
                )
            )
        )
        if present:
            db.session.execute(
                delete(DirectoryGroupMembership).where(
                    DirectoryGroupMembership.group_id == group.id,
                    DirectoryGroupMembership.user_id.in_(present),
                )
            )
        removed.extend(present)
    return removed


def _announce(group: DirectoryGroup, added: list[str], removed: list[str]) -> None:
    """Per-member events: here for a few, by a job for many (or here if the queue is down)."""
    if not added and not removed:
        return
    if len(added) + len(removed) > INLINE_EVENT_LIMIT:
        try:
            # The first event's id, reserved now, marks the job done: a second run skips.
            first_event_id = new_id("event")
            enqueue(
                "tasks.directories.announce_membership_changes",
                group.id,
                added,
                removed,
                first_event_id,
            )
            return
        except QueueUnavailable:
            pass
    record_membership_events(group.id, added, removed)


def record_membership_events(
    group_id: str, added: list[str], removed: list[str], first_event_id: str | None = None
) -> None:
    """Record dsync.group.user_added / user_removed for these users and commit (once: a
    `first_event_id` already recorded means an earlier run did it)."""
    group = db.session.get(DirectoryGroup, group_id)
    if group is None or (first_event_id and db.session.get(Event, first_event_id)):
        return
    directory = db.session.get(Directory, group.directory_id)
    group_shape = directory_shapes.group(group)
    for event_type, user_ids in (
        ("dsync.group.user_added", added),
        ("dsync.group.user_removed", removed),
    ):
        for chunk in _chunks(list(user_ids)):
            users = db.session.scalars(select(DirectoryUser).where(DirectoryUser.id.in_(chunk)))
            by_id = {user.id: user for user in users}
            for user_id in chunk:
                if user_id in by_id:
                    data = {
                        "directory_id": directory.id,
                        "user": directory_shapes.user(by_id[user_id], directory.attribute_map),
                        "group": group_shape,
                    }
                    recorded = events.record(
                        event_type, data, directory.organization_id, event_id=first_event_id
                    )
                    # A reserved id goes to the first event the group-sync selection lets by.
                    first_event_id = None if recorded else first_event_id
    db.session.commit()


def delete_group(directory: Directory, group_id: str) -> None:
    """Deprovision a group (SCIM DELETE); emits dsync.group.deleted."""
    group = get_scim_group(directory, group_id)
    events.record("dsync.group.deleted", directory_shapes.group(group), directory.organization_id)
    db.session.execute(
        delete(DirectoryGroupMembership).where(DirectoryGroupMembership.group_id == group.id)
    )
    db.session.delete(group)
    db.session.commit()


def query_groups(
    directory: Directory, filter_text: str | None, start_index: int, count: int
) -> tuple[list[DirectoryGroup], int]:
    """A page of the directory's groups passing a SCIM filter, and how many pass in all."""
    query = select(DirectoryGroup).where(DirectoryGroup.directory_id == directory.id)
    tree = None
    if filter_text:
        try:
            tree = scim_filters.parse_filter(filter_text)
        except PathError as error:
            raise ScimError(str(error), 400, "invalidFilter") from None
    equality = scim_filters.simple_equality(tree) if tree else None
    if equality and equality[0] in INDEXED and isinstance(equality[1], str):
        value = equality[1].lower() if equality[0] == "displayname" else equality[1]
        query = query.where(INDEXED[equality[0]] == value)
        tree = None
    return scim_filter_sql.select_page(
        query, PAGE_ORDER, tree, SQL_COLUMNS, _filterable, start_index, count
    )


def _filterable(group: DirectoryGroup) -> dict:
    return {**group.raw_attributes, "id": group.id}


# The developer's API


def get_group(group_id: str) -> DirectoryGroup:
    """Unscoped: the API key sees every organization's directories."""
    return tenancy.unscoped(DirectoryGroup, group_id)


def list_groups(
    page: PageRequest, directory_id: str | None = None, user_id: str | None = None, where=None
) -> Page:
    """Directory groups, newest first (by default), by directory or member (and `where`)."""
    query = select(DirectoryGroup) if where is None else select(DirectoryGroup).where(where)
    if directory_id:
        query = query.where(DirectoryGroup.directory_id == directory_id)
    if user_id:
        groups = select(DirectoryGroupMembership.group_id).where(
            DirectoryGroupMembership.user_id == user_id
        )
        query = query.where(DirectoryGroup.id.in_(groups))
    return paginate(query, DirectoryGroup.id, page)
