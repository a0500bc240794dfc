"""SSO connections, their IdP signing certificates, sign-in attempts and the grants they yield."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.columns import UTCDateTime, created_at_column, id_column, updated_at_column
from portal.models.organization import Organization
from portal.services.infra import encryption


def protocol_of(connection_type: str) -> str:
    return "oidc" if connection_type.endswith("OIDC") else "saml"


class Connection(db.Model):
    """One organization's link to its identity provider, over SAML or OIDC."""

    __tablename__ = "connections"

    id: Mapped[str] = id_column("conn")
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    connection_type: Mapped[str] = mapped_column(String(64), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    external_id: Mapped[str | None] = mapped_column(String(255))
    attribute_map: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    allow_idp_initiated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # How portal's AuthnRequests go out, and whether a plain (unencrypted) assertion is refused.
    saml_sign_requests: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    saml_request_binding: Mapped[str] = mapped_column(
        String(16), nullable=False, default="redirect", server_default="redirect"
    )
    saml_require_encrypted_assertions: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    saml_idp_entity_id: Mapped[str | None] = mapped_column(Text)
    saml_idp_sso_url: Mapped[str | None] = mapped_column(Text)
    saml_idp_metadata_url: Mapped[str | None] = mapped_column(Text)
    oidc_discovery_endpoint: Mapped[str | None] = mapped_column(Text)
    oidc_client_id: Mapped[str | None] = mapped_column(String(255))
    # The IdP's client secret must be presented to it, so it cannot be stored hashed: it is
    # kept encrypted (`portal.services.infra.encryption`), never in the clear.
    encrypted_oidc_client_secret: Mapped[str | None] = mapped_column("oidc_client_secret", Text)
    # Changed IdP settings of a live connection wait here until a test sign-in passes with them.
    pending_idp: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    organization: Mapped[Organization] = relationship()
    certificates: Mapped[list["IdpCertificate"]] = relationship(
        back_populates="connection", cascade="all, delete-orphan", order_by="IdpCertificate.id"
    )

    @property
    def oidc_client_secret(self) -> str | None:
        sealed = self.encrypted_oidc_client_secret
        return encryption.decrypt(sealed) if sealed else None

    @oidc_client_secret.setter
    def oidc_client_secret(self, plaintext: str | None) -> None:
        self.encrypted_oidc_client_secret = encryption.encrypt(plaintext) if plaintext else None

    @property
    def protocol(self) -> str:
        return protocol_of(self.connection_type)


class IdpCertificate(db.Model):
    """A certificate the IdP signs with; several at once allow a rollover without downtime."""

    __tablename__ = "idp_certificates"

    id: Mapped[str] = id_column("cert")
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False, index=True
    )
    value: Mapped[str] = mapped_column(Text, nullable=False)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    not_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Added during a renewal and not yet proven by a test sign-in signed with it alone.
    untested: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = created_at_column()

    connection: Mapped[Connection] = relationship(back_populates="certificates")


class SpKeyPair(db.Model):
    """One of portal's own key pairs for a SAML connection: it signs AuthnRequests
    (`use` signing) or opens assertions the IdP encrypted to it (`use` encryption).

    Per use, one `active` pair and at most one `next`: the next one is published in the SP
    metadata (and, for encryption, already opens assertions) before it is promoted.
    """

    __tablename__ = "sp_key_pairs"
    __table_args__ = (UniqueConstraint("connection_id", "use", "status"),)

    id: Mapped[str] = id_column("sp_key_pair")
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    use: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    certificate: Mapped[str] = mapped_column(Text, nullable=False)
    # Sealed with `portal.services.infra.encryption`: the database alone cannot sign or open.
    encrypted_private_key: Mapped[str] = mapped_column(Text, nullable=False)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_at: Mapped[datetime] = created_at_column()

    @property
    def private_key(self) -> str:
        return encryption.decrypt(self.encrypted_private_key)

    @private_key.setter
    def private_key(self, pem: str) -> None:
        self.encrypted_private_key = encryption.encrypt(pem)


class ConnectionSession(db.Model):
    """One sign-in attempt through a connection, with what was sent and what came back."""

    __tablename__ = "connection_sessions"
    __table_args__ = (
        UniqueConstraint("connection_id", "assertion_id"),
        # The ACS looks an attempt up by both (one index, so SQLite cannot pick the wrong one);
        # the recent sign-ins page reads a connection's attempts newest first.
        Index("ix_connection_sessions_connection_id_request_id", "connection_id", "request_id"),
        Index("ix_connection_sessions_connection_id_created_at", "connection_id", "created_at"),
    )

    id: Mapped[str] = id_column("conn_session")
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    organization_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="started")
    error_code: Mapped[str | None] = mapped_column(String(64))
    explanation: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(128))
    redirect_uri: Mapped[str | None] = mapped_column(Text)
    client_state: Mapped[str | None] = mapped_column(Text)
    oidc_nonce: Mapped[str | None] = mapped_column(String(128))
    oidc_code_verifier: Mapped[str | None] = mapped_column(String(128))
    # The host app's PKCE challenge (S256), checked against its verifier at /sso/token.
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    # Started by the IdP on its own (no AuthnRequest of ours), accepted or refused.
    idp_initiated: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    request_payload: Mapped[str | None] = mapped_column(Text)
    response_payload: Mapped[str | None] = mapped_column(Text)
    assertion_id: Mapped[str | None] = mapped_column(String(255))
    profile: Mapped[dict | None] = mapped_column(JSON)
    # A portal test of pending settings ("pending_idp") or of one new certificate (its id).
    test_target: Mapped[str | None] = mapped_column(String(64))
    # Each check's outcome as the sign-in ran it: {check key: "passed" | "failed"}.
    check_results: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at_column()
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    connection: Mapped[Connection] = relationship()


class UnsolicitedResponseCount(db.Model):
    """Failed SSO responses that answered no sign-in portal started, per connection and hour:
    how many came, and how many of them were past the hour's budget and not recorded."""

    __tablename__ = "unsolicited_response_counts"

    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    received: Mapped[int] = mapped_column(Integer, nullable=False)
    not_recorded: Mapped[int] = mapped_column(Integer, nullable=False)


class SignInGrant(db.Model):
    """What a successful sign-in gives the host app: a one-time code, then an access token."""

    __tablename__ = "sign_in_grants"

    id: Mapped[str] = id_column("grant")
    connection_session_id: Mapped[str] = mapped_column(
        ForeignKey("connection_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    code_expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    code_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    access_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    profile: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = created_at_column()

    session: Mapped[ConnectionSession] = relationship()
