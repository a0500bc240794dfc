"""The sign-in flow: /sso/authorize → IdP → ACS → one-time code → /sso/token → profile.

Every attempt is a ConnectionSession row with what was sent and what came back, so a failed
sign-in can be explained to the person fixing it.
"""

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.errors import PortalError, SignInError, SignInRefused
from portal.extensions import db
from portal.models import Connection, ConnectionSession, OrganizationDomain, SignInGrant
from portal.models.columns import utcnow
from portal.services.account import credentials, sign_in_redirects
from portal.services.infra import metrics, secret_tokens
from portal.services.infra.ids import new_id
from portal.services.infra.nul_characters import readable_text
from portal.services.sso import (
    connections,
    oidc_rp,
    pending_idp,
    pkce,
    profiles,
    saml_sp,
    sign_in_attempts,
    sign_in_checks,
    sp_keys,
    unsolicited_responses,
)
from portal.services.sso.oidc_rp import OidcConnection
from portal.services.sso.saml_guard import decode
from portal.services.sso.saml_sp import IdpRequest
from portal.services.sso.sign_in_attempts import Attempt
from portal.services.sso.sign_in_errors import explain

# A sign-in the IT admin starts from the portal to test the connection ends on this portal
# page for its session, and yields no code: nobody signs in to the app through it.
PORTAL_TEST_PATH = "/admin/sso/sign-in-tests/"
CODE_LIFETIME = timedelta(minutes=10)
ACCESS_TOKEN_LIFETIME = timedelta(minutes=10)
PAYLOAD_LIMIT = 64 * 1024
# Refusals of a response the IdP sent on its own, without a request of ours.
IDP_INITIATED_REFUSALS = ("unsolicited_response", "no_default_redirect_uri")


@dataclass
class Outcome:
    """Where to send the browser after the IdP answered; why it was refused, if it was."""

    redirect_url: str | None
    error_code: str | None = None


def check_client(client_id: str | None, redirect_uri: str | None) -> str:
    """The redirect URI if the client id is ours and the URI is on the allowed list."""
    if client_id != credentials.environment().client_id:
        raise SignInError("invalid_client", "Unknown client_id: use this portal's client id.")
    if not redirect_uri:
        raise SignInError("invalid_request", "redirect_uri is required.")
    if not sign_in_redirects.is_allowed(redirect_uri):
        raise SignInError(
            "invalid_redirect_uri",
            "redirect_uri is not on the allowed list: add it in the dashboard under "
            "Settings → Redirects (or to PORTAL_REDIRECT_URIS).",
        )
    return redirect_uri


def choose_connection(
    connection_id: str | None, organization_id: str | None, domain: str | None
) -> Connection:
    """The connection a sign-in goes through, by id, organization or verified domain.

    A connection named with an organization must be that organization's: the host app
    asked for a sign-in into one customer, so another customer's connection is refused."""
    if connection_id:
        connection = connections.get_connection(connection_id)
        if organization_id and connection.organization_id != organization_id:
            raise SignInError(
                "invalid_request",
                "The connection does not belong to the organization given: pass the "
                "organization's own connection, or only one of the two.",
            )
        return connection
    query = select(Connection).where(Connection.state.in_(("active", "validating")))
    if organization_id:
        query = query.where(Connection.organization_id == organization_id)
    elif domain:
        query = query.where(
            Connection.organization_id.in_(
                select(OrganizationDomain.organization_id).where(
                    OrganizationDomain.domain == domain.strip().lower(),
                    OrganizationDomain.state == "verified",
                )
            )
        )
    else:
        raise SignInError("invalid_request", "Pass connection, organization or domain.")
    found = db.session.scalars(query.order_by(Connection.state, Connection.id)).first()
    if found is None:
        raise SignInError("connection_not_found", "No SSO connection matches this request.")
    return found


