"""Organizations: the developer's customers, with their metadata and domains."""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.errors import Conflict, InvalidInput, NotFound
from portal.extensions import db
from portal.models import Organization, OrganizationDomain
from portal.models.columns import utcnow
from portal.services.delivery import events
from portal.services.infra import tenancy
from portal.services.infra.domain_names import normalize_domain
from portal.services.infra.ids import new_id
from portal.services.infra.pagination import Page, PageRequest, paginate
from portal.services.organizations import organization_domains, organization_shapes

METADATA_MAX_KEYS = 10
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 600
EXTERNAL_ID_MAX = 64
NAME_MAX = 255
DOMAIN_STATES = ("pending", "verified")


@dataclass
class DomainClaim:
    domain: str
    state: str = "pending"


@dataclass
class OrganizationChanges:
    """The fields a create or update sets; `provided` names those present (null clears)."""

    name: str | None = None
    domains: list[DomainClaim] | None = None
    external_id: str | None = None
    metadata: dict | None = None
    allow_profiles_outside_organization: bool | None = None
    stripe_customer_id: str | None = None
    provided: set[str] = field(default_factory=set)


def get_organization(organization_id: str) -> Organization:
    """Unscoped: the API key and the dashboard see every organization. Its domains come in
    the same statement (the API shows them with it)."""
    return tenancy.unscoped(
        Organization, organization_id, options=[joinedload(Organization.domains)]
    )


def find_by_external_id(external_id: str) -> Organization | None:
    return db.session.scalars(
        select(Organization).where(Organization.external_id == external_id)
    ).first()


def get_by_external_id(external_id: str) -> Organization:
    org = find_by_external_id(external_id)
    if org is None:
        raise NotFound(f"Organization not found with external_id '{external_id}'.")
    return org


def list_organizations(
    page: PageRequest, domains: list[str] | None = None, search: str | None = None
) -> Page:
    """Organizations newest first (by default), optionally by domain or name."""
    query = select(Organization)
    if domains:
        wanted = [normalize_domain(d, field="domains") for d in domains]
        query = query.where(
            Organization.id.in_(
                select(OrganizationDomain.organization_id).where(
                    OrganizationDomain.domain.in_(wanted)
                )
            )
        )
    if search:
        pattern = (
            "%" + search.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        )
        query = query.where(func.lower(Organization.name).like(pattern, escape="\\"))
    return paginate(query, Organization.id, page)


def create_organization(changes: OrganizationChanges) -> Organization:
    """Create an organization with its domains; emits organization.created."""
    if "name" not in changes.provided or changes.name is None:
        raise InvalidInput("name is required.", field="name")
    org = Organization(name="", metadata_={})
    _apply_fields(org, changes)
    db.session.add(org)
    db.session.flush()
    created_event_id = new_id("event")  # listed before the events of its domains
    _replace_domains(org, changes.domains or [])
    db.session.flush()
    events.record(
        "organization.created",
        organization_shapes.organization(org, for_event=True),
        org.id,
        event_id=created_event_id,
    )
    db.session.commit()
    organization_domains.start_polling_new_domains(org.id)
    return org


def update_organization(organization_id: str, changes: OrganizationChanges) -> Organization:
    """Change the provided fields; emits organization.updated when anything changed."""
    org = get_organization(organization_id)
    before = organization_shapes.organization(org)
    _apply_fields(org, changes)
    if "domains" in changes.provided and changes.domains is not None:
        _replace_domains(org, changes.domains)
    db.session.flush()
    if organization_shapes.organization(org) != before:
        org.updated_at = utcnow()
        db.session.flush()
        events.record(
            "organization.updated", organization_shapes.organization(org, for_event=True), org.id
        )
    db.session.commit()
    organization_domains.start_polling_new_domains(org.id)
    return org


def delete_organization(organization_id: str) -> None:
    """Delete the organization and everything it owns; emits organization.deleted."""
    org = get_organization(organization_id)
    events.record(
        "organization.deleted", organization_shapes.organization(org, for_event=True), org.id
    )
    db.session.delete(org)
    db.session.commit()


def _apply_fields(org: Organization, changes: OrganizationChanges) -> None:
    provided = changes.provided
    if "name" in provided:
        org.name = _valid_name(changes.name)
    if "external_id" in provided:
        org.external_id = _valid_external_id(changes.external_id, org.id)
    if "metadata" in provided:
        org.metadata_ = _valid_metadata(changes.metadata)
    if "allow_profiles_outside_organization" in provided:
        org.allow_profiles_outside_organization = bool(changes.allow_profiles_outside_organization)
    if "stripe_customer_id" in provided:
        org.stripe_customer_id = changes.stripe_customer_id or None


def _valid_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name must not be empty.", field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"name must be at most {NAME_MAX} characters.", field="name")
    return name


def _valid_external_id(external_id: str | None, organization_id: str | None) -> str | None:
    if external_id is None:
        return None
    if not external_id or len(external_id) > EXTERNAL_ID_MAX:
        raise InvalidInput(
            f"external_id must be 1 to {EXTERNAL_ID_MAX} characters.", field="external_id"
        )
    holder = find_by_external_id(external_id)
    if holder is not None and holder.id != organization_id:
        raise Conflict(
            f"An organization with external_id '{external_id}' already exists.",
            code="external_id_already_exists",
        )
    return external_id


def _valid_metadata(metadata: dict | None) -> dict:
    if metadata is None:
        return {}
    if len(metadata) > METADATA_MAX_KEYS:
        raise InvalidInput(
            f"metadata can hold at most {METADATA_MAX_KEYS} keys; {len(metadata)} were given.",
            field="metadata",
        )
    for key, value in metadata.items():
        if not key or len(key) > METADATA_KEY_MAX or not key.isascii():
            raise InvalidInput(
                f"metadata key {key!r} must be 1 to {METADATA_KEY_MAX} ASCII characters.",
                field=f"metadata.{key}",
            )
        if not isinstance(value, str) or len(value) > METADATA_VALUE_MAX or not value.isascii():
            raise InvalidInput(
                f"metadata value for {key!r} must be a string of at most {METADATA_VALUE_MAX} "
                "ASCII characters.",
                field=f"metadata.{key}",
            )
    return dict(metadata)


def _replace_domains(org: Organization, claims: list[DomainClaim]) -> None:
    """Make the organization's domains exactly `claims`, with events for each change."""
    wanted: dict[str, str] = {}
    fields: dict[str, str] = {}
    for index, claim in enumerate(claims):
        name = normalize_domain(claim.domain, field=f"domain_data.{index}.domain")
        if claim.state not in DOMAIN_STATES:
            raise InvalidInput(
                "state must be pending or verified.", field=f"domain_data.{index}.state"
            )
        if name in wanted:
            raise InvalidInput(f"{name} is listed twice.", field=f"domain_data.{index}.domain")
        wanted[name] = claim.state
        fields[name] = f"domain_data.{index}.domain"
    existing = {d.domain: d for d in org.domains}
    for name, domain in existing.items():
        if name not in wanted:
            organization_domains.remove(domain)
    for name, state in wanted.items():
        domain = existing.get(name)
        if domain is None:
            organization_domains.add(org, name, verified=state == "verified", field=fields[name])
        elif state == "verified" and domain.state != "verified":
            organization_domains.mark_verified(domain, strategy="manual")
