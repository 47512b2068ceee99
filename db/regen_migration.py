"""Regenerate the first migration, ``0001``, from ``db.models`` (development tool).

Nothing has been released yet, so the schema lives in a single migration: after changing
``db/models.py`` run ``python -m db.regen_migration``, review the diff of
``db/migrations/versions/0001_initial_schema.py``, and commit both files. ``tests/db`` fails if the
models and the migration disagree. Once a release exists, add new revisions instead
(``alembic revision --autogenerate``) and remove this tool.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

from db.session import MIGRATIONS_DIR, alembic_config

REVISION = "0001"
MESSAGE = "initial schema"


def regenerate(versions_dir: Path = MIGRATIONS_DIR / "versions") -> Path:
    """Delete the old ``0001`` and autogenerate it again against an empty SQLite database."""
    for old in versions_dir.glob(f"{REVISION}_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        config = alembic_config(f"sqlite:///{Path(tmp) / 'empty.db'}")
        command.revision(config, message=MESSAGE, autogenerate=True, rev_id=REVISION)
    (created,) = versions_dir.glob(f"{REVISION}_*.py")
    # Best effort: a formatted migration is easier to review (ruff comes with the test extra).
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(created)], check=False)
    return created


def main() -> int:
    """Regenerate and print the path of the new migration."""
    print(regenerate())
    return 0


if __name__ == "__main__":
    sys.exit(main())
