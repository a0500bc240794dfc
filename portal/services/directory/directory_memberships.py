"""Membership events that follow from deleting a user: WorkOS tells the app about each
group the user leaves before it tells of the deletion."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Directory, DirectoryGroup, DirectoryGroupMembership, DirectoryUser
from portal.services.delivery import events
from portal.services.directory import directory_shapes


def announce_departure(directory: Directory, user: DirectoryUser) -> None:
    """Record dsync.group.user_removed for every group the user is in (caller commits)."""
    groups = db.session.scalars(
        select(DirectoryGroup)
        .join(DirectoryGroupMembership, DirectoryGroupMembership.group_id == DirectoryGroup.id)
        .where(DirectoryGroupMembership.user_id == user.id)
        .order_by(DirectoryGroup.id)
    ).all()
    if not groups:
        return
    user_shape = directory_shapes.user(user, directory.attribute_map)
    for group in groups:
        data = {
            "directory_id": directory.id,
            "user": user_shape,
            "group": directory_shapes.group(group),
        }
        events.record("dsync.group.user_removed", data, directory.organization_id)
