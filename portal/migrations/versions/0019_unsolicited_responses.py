"""Unsolicited SSO responses counted per connection and hour

Anyone could write into a connection's sign-in history by posting to its ACS URL (64 KB a
request, kept 90 days). Failed responses that answer no sign-in portal started are now
recorded only up to PORTAL_UNSOLICITED_RESPONSES_PER_HOUR per connection and hour; this
table counts them, and how many were past the budget and not recorded.

Revision ID: 0019_unsolicited_responses
Revises: 0018_dashboard_sessions
Create Date: 2026-12-05 08:00:00
"""

import sqlalchemy as sa
from alembic import op

import portal.models.columns

revision = "0019_unsolicited_responses"
down_revision = "0018_dashboard_sessions"
branch_labels = None
depends_on = None

UTC = portal.models.columns.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        "unsolicited_response_counts",
        sa.Column("connection_id", sa.String(length=64), nullable=False),
        sa.Column("hour", UTC, nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("not_recorded", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_unsolicited_response_counts_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "connection_id", "hour", name=op.f("pk_unsolicited_response_counts")
        ),
    )


def downgrade():
    op.drop_table("unsolicited_response_counts")
