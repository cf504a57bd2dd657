"""monthly cycle: department contacts, user addresses, the reminder log

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "department_contacts",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_department_contacts_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("department_id", "email", name=op.f("pk_department_contacts")),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("months", sa.Text(), nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("sent_by", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('department', 'summary')", name=op.f("ck_reminders_kind")),
        sa.CheckConstraint(
            "state IN ('sending', 'sent', 'failed')", name=op.f("ck_reminders_state")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_reminders_department_id_departments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminders_department_id"), ["department_id"], unique=False
        )
    # A plain ADD COLUMN (no table rebuild): user_departments cascades from users.
    op.add_column("users", sa.Column("email", sa.String(length=320), nullable=True))
    # When counts first arrived, per month: without it the deadline marks scan every change.
    op.create_index(op.f("ix_count_changes_month"), "count_changes", ["month"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_count_changes_month"), table_name="count_changes")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_department_id"))
    op.drop_table("reminders")
    op.drop_table("department_contacts")
