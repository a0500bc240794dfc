"""Directories: one organization's SCIM connection, its bearer token and its lifecycle."""

from sqlalchemy import func, select

from portal.errors import InvalidInput, NotFound
from portal.extensions import db
from portal.models import Directory, DirectoryGroup, DirectoryUserCount
from portal.services.delivery import events
from portal.services.directory import directory_attribute_maps, directory_shapes
from portal.services.infra import secret_tokens, tenancy
from portal.services.infra.pagination import Page, PageRequest, paginate
from portal.services.organizations import organizations

SCIM_TYPES = {
    "okta scim v2.0": "Okta",
    "azure scim v2.0": "Microsoft Entra ID",
    "onelogin scim v2.0": "OneLogin",
    "jump cloud scim v2.0": "JumpCloud",
    "pingfederate scim v2.0": "PingFederate",
    "rippling scim v2.0": "Rippling",
    "cyberark scim v2.0": "CyberArk",
    "sailpoint scim v2.0": "SailPoint",
    "generic scim v2.0": "SCIM",
}
DEFAULT_TYPE = "generic scim v2.0"
TOKEN_PREFIX = "scim"  # noqa: S105  (a prefix, not a secret)


def create_directory(
    organization_id: str, directory_type: str = DEFAULT_TYPE, name: str | None = None
) -> tuple[Directory, str]:
    """A new, unlinked SCIM directory and its bearer token (returned once, stored hashed)."""
    org = organizations.get_organization(organization_id)
    if directory_type not in SCIM_TYPES:
        known = ", ".join(sorted(SCIM_TYPES))
        raise InvalidInput(f"type must be one of: {known}.", field="type")
    token = secret_tokens.new_secret(TOKEN_PREFIX)
    directory = Directory(
        organization_id=org.id,
        name=name or f"{org.name} {SCIM_TYPES[directory_type]}",
        type=directory_type,
        state="unlinked",
        token_hash=secret_tokens.digest(token),
        token_suffix=token[-4:],
        attribute_map=directory_attribute_maps.defaults_for(directory_type),
    )
    db.session.add(directory)
    db.session.commit()
    return directory, token


def scim_base_url(public_url: str, directory: Directory) -> str:
    """Where the IdP sends SCIM requests for this directory."""
    return f"{public_url.rstrip('/')}/scim/v2/{directory.id}"


def rotate_token(directory: Directory) -> str:
    """Replace the directory's bearer token; the old one stops working at once in this
    process, within PORTAL_CREDENTIAL_CACHE_SECONDS in the others."""
    token = secret_tokens.new_secret(TOKEN_PREFIX)
    directory.token_hash = secret_tokens.digest(token)
    directory.token_suffix = token[-4:]
    db.session.commit()
    return token


def get_directory(directory_id: str, organization_id: str | None = None) -> Directory:
    """The directory of `organization_id`; without one, unscoped: the API key sees every
    organization's."""
    if organization_id is None:
        return tenancy.unscoped(Directory, directory_id)
    return tenancy.owned(Directory, directory_id, organization_id)


def for_organization(organization_id: str) -> Directory | None:
    """The organization's newest directory, if any."""
    return db.session.scalars(
        select(Directory)
        .where(Directory.organization_id == organization_id)
        .order_by(Directory.id.desc())
    ).first()


def is_linked(organization_id: str) -> bool:
    """Whether the organization has a directory its IdP has connected to."""
    return (
        db.session.scalar(
            select(Directory.id)
            .where(Directory.organization_id == organization_id, Directory.state == "linked")
            .limit(1)
        )
        is not None
    )


def list_directories(
    page: PageRequest,
    organization_id: str | None = None,
    search: str | None = None,
    domain: str | None = None,
) -> Page:
    """Directories newest first (by default), by organization, name or domain."""
    from portal.models import OrganizationDomain

    query = select(Directory)
    if organization_id:
        query = query.where(Directory.organization_id == organization_id)
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
        query = query.where(func.lower(Directory.name).like(f"%{escaped}%", escape="\\"))
    if domain:
        owners = select(OrganizationDomain.organization_id).where(
            OrganizationDomain.domain == domain.strip().lower()
        )
        query = query.where(Directory.organization_id.in_(owners))
    return paginate(query, Directory.id, page)


def counts(directory_id: str) -> dict:
    """Active and inactive users and groups of a directory, in one statement that reads no
    user: the users from the counters triggers keep."""
    users = select(
        func.coalesce(func.sum(DirectoryUserCount.users), 0),
        func.coalesce(func.sum(DirectoryUserCount.inactive), 0),
    ).where(DirectoryUserCount.directory_id == directory_id)
    groups = select(func.count()).where(DirectoryGroup.directory_id == directory_id)
    total, inactive, group_count = db.session.execute(
        users.add_columns(groups.scalar_subquery())
    ).one()
    return {"active": total - inactive, "inactive": inactive, "groups": group_count}


def delete_directory(directory_id: str, organization_id: str | None = None) -> None:
    """Delete the directory with its users and groups; emits dsync.deleted."""
    directory = get_directory(directory_id, organization_id)
    data = directory_shapes.directory_event(directory, None, "deleting")
    events.record("dsync.deleted", data, directory.organization_id)
    db.session.delete(directory)
    db.session.commit()


def start_for_portal(organization_id: str, directory_type: str) -> tuple[Directory, str]:
    """The IT admin's set-up: a new directory, replacing one the IdP never connected to."""
    existing = for_organization(organization_id)
    if existing is not None and existing.state == "linked":
        raise InvalidInput("Your directory is already connected.", field="type")
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    return create_directory(organization_id, directory_type)


def reset_for_portal(organization_id: str) -> None:
    """The IT admin's reset: the directory goes with its users, groups and token, and setup
    starts again. As on WorkOS, one dsync.deleted event stands for all of it."""
    directory = for_organization(organization_id)
    if directory is None:
        raise NotFound("There is no directory to reset.")
    delete_directory(directory.id, organization_id)
