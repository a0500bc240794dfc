"""Directory users: provisioned over SCIM by the IdP, read through the API."""

import copy

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from portal.errors import NotFound, PatchError, PathError, ScimError
from portal.extensions import db
from portal.models import (
    Directory,
    DirectoryGroup,
    DirectoryGroupMembership,
    DirectoryUser,
    DirectoryUserCount,
)
from portal.models.columns import utcnow
from portal.services.delivery import events
from portal.services.directory import (
    deprovisioning_brake,
    directory_memberships,
    directory_shapes,
    scim_filter_sql,
    scim_filters,
    scim_input,
    scim_patch,
    scim_resources,
)
from portal.services.directory.scim_paths import USER_SCHEMA, find_key
from portal.services.infra import tenancy
from portal.services.infra.ids import new_id
from portal.services.infra.pagination import Page, PageRequest, paginate

_INSERT_USER = insert(DirectoryUser.__table__)
_INSERTED_COLUMNS = tuple(column.key for column in DirectoryUser.__table__.columns)
# SCIM attributes with a column of their own: `eq` on these is an indexed query.
INDEXED = {
    "username": DirectoryUser.user_name_key,
    "externalid": DirectoryUser.external_id,
    "id": DirectoryUser.id,
    "emails.value": DirectoryUser.email,
    "emails": DirectoryUser.email,
}
# A directory's rows in id order: the order of the (directory_id, id) index.
PAGE_ORDER = (DirectoryUser.directory_id, DirectoryUser.id)
# What the rest of a filter can ask of columns (scim_filter_sql), beyond that one `eq`.
SQL_COLUMNS = {
    "username": (scim_filter_sql.KEY, DirectoryUser.user_name_key),
    "id": (scim_filter_sql.ID, DirectoryUser.id),
}


def _primary_email(raw: dict) -> str | None:
    emails = [e for e in raw.get(find_key(raw, "emails") or "emails") or [] if isinstance(e, dict)]
    chosen = next((e for e in emails if e.get("primary") is True), emails[0] if emails else None)
    value = chosen.get("value") if chosen else None
    return value if isinstance(value, str) else None


def _apply_columns(user: DirectoryUser, raw: dict) -> None:
    user_name = scim_resources.required_text(raw, "userName")
    user.user_name = user_name
    user.user_name_key = user_name.lower()
    user.external_id = scim_resources.optional_text(raw, "externalId")
    user.display_name = scim_resources.optional_text(raw, "displayName")
    user.active = scim_resources.boolean(raw, "active", True)
    email = _primary_email(raw)
    user.email = email[: scim_resources.MAX_TEXT] if email else None
    user.raw_attributes = raw


def _check_unique(directory: Directory, user_name: str, user_id: str | None = None) -> None:
    scim_resources.refuse_taken_name(
        DirectoryUser,
        DirectoryUser.user_name_key,
        directory.id,
        user_name,
        user_id,
        f"A user with userName {user_name!r} exists.",
    )


def _shape(directory: Directory, user: DirectoryUser) -> dict:
    return directory_shapes.user(user, directory.attribute_map)


def get_scim_user(directory: Directory, user_id: str) -> DirectoryUser:
    """A user of this directory; a user of another directory, or one whose DELETE the brake
    holds (deleted, as far as the IdP knows), is not found."""
    message = f"User {user_id} not found."
    user = tenancy.owned(
        DirectoryUser, user_id, directory.id, owner="directory_id", message=message
    )
    if user.held_deprovisioning == deprovisioning_brake.DELETE:
        raise NotFound(message)
    return user