def start(
    connection: Connection,
    redirect_uri: str,
    client_state: str | None,
    code_challenge: str | None = None,
) -> IdpRequest:
    """Record the attempt (with the host app's PKCE challenge, if it sent one) and return what
    takes the browser to the IdP."""
    session = ConnectionSession(
        redirect_uri=redirect_uri, client_state=client_state, code_challenge=code_challenge
    )
    return _begin(connection, session)


def start_portal_test(connection: Connection, target: str | None = None) -> tuple[IdpRequest, str]:
    """A test sign-in started by the IT admin: the way to the IdP and the session id; it ends on
    the portal's result page for that session. `target` tests pending settings or one new
    certificate (see pending_idp) instead of the live settings."""
    session_id = new_id("conn_session")
    result_url = f"{current_app.config['PORTAL_PUBLIC_URL']}{PORTAL_TEST_PATH}{session_id}"
    session = ConnectionSession(id=session_id, redirect_uri=result_url, test_target=target)
    return _begin(connection, session), session_id


def is_portal_test(session: ConnectionSession | Attempt) -> bool:
    prefix = f"{current_app.config['PORTAL_PUBLIC_URL']}{PORTAL_TEST_PATH}"
    return (session.redirect_uri or "").startswith(prefix)


def _begin(connection: Connection, session: ConnectionSession) -> IdpRequest:
    if connection.state in ("draft",) or not connections.is_configured(connection):
        raise SignInError("connection_not_ready", explain("connection_not_ready"))
    if connection.state == "inactive":
        raise SignInError("connection_inactive", explain("connection_inactive"))
    if connection.protocol == "saml" and connection.saml_sign_requests:
        sp_keys.ensure_active(connection.id, "signing")
    session.connection_id = connection.id
    session.organization_id = connection.organization_id
    db.session.add(session)
    db.session.flush()
    if connection.protocol == "oidc":
        idp_request = IdpRequest(
            _start_oidc(pending_idp.oidc_connection_for(connection, session), session)
        )
    else:
        saml_connection = pending_idp.saml_connection_for(connection, session)
        idp_request, request_id, request_xml = saml_sp.authn_request(saml_connection, session.id)
        session.request_id = request_id
        session.request_payload = _clip(request_xml)
    db.session.commit()
    return idp_request


def _start_oidc(connection: OidcConnection, session: ConnectionSession) -> str:
    try:
        started = oidc_rp.start(connection)
    except SignInRefused as refusal:
        _fail(sign_in_attempts.get(session.id), refusal.code, refusal.detail, "")
        raise SignInError(refusal.code, explain(refusal.code)) from None
    session.request_id = started.state
    session.oidc_nonce = started.nonce
    session.oidc_code_verifier = started.code_verifier
    session.request_payload = started.url
    return started.url


def finish_oidc(connection_id: str, params: dict) -> Outcome:
    """The provider's callback: check state, trade the code, verify the ID token."""
    connection = connections.get_connection(connection_id)
    attempt = sign_in_attempts.find(connection.id, params.get("state") or "-")
    if attempt is None or attempt.state != "started":
        code = "unknown_state" if attempt is None else "reused_state"
        _record_orphan(connection, SignInRefused(code), json.dumps(params))
        return Outcome(None, code)
    sign_in_checks.record_passed(attempt, "state")
    if params.get("error"):
        detail = params.get("error_description") or params["error"]
        return _fail(attempt, "idp_reported_failure", detail, json.dumps(params))
    sign_in_checks.record_passed(attempt, "idp_status")
    try:
        claims, raw = oidc_rp.finish(
            pending_idp.oidc_connection_for(connection, attempt),
            params.get("code") or "",
            attempt.oidc_nonce,
            attempt.oidc_code_verifier,
        )
    except SignInRefused as refusal:
        return _fail(attempt, refusal.code, refusal.detail, json.dumps(params))
    sign_in_checks.record_passed(attempt, *sign_in_checks.OIDC_EXCHANGE)
    attempt.response_payload = _clip(raw)
    profile = profiles.build_profile(connection, str(claims["sub"]), claims)
    if not profile["email"]:
        return _fail(attempt, "missing_email", "", "")
    return _succeed(attempt, profile)


