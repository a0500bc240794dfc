"""SSO portal: pending IdP settings, untested renewal certificates, recorded sign-in checks

Revision ID: 0012_sso_portal
Revises: 0008
Create Date: 2026-11-24 03:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_sso_portal"
down_revision = "0011_scim_speed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("connections") as batch:
        batch.add_column(sa.Column("pending_idp", sa.JSON(), nullable=True))
    with op.batch_alter_table("idp_certificates") as batch:
        batch.add_column(
            sa.Column("untested", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("connection_sessions") as batch:
        batch.add_column(sa.Column("test_target", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("check_results", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("connection_sessions") as batch:
        batch.drop_column("check_results")
        batch.drop_column("test_target")
    with op.batch_alter_table("idp_certificates") as batch:
        batch.drop_column("untested")
    with op.batch_alter_table("connections") as batch:
        batch.drop_column("pending_idp")
