"""Environments: the /sso/authorize redirect URIs allowed in the dashboard

Revision ID: 0015_fix_sso
Revises: 0015_oidc_secrets
Create Date: 2026-11-24 04:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_fix_sso"
down_revision = "0015_oidc_secrets"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("environments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("redirect_uris", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade():
    with op.batch_alter_table("environments", schema=None) as batch_op:
        batch_op.drop_column("redirect_uris")
