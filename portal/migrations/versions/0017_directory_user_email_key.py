"""Directory users indexed by lower(email)

Every email lookup compares case-insensitively (SCIM `emails.value eq`, the API's `email`
filter), which the index on email itself could not serve: at 100,000 users a SCIM
`emails.value eq` filter walked the whole directory (51 ms, against 1.8 ms for userName).

Revision ID: 0017_directory_user_email_key
Revises: 0016_sign_in_indexes
Create Date: 2026-11-24 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_directory_user_email_key"
down_revision = "0016_sign_in_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_directory_users_email_key", "directory_users", [sa.text("lower(email)")])
    op.drop_index("ix_directory_users_email", table_name="directory_users")


def downgrade():
    op.create_index("ix_directory_users_email", "directory_users", ["email"])
    op.drop_index("ix_directory_users_email_key", table_name="directory_users")
