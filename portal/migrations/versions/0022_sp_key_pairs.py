"""SP key pairs, signed and POST-bound AuthnRequests, required encrypted assertions

Each SAML connection can hold portal's own signing and encryption key pairs (private keys
sealed with SECRET_KEY), and three settings say how its AuthnRequests go out and whether a
plain assertion is refused.

Revision ID: 0022_sp_key_pairs
Revises: 0021_pkce_idp_initiated
Create Date: 2026-12-05 12:00:00
"""

import sqlalchemy as sa
from alembic import op

import portal.models.columns

revision = "0022_sp_key_pairs"
down_revision = "0021_pkce_idp_initiated"
branch_labels = None
depends_on = None

UTC = portal.models.columns.UTCDateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("connections") as batch:
        batch.add_column(
            sa.Column("saml_sign_requests", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column(
                "saml_request_binding",
                sa.String(length=16),
                nullable=False,
                server_default="redirect",
            )
        )
        batch.add_column(
            sa.Column(
                "saml_require_encrypted_assertions",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    op.create_table(
        "sp_key_pairs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("connection_id", sa.String(length=64), nullable=False),
        sa.Column("use", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("certificate", sa.Text(), nullable=False),
        sa.Column("encrypted_private_key", sa.Text(), nullable=False),
        sa.Column("not_before", UTC, nullable=False),
        sa.Column("not_after", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_sp_key_pairs_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sp_key_pairs")),
        sa.UniqueConstraint(
            "connection_id", "use", "status", name=op.f("uq_sp_key_pairs_connection_id")
        ),
    )


def downgrade():
    op.drop_table("sp_key_pairs")
    with op.batch_alter_table("connections") as batch:
        batch.drop_column("saml_require_encrypted_assertions")
        batch.drop_column("saml_request_binding")
        batch.drop_column("saml_sign_requests")
