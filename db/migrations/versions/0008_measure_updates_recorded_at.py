"""measure_updates.recorded_at: when an update was written, for slides frozen at a moment

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-01 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("measure_updates", sa.Column("recorded_at", sa.DateTime(), nullable=True))
    # Updates from a load were written when it was loaded; the others (strategy editor) at
    # the start of the day they are dated, the best that is known of them.
    midnight = (
        "changed_on || ' 00:00:00.000000'"
        if op.get_bind().dialect.name == "sqlite"
        else "CAST(changed_on AS TIMESTAMP)"
    )
    op.execute(
        "UPDATE measure_updates SET recorded_at = COALESCE("
        "(SELECT loads.loaded_at FROM loads WHERE loads.id = measure_updates.load_id), "
        f"{midnight})"
    )
    with op.batch_alter_table("measure_updates") as batch:
        batch.alter_column("recorded_at", existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("measure_updates") as batch:
        batch.drop_column("recorded_at")
