"""rasa channel: channel_identities.channel may be 'rasa' (Rasa's plain sender ids)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_NAME = "ck_channel_identities_channel"
_BEFORE = ("line", "telegram", "rest", "console", "web")


def _recreate(channels: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{c}'" for c in channels)
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_NAME), type_="check")
        batch_op.create_check_constraint(op.f(_NAME), f"channel IN ({allowed})")


def upgrade() -> None:
    _recreate((*_BEFORE, "rasa"))


def downgrade() -> None:
    op.execute("DELETE FROM channel_identities WHERE channel = 'rasa'")
    _recreate(_BEFORE)
