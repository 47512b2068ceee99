"""Add the next Alembic revision for a change to ``db.models`` (development tool).

``0001`` is frozen: it is the schema every existing database started from. After changing
``db/models.py`` run ``python -m db.new_migration "what changed"``: it builds an empty SQLite
database at the current head, autogenerates the difference as revision ``NNNN`` (the next number,
``down_revision`` = the current head), formats it, and prints its path. Review it (autogenerate
misses server defaults and CHECK constraints; write those by hand), then commit it with the model
change. ``tests/db`` fails if the models and the migrations disagree.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

from db.session import MIGRATIONS_DIR, alembic_config, upgrade

_NUMBERED = re.compile(r"^(\d{4})_.*\.py$")


def next_revision(versions_dir: Path = MIGRATIONS_DIR / "versions") -> str:
    """The next four-digit revision id after the highest numbered file in ``versions_dir``."""
    numbers = [int(m.group(1)) for p in versions_dir.iterdir() if (m := _NUMBERED.match(p.name))]
    return f"{max(numbers, default=0) + 1:04d}"


def create(message: str, versions_dir: Path = MIGRATIONS_DIR / "versions") -> Path:
    """Autogenerate the next revision against a database at head; return the new file's path."""
    rev = next_revision(versions_dir)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'head.db'}"
        upgrade(url)
        command.revision(alembic_config(url), message=message, autogenerate=True, rev_id=rev)
    (created,) = versions_dir.glob(f"{rev}_*.py")
    # Best effort: a formatted migration is easier to review (ruff comes with the test extra).
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(created)], check=False)
    return created


def main(argv: list[str] | None = None) -> int:
    """``python -m db.new_migration MESSAGE``: create the revision and print its path."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].strip():
        print('usage: python -m db.new_migration "what changed"', file=sys.stderr)
        return 2
    print(create(args[0].strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
