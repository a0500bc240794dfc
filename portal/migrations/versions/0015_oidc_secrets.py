"""OIDC client secrets encrypted at rest, like webhook secrets (portal.encryption)

Revision ID: 0015_oidc_secrets
Revises: 0014_log_stream_synced
"""

import json

import sqlalchemy as sa
from alembic import op

from portal.services.infra import encryption

revision = "0015_oidc_secrets"
down_revision = "0014_log_stream_synced"
branch_labels = None
depends_on = None


def upgrade():
    _transform(encryption.encrypt)


def downgrade():
    _transform(encryption.decrypt)


def _transform(change) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, oidc_client_secret, pending_idp FROM connections")
    ).all()
    for connection_id, secret, pending in rows:
        if isinstance(pending, str):
            pending = json.loads(pending)
        if pending and pending.get("client_secret"):
            pending = {**pending, "client_secret": change(pending["client_secret"])}
        connection.execute(
            sa.text(
                "UPDATE connections SET oidc_client_secret = :secret, pending_idp = :pending "
                "WHERE id = :id"
            ).bindparams(sa.bindparam("pending", type_=sa.JSON)),
            {"secret": change(secret) if secret else secret, "pending": pending, "id": connection_id},
        )
