"""An OIDC connection's client secret, live or waiting for a test, is stored encrypted and
follows a SECRET_KEY rotation."""

import json

from flask_migrate import upgrade
from sqlalchemy import text

from portal import create_app
from portal.extensions import db
from portal.models import Connection
from portal.models.columns import utcnow
from portal.services.infra import encryption
from portal.services.sso import connections, pending_idp
from portal.services.sso.connections import ConnectionSettings
from tests.environment import config_for
from tests.factories import make_organization

OIDC = {
    "discovery_endpoint": "https://idp.example.com/.well-known/openid-configuration",
    "client_id": "client-1",
    "client_secret": "the-client-secret",
}


def _stored(connection_id: str) -> tuple[str, str | None]:
    query = text("SELECT oidc_client_secret, pending_idp FROM connections WHERE id = :id")
    secret, pending = db.session.execute(query, {"id": connection_id}).one()
    return secret, pending if pending is None else str(pending)


def _connection() -> Connection:
    org = make_organization("Acme", domains=["acme.test"])
    return connections.create_connection(
        org.id, ConnectionSettings(connection_type="GenericOIDC", oidc=OIDC)
    )


def test_the_database_never_holds_the_client_secret_in_the_clear(app):
    connection = _connection()
    pending_idp.stage_oidc(connection, {**OIDC, "client_secret": "the-next-secret"})
    secret, pending = _stored(connection.id)
    assert secret.startswith("fernet1:") and "the-client-secret" not in secret
    assert "the-next-secret" not in pending
    db.session.expire_all()
    reloaded = db.session.get(Connection, connection.id)
    assert reloaded.oidc_client_secret == "the-client-secret"
    assert pending_idp._pending_secret(reloaded.pending_idp) == "the-next-secret"


def test_client_secrets_follow_a_secret_key_rotation(app, runner):
    connection = _connection()
    pending_idp.stage_oidc(connection, {**OIDC, "client_secret": "the-next-secret"})
    old_key = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="a-new-secret-key", SECRET_KEY_FALLBACKS=[old_key])

    result = runner.invoke(args=["portal", "rotate-secrets"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 2 OIDC client secret(s)" in result.output

    app.config["SECRET_KEY_FALLBACKS"] = []
    db.session.expire_all()
    reloaded = db.session.get(Connection, connection.id)
    assert reloaded.oidc_client_secret == "the-client-secret"
    assert encryption.is_current(reloaded.encrypted_oidc_client_secret)
    assert pending_idp._pending_secret(reloaded.pending_idp) == "the-next-secret"


def _connection_at_0014() -> str:
    """An OIDC connection written as the schema of revision 0014 holds it (the model has
    columns added since, so it cannot write one there)."""
    org = make_organization("Acme", domains=["acme.test"])
    db.session.execute(
        text(
            "INSERT INTO connections (id, organization_id, name, connection_type, state,"
            " attribute_map, allow_idp_initiated, oidc_discovery_endpoint, oidc_client_id,"
            " created_at, updated_at) VALUES ('conn_old', :org, 'Acme', 'GenericOIDC',"
            " 'validating', '{}', false, :discovery, :client_id, :now, :now)"
        ),
        {
            "org": org.id,
            "discovery": OIDC["discovery_endpoint"],
            "client_id": OIDC["client_id"],
            "now": utcnow(),
        },
    )
    return "conn_old"


def test_the_migration_encrypts_secrets_stored_in_the_clear(tmp_path):
    app = create_app(config_for(f"sqlite:///{tmp_path / 'old.db'}"))
    directory = app.extensions["migrate"].directory
    with app.app_context():
        upgrade(directory=directory, revision="0014_log_stream_synced")
        connection_id = _connection_at_0014()
        pending = {**OIDC, "client_secret": "the-next-secret"}
        db.session.execute(
            text("UPDATE connections SET oidc_client_secret = :secret, pending_idp = :pending"),
            {"secret": "the-client-secret", "pending": json.dumps(pending)},
        )
        db.session.commit()
        upgrade(directory=directory)
        secret, stored_pending = _stored(connection_id)
        assert "the-client-secret" not in secret and "the-next-secret" not in stored_pending
        db.session.expire_all()
        reloaded = db.session.get(Connection, connection_id)
        assert reloaded.oidc_client_secret == "the-client-secret"
        assert pending_idp._pending_secret(reloaded.pending_idp) == "the-next-secret"
        db.session.remove()
        db.engine.dispose()
