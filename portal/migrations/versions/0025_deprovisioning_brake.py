"""The deprovisioning brake: deprovisionings recorded, held ones kept until decided

A misconfigured assignment in the IdP can deactivate half a company in one sync. Each
deprovisioning (SCIM `active: false`, DELETE) is recorded; past a directory's hourly limit it
is held (the user stays active in the API) until the IT admin or developer applies or
discards it. A directory may set its own limit; users carry the held action.

Revision ID: 0025_deprovisioning_brake
Revises: 0024_inactive_user_counts
Create Date: 2026-12-05 13:00:00
"""

import sqlalchemy as sa
from alembic import op

import portal.models.columns

revision = "0025_deprovisioning_brake"
down_revision = "0024_inactive_user_counts"
branch_labels = None
depends_on = None

UTC = portal.models.columns.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        "deprovisionings",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("directory_id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=512), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["directory_id"],
            ["directories.id"],
            name=op.f("fk_deprovisionings_directory_id_directories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deprovisionings")),
    )
    op.create_index(
        "ix_deprovisionings_directory_state",
        "deprovisionings",
        ["directory_id", "state", "created_at"],
    )
    op.create_index(op.f("ix_deprovisionings_user_id"), "deprovisionings", ["user_id"])
    # Plain ADD COLUMN: a batch copy of directory_users on SQLite would drop its triggers.
    op.add_column("directories", sa.Column("deprovision_brake_percent", sa.Integer()))
    op.add_column("directory_users", sa.Column("held_deprovisioning", sa.String(length=16)))


def downgrade():
    op.drop_column("directory_users", "held_deprovisioning")
    op.drop_column("directories", "deprovision_brake_percent")
    op.drop_index(op.f("ix_deprovisionings_user_id"), table_name="deprovisionings")
    op.drop_index("ix_deprovisionings_directory_state", table_name="deprovisionings")
    op.drop_table("deprovisionings")
