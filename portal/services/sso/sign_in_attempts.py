"""A sign-in attempt on its way back from the IdP, read and written as plain rows.

The ACS looks up the attempt a response answers, with its connection and the connection's
signing certificates, on every sign-in. As ORM objects (three entities and a collection)
that cost more than the query itself, so the attempt is read by one plain query into the
values below (its connection as a `saml_connection.ConnectionView`, which saml_sp, profiles
and pending_idp take as they take a Connection) and its outcome is written by one UPDATE,
plus one INSERT for the code.
What changes the connection itself (activation, a passed portal test) loads the ORM objects;
those branches are rare.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update

from portal.extensions import db
from portal.models import Connection, ConnectionSession, IdpCertificate, SignInGrant
from portal.services.infra.ids import new_id
from portal.services.sso.saml_connection import Certificate, ConnectionView

_attempts = ConnectionSession.__table__
_connections = Connection.__table__
_certificates = IdpCertificate.__table__
_ATTEMPT_COLUMNS = (
    "id",
    "state",
    "request_id",
    "redirect_uri",
    "client_state",
    "test_target",
    "check_results",
    "oidc_nonce",
    "oidc_code_verifier",
)
_CONNECTION_COLUMNS = (
    "id",
    "organization_id",
    "connection_type",
    "state",
    "attribute_map",
    "saml_idp_entity_id",
    "saml_idp_sso_url",
    "pending_idp",
    "saml_sign_requests",
    "saml_request_binding",
    "saml_require_encrypted_assertions",
)


@dataclass
class Attempt:
    """A sign-in attempt and what this response has added to it so far."""

    id: str
    state: str
    request_id: str | None
    redirect_uri: str | None
    client_state: str | None
    test_target: str | None
    check_results: dict | None
    oidc_nonce: str | None
    oidc_code_verifier: str | None
    connection: ConnectionView
    response_payload: str | None = None
    assertion_id: str | None = None
    profile: dict | None = None


# Built once: a statement's cache key is worked out once per statement object.
_SELECT = (
    select(
        *(_attempts.c[name].label(f"attempt_{name}") for name in _ATTEMPT_COLUMNS),
        *(_connections.c[name].label(f"connection_{name}") for name in _CONNECTION_COLUMNS),
        _certificates.c.id.label("certificate_id"),
        _certificates.c.value.label("certificate_value"),
    )
    .select_from(
        _attempts.join(_connections, _attempts.c.connection_id == _connections.c.id).outerjoin(
            _certificates, _certificates.c.connection_id == _connections.c.id
        )
    )
    .order_by(_attempts.c.id, _certificates.c.id)
)
_BY_REQUEST = _SELECT.where(
    _attempts.c.connection_id == bindparam("connection_id"),
    _attempts.c.request_id == bindparam("request_id"),
)
_BY_ID = _SELECT.where(_attempts.c.id == bindparam("attempt_id"))
_SUCCEEDED = (
    update(_attempts)
    .where(_attempts.c.id == bindparam("attempt_id"))
    .values(
        state="succeeded",
        completed_at=bindparam("completed_at"),
        profile=bindparam("profile"),
        check_results=bindparam("check_results"),
        response_payload=bindparam("response_payload"),
        assertion_id=bindparam("assertion_id"),
    )
)
_FAILED = (
    update(_attempts)
    .where(_attempts.c.id == bindparam("attempt_id"))
    .values(
        state="failed",
        completed_at=bindparam("completed_at"),
        error_code=bindparam("error_code"),
        explanation=bindparam("explanation"),
        check_results=bindparam("check_results"),
        response_payload=bindparam("response_payload"),
    )
)


_GRANT = insert(SignInGrant.__table__)


def find(connection_id: str, request_id: str) -> Attempt | None:
    """The connection's attempt that sent `request_id` (an AuthnRequest ID or OIDC state)."""
    rows = _execute(_BY_REQUEST, {"connection_id": connection_id, "request_id": request_id})
    return _attempt(rows.all())


def get(attempt_id: str) -> Attempt | None:
    return _attempt(_execute(_BY_ID, {"attempt_id": attempt_id}).all())


def _execute(statement, parameters: dict):
    # On the session's connection, in its transaction: the Session's own execute adds ORM
    # bookkeeping that plain statements do not use.
    return db.session.connection().execute(statement, parameters)


def _attempt(rows) -> Attempt | None:
    if not rows:
        return None
    first = rows[0]._mapping
    rows = [row for row in rows if row.attempt_id == first["attempt_id"]]
    connection = ConnectionView(
        **{name: first[f"connection_{name}"] for name in _CONNECTION_COLUMNS},
        certificates=tuple(
            Certificate(row.certificate_id, row.certificate_value)
            for row in rows
            if row.certificate_id is not None
        ),
    )
    return Attempt(
        **{name: first[f"attempt_{name}"] for name in _ATTEMPT_COLUMNS}, connection=connection
    )


def write_success(attempt: Attempt, completed_at: datetime) -> None:
    """The attempt succeeded; the unique (connection, assertion id) index refuses a replay
    here (IntegrityError)."""
    _execute(
        _SUCCEEDED,
        {
            "attempt_id": attempt.id,
            "completed_at": completed_at,
            "profile": attempt.profile,
            "check_results": attempt.check_results,
            "response_payload": attempt.response_payload,
            "assertion_id": attempt.assertion_id,
        },
    )


def write_grant(attempt: Attempt, code_hash: str, issued_at: datetime, expires_at: datetime):
    """The one-time code a successful attempt yields (its hash), with the profile."""
    _execute(
        _GRANT,
        {
            "id": new_id("grant"),
            "connection_session_id": attempt.id,
            "code_hash": code_hash,
            "code_expires_at": expires_at,
            "code_used_at": None,
            "access_token_hash": None,
            "access_token_expires_at": None,
            "profile": attempt.profile,
            "created_at": issued_at,
        },
    )


def write_failure(attempt: Attempt, completed_at: datetime, code: str, explanation: str) -> None:
    _execute(
        _FAILED,
        {
            "attempt_id": attempt.id,
            "completed_at": completed_at,
            "error_code": code,
            "explanation": explanation,
            "check_results": attempt.check_results,
            "response_payload": attempt.response_payload,
        },
    )


def discard(attempt: Attempt) -> None:
    """Drop an attempt that will not be recorded (its response is only counted)."""
    _execute(delete(_attempts).where(_attempts.c.id == attempt.id), {})
