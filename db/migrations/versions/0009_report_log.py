"""report log: who replaced or deleted which stored report, and when

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No foreign key to reports: the line must outlive the report it tells of.
    op.create_table(
        "report_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("cutoff", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("done_by", sa.String(length=200), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "action IN ('created', 'replaced', 'deleted')", name=op.f("ck_report_log_action")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_log")),
    )


def downgrade() -> None:
    op.drop_table("report_log")
