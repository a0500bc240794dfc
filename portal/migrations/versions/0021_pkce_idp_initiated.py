"""PKCE challenges on sign-in attempts; IdP-initiated attempts marked as such

`/sso/authorize` took `code_challenge` and dropped it, so a public client that believed it
used PKCE did not. The challenge is now kept with the attempt and checked at `/sso/token`.
An attempt the IdP started on its own (no AuthnRequest of ours) says so, for the sign-ins
table and its detail page.

Revision ID: 0021_pkce_idp_initiated
Revises: 0020_inactive_users_index
Create Date: 2026-12-05 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_pkce_idp_initiated"
down_revision = "0020_inactive_users_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("connection_sessions") as batch:
        batch.add_column(sa.Column("code_challenge", sa.String(length=128), nullable=True))
        batch.add_column(
            sa.Column("idp_initiated", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("connection_sessions") as batch:
        batch.drop_column("idp_initiated")
        batch.drop_column("code_challenge")
