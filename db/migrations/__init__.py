"""Alembic migrations bundled with the package (see db/README.md)."""
