"""Organization domains: claiming a domain, and proving it by DNS or by the developer's word."""

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import select

from portal.errors import (
    Conflict,
    DomainAlreadyVerified,
    DomainHeldElsewhere,
    DomainUnavailable,
    QueueUnavailable,
)
from portal.extensions import db
from portal.models import Organization, OrganizationDomain
from portal.models.columns import utcnow
from portal.services.account import branding
from portal.services.delivery import events
from portal.services.infra import tenancy
from portal.services.infra.domain_names import normalize_domain, refuse_consumer_domain
from portal.services.infra.queue import enqueue, enqueue_in
from portal.services.organizations import organization_shapes

log = logging.getLogger(__name__)

VERIFICATION_PREFIX = "portal-verification"
POLL_JOB = "tasks.domains.poll"
LOST_TO_ANOTHER = "domain_verified_by_other_organization"


def new_domain(domain: str, state: str = "pending", strategy: str = "dns") -> OrganizationDomain:
    """An unsaved domain with its DNS verification token and record prefix."""
    return OrganizationDomain(
        domain=normalize_domain(domain),
        state=state,
        verification_strategy=strategy,
        verification_prefix=VERIFICATION_PREFIX,
        verification_token=secrets.token_urlsafe(24),
    )


def has_verified_domain(organization_id: str) -> bool:
    """Whether the organization holds at least one verified domain."""
    return (
        db.session.scalar(
            select(OrganizationDomain.id)
            .where(
                OrganizationDomain.organization_id == organization_id,
                OrganizationDomain.state == "verified",
            )
            .limit(1)
        )
        is not None
    )


def get_domain(domain_id: str) -> OrganizationDomain:
    """Unscoped: the API key sees every organization's domains."""
    return tenancy.unscoped(OrganizationDomain, domain_id)


def domains_of(organization_id: str) -> list[OrganizationDomain]:
    """The organization's domains, oldest first."""
    return list(
        db.session.scalars(
            select(OrganizationDomain)
            .where(OrganizationDomain.organization_id == organization_id)
            .order_by(OrganizationDomain.id)
        )
    )


def domain_of(organization_id: str, domain_id: str) -> OrganizationDomain:
    """One of the organization's domains; another organization's is NotFound."""
    return tenancy.owned(
        OrganizationDomain, domain_id, organization_id, message="That domain does not exist."
    )


def add(
    org: Organization, name: str, verified: bool = False, field: str = "domain"
) -> OrganizationDomain:
    """Claim `name` for `org` in the current transaction (rules: docs/domains.md); emits
    organization_domain.created."""
    refuse_consumer_domain(name, field)
    _refuse_taken(org, name, manual=verified)
    domain = new_domain(name, strategy="manual" if verified else "dns")
    org.domains.append(domain)
    db.session.flush()
    _record("organization_domain.created", domain)
    if verified:
        mark_verified(domain, strategy="manual")
    return domain


def remove(domain: OrganizationDomain) -> None:
    """Drop the claim in the current transaction; emits organization_domain.deleted."""
    _record("organization_domain.deleted", domain)
    domain.organization.domains.remove(domain)
    db.session.delete(domain)


def mark_verified(domain: OrganizationDomain, strategy: str) -> None:
    """The domain is proven; other organizations' pending claims on it fail. The developer's
    word (strategy manual) takes nothing from another organization: it is refused instead."""
    _refuse_taken(
        domain.organization, domain.domain, manual=strategy == "manual", ignore_id=domain.id
    )
    now = utcnow()
    domain.state = "verified"
    domain.verification_strategy = strategy
    domain.verified_at = now
    domain.failure_reason = None
    domain.updated_at = now
    db.session.flush()
    _record("organization_domain.verified", domain)
    for rival in _claims_elsewhere(domain.domain, domain.organization_id):
        if rival.state == "pending":
            fail(rival, LOST_TO_ANOTHER)


