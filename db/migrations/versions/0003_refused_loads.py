"""refused loads: a file the reading worker could not read safely is logged as refused

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD = "state IN ('loaded', 'unchanged', 'undone')"
NEW = "state IN ('loaded', 'unchanged', 'undone', 'refused')"


def _state_check(condition: str) -> None:
    with op.batch_alter_table("loads") as batch:
        batch.drop_constraint(op.f("ck_loads_state"), type_="check")
        batch.create_check_constraint("state", sa.text(condition))


def upgrade() -> None:
    _state_check(NEW)


def downgrade() -> None:
    op.execute("DELETE FROM loads WHERE state = 'refused'")
    _state_check(OLD)
