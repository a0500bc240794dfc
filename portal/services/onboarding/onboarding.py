"""Onboarding one customer: the organization, the IT admin's setup link, and how far along
the set-up is (the dashboard's checklist and `flask portal onboard --wait`)."""

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.errors import Conflict, InvalidInput, MailUnavailable
from portal.extensions import db
from portal.models import (
    Connection,
    Directory,
    DirectoryUser,
    MailMessage,
    Organization,
    PortalLink,
    PortalSession,
)
from portal.services.account import credentials
from portal.services.infra.domain_names import normalize_domain, refuse_consumer_domain
from portal.services.onboarding import mail, portal_links, setup_progress
from portal.services.organizations import organizations
from portal.services.organizations.organizations import DomainClaim, OrganizationChanges


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool


@dataclass(frozen=True)
class Invitation:
    link: PortalLink
    url: str
    emailed_to: str | None
    mail: MailMessage | None = None


def _exists(query) -> bool:
    return db.session.scalar(query.limit(1)) is not None


def checklist(organization_id: str) -> list[Step]:
    """The onboarding steps in order, each done or not, from the organization's data now."""
    org_id = organizations.get_organization(organization_id).id
    setup_links = select(PortalLink.id).where(
        PortalLink.organization_id == org_id, PortalLink.kind == "setup"
    )
    opened = select(PortalSession.id).where(
        PortalSession.organization_id == org_id, PortalSession.portal_link_id.in_(setup_links)
    )
    users = select(DirectoryUser.id).where(DirectoryUser.organization_id == org_id)
    return [
        Step("organization_created", "Organization created", True),
        Step("link_sent", "Setup link sent", _exists(setup_links)),
        Step("link_opened", "Link opened by the IT admin", _exists(opened)),
        Step(
            "domain_verified",
            "Domain verified",
            setup_progress.is_configured(org_id, "domain_verification"),
        ),
        Step("sso_active", "SSO connection active", setup_progress.is_configured(org_id, "sso")),
        Step("directory_linked", "Directory linked", setup_progress.is_configured(org_id, "dsync")),
        Step("users_syncing", "Users syncing", _exists(users)),
    ]


def create_customer(name: str, domains: list[str]) -> Organization:
    """A new organization, refused when its name is taken or a domain cannot be claimed
    (the rules of organization_domains.add, as for the API)."""
    name = name.strip()
    if not name:
        raise InvalidInput("Give the organization a name.", field="name")
    claimed = []
    for raw in domains:
        domain = normalize_domain(raw, field="domains")
        if domain in claimed:
            raise InvalidInput(f"{domain} is listed twice.", field="domains")
        refuse_consumer_domain(domain, field="domains")
        claimed.append(domain)
    same_name = select(Organization.id).where(func.lower(Organization.name) == name.lower())
    if _exists(same_name):
        raise Conflict(f"An organization named {name} already exists.", code="duplicate")
    changes = OrganizationChanges(
        name=name, domains=[DomainClaim(d) for d in claimed], provided={"name", "domains"}
    )
    return organizations.create_organization(changes)


def invite_admin(
    organization_id: str,
    features: list[str],
    email: str | None = None,
    wait_for_mail: bool = False,
) -> Invitation:
    """A setup link for the chosen features, mailed to `email` when given.

    The mail goes out by a job that retries (the Sent emails page follows it); with
    `wait_for_mail` it is sent here and now, and when it cannot go out the link is revoked
    again so that a retry is not refused.
    """
    if email is not None:
        email = email.strip()
        if not credentials.EMAIL_PATTERN.match(email):
            raise InvalidInput(
                "Enter the IT admin's email address, like it@example.com.", field="email"
            )
        mail.check_settings()
    return_url = credentials.environment().default_return_url
    link, url = portal_links.create_setup_link(organization_id, features, return_url=return_url)
    if email is None:
        return Invitation(link, url, None)
    subject, body = mail.setup_invitation(link.organization.name, f"{link.expires_at:%Y-%m-%d}")
    try:
        message = mail.send(
            email,
            subject,
            body,
            organization_id=link.organization_id,
            wait=wait_for_mail,
            link=url,
        )
    except MailUnavailable:
        portal_links.revoke_setup_link(organization_id)
        raise
    return Invitation(link, url, email, message)


