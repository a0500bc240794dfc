"""Sign-in attempts indexed by (connection, request id) and (connection, time)

The ACS finds the attempt a response answers by connection and request id. With separate
indexes SQLite (which keeps no statistics here) walked every attempt of the connection, so
each sign-in got slower as the connection's history grew. The recent sign-ins page reads a
connection's attempts newest first.

Revision ID: 0016_sign_in_indexes
Revises: 0015_fix_sso
Create Date: 2026-11-24 08:00:00
"""

from alembic import op

revision = "0016_sign_in_indexes"
down_revision = "0015_fix_sso"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("connection_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_connection_sessions_connection_id_request_id", ["connection_id", "request_id"]
        )
        batch_op.create_index(
            "ix_connection_sessions_connection_id_created_at", ["connection_id", "created_at"]
        )
        batch_op.drop_index("ix_connection_sessions_connection_id")
        batch_op.drop_index("ix_connection_sessions_request_id")


def downgrade():
    with op.batch_alter_table("connection_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_connection_sessions_request_id", ["request_id"])
        batch_op.create_index("ix_connection_sessions_connection_id", ["connection_id"])
        batch_op.drop_index("ix_connection_sessions_connection_id_created_at")
        batch_op.drop_index("ix_connection_sessions_connection_id_request_id")