def create_user(directory: Directory, body) -> DirectoryUser:
    """Provision a user (SCIM POST); emits dsync.user.created. The row is written by a plain
    INSERT rather than the ORM's unit of work, which cost more than the row on the busiest
    SCIM call; the user returned is not attached to the session."""
    raw = _client_user(directory, body)
    now = utcnow()
    user = DirectoryUser(
        id=new_id("directory_user"),
        directory_id=directory.id,
        organization_id=directory.organization_id,
        version=1,
        created_at=now,
        updated_at=now,
    )
    _apply_columns(user, raw)
    try:
        # The unique constraint on (directory, lowercased userName) is the uniqueness check:
        # atomic, even between concurrent requests, and no extra query on every create.
        db.session.execute(_INSERT_USER, {c: getattr(user, c) for c in _INSERTED_COLUMNS})
    except IntegrityError:
        db.session.rollback()
        raise ScimError(
            f"A user with userName {user.user_name!r} exists.", 409, "uniqueness"
        ) from None
    events.record("dsync.user.created", _shape(directory, user), directory.organization_id)
    db.session.commit()
    return user


def replace_user(directory: Directory, user_id: str, body) -> DirectoryUser:
    """Replace a user's attributes (SCIM PUT); emits dsync.user.updated when anything changed."""
    user = get_scim_user(directory, user_id)
    raw = _client_user(directory, body)
    return _save_update(directory, user, raw)


def patch_user(directory: Directory, user_id: str, body) -> DirectoryUser:
    """Apply a SCIM PATCH to a user; emits dsync.user.updated when anything changed."""
    user = get_scim_user(directory, user_id)
    if isinstance(body, dict):
        scim_input.check_patch(body, _declared(directory))
    raw = _patched(deprovisioning_brake.scim_view(user), body)
    return _save_update(directory, user, scim_resources.client_resource(raw, USER_SCHEMA))


def _declared(directory: Directory) -> set[str]:
    return scim_input.declared_schemas(USER_SCHEMA, directory.attribute_map)


def _client_user(directory: Directory, body) -> dict:
    raw = scim_resources.client_resource(body, USER_SCHEMA)
    scim_input.check_resource(raw, _declared(directory))
    return raw


def _patched(raw: dict, body) -> dict:
    if not isinstance(body, dict):
        raise ScimError("The request body must be a JSON object.", 400, "invalidSyntax")
    result = copy.deepcopy(raw)
    try:
        for operation in scim_patch.read_operations(body):
            scim_patch.apply(result, operation)
    except PatchError as error:
        raise ScimError(str(error), 400, error.scim_type) from None
    except PathError as error:
        raise ScimError(str(error), 400, "invalidFilter") from None
    return result


def _save_update(directory: Directory, user: DirectoryUser, raw: dict) -> DirectoryUser:
    before = _shape(directory, user)
    previous_key = user.user_name_key
    if _deactivation_held(directory, user, scim_resources.boolean(raw, "active", True)):
        raw = deprovisioning_brake.effective(raw)
    _apply_columns(user, raw)
    if user.user_name_key != previous_key:  # the stored userName is unique already
        _check_unique(directory, user.user_name, user.id)
    record_update(directory, user, before)
    db.session.commit()
    return user


def _deactivation_held(directory: Directory, user: DirectoryUser, requested_active: bool) -> bool:
    """Whether the brake holds (or still holds) this user's deactivation; reactivating a
    held user cancels its hold."""
    if user.held_deprovisioning:
        if requested_active:
            deprovisioning_brake.cancel(user)
        return not requested_active
    if user.active and not requested_active:
        return not deprovisioning_brake.admit(directory, user, deprovisioning_brake.DEACTIVATE)
    return False


def record_update(directory: Directory, user: DirectoryUser, before: dict) -> None:
    """dsync.user.updated, when the user's shape differs from `before`."""
    after = _shape(directory, user)
    if after != before:
        user.updated_at = utcnow()
        user.version += 1
        db.session.flush()
        data = _shape(directory, user)
        data["previous_attributes"] = directory_shapes.previous_attributes(before, after)
        events.record("dsync.user.updated", data, directory.organization_id)


def delete_user(directory: Directory, user_id: str) -> None:
    """Deprovision a user (SCIM DELETE) unless the brake holds it; an active user counts
    against the brake's limit."""
    user = get_scim_user(directory, user_id)
    if user.held_deprovisioning:
        deprovisioning_brake.escalate(user)
    elif not user.active or deprovisioning_brake.admit(
        directory, user, deprovisioning_brake.DELETE
    ):
        remove_user(directory, user)
    db.session.commit()


