"""Directory sync: directories, their users, groups and memberships

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 01:30:00
"""

import sqlalchemy as sa
from alembic import op

import portal.models.columns


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

UTC = portal.models.columns.UTCDateTime(timezone=True)


def upgrade():
    op.create_table('directories',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_suffix', sa.String(length=8), nullable=False),
    sa.Column('attribute_map', sa.JSON(), nullable=False),
    sa.Column('synced_group_ids', sa.JSON(), nullable=True),
    sa.Column('last_activity_at', UTC, nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_directories_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directories')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_directories_token_hash'))
    )
    with op.batch_alter_table('directories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directories_organization_id'), ['organization_id'], unique=False)

    op.create_table('directory_users',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('directory_id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=64), nullable=False),
    sa.Column('user_name', sa.String(length=512), nullable=False),
    sa.Column('user_name_key', sa.String(length=512), nullable=False),
    sa.Column('external_id', sa.String(length=512), nullable=True),
    sa.Column('email', sa.String(length=512), nullable=True),
    sa.Column('display_name', sa.String(length=512), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('raw_attributes', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['directory_id'], ['directories.id'], name=op.f('fk_directory_users_directory_id_directories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_users')),
    sa.UniqueConstraint('directory_id', 'user_name_key', name=op.f('uq_directory_users_directory_id'))
    )
    with op.batch_alter_table('directory_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_users_directory_id'), ['directory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_users_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_users_external_id'), ['external_id'], unique=False)

    op.create_table('directory_groups',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('directory_id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=512), nullable=False),
    sa.Column('display_name_key', sa.String(length=512), nullable=False),
    sa.Column('external_id', sa.String(length=512), nullable=True),
    sa.Column('raw_attributes', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['directory_id'], ['directories.id'], name=op.f('fk_directory_groups_directory_id_directories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_groups')),
    sa.UniqueConstraint('directory_id', 'display_name_key', name=op.f('uq_directory_groups_directory_id'))
    )
    with op.batch_alter_table('directory_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_groups_directory_id'), ['directory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_groups_external_id'), ['external_id'], unique=False)

    op.create_table('directory_group_memberships',
    sa.Column('group_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('directory_id', sa.String(length=64), nullable=False),
    sa.Column('display', sa.String(length=512), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['directory_groups.id'], name=op.f('fk_directory_group_memberships_group_id_directory_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['directory_users.id'], name=op.f('fk_directory_group_memberships_user_id_directory_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_directory_group_memberships'))
    )
    with op.batch_alter_table('directory_group_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_group_memberships_directory_id'), ['directory_id'], unique=False)
        batch_op.create_index('ix_directory_group_memberships_user_id', ['user_id'], unique=False)


def downgrade():
    op.drop_table('directory_group_memberships')
    op.drop_table('directory_groups')
    op.drop_table('directory_users')
    op.drop_table('directories')