def verify_by_dns(domain: OrganizationDomain) -> bool:
    """The domain's TXT record was found: verify it, unless another organization's proof
    came first (its claim then fails, if the winner has not failed it already)."""
    # Two checks of one domain may run at once (two workers, or "Check now" beside the
    # poll): read every claim afresh, locked until commit on PostgreSQL, so the second
    # sees the first's outcome instead of verifying the domain for two organizations.
    claims = db.session.scalars(
        select(OrganizationDomain)
        .where(OrganizationDomain.domain == domain.domain)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if domain.state != "pending":
        return False
    if any(c.state == "verified" for c in claims if c.organization_id != domain.organization_id):
        fail(domain, LOST_TO_ANOTHER)
        return False
    mark_verified(domain, strategy="dns")
    return True


def create_domain(organization_id: str, name: str) -> OrganizationDomain:
    """API: claim a domain for an organization and start DNS verification."""
    org = tenancy.unscoped(Organization, organization_id)
    domain = add(org, normalize_domain(name))
    db.session.commit()
    start_polling(domain)
    return domain


def claim_for_portal(organization_id: str, name: str) -> OrganizationDomain:
    """The IT admin adds a domain (or the link named one): claimed once, then polled."""
    name = normalize_domain(name)
    existing = next((d for d in domains_of(organization_id) if d.domain == name), None)
    if existing:
        return existing
    with _for_it_admin("added"):
        return create_domain(organization_id, name)


def retry_for_portal(organization_id: str, domain_id: str) -> OrganizationDomain:
    """The IT admin tries a failed domain again."""
    domain = domain_of(organization_id, domain_id)
    with _for_it_admin("verified"):
        return start_verification(domain.id)


@contextmanager
def _for_it_admin(verb: str) -> Iterator[None]:
    # The IT admin is one customer of the developer: never tell them another one exists.
    try:
        yield
    except DomainHeldElsewhere:
        db.session.rollback()
        app_name = branding.settings().display_name
        raise DomainUnavailable(
            f"This domain can't be {verb} here. Ask {app_name} for help."
        ) from None


def delete_domain(domain_id: str) -> None:
    remove(get_domain(domain_id))
    db.session.commit()


def start_verification(domain_id: str) -> OrganizationDomain:
    """API: (re)start DNS verification of a pending or failed domain."""
    domain = get_domain(domain_id)
    if domain.state == "verified":
        raise DomainAlreadyVerified(f"The domain {domain.domain} is already verified.")
    if domain.state != "pending":
        _refuse_taken(domain.organization, domain.domain, ignore_id=domain.id)
        domain.state = "pending"
        domain.failure_reason = None
        domain.updated_at = utcnow()
        db.session.flush()
        _record("organization_domain.updated", domain)
    db.session.commit()
    start_polling(domain)
    return domain


def _record(event_type: str, domain: OrganizationDomain) -> None:
    events.record(
        event_type, organization_shapes.organization_domain(domain), domain.organization_id
    )


def start_polling(domain: OrganizationDomain) -> None:
    """Begin a new round of DNS checks (7 days) for a pending DNS-verified domain."""
    if domain.state != "pending" or domain.verification_strategy != "dns":
        return
    domain.verification_started_at = utcnow()
    domain.check_count = 0
    db.session.commit()
    schedule_poll(domain.id)


def start_polling_new_domains(organization_id: str) -> None:
    """Start checks for the organization's pending domains that have never been polled."""
    for domain in domains_of(organization_id):
        if domain.verification_started_at is None:
            start_polling(domain)


def schedule_poll(domain_id: str, delay: timedelta | None = None) -> None:
    """Queue the domain's next DNS check; one queued check per domain at a time."""
    # The domain is saved either way: if the queue is down, the sweep of pending domains
    # checks it later, so the caller's request still succeeds.
    try:
        if delay:
            enqueue_in(delay, POLL_JOB, domain_id, job_id=f"domain-poll-{domain_id}")
        else:
            enqueue(POLL_JOB, domain_id, job_id=f"domain-poll-{domain_id}")
    except QueueUnavailable:
        log.warning("could not queue the DNS check of %s; the sweep will", domain_id)


def fail(domain: OrganizationDomain, reason: str) -> None:
    """Stop verification with a reason; emits organization_domain.verification_failed."""
    domain.state = "failed"
    domain.failure_reason = reason
    domain.updated_at = utcnow()
    db.session.flush()
    events.record(
        "organization_domain.verification_failed",
        {"reason": reason, "organization_domain": organization_shapes.organization_domain(domain)},
        domain.organization_id,
    )


def _claims_elsewhere(name: str, organization_id: str) -> list[OrganizationDomain]:
    return list(
        db.session.scalars(
            select(OrganizationDomain).where(
                OrganizationDomain.domain == name,
                OrganizationDomain.organization_id != organization_id,
            )
        )
    )


def _refuse_taken(
    org: Organization, name: str, manual: bool = False, ignore_id: str | None = None
) -> None:
    """A domain verified elsewhere is taken; a manual verification also yields to another
    organization's pending claim (only DNS proof may end that claim)."""
    if any(d.domain == name and d.id != ignore_id for d in org.domains):
        raise Conflict(
            f"The domain {name} already belongs to this organization.",
            code="domain_already_exists",
        )
    blocking = ("verified", "pending") if manual else ("verified",)
    holder = next((d for d in _claims_elsewhere(name, org.id) if d.state in blocking), None)
    if holder is not None:
        held = "is already verified by" if holder.state == "verified" else "is claimed by"
        raise DomainHeldElsewhere(
            f"The domain {name} {held} organization {holder.organization.name!r} "
            f"({holder.organization_id}, organization domain {holder.id}, {holder.state}). "
            "Delete it there first to move it to this organization."
        )


def verify_manually(organization_id: str, domain_id: str) -> OrganizationDomain:
    """The developer vouches for the domain (strategy manual); emits ..._domain.verified."""
    domain = domain_of(organization_id, domain_id)
    if domain.state == "verified":
        raise DomainAlreadyVerified(f"The domain {domain.domain} is already verified.")
    mark_verified(domain, strategy="manual")
    db.session.commit()
    return domain
