"""Dashboard settings: mail sent by a job, webhook secrets encrypted, frame origins

Revision ID: 0013_dashboard_settings
Revises: 0008
Create Date: 2026-11-24 03:10:00
"""

import sqlalchemy as sa
from alembic import op

import portal.models.columns
from portal.services.infra import encryption

revision = "0013_dashboard_settings"
down_revision = "0012_sso_portal"
branch_labels = None
depends_on = None

UTC = portal.models.columns.UTCDateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), nullable=False, server_default="sent")
        )
        batch_op.add_column(
            sa.Column("attempt_count", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("sent_at", UTC, nullable=True))
    # Mail written before this revision was sent (or kept) at once.
    op.execute("UPDATE mail_messages SET state = 'kept' WHERE transport = 'outbox'")
    op.execute("UPDATE mail_messages SET sent_at = created_at WHERE transport = 'smtp'")

    with op.batch_alter_table("environments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("frame_ancestors", sa.JSON(), nullable=False, server_default="[]")
        )

    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("encrypted_secret", sa.Text(), nullable=True))
    _copy_secrets("secret", "encrypted_secret", encryption.encrypt)
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.alter_column("encrypted_secret", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("secret")
    _forget_remembered_webhook_secrets()


def _copy_secrets(source: str, target: str, transform) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(f"SELECT id, {source} FROM webhook_endpoints")).all()
    for endpoint_id, value in rows:
        connection.execute(
            sa.text(f"UPDATE webhook_endpoints SET {target} = :value WHERE id = :id"),
            {"value": transform(value), "id": endpoint_id},
        )


def _forget_remembered_webhook_secrets():
    # Idempotency records of endpoint creations held the secret in the clear for 24 hours.
    connection = op.get_bind()
    table = sa.table(
        "idempotent_requests", sa.column("id", sa.String), sa.column("response_body", sa.JSON)
    )
    for row_id, body in connection.execute(sa.select(table.c.id, table.c.response_body)).all():
        if (
            isinstance(body, dict)
            and body.get("object") == "webhook_endpoint"
            and body.get("secret")
        ):
            connection.execute(
                table.update()
                .where(table.c.id == row_id)
                .values(response_body={**body, "secret": ""})
            )


def downgrade():
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret", sa.String(length=128), nullable=True))
    _copy_secrets("encrypted_secret", "secret", encryption.decrypt)
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=128), nullable=False)
        batch_op.drop_column("encrypted_secret")
    with op.batch_alter_table("environments", schema=None) as batch_op:
        batch_op.drop_column("frame_ancestors")
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.drop_column("sent_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempt_count")
        batch_op.drop_column("state")
