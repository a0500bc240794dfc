"""Magic links for the IT admin.

API links (`POST /portal/generate_link`) last 5 minutes and open setup and management of one
intent. Setup links (dashboard "Invite admin", `flask portal onboard`) last 30 days, open setup of
the chosen features only, are revocable, one active per organization, and end by themselves once
every chosen feature is configured.
"""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from flask import current_app
from sqlalchemy import select, update

from portal.errors import Conflict, InvalidInput, NotFound, TokenExpired, TokenInvalid
from portal.extensions import db
from portal.models import Event, PortalLink, PortalSession
from portal.models.columns import utcnow
from portal.services.delivery import events
from portal.services.infra import secret_tokens
from portal.services.infra.ids import new_id
from portal.services.infra.redirect_urls import check_redirect_url
from portal.services.onboarding import link_tokens, setup_progress
from portal.services.organizations import organizations

API_LINK_LIFETIME = timedelta(minutes=5)
SETUP_LINK_LIFETIME = timedelta(days=30)
INTENTS = (
    "sso",
    "dsync",
    "audit_logs",
    "log_streams",
    "domain_verification",
    "certificate_renewal",
)


def launch_url(token: str) -> str:
    return f"{current_app.config['PORTAL_PUBLIC_URL']}/admin/launch?token={token}"


def still_opens(url: str) -> bool:
    """Whether a link made by `launch_url` would still open the portal: genuine and neither
    revoked, used nor expired."""
    token = parse_qs(urlsplit(url).query).get("token", [""])[0]
    try:
        link_id = link_tokens.read(token, int(SETUP_LINK_LIFETIME.total_seconds()))
    except (TokenExpired, TokenInvalid):
        return False
    link = db.session.get(PortalLink, link_id)
    return (
        link is not None
        and secret_tokens.matches(token, link.token_hash)
        and link.revoked_at is None
        and link.used_at is None
        and link.expires_at > utcnow()
    )


def create_api_link(
    organization_id: str,
    intent: str,
    return_url: str | None = None,
    success_url: str | None = None,
    external_user_id: str | None = None,
    intent_options: dict | None = None,
) -> tuple[PortalLink, str]:
    """A 5-minute link into the portal for one intent; returns the row and the URL."""
    org = organizations.get_organization(organization_id)
    if intent not in INTENTS:
        raise InvalidInput(
            f"intent must be one of {', '.join(INTENTS)}; {intent!r} is not supported here.",
            field="intent",
        )
    return _issue(
        organization_id=org.id,
        kind="api",
        intents=[intent],
        intent_options=intent_options or {},
        return_url=check_redirect_url(return_url, "return_url"),
        success_url=check_redirect_url(success_url, "success_url"),
        external_user_id=external_user_id,
        expires_at=utcnow() + API_LINK_LIFETIME,
    )


def create_setup_link(
    organization_id: str, features: list[str], return_url: str | None = None
) -> tuple[PortalLink, str]:
    """A 30-day setup link for the chosen features; refused while another one is active."""
    org = organizations.get_organization(organization_id)
    chosen = [f for f in setup_progress.SETUP_FEATURES if f in set(features)]
    unknown = set(features) - set(setup_progress.SETUP_FEATURES)
    if unknown or not chosen:
        raise InvalidInput(
            "Choose one or more of: " + ", ".join(setup_progress.SETUP_FEATURES) + ".",
            field="features",
        )
    active = active_setup_link(org.id)
    if active is not None:
        raise Conflict(
            f"{org.name} already has an active setup link (it expires on "
            f"{active.expires_at:%Y-%m-%d}). Revoke it before creating a new one.",
            code="setup_link_already_active",
        )
    return _issue(
        organization_id=org.id,
        kind="setup",
        intents=chosen,
        intent_options={},
        return_url=check_redirect_url(return_url, "return_url"),
        success_url=None,
        external_user_id=None,
        expires_at=utcnow() + SETUP_LINK_LIFETIME,
    )


def active_setup_link(organization_id: str) -> PortalLink | None:
    return db.session.scalars(
        select(PortalLink).where(
            PortalLink.organization_id == organization_id,
            PortalLink.kind == "setup",
            PortalLink.revoked_at.is_(None),
            PortalLink.expires_at > utcnow(),
        )
    ).first()


def revoke_setup_link(organization_id: str) -> PortalLink:
    """Revoke the organization's active setup link and the sessions opened with it."""
    link = active_setup_link(organization_id)
    if link is None:
        raise NotFound("This organization has no active setup link.")
    _revoke_link_and_sessions(link)
    db.session.commit()
    return link


def revoke_completed_setup_links(organization_id: str) -> None:
    """End setup links whose every feature is now configured (in the caller's transaction)."""
    link = active_setup_link(organization_id)
    if link is None:
        return
    done = setup_progress.configured_features(organization_id)
    if set(link.intents) <= done:
        _revoke_link_and_sessions(link)


def end_setup_links_on_completion() -> None:
    """End an organization's setup link in the transaction that configures its last feature."""
    events.subscribe(setup_progress.COMPLETION_EVENTS, _end_completed_setup_link)


def _end_completed_setup_link(event: Event) -> None:
    if event.organization_id:
        revoke_completed_setup_links(event.organization_id)


def _revoke_link_and_sessions(link: PortalLink) -> None:
    now = utcnow()
    link.revoked_at = now
    db.session.execute(
        update(PortalSession)
        .where(PortalSession.portal_link_id == link.id, PortalSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _issue(**fields) -> tuple[PortalLink, str]:
    link_id = new_id("portal_link")
    token = link_tokens.issue(link_id)
    link = PortalLink(id=link_id, token_hash=secret_tokens.digest(token), **fields)
    db.session.add(link)
    db.session.commit()
    return link, launch_url(token)


def revoke_for_external_user(organization_id: str, external_user_id: str) -> int:
    """End every link and portal session of this user in this organization; returns the count."""
    org = organizations.get_organization(organization_id)
    now = utcnow()
    count = 0
    for model in (PortalLink, PortalSession):
        result = db.session.execute(
            update(model)
            .where(
                model.organization_id == org.id,
                model.external_user_id == external_user_id,
                model.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        count += result.rowcount
    db.session.commit()
    return count
