"""What a person decides about the deprovisionings the brake held (deprovisioning_brake.py):
apply them all (their events go out then) or discard them (the users stay active); and the
directory's own limit."""

from sqlalchemy import select, update

from portal.errors import InvalidInput
from portal.extensions import db
from portal.models import Deprovisioning, Directory, DirectoryUser
from portal.models.columns import utcnow
from portal.services.directory import deprovisioning_brake, directory_shapes, directory_users
from portal.services.directory.scim_paths import find_key


def held(directory: Directory) -> list[Deprovisioning]:
    """The directory's held deprovisionings, oldest first."""
    return list(
        db.session.scalars(
            select(Deprovisioning)
            .where(Deprovisioning.directory_id == directory.id, Deprovisioning.state == "held")
            .order_by(Deprovisioning.id)
        )
    )


def apply_all(directory: Directory) -> int:
    """Apply every held deprovisioning, each once however many ask at the same time: the
    user is deactivated (dsync.user.updated) or deleted (dsync.user.deleted). How many."""
    applied = 0
    for hold in held(directory):
        user = _claim(hold, "applied")
        if user is None:
            continue
        if hold.action == deprovisioning_brake.DELETE:
            directory_users.remove_user(directory, user)
        else:
            _deactivate(directory, user)
        applied += 1
    db.session.commit()
    return applied


def discard_all(directory: Directory) -> int:
    """Drop every held deprovisioning: the users stay active, and the IdP sees them active
    again over SCIM (so a change it still means is sent again, and braked again). How many."""
    discarded = 0
    for hold in held(directory):
        if _claim(hold, "discarded") is not None:
            discarded += 1
    db.session.commit()
    return discarded


def _claim(hold: Deprovisioning, state: str) -> DirectoryUser | None:
    """End the hold in `state` if no one else has; its user, released from the hold."""
    claimed = db.session.execute(
        update(Deprovisioning)
        .where(Deprovisioning.id == hold.id, Deprovisioning.state == "held")
        .values(state=state, resolved_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    user = db.session.get(DirectoryUser, hold.user_id) if claimed else None
    if user is not None:
        user.held_deprovisioning = None
    return user


def _deactivate(directory: Directory, user: DirectoryUser) -> None:
    before = directory_shapes.user(user, directory.attribute_map)
    user.active = False
    user.raw_attributes = {
        **user.raw_attributes,
        find_key(user.raw_attributes, "active") or "active": False,
    }
    directory_users.record_update(directory, user, before)


def set_percent(directory: Directory, value: str | int | None) -> Directory:
    """The directory's own limit, as a percent of its active users (0: no brake); empty
    follows the deployment's default."""
    if value in (None, ""):
        directory.deprovision_brake_percent = None
    else:
        text = str(value).strip()
        if not text.isdigit() or int(text) > 100:
            raise InvalidInput(
                "Enter a whole percent from 0 to 100, or leave it empty for the default.",
                field="deprovision_brake_percent",
            )
        directory.deprovision_brake_percent = int(text)
    db.session.commit()
    return directory