def finish_saml(connection_id: str, saml_response: str, relay_state: str | None = None) -> Outcome:
    """Validate the IdP's answer; success yields a one-time code on the redirect URI.

    An IdP-initiated response (no InResponseTo) goes to its RelayState if that is one of the
    registered redirect URIs, else to the default one; never anywhere else."""
    try:
        xml, root = saml_sp.parse_response(saml_response)
    except SignInRefused as refusal:
        _record_orphan(connections.get_connection(connection_id), refusal, saml_response)
        return Outcome(None, refusal.code)
    attempt = _attempt_for(connection_id, root.get("InResponseTo"), relay_state)
    if isinstance(attempt, SignInRefused):
        _record_orphan(connections.get_connection(connection_id), attempt, saml_response)
        return Outcome(None, attempt.code)
    sign_in_checks.record_passed(attempt, "readable", "in_response_to")
    saml_connection = pending_idp.saml_connection_for(attempt.connection, attempt)
    try:
        result = saml_sp.validate(saml_connection, saml_response, attempt.request_id, (xml, root))
    except SignInRefused as refusal:
        return _fail(attempt, refusal.code, refusal.detail, saml_response)
    sign_in_checks.record_passed(attempt, *sign_in_checks.SAML_VALIDATION)
    # Replays are refused by the unique (connection, assertion id) index, at the write below.
    sign_in_checks.record_passed(attempt, "replay")
    attempt.response_payload = _clip(result.xml)
    profile = profiles.build_profile(attempt.connection, result.name_id, result.attributes)
    if not profile["email"]:
        return _fail(attempt, "missing_email", "", saml_response)
    attempt.assertion_id = result.assertion_id
    try:
        return _succeed(attempt, profile)
    except IntegrityError:
        # The unique (connection, assertion id) index is the replay check: one lookup fewer
        # on every sign-in, and it also settles two requests racing with the same assertion.
        db.session.rollback()
        if not _assertion_seen(connection_id, result.assertion_id):
            raise
        # An IdP-initiated attempt's row went with the rollback: record it again.
        replay = sign_in_attempts.get(attempt.id) or _idp_initiated_attempt(
            connections.get_connection(connection_id), attempt.redirect_uri
        )
        sign_in_checks.record_passed(
            replay, "readable", "in_response_to", *sign_in_checks.SAML_VALIDATION
        )
        return _fail(replay, "replayed_assertion", "", saml_response)


def _assertion_seen(connection_id: str, assertion_id: str) -> bool:
    with db.session.no_autoflush:
        return (
            db.session.scalar(
                select(ConnectionSession.id).where(
                    ConnectionSession.connection_id == connection_id,
                    ConnectionSession.assertion_id == assertion_id,
                )
            )
            is not None
        )


def exchange_code(
    code: str | None, client_id: str | None, secret: str | None, verifier: str | None
) -> tuple[str, int, dict]:
    """Trade a one-time code for an access token and the profile; single use, 10 minutes.

    The caller proves itself with an API key as its secret, or, for a code issued with a
    PKCE challenge, with the challenge's verifier (a public client has no secret)."""
    if secret or not verifier:
        require_client(client_id, secret)
    elif client_id != credentials.environment().client_id:
        raise SignInError("invalid_client", "Send this portal's client_id with the code.", 401)
    found = db.session.execute(
        select(SignInGrant, ConnectionSession.code_challenge)
        .join(ConnectionSession, SignInGrant.connection_session_id == ConnectionSession.id)
        .where(SignInGrant.code_hash == secret_tokens.digest(code or ""))
    ).first()
    now = utcnow()
    if found is None or found[0].code_expires_at <= now:
        raise SignInError("invalid_grant", "The code is invalid or has expired.")
    grant, challenge = found
    _check_proof(challenge, verifier)
    claimed = db.session.execute(
        update(SignInGrant)
        .where(SignInGrant.id == grant.id, SignInGrant.code_used_at.is_(None))
        .values(code_used_at=now)
    )
    if claimed.rowcount != 1:
        raise SignInError("invalid_grant", "The code was already used.")
    token = secrets.token_urlsafe(32)
    grant.access_token_hash = secret_tokens.digest(token)
    grant.access_token_expires_at = now + ACCESS_TOKEN_LIFETIME
    db.session.commit()
    return token, int(ACCESS_TOKEN_LIFETIME.total_seconds()), grant.profile


