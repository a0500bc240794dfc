"""Who may call a directory's SCIM endpoint: the bearer-token check every SCIM request makes.

The directory is read as one plain row into a `DirectoryView` rather than as the ORM model:
on the busiest SCIM call (a user create) loading the model cost more than the query. The
view carries what the SCIM services read, named as on the model, so they take it as they
take a Directory; nothing on the SCIM path changes a directory except its activity, written
here. Linking a directory (its first call, once in its life) loads the model.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update

from portal.extensions import db
from portal.models import Directory, Organization
from portal.models.columns import utcnow
from portal.services.delivery import events
from portal.services.directory import directory_shapes
from portal.services.infra import credential_cache, secret_tokens
from portal.services.organizations import organizations

# Writing the last-activity time on every SCIM call would make each read a write.
ACTIVITY_RESOLUTION = timedelta(minutes=1)

_directories = Directory.__table__
_COLUMNS = (
    "id",
    "organization_id",
    "type",
    "state",
    "attribute_map",
    "synced_group_ids",
    "deprovision_brake_percent",
    "last_activity_at",
)
# Built once: a statement's cache key is worked out once per statement object.
_BY_ID = select(*(_directories.c[name] for name in _COLUMNS), _directories.c.token_hash).where(
    _directories.c.id == bindparam("directory_id")
)
_NOTE_ACTIVITY = (
    update(_directories)
    .where(_directories.c.id == bindparam("directory_id"))
    .values(last_activity_at=bindparam("now"))
)
_NO_DIRECTORY = secret_tokens.digest("no directory")
_CALLER = "portal_scim_directory"
_CACHE_KEY = "portal_scim_token_key"
SCIM_TOKENS = "scim_tokens"


@dataclass(frozen=True)
class DirectoryView:
    """A directory as a SCIM request reads it."""

    id: str
    organization_id: str
    type: str
    state: str
    attribute_map: dict
    synced_group_ids: list | None
    deprovision_brake_percent: int | None
    last_activity_at: datetime | None


def authenticate(directory_id: str, token: str) -> DirectoryView | None:
    """The directory when `token` is its bearer token, else None (constant-time compare).
    Checked once per process every few seconds (services/infra/credential_cache.py): a new
    token or a directory changed in this process holds at once, in the others within
    PORTAL_CREDENTIAL_CACHE_SECONDS."""
    key = f"{directory_id} {secret_tokens.digest(token)}"
    directory = credential_cache.checked(SCIM_TOKENS, key, lambda: _check(directory_id, token))
    db.session.info[_CACHE_KEY] = key
    return None if directory is None else _remember(directory)


def forget_directories_on_change() -> None:
    """Wired by create_app: a directory changed in this process is read afresh at once (an
    organization too: deleting one deletes its directory in the database alone)."""
    credential_cache.forget_on_change(Directory, SCIM_TOKENS)
    credential_cache.forget_on_change(Organization, SCIM_TOKENS)


def _check(directory_id: str, token: str) -> DirectoryView | None:
    row = db.session.connection().execute(_BY_ID, {"directory_id": directory_id}).first()
    stored = row.token_hash if row else _NO_DIRECTORY
    if not secret_tokens.matches(token, stored) or row is None:
        return None
    return DirectoryView(*row[: len(_COLUMNS)])


def caller(directory_id: str) -> DirectoryView | None:
    """The directory this request's SCIM caller authenticated as, if it is that one: the
    event rewriters read it rather than load the directory again."""
    directory = db.session.info.get(_CALLER)
    return directory if directory is not None and directory.id == directory_id else None


def _remember(directory: DirectoryView) -> DirectoryView:
    db.session.info[_CALLER] = directory
    return directory


def record_activity(directory: DirectoryView) -> DirectoryView:
    """Note an authenticated SCIM call; the first one links the directory (dsync.activated).
    Returns the directory as it now is."""
    now = utcnow()
    if directory.state != "linked":
        _link(directory.id, now)
    elif not directory.last_activity_at or now - directory.last_activity_at > ACTIVITY_RESOLUTION:
        db.session.connection().execute(_NOTE_ACTIVITY, {"directory_id": directory.id, "now": now})
        db.session.commit()
    else:
        return directory
    directory = replace(directory, state="linked", last_activity_at=now)
    credential_cache.update(SCIM_TOKENS, db.session.info.get(_CACHE_KEY), directory)
    return _remember(directory)


def _link(directory_id: str, now: datetime) -> None:
    directory = db.session.get(Directory, directory_id)
    directory.state = "linked"
    directory.last_activity_at = now
    directory.updated_at = now
    org = organizations.get_organization(directory.organization_id)
    data = directory_shapes.directory_event(directory, org, "active")
    events.record("dsync.activated", data, directory.organization_id)
    db.session.commit()
