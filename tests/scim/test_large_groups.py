"""A PATCH adding 10,000 members answers promptly; the per-member events come from a job."""

import time

from sqlalchemy import func, insert, select

from portal.extensions import db
from portal.models import DirectoryGroup, DirectoryGroupMembership, DirectoryUser, Event
from portal.services.infra.ids import new_id
from portal.services.infra.queue import job_queue

MEMBERS = 10_000


def _bulk_users(directory) -> list[str]:
    ids = [new_id("directory_user") for _ in range(MEMBERS)]
    rows = [
        {
            "id": user_id,
            "directory_id": directory.id,
            "organization_id": directory.organization_id,
            "user_name": f"user{i}@acme.test",
            "user_name_key": f"user{i}@acme.test",
            "active": True,
            "raw_attributes": {"userName": f"user{i}@acme.test"},
            "version": 1,
        }
        for i, user_id in enumerate(ids)
    ]
    db.session.execute(insert(DirectoryUser), rows)
    db.session.commit()
    return ids


def _count(event_type: str) -> int:
    return db.session.scalar(select(func.count()).where(Event.event == event_type))


def test_ten_thousand_members_in_one_patch(scim, directory):
    directory_row, _ = directory
    ids = _bulk_users(directory_row)
    group_id = scim.post("/Groups", {"displayName": "Everyone"}).json["id"]

    started = time.monotonic()
    response = scim.patch(
        f"/Groups/{group_id}",
        [{"op": "add", "path": "members", "value": [{"value": i} for i in ids]}],
    )
    elapsed = time.monotonic() - started

    assert response.status_code in (200, 204)
    assert elapsed < 10, f"the PATCH took {elapsed:.1f}s"
    members = select(func.count()).where(DirectoryGroupMembership.group_id == group_id)
    assert db.session.scalar(members) == MEMBERS
    assert _count("dsync.group.user_added") == 0  # not yet: a job records them

    job_queue().run_due_jobs()
    assert _count("dsync.group.user_added") == MEMBERS

    # `remove` of `members` without a value or filter empties the group.
    started = time.monotonic()
    removal = scim.patch(f"/Groups/{group_id}", [{"op": "remove", "path": "members"}])
    assert time.monotonic() - started < 10
    assert removal.status_code in (200, 204)
    assert db.session.scalar(members) == 0
    job_queue().run_due_jobs()
    assert _count("dsync.group.user_removed") == MEMBERS


def test_the_membership_job_is_safe_to_run_twice(scim, directory):
    from portal.services.directory import directory_groups
    from tasks.directories import announce_membership_changes

    ids = [scim.post("/Users", {"userName": f"u{i}@acme.test"}).json["id"] for i in range(3)]
    group = scim.post("/Groups", {"displayName": "G"}).json["id"]
    directory_groups._add_members(directory[0], db.session.get_one(DirectoryGroup, group), ids, {})
    db.session.commit()
    marker = new_id("event")
    for _ in range(2):
        announce_membership_changes(group, ids, [], marker)
    assert _count("dsync.group.user_added") == 3