def _check_proof(challenge: str | None, verifier: str | None) -> None:
    """The code's PKCE challenge against the verifier sent, both ways: a verifier for a code
    issued without a challenge is refused too, so PKCE cannot be stripped off on the way."""
    if challenge is None:
        if verifier:
            raise SignInError(
                "invalid_grant",
                "This code was issued without a code_challenge, so a code_verifier cannot "
                "prove anything: send the client secret (an API key) without code_verifier.",
            )
        return
    if not verifier:
        raise SignInError(
            "invalid_grant",
            "This code was issued for a code_challenge: send its code_verifier.",
        )
    if not pkce.matches(challenge, verifier):
        raise SignInError(
            "invalid_grant", "code_verifier does not match the code_challenge of this sign-in."
        )


def profile_for_token(token: str) -> dict:
    grant = db.session.scalars(
        select(SignInGrant).where(SignInGrant.access_token_hash == secret_tokens.digest(token))
    ).first()
    if grant is None or grant.access_token_expires_at <= utcnow():
        raise SignInError("invalid_token", "The access token is invalid or has expired.", 401)
    return grant.profile


def _attempt_for(
    connection_id: str, request_id: str | None, relay_state: str | None = None
) -> Attempt | SignInRefused:
    """The started attempt this response answers, or why there is none."""
    if request_id is None:
        connection = connections.get_connection(connection_id)
        if not connection.allow_idp_initiated:
            return SignInRefused("unsolicited_response")
        redirect_uri = _idp_initiated_destination(relay_state)
        if redirect_uri is None:
            return SignInRefused("no_default_redirect_uri")
        return _idp_initiated_attempt(connection, redirect_uri)
    attempt = sign_in_attempts.find(connection_id, request_id)
    if attempt is None:
        connections.get_connection(connection_id)  # an unknown connection is a 404
        return SignInRefused("unknown_in_response_to")
    if attempt.state != "started":
        return SignInRefused("reused_in_response_to")
    return attempt


def _idp_initiated_destination(relay_state: str | None) -> str | None:
    """The RelayState when it is a registered redirect URI (an IdP deep link), else the
    default redirect URI: an unsolicited response must never choose where a code goes."""
    if relay_state and sign_in_redirects.is_allowed(relay_state):
        return relay_state
    return sign_in_redirects.default()


def _idp_initiated_attempt(connection: Connection, redirect_uri: str | None) -> Attempt:
    session = ConnectionSession(
        connection_id=connection.id,
        organization_id=connection.organization_id,
        redirect_uri=redirect_uri,
        idp_initiated=True,
    )
    db.session.add(session)
    db.session.flush()
    return sign_in_attempts.get(session.id)


def _succeed(attempt: Attempt, profile: dict) -> Outcome:
    now = utcnow()
    attempt.profile = profile
    sign_in_checks.record_all_passed(attempt, attempt.connection.protocol)
    sign_in_attempts.write_success(attempt, now)
    if attempt.test_target or attempt.connection.state == "validating":
        connection = connections.get_connection(attempt.connection.id)
        if attempt.test_target:
            pending_idp.test_passed(connection, attempt)
        if connection.state == "validating":
            connections.activate(connection)
    if is_portal_test(attempt):
        db.session.commit()
        metrics.count_sign_in(attempt.connection.protocol, "succeeded")
        return Outcome(attempt.redirect_uri)
    code = secrets.token_urlsafe(32)
    sign_in_attempts.write_grant(attempt, secret_tokens.digest(code), now, now + CODE_LIFETIME)
    redirect_url = _redirect(attempt, {"code": code})
    db.session.commit()
    metrics.count_sign_in(attempt.connection.protocol, "succeeded")
    return Outcome(redirect_url)


