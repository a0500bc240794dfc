"""Count a directory's inactive users from an index of them alone

The IT admin's directory pages show active, inactive and group counts; the active count came
from a GROUP BY over every user of the directory on each page view. The total is kept by
triggers (0011); with this partial index the inactive ones (few, as a rule) are counted
without reading the active ones.

Revision ID: 0020_inactive_users_index
Revises: 0019_unsolicited_responses
Create Date: 2026-12-05 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_inactive_users_index"
down_revision = "0019_unsolicited_responses"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_directory_users_inactive",
        "directory_users",
        ["directory_id"],
        postgresql_where=sa.text("NOT active"),
        sqlite_where=sa.text("active = 0"),
    )


def downgrade():
    op.drop_index("ix_directory_users_inactive", table_name="directory_users")
