"""The AIGO programme's rules as data (``programme.yml``), validated at load, with pure queries."""

from knowledge.dates import TZ, ResolvedDate, gregorian_to_roc, roc_to_gregorian
from knowledge.loader import DEFAULT_PATH, KnowledgeError, load, parse
from knowledge.schema import Lang, Programme

__all__ = [
    "DEFAULT_PATH",
    "TZ",
    "KnowledgeError",
    "Lang",
    "Programme",
    "ResolvedDate",
    "gregorian_to_roc",
    "load",
    "parse",
    "roc_to_gregorian",
]