def _fail(attempt: Attempt, code: str, detail: str, raw: str) -> Outcome:
    params = {"error": code, "error_description": explain(code)}
    redirect_url = attempt.redirect_uri if is_portal_test(attempt) else _redirect(attempt, params)
    # An attempt without a request id of ours is IdP-initiated: anyone can make one fail.
    if attempt.request_id is None and not unsolicited_responses.admit(attempt.connection.id):
        sign_in_attempts.discard(attempt)
        db.session.commit()
        metrics.count_sign_in(attempt.connection.protocol, code)
        return Outcome(redirect_url, code)
    protocol = attempt.connection.protocol
    sign_in_checks.record_failed(attempt, protocol, code)
    if not attempt.response_payload:
        attempt.response_payload = _clip(_decoded(raw, protocol))
    explanation = _clip(explain(code) + (f" ({detail})" if detail else ""))
    sign_in_attempts.write_failure(attempt, utcnow(), code, explanation)
    db.session.commit()
    metrics.count_sign_in(protocol, code)
    return Outcome(redirect_url, code)


def _record_orphan(connection: Connection, refusal: SignInRefused, raw: str) -> None:
    """Record a response that answers no sign-in we started, while the hour's budget lasts."""
    if unsolicited_responses.admit(connection.id):
        db.session.add(_orphan(connection, refusal, raw))
    db.session.commit()
    metrics.count_sign_in(connection.protocol, refusal.code)


def _orphan(connection: Connection, refusal: SignInRefused, raw: str) -> ConnectionSession:
    session = ConnectionSession(
        connection_id=connection.id,
        organization_id=connection.organization_id,
        state="failed",
        error_code=refusal.code,
        completed_at=utcnow(),
        explanation=explain(refusal.code),
        response_payload=_clip(_decoded(raw, connection.protocol)),
        idp_initiated=refusal.code in IDP_INITIATED_REFUSALS,
    )
    sign_in_checks.record_failed(session, connection.protocol, refusal.code)
    return session


def _redirect(session: ConnectionSession | Attempt, params: dict) -> str | None:
    if not session.redirect_uri:
        return None
    if session.client_state:
        params = {**params, "state": session.client_state}
    separator = "&" if "?" in session.redirect_uri else "?"
    return f"{session.redirect_uri}{separator}{urlencode(params)}"


def _decoded(raw: str, protocol: str) -> str:
    """A SAML response as its XML; what an OIDC provider sent as it came."""
    if protocol != "saml":
        return raw or ""
    try:
        return decode(raw).decode("utf-8", "replace")
    except (SignInRefused, ValueError):
        return raw or ""


def _clip(text: str | None) -> str | None:
    return readable_text(text)[:PAYLOAD_LIMIT] if text else text


def require_client(client_id: str | None, secret: str | None) -> None:
    """The token endpoint's caller: our client id, and an API key as its secret (the caller
    sends it in the body or as its bearer token)."""
    if client_id and client_id != credentials.environment().client_id:
        raise SignInError("invalid_client", "Unknown client_id.", 401)
    if not secret or credentials.authenticate_api_key(secret) is None:
        raise SignInError("invalid_client", "client_secret must be a valid API key.", 401)


def error_redirect(redirect_uri: str, refusal: PortalError, state: str | None) -> str:
    """The redirect URI carrying an OAuth error, as WorkOS sends it."""
    params = {"error": refusal.code, "error_description": refusal.message}
    if state:
        params["state"] = state
    separator = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{separator}{urlencode(params)}"
