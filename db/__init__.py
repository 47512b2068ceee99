"""The database layer: models, engines/sessions, migrations and small repository functions.

See ``db/README.md``. Repository functions take a keyword-only ``session`` and never commit.
"""

from db.models import Base, UTCDateTime
from db.session import (
    current_revision,
    defer_flush,
    head_revision,
    make_engine,
    make_session_factory,
    normalise_url,
    upgrade,
)

__all__ = [
    "Base",
    "UTCDateTime",
    "current_revision",
    "defer_flush",
    "head_revision",
    "make_engine",
    "make_session_factory",
    "normalise_url",
    "upgrade",
]
