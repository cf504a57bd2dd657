"""monthly_uptake from the figures core; services no longer reported

Revision ID: 0004
Revises: 0006 (revision ids name the issue branches, not the order)
Create Date: 2026-12-01 21:00:00
"""

import sqlalchemy as sa
from alembic import op

from db.figures import view_sql

revision = "0004"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The view is rebuilt from the rule the live and the Stichtag queries use (db.figures),
    # so that the three cannot drift apart. Same columns and values as before.
    op.execute("DROP VIEW IF EXISTS monthly_uptake")
    op.execute(f"CREATE VIEW monthly_uptake AS {view_sql(op.get_bind().dialect)}")
    op.create_table(
        "reporting_stops",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("from_month", sa.String(length=7), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_reporting_stops_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_reporting_stops")),
    )


def downgrade() -> None:
    op.drop_table("reporting_stops")
    # The view stays: it gives the same rows as the one migration 0001 created.
