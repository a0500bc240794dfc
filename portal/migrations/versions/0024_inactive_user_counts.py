"""Directory counters keep the inactive users too

The directory pages counted inactive users from their partial index (0020) on each view: a
directory with 10,000 deactivated users read 10,000 index entries, and on a table not yet
vacuumed as many rows (33 ms a page at 100,000 users). The triggers that keep the totals (0011)
now keep the inactive count beside them, on insert, delete and a change of `active`.

Revision ID: 0024_inactive_user_counts
Revises: 0023_directory_user_search
Create Date: 2026-12-05 12:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_inactive_user_counts"
down_revision = "0023_directory_user_search"
branch_labels = None
depends_on = None

# As 0011 picks a user's counter row.
SLOT = {
    "postgresql": "ascii(right({row}.id, 1)) % 16",
    "sqlite": "unicode(substr({row}.id, -1)) % 16",
}
INACTIVE = {"postgresql": "(NOT {row}.active)::int", "sqlite": "(NOT {row}.active)"}
POSTGRES = """
CREATE OR REPLACE FUNCTION directory_user_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO directory_user_counts (directory_id, slot, users, inactive)
    VALUES (NEW.directory_id, {new_slot}, 0, 0) ON CONFLICT DO NOTHING;
    UPDATE directory_user_counts SET users = users + 1, inactive = inactive + {new_inactive}
    WHERE directory_id = NEW.directory_id AND slot = {new_slot};
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION directory_user_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_user_counts SET users = users - 1, inactive = inactive - {old_inactive}
    WHERE directory_id = OLD.directory_id AND slot = {old_slot};
    RETURN NULL;
END $$;
CREATE FUNCTION directory_user_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_user_counts SET inactive = inactive + {new_inactive} - {old_inactive}
    WHERE directory_id = NEW.directory_id AND slot = {new_slot};
    RETURN NULL;
END $$;
CREATE TRIGGER directory_user_counts_change AFTER UPDATE OF active ON directory_users
    FOR EACH ROW WHEN (OLD.active IS DISTINCT FROM NEW.active)
    EXECUTE FUNCTION directory_user_counts_change();
"""
SQLITE = """
CREATE TRIGGER directory_user_counts_add AFTER INSERT ON directory_users BEGIN
    INSERT OR IGNORE INTO directory_user_counts (directory_id, slot, users, inactive)
    VALUES (NEW.directory_id, {new_slot}, 0, 0);
    UPDATE directory_user_counts SET users = users + 1, inactive = inactive + {new_inactive}
    WHERE directory_id = NEW.directory_id AND slot = {new_slot};
END;
CREATE TRIGGER directory_user_counts_remove AFTER DELETE ON directory_users BEGIN
    UPDATE directory_user_counts SET users = users - 1, inactive = inactive - {old_inactive}
    WHERE directory_id = OLD.directory_id AND slot = {old_slot};
END;
CREATE TRIGGER directory_user_counts_change AFTER UPDATE OF active ON directory_users
WHEN OLD.active IS NOT NEW.active BEGIN
    UPDATE directory_user_counts SET inactive = inactive + {new_inactive} - {old_inactive}
    WHERE directory_id = NEW.directory_id AND slot = {new_slot};
END;
"""


def _sql(template: str, dialect: str) -> str:
    return template.format(
        new_slot=SLOT[dialect].format(row="NEW"),
        old_slot=SLOT[dialect].format(row="OLD"),
        new_inactive=INACTIVE[dialect].format(row="NEW"),
        old_inactive=INACTIVE[dialect].format(row="OLD"),
    )


def upgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("directory_user_counts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inactive", sa.Integer(), nullable=False, server_default="0"))
    if dialect == "postgresql":
        op.execute(_sql(POSTGRES, dialect))
    else:
        op.execute("DROP TRIGGER directory_user_counts_add")
        op.execute("DROP TRIGGER directory_user_counts_remove")
        for statement in _sql(SQLITE, dialect).split("END;"):
            if statement.strip():
                op.execute(statement + "END;")
    slot = SLOT[dialect].format(row="directory_users")
    op.execute(
        "UPDATE directory_user_counts SET inactive = (SELECT count(*) FROM directory_users "
        "WHERE directory_users.directory_id = directory_user_counts.directory_id "
        f"AND {slot} = directory_user_counts.slot AND NOT directory_users.active)"
    )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER directory_user_counts_change ON directory_users")
        op.execute("DROP FUNCTION directory_user_counts_change()")
        # 0011's functions again, without the inactive column.
        op.execute(
            _sql(POSTGRES, dialect)
            .split("CREATE FUNCTION directory_user_counts_change")[0]
            .replace(", inactive = inactive + (NOT NEW.active)::int", "")
            .replace(", inactive = inactive - (NOT OLD.active)::int", "")
            .replace("(directory_id, slot, users, inactive)", "(directory_id, slot, users)")
            .replace("0, 0) ON CONFLICT", "0) ON CONFLICT")
        )
    else:
        for trigger in ("add", "remove", "change"):
            op.execute(f"DROP TRIGGER directory_user_counts_{trigger}")
    with op.batch_alter_table("directory_user_counts", schema=None) as batch_op:
        batch_op.drop_column("inactive")
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER directory_user_counts_add AFTER INSERT ON directory_users BEGIN "
            "INSERT OR IGNORE INTO directory_user_counts (directory_id, slot, users) "
            f"VALUES (NEW.directory_id, {SLOT['sqlite'].format(row='NEW')}, 0); "
            "UPDATE directory_user_counts SET users = users + 1 WHERE directory_id = "
            f"NEW.directory_id AND slot = {SLOT['sqlite'].format(row='NEW')}; END;"
        )
        op.execute(
            "CREATE TRIGGER directory_user_counts_remove AFTER DELETE ON directory_users BEGIN "
            "UPDATE directory_user_counts SET users = users - 1 WHERE directory_id = "
            f"OLD.directory_id AND slot = {SLOT['sqlite'].format(row='OLD')}; END;"
        )