def remove_user(directory: Directory, user: DirectoryUser) -> None:
    """Delete the user: dsync.group.user_removed for each of its groups, then
    dsync.user.deleted."""
    directory_memberships.announce_departure(directory, user)
    events.record("dsync.user.deleted", _shape(directory, user), directory.organization_id)
    db.session.delete(user)


def query_users(
    directory: Directory, filter_text: str | None, start_index: int, count: int
) -> tuple[list[DirectoryUser], int]:
    """A page of the directory's users passing a SCIM filter, and how many pass in all."""
    query = select(DirectoryUser).where(
        DirectoryUser.directory_id == directory.id, _not_held_deleted()
    )
    tree = _parse(filter_text)
    total = (lambda: count_users(directory.id)) if tree is None else None
    equality = scim_filters.simple_equality(tree) if tree else None
    if equality and equality[0] in INDEXED and isinstance(equality[1], str):
        column = INDEXED[equality[0]]
        value = equality[1].lower() if equality[0] == "username" else equality[1]
        if column is DirectoryUser.email:
            query = query.where(func.lower(column) == value.lower())
        else:
            query = query.where(column == value)
        tree = None
    return scim_filter_sql.select_page(
        query, PAGE_ORDER, tree, SQL_COLUMNS, _filterable, start_index, count, total
    )


def count_users(directory_id: str) -> int:
    """How many users the directory has for the IdP (a sum of the counters triggers keep,
    not a scan, less the users whose DELETE is held)."""
    query = select(func.coalesce(func.sum(DirectoryUserCount.users), 0)).where(
        DirectoryUserCount.directory_id == directory_id
    )
    return db.session.scalar(query) - deprovisioning_brake.held_deletes(directory_id)


def _not_held_deleted():
    held = DirectoryUser.held_deprovisioning
    return held.is_(None) | (held != deprovisioning_brake.DELETE)


def _filterable(user: DirectoryUser) -> dict:
    return {**deprovisioning_brake.scim_view(user), "id": user.id}


def _parse(filter_text: str | None):
    if not filter_text:
        return None
    try:
        return scim_filters.parse_filter(filter_text)
    except PathError as error:
        raise ScimError(str(error), 400, "invalidFilter") from None


# The developer's API


def get_user(user_id: str) -> DirectoryUser:
    """Unscoped: the API key sees every organization's directories."""
    return tenancy.unscoped(DirectoryUser, user_id)


def groups_by_user(users: list[DirectoryUser]) -> dict[str, list[DirectoryGroup]]:
    """Each user's groups, for a page of users, in one query."""
    groups: dict[str, list[DirectoryGroup]] = {user.id: [] for user in users}
    if not users:
        return groups
    rows = db.session.execute(
        select(DirectoryGroupMembership.user_id, DirectoryGroup)
        .join(DirectoryGroup, DirectoryGroup.id == DirectoryGroupMembership.group_id)
        .where(DirectoryGroupMembership.user_id.in_(list(groups)))
        .order_by(DirectoryGroup.id)
    )
    for user_id, group in rows:
        groups[user_id].append(group)
    return groups


def list_users(
    page: PageRequest,
    directory_id: str | None = None,
    group_id: str | None = None,
    idp_id: str | None = None,
    email: str | None = None,
    where=None,
) -> Page:
    """Directory users, newest first (by default), by directory, group, IdP id or email
    (and `where`, a further SQL condition)."""
    query = select(DirectoryUser) if where is None else select(DirectoryUser).where(where)
    if directory_id:
        query = query.where(DirectoryUser.directory_id == directory_id)
    if group_id:
        members = select(DirectoryGroupMembership.user_id).where(
            DirectoryGroupMembership.group_id == group_id
        )
        query = query.where(DirectoryUser.id.in_(members))
    if idp_id:
        query = query.where(
            (DirectoryUser.external_id == idp_id)
            | ((DirectoryUser.external_id.is_(None)) & (DirectoryUser.user_name == idp_id))
        )
    if email:
        query = query.where(func.lower(DirectoryUser.email) == email.lower())
    return paginate(query, DirectoryUser.id, page)
