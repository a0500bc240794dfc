"""SCIM speed: page a directory's users and groups by (directory_id, id); count its users
without reading them

Revision ID: 0011_scim_speed
Revises: 0008
Create Date: 2026-11-24 03:10:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0011_scim_speed'
down_revision = '0009_audit_logs'
branch_labels = None
depends_on = None

# Triggers keep the count whoever writes the rows (the SCIM service, a bulk import, a
# cascade). Each user counts in one of 16 slots picked by the last character of its id, so
# concurrent creates in one directory rarely wait on the same counter row.
SLOT = {
    'postgresql': "ascii(right({row}.id, 1)) % 16",
    'sqlite': "unicode(substr({row}.id, -1)) % 16",
}
POSTGRES_FUNCTIONS = """
CREATE FUNCTION directory_user_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO directory_user_counts (directory_id, slot, users)
    VALUES (NEW.directory_id, {new_slot}, 0) ON CONFLICT DO NOTHING;
    UPDATE directory_user_counts SET users = users + 1
    WHERE directory_id = NEW.directory_id AND slot = {new_slot};
    RETURN NULL;
END $$;
CREATE FUNCTION directory_user_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_user_counts SET users = users - 1
    WHERE directory_id = OLD.directory_id AND slot = {old_slot};
    RETURN NULL;
END $$;
CREATE TRIGGER directory_user_counts_add AFTER INSERT ON directory_users
    FOR EACH ROW EXECUTE FUNCTION directory_user_counts_add();
CREATE TRIGGER directory_user_counts_remove AFTER DELETE ON directory_users
    FOR EACH ROW EXECUTE FUNCTION directory_user_counts_remove();
"""
SQLITE_TRIGGERS = """
CREATE TRIGGER directory_user_counts_add AFTER INSERT ON directory_users BEGIN
    INSERT OR IGNORE INTO directory_user_counts (directory_id, slot, users)
    VALUES (NEW.directory_id, {new_slot}, 0);
    UPDATE directory_user_counts SET users = users + 1
    WHERE directory_id = NEW.directory_id AND slot = {new_slot};
END;
CREATE TRIGGER directory_user_counts_remove AFTER DELETE ON directory_users BEGIN
    UPDATE directory_user_counts SET users = users - 1
    WHERE directory_id = OLD.directory_id AND slot = {old_slot};
END;
"""


def upgrade():
    # The composite index answers everything the single-column one did.
    with op.batch_alter_table('directory_users', schema=None) as batch_op:
        batch_op.create_index('ix_directory_users_directory_id_id', ['directory_id', 'id'], unique=False)
        batch_op.drop_index('ix_directory_users_directory_id')
    with op.batch_alter_table('directory_groups', schema=None) as batch_op:
        batch_op.create_index('ix_directory_groups_directory_id_id', ['directory_id', 'id'], unique=False)
        batch_op.drop_index('ix_directory_groups_directory_id')

    op.create_table('directory_user_counts',
    sa.Column('directory_id', sa.String(length=64), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['directory_id'], ['directories.id'], name=op.f('fk_directory_user_counts_directory_id_directories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('directory_id', 'slot', name=op.f('pk_directory_user_counts'))
    )
    dialect = op.get_bind().dialect.name
    template = POSTGRES_FUNCTIONS if dialect == 'postgresql' else SQLITE_TRIGGERS
    sql = template.format(
        new_slot=SLOT[dialect].format(row='NEW'), old_slot=SLOT[dialect].format(row='OLD')
    )
    if dialect == 'postgresql':
        op.execute(sql)
    else:
        for statement in sql.split('END;'):
            if statement.strip():
                op.execute(statement + 'END;')
    op.execute(
        'INSERT INTO directory_user_counts (directory_id, slot, users) '
        'SELECT directory_id, ' + SLOT[dialect].format(row='directory_users') + ', count(*) '
        'FROM directory_users GROUP BY 1, 2'
    )


def downgrade():
    dialect = op.get_bind().dialect.name
    op.execute('DROP TRIGGER directory_user_counts_add' + (' ON directory_users' if dialect == 'postgresql' else ''))
    op.execute('DROP TRIGGER directory_user_counts_remove' + (' ON directory_users' if dialect == 'postgresql' else ''))
    if dialect == 'postgresql':
        op.execute('DROP FUNCTION directory_user_counts_add()')
        op.execute('DROP FUNCTION directory_user_counts_remove()')
    op.drop_table('directory_user_counts')
    with op.batch_alter_table('directory_groups', schema=None) as batch_op:
        batch_op.create_index('ix_directory_groups_directory_id', ['directory_id'], unique=False)
        batch_op.drop_index('ix_directory_groups_directory_id_id')
    with op.batch_alter_table('directory_users', schema=None) as batch_op:
        batch_op.create_index('ix_directory_users_directory_id', ['directory_id'], unique=False)
        batch_op.drop_index('ix_directory_users_directory_id_id')
