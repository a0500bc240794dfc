"""Sign-in attempts as the IT admin sees them: scoped lookups, test sign-ins, readable payloads."""

import json
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ConnectionSession
from portal.services.infra import tenancy
from portal.services.sso import pending_idp, sign_in, sso_setup, unsolicited_responses
from portal.services.sso.saml_sp import IdpRequest

PAGE_SIZE = 10
# Ids are time-sortable, so sorting by id is sorting by the time the attempt started.
SORTS = {"time": ConnectionSession.id, "state": ConnectionSession.state}


def session_of(organization_id: str, session_id: str) -> ConnectionSession:
    """A sign-in attempt of this organization; NotFound for any other organization's."""
    return tenancy.owned(ConnectionSession, session_id, organization_id, noun="Sign-in session")


@dataclass(frozen=True)
class SignInsPage:
    """One page of a connection's sign-in attempts, in the order asked for."""

    rows: list
    sort: str
    order: str
    page: int
    pages: int
    total: int
    # Unsolicited responses past this hour's budget: counted, not in `rows`.
    not_recorded_this_hour: int = 0


def sign_ins(
    organization_id: str,
    connection_id: str,
    sort: str = "time",
    order: str = "desc",
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> SignInsPage:
    """The connection's sign-in attempts sorted by time or state (then newest first)."""
    sort = sort if sort in SORTS else "time"
    order = order if order in ("asc", "desc") else "desc"
    scope = (
        ConnectionSession.organization_id == organization_id,
        ConnectionSession.connection_id == connection_id,
    )
    total = db.session.scalar(select(func.count(ConnectionSession.id)).where(*scope)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    column = SORTS[sort]
    ordering = [column.asc() if order == "asc" else column.desc()]
    if sort != "time":
        ordering.append(ConnectionSession.id.desc())
    rows = db.session.scalars(
        select(ConnectionSession)
        .where(*scope)
        .order_by(*ordering)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    not_recorded = unsolicited_responses.not_recorded_this_hour(connection_id)
    return SignInsPage(list(rows), sort, order, page, pages, total, not_recorded)


def start_test(organization_id: str) -> tuple[IdpRequest, str]:
    """Start a test sign-in through the organization's connection: (the way to the IdP,
    session id).

    With pending IdP settings saved, the test runs against them, not the live ones."""
    connection = sso_setup.require_connection(organization_id)
    target = pending_idp.PENDING if connection.pending_idp else None
    return sign_in.start_portal_test(connection, target)


def latest_test(organization_id: str, after: str | None = None) -> ConnectionSession | None:
    """The newest test sign-in of the organization's connection, started after `after`."""
    connection = sso_setup.connection_for(organization_id)
    if connection is None:
        return None
    query = select(ConnectionSession).where(
        ConnectionSession.organization_id == organization_id,
        ConnectionSession.connection_id == connection.id,
        ConnectionSession.redirect_uri.like(f"%{sign_in.PORTAL_TEST_PATH}%"),
    )
    if after:
        query = query.where(ConnectionSession.id > after)
    return db.session.scalars(query.order_by(ConnectionSession.id.desc()).limit(1)).first()


def newest_id(organization_id: str) -> str | None:
    """The id of the organization's newest sign-in attempt (a cursor for `latest_test`)."""
    return db.session.scalar(
        select(ConnectionSession.id)
        .where(ConnectionSession.organization_id == organization_id)
        .order_by(ConnectionSession.id.desc())
        .limit(1)
    )


def readable(payload: str | None) -> str:
    """A request or response laid out for reading: XML indented, JSON indented, else as is."""
    text = (payload or "").strip()
    if text.startswith("<") and "<!DOCTYPE" not in text and "<!ENTITY" not in text:
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True
        )
        try:
            root = etree.fromstring(text.encode(), parser)
            return etree.tostring(root, pretty_print=True, encoding="unicode")
        except (etree.XMLSyntaxError, ValueError):
            return text
    if text.startswith(("{", "[")):
        try:
            return json.dumps(json.loads(text), indent=2)
        except (ValueError, RecursionError):
            return text
    return text
