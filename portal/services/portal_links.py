"""Magic links for the IT admin: API links (5 minutes) from `POST /portal/generate_link`."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from portal.errors import InvalidInput
from portal.extensions import db
from portal.ids import new_id
from portal.models import PortalLink, PortalSession
from portal.models.columns import utcnow
from portal.services import link_tokens, organizations, secret_tokens
from portal.services.redirect_urls import check_redirect_url

API_LINK_LIFETIME = timedelta(minutes=5)
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
    link_id = new_id("portal_link")
    token = link_tokens.issue(link_id)
    link = PortalLink(
        id=link_id,
        organization_id=org.id,
        kind="api",
        intents=[intent],
        intent_options=intent_options or {},
        return_url=check_redirect_url(return_url, "return_url"),
        success_url=check_redirect_url(success_url, "success_url"),
        external_user_id=external_user_id,
        token_hash=secret_tokens.digest(token),
        expires_at=utcnow() + API_LINK_LIFETIME,
    )
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
