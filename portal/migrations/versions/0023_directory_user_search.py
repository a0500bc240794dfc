"""Directory users searched by trigram indexes (PostgreSQL with pg_trgm)

The IT admin's search matches name, email or username anywhere (`LIKE '%…%'`), which no
B-tree serves: at 100,000 users each search read the whole directory (340 ms on a fresh
table). A GIN trigram index on the searched text serves the same LIKE (0.6 ms). CREATE EXTENSION needs a
superuser (or a trusted-extension owner): without it the indexes are left out and the search
keeps working, by a scan (docs/deploy.md says how to add them later). SQLite has no trigram
index; it scans, as before.

Revision ID: 0023_directory_user_search
Revises: 0022_sp_key_pairs
Create Date: 2026-12-05 12:20:00
"""

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0023_directory_user_search"
down_revision = "0022_sp_key_pairs"
branch_labels = None
depends_on = None

# One index on the three searched texts joined by a newline (which a search never holds), as
# portal.services.directory.directory_overview.SEARCHED writes them: one GIN scan, not three.
# The name ends in _trgm: the schema-drift test leaves this optional index out.
INDEX = "ix_directory_users_search_trgm"
SEARCHED = (
    "lower(coalesce(display_name, '') || E'\\n' || user_name_key || E'\\n' || coalesce(email, ''))"
)


def _has_trigrams(bind) -> bool:
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as error:
        logging.getLogger("alembic").warning(
            "pg_trgm is not available (%s): directory search will scan; see docs/deploy.md",
            error.orig,
        )
        return False
    return True


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _has_trigrams(bind):
        return
    op.execute(f"CREATE INDEX {INDEX} ON directory_users USING gin (({SEARCHED}) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
