"""The deprovisioning brake: within a rolling hour a directory's deprovisionings (SCIM
`active: false`, DELETE) are applied up to a limit, `max(5, percent of the active users at the
window's start)`; past it each is held, the user still active to the app, until a person
applies or discards it (deprovisioning_holds.py). The IdP is told it succeeded either way."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from portal.extensions import db
from portal.models import Deprovisioning, Directory, DirectoryUser
from portal.models.columns import utcnow
from portal.services.delivery import events
from portal.services.directory import directories, directory_shapes
from portal.services.directory.scim_paths import find_key
from portal.services.infra.wire import timestamp

WINDOW = timedelta(hours=1)
MINIMUM = 5
HELD_EVENT = "dsync.deprovisioning_held"
DEACTIVATE, DELETE = "deactivate", "delete"


def percent(directory: Directory) -> int:
    """The directory's own percent, or the deployment's default (0: no brake)."""
    if directory.deprovision_brake_percent is not None:
        return directory.deprovision_brake_percent
    return current_app.config["PORTAL_DEPROVISION_BRAKE_PERCENT"]


def hourly_limit(directory: Directory) -> int | None:
    """How many deprovisionings this rolling hour may apply; None when the brake is off."""
    share = percent(directory)
    if share == 0:
        return None
    # The users deprovisioned within the window were active at its start.
    active_at_start = directories.counts(directory.id)["active"] + passed_in_window(directory.id)
    return max(MINIMUM, active_at_start * share // 100)


def passed_in_window(directory_id: str) -> int:
    return db.session.scalar(
        select(func.count()).where(
            Deprovisioning.directory_id == directory_id,
            Deprovisioning.state == "passed",
            Deprovisioning.created_at >= utcnow() - WINDOW,
        )
    )


def held_deletes(directory_id: str) -> int:
    """Users the IdP deleted whose deletion is held: gone for the IdP, there for the app."""
    return db.session.scalar(
        select(func.count()).where(
            Deprovisioning.directory_id == directory_id,
            Deprovisioning.state == "held",
            Deprovisioning.action == DELETE,
        )
    )


def admit(directory: Directory, user: DirectoryUser, action: str) -> bool:
    """Record a deprovisioning the IdP asked for: True when it is applied now, False when the
    brake holds it (the user is marked held and `dsync.deprovisioning_held` recorded)."""
    _serialise(directory)
    db.session.execute(
        delete(Deprovisioning).where(
            Deprovisioning.directory_id == directory.id,
            Deprovisioning.state == "passed",
            Deprovisioning.created_at < utcnow() - WINDOW,
        )
    )
    limit = hourly_limit(directory)
    passes = limit is None or passed_in_window(directory.id) < limit
    row = _record(directory, user, action, "passed" if passes else "held")
    if not passes:
        user.held_deprovisioning = action
        events.record(HELD_EVENT, held_shape(directory, user, row, limit), user.organization_id)
    return passes


def _serialise(directory: Directory) -> None:
    # Concurrent deprovisionings of one directory count one after another (PostgreSQL; SQLite
    # has one writer anyway).
    db.session.execute(select(Directory.id).where(Directory.id == directory.id).with_for_update())


def _record(directory: Directory, user: DirectoryUser, action: str, state: str) -> Deprovisioning:
    row = Deprovisioning(
        directory_id=directory.id,
        organization_id=directory.organization_id,
        user_id=user.id,
        user_name=user.user_name,
        action=action,
        state=state,
        created_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def escalate(user: DirectoryUser) -> None:
    """The IdP deletes a user whose deactivation is held: the one hold now deletes."""
    hold = pending_hold(user.id)
    user.held_deprovisioning = DELETE
    if hold is not None:
        hold.action = DELETE


def cancel(user: DirectoryUser) -> None:
    """The IdP reactivated a held user: its hold ends, nothing was applied."""
    hold = pending_hold(user.id)  # first: its query would flush a changed user
    user.held_deprovisioning = None
    if hold is not None:
        hold.state, hold.resolved_at = "cancelled", utcnow()


def pending_hold(user_id: str) -> Deprovisioning | None:
    return db.session.scalars(
        select(Deprovisioning).where(
            Deprovisioning.user_id == user_id, Deprovisioning.state == "held"
        )
    ).first()


def scim_view(user: DirectoryUser) -> dict:
    """The user as the IdP asked for it: a held deactivation reads `active: false` over SCIM,
    so the IdP sees its change done and does not send it again each sync."""
    raw = user.raw_attributes
    if user.held_deprovisioning != DEACTIVATE:
        return raw
    return {**raw, find_key(raw, "active") or "active": False}


def effective(raw: dict) -> dict:
    """The attributes the IdP sent with `active` kept true: what the app sees of a held user."""
    return {**raw, find_key(raw, "active") or "active": True}


def held_shape(
    directory: Directory, user: DirectoryUser, row: Deprovisioning, limit: int | None
) -> dict:
    """`dsync.deprovisioning_held` data: which user, what the IdP asked, the hour's limit."""
    return {
        "object": "deprovisioning_hold",
        "id": row.id,
        "directory_id": directory.id,
        "organization_id": directory.organization_id,
        "action": row.action,
        "hourly_limit": limit,
        "user": directory_shapes.user(user, directory.attribute_map),
        "created_at": timestamp(row.created_at),
    }
