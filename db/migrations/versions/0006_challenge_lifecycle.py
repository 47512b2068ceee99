"""Challenge review lifecycle and organisation name keys.

- ``challenges.status`` gains ``listed``, ``returned``, ``closed``, ``withdrawn``.
- ``organisations.name_key`` = ``db.org_names.normalise_org_name(name)`` (filled for existing rows).
- ``challenges.org_key`` / ``org_slot``: a submitted or listed challenge holds slot 1..limit of its
  organisation's key, unique together (existing submitted challenges get slots in submission order);
  ``review_note`` / ``reviewed_at`` record the organisers' review.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 15:42:19.749869
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.org_names import normalise_org_name

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_STATUSES = "'draft', 'submitted', 'listed', 'returned', 'closed', 'withdrawn'"
SLOT_CHECK = (
    "(org_slot IS NOT NULL AND org_key IS NOT NULL AND org_slot >= 1 "
    "AND status IN ('submitted', 'listed')) "
    "OR (org_slot IS NULL AND status NOT IN ('submitted', 'listed'))"
)


def _fill_keys() -> None:
    """Set ``name_key`` of every organisation and a slot for every submitted challenge."""
    conn = op.get_bind()
    keys: dict[int, str] = {}
    for org_id, name in conn.execute(sa.text("SELECT id, name FROM organisations")):
        keys[org_id] = normalise_org_name(name)
        conn.execute(
            sa.text("UPDATE organisations SET name_key = :k WHERE id = :i"),
            {"k": keys[org_id], "i": org_id},
        )
    taken: dict[str, int] = {}
    submitted = sa.text(
        "SELECT id, organisation_id FROM challenges WHERE status = 'submitted' "
        "ORDER BY submitted_at, id"
    )
    for challenge_id, org_id in conn.execute(submitted).fetchall():
        key = keys[org_id]
        taken[key] = taken.get(key, 0) + 1
        conn.execute(
            sa.text("UPDATE challenges SET org_key = :k, org_slot = :s WHERE id = :i"),
            {"k": key, "s": taken[key], "i": challenge_id},
        )


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(), nullable=True))
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("org_key", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("org_slot", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    _fill_keys()
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(), nullable=False)
        batch_op.create_index(batch_op.f("ix_organisations_name_key"), ["name_key"], unique=False)
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_challenges_status"), type_="check")
        batch_op.create_check_constraint("status", f"status IN ({NEW_STATUSES})")
        batch_op.create_check_constraint("slot_while_counted", SLOT_CHECK)
        batch_op.create_unique_constraint("uq_challenges_org_slot", ["org_key", "org_slot"])


def downgrade() -> None:
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_constraint("uq_challenges_org_slot", type_="unique")
        batch_op.drop_constraint(op.f("ck_challenges_slot_while_counted"), type_="check")
        batch_op.drop_constraint(op.f("ck_challenges_status"), type_="check")
        batch_op.create_check_constraint("status", "status IN ('draft', 'submitted')")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("review_note")
        batch_op.drop_column("org_slot")
        batch_op.drop_column("org_key")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_name_key"))
        batch_op.drop_column("name_key")