@dataclass(frozen=True)
class Resumption:
    """Where a resumed onboarding stands: a new link sent now, or the earlier one in use."""

    organization: Organization
    invitation: Invitation | None
    active_link: PortalLink | None


def resume_customer(organization_id: str, features: list[str], email: str | None) -> Resumption:
    """Carry on onboarding an existing organization: keep its active setup link, or mail a
    new one (sent before returning) unless every chosen feature is configured already."""
    org = organizations.get_organization(organization_id)
    active = portal_links.active_setup_link(org.id)
    if active is not None or set(features) <= setup_progress.configured_features(org.id):
        return Resumption(org, None, active)
    if not email:
        raise InvalidInput(
            f"{org.name} has no active setup link; give the IT admin's email to send one.",
            field="admin_email",
        )
    mail.check_transport()
    return Resumption(org, invite_admin(org.id, features, email, wait_for_mail=True), None)


def customer_named(name: str) -> Organization | None:
    """The organization with this name (case-insensitive), if there is one."""
    same_name = select(Organization).where(func.lower(Organization.name) == name.strip().lower())
    return db.session.scalars(same_name.limit(1)).first()


def latest_checklist(organization_id: str) -> list[Step]:
    """The checklist for a caller polling it (`portal onboard --wait`): read in a new
    transaction, which sees what others committed since the last look."""
    db.session.rollback()
    return checklist(organization_id)


# The checklist steps that show each feature is live.
STEPS_OF_FEATURE = {
    "sso": {"sso_active"},
    "dsync": {"directory_linked", "users_syncing"},
    "domain_verification": {"domain_verified"},
}


def is_set_up(organization_id: str, features: list[str]) -> bool:
    """Every chosen feature live: an active SSO connection; a linked directory with at least
    one user; a verified domain."""
    done = {step.key for step in checklist(organization_id) if step.done}
    return all(STEPS_OF_FEATURE[feature] <= done for feature in features)


def set_up_ids(organization_id: str, features: list[str]) -> dict:
    """The active connection's and linked directory's ids, of the chosen features."""
    ids = {}
    if "sso" in features:
        ids["connection_id"] = _newest_id(Connection, organization_id, "active")
    if "dsync" in features:
        ids["directory_id"] = _newest_id(Directory, organization_id, "linked")
    return ids


def _newest_id(model, organization_id: str, state: str) -> str | None:
    return db.session.scalar(
        select(model.id)
        .where(model.organization_id == organization_id, model.state == state)
        .order_by(model.id.desc())
        .limit(1)
    )


PENDING_CONNECTION_STATES = ("draft", "validating")


@dataclass(frozen=True)
class DirectorySummary:
    directory: Directory
    counts: dict


@dataclass(frozen=True)
class Overview:
    organization: Organization
    domains: list
    connections: list
    directories: list[DirectorySummary]
    active_link: PortalLink | None
    steps: list[Step]

    @property
    def tables_pending(self) -> bool:
        """Whether the domains, connections or directories may still change on their own: a
        domain awaiting DNS, a connection or directory not live yet, or an IT admin who has
        an active setup link. The dashboard keeps refreshing them until none is left."""
        return (
            self.active_link is not None
            or any(domain.state == "pending" for domain in self.domains)
            or any(c.state in PENDING_CONNECTION_STATES for c in self.connections)
            or any(s.directory.state == "unlinked" for s in self.directories)
        )


def overview(organization_id: str) -> Overview:
    """Everything the dashboard shows about one customer."""
    from portal.services.directory import directories
    from portal.services.organizations import organization_domains

    org = organizations.get_organization(organization_id)
    connections = db.session.scalars(
        select(Connection).where(Connection.organization_id == org.id).order_by(Connection.id)
    )
    found = db.session.scalars(
        select(Directory).where(Directory.organization_id == org.id).order_by(Directory.id)
    )
    return Overview(
        organization=org,
        domains=organization_domains.domains_of(org.id),
        connections=list(connections),
        directories=[DirectorySummary(d, directories.counts(d.id)) for d in found],
        active_link=portal_links.active_setup_link(org.id),
        steps=checklist(org.id),
    )
