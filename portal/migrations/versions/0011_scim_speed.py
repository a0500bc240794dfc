"""SCIM speed: page a directory's users and groups by (directory_id, id)

Revision ID: 0011_scim_speed
Revises: 0008
Create Date: 2026-11-24 03:10:00
"""

from alembic import op


revision = '0011_scim_speed'
down_revision = '0009_audit_logs'
branch_labels = None
depends_on = None


def upgrade():
    # The composite index answers everything the single-column one did.
    with op.batch_alter_table('directory_users', schema=None) as batch_op:
        batch_op.create_index('ix_directory_users_directory_id_id', ['directory_id', 'id'], unique=False)
        batch_op.drop_index('ix_directory_users_directory_id')
    with op.batch_alter_table('directory_groups', schema=None) as batch_op:
        batch_op.create_index('ix_directory_groups_directory_id_id', ['directory_id', 'id'], unique=False)
        batch_op.drop_index('ix_directory_groups_directory_id')


def downgrade():
    with op.batch_alter_table('directory_groups', schema=None) as batch_op:
        batch_op.create_index('ix_directory_groups_directory_id', ['directory_id'], unique=False)
        batch_op.drop_index('ix_directory_groups_directory_id_id')
    with op.batch_alter_table('directory_users', schema=None) as batch_op:
        batch_op.create_index('ix_directory_users_directory_id', ['directory_id'], unique=False)
        batch_op.drop_index('ix_directory_users_directory_id_id')
