"""The bundled migrations build exactly the schema of ``db.models``, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from db import Base, current_revision, head_revision, make_engine, upgrade
from db.session import MIGRATIONS_DIR, _bundled_head

EXPECTED_TABLES = {
    "users",
    "channel_identities",
    "profiles",
    "organisations",
    "challenges",
    "datasets",
    "challenge_files",
    "teams",
    "team_invites",
    "invite_attempts",
    "memberships",
    "applications",
    "reminder_subscriptions",
    "planned_reminders",
    "deliveries",
    "inbox_events",
    "conversations",
    "conversation_events",
    "callback_payloads",
    "organiser_accounts",
    "login_attempts",
    "audit_log",
    "reviewed_messages",
    "event_outputs",
    "rate_counters",
    "organisation_members",
    "organisation_codes",
    "email_outbox",
}


def test_models_define_the_pinned_tables() -> None:
    assert set(Base.metadata.tables) == EXPECTED_TABLES


def test_upgrade_matches_models_without_drift(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
            tables = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diffs == [], (
        "db.models and the migrations disagree; add a revision: `python -m db.new_migration`"
    )
    assert tables == EXPECTED_TABLES | {"alembic_version"}


def test_upgrade_is_idempotent(db_url: str) -> None:
    assert current_revision(db_url) is None
    upgrade(db_url)
    upgrade(db_url)
    assert current_revision(db_url) == head_revision()


def test_concurrent_upgrades_both_succeed(db_url: str) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            upgrade(db_url)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert current_revision(db_url) == head_revision()


def test_migrations_are_bundled_and_numbered() -> None:
    scripts = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("0*.py"))
    assert scripts[0] == "0001_initial_schema.py"
    assert [s[:4] for s in scripts] == [f"{n:04d}" for n in range(1, len(scripts) + 1)]
    assert (MIGRATIONS_DIR / "env.py").is_file()


def test_0006_keys_existing_organisations_and_gives_submitted_challenges_slots(db_url: str) -> None:
    upgrade(db_url, "0005")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO organisations (id, name, created_at) VALUES "
                    "(1, '宏達智能 股份有限公司', '2019-05-01'), (2, '臺灣醫院', '2019-05-01')"
                )
            )
            conn.execute(sa.text(
                "INSERT INTO challenges (id, organisation_id, status, reference, created_at, "
                "updated_at, submitted_at) VALUES "
                "(1, 1, 'submitted', 'AIGO-108-0002', '2019-05-01', '2019-05-01', '2019-05-03'), "
                "(2, 1, 'submitted', 'AIGO-108-0001', '2019-05-01', '2019-05-01', '2019-05-02'), "
                "(3, 1, 'draft', NULL, '2019-05-01', '2019-05-01', NULL)"
            ))  # fmt: skip
        upgrade(db_url)
        with engine.connect() as conn:
            keys = conn.execute(sa.text("SELECT name_key FROM organisations ORDER BY id")).all()
            slots = conn.execute(sa.text("SELECT org_key, org_slot FROM challenges ORDER BY id"))
            assert [k for (k,) in keys] == ["宏達智能", "台灣醫院"]
            assert slots.all() == [("宏達智能", 2), ("宏達智能", 1), (None, None)]
    finally:
        engine.dispose()


def test_a_database_at_head_is_recognised_without_importing_alembic(db_url: str) -> None:
    """A restart of an up-to-date service reads one row instead of loading Alembic (start-up)."""
    assert _bundled_head() == head_revision()  # the files' own lines say what Alembic says
    upgrade(db_url)
    code = (
        "import sys; from db.session import upgrade; upgrade(sys.argv[1]); "
        "print(sorted(m for m in sys.modules if m.startswith('alembic')))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code, db_url], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    assert current_revision(db_url) == head_revision()


def test_0009_copies_contacts_to_challenges_and_gives_organisations_owners(db_url: str) -> None:
    """Each challenge takes its organisation's contact; the first submitter of a name key owns
    its oldest row, later submitters become members, drafts give nobody anything."""
    upgrade(db_url, "0008")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, created_at, active) VALUES "
                    "(1, '2019-05-01', true), (2, '2019-05-01', true), (3, '2019-05-01', true)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO organisations (id, name, name_key, contact_name, phone, email, "
                    "created_by_user_id, created_at) VALUES "
                    "(1, '大同醫院', '大同醫院', '王經理', '+886223456789', "
                    "'wang@tatung.com.tw', 3, '2019-05-01'), "
                    "(2, 'Acme Taiwan', 'acmetaiwan', 'Bob', NULL, 'bob@acme.example', 3, "
                    "'2019-05-01')"
                )
            )
            conn.execute(sa.text(
                "INSERT INTO challenges (id, organisation_id, status, reference, created_at, "
                "updated_at, submitted_at, created_by_user_id, org_key, org_slot) VALUES "
                "(1, 1, 'submitted', 'AIGO-108-0002', '2019-05-01', '2019-05-01', '2019-05-03', "
                "2, '大同醫院', 1), "
                "(2, 1, 'listed', 'AIGO-108-0001', '2019-05-01', '2019-05-01', '2019-05-02', "
                "1, '大同醫院', 2), "
                "(3, 2, 'draft', NULL, '2019-05-01', '2019-05-01', NULL, 3, NULL, NULL)"
            ))  # fmt: skip
        upgrade(db_url)
        with engine.connect() as conn:
            contacts = conn.execute(sa.text(
                "SELECT contact_name, contact_phone, contact_email FROM challenges ORDER BY id"
            )).all()  # fmt: skip
            owners = conn.execute(
                sa.text("SELECT owner_user_id FROM organisations ORDER BY id")
            ).all()
            members = conn.execute(
                sa.text("SELECT organisation_id, user_id, via FROM organisation_members")
            ).all()
    finally:
        engine.dispose()
    assert contacts == [
        ("王經理", "+886223456789", "wang@tatung.com.tw"),
        ("王經理", "+886223456789", "wang@tatung.com.tw"),
        ("Bob", None, "bob@acme.example"),
    ]
    assert owners == [(1,), (None,)]  # user 1 submitted first; Acme has only a draft
    assert members == [(1, 2, "migration")]
