#!/usr/bin/env python3
"""Every third-party module the project imports is declared in pyproject.toml, and vice versa.

Reads the imports of the packages (``bot``, ``nlu``, ``actions``, ``knowledge``, ``db``) with
``ast`` (function-level imports included), maps each top-level module to its distribution with
``importlib.metadata.packages_distributions()`` (run it in the project's environment), and compares
with ``[project].dependencies``. An undeclared import exits 1; a declaration nothing imports is a
warning (it may be used by work in progress, or implicitly: list those in ``IMPLICIT``).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "nlu", "actions", "knowledge", "db")
# Declared but never imported by name: used through a URL scheme or a standard-library lookup.
IMPLICIT = {
    "psycopg": "SQLAlchemy's postgresql+psycopg driver",
    "tzdata": "zoneinfo's data",
    "python-multipart": "Starlette's request.form()",
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules(root: Path = ROOT) -> dict[str, set[str]]:
    """Top-level third-party module → files importing it."""
    found: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in PACKAGES:
                        found.setdefault(top, set()).add(str(path.relative_to(root)))
    return found


def declared(root: Path = ROOT) -> set[str]:
    """Normalised names of ``[project].dependencies``."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_norm(re.split(r"[\s\[<>=!~;]", dep, maxsplit=1)[0]) for dep in project["dependencies"]}


def problems(root: Path = ROOT) -> tuple[list[str], list[str]]:
    """(undeclared imports, declarations never imported), one line each."""
    owners = packages_distributions()
    wanted = declared(root)
    used: set[str] = set()
    out = []
    for module, files in sorted(imported_modules(root).items()):
        dists = {_norm(d) for d in owners.get(module, [])}
        if not dists:
            out.append(f"{module}: imported by {sorted(files)[0]} but no installed distribution")
        elif not dists & wanted:
            out.append(f"{module}: imported by {sorted(files)[0]}; declare {sorted(dists)[0]}")
        used |= dists & wanted
    unused = [
        f"{name}: declared in pyproject.toml but never imported (warning)"
        for name in sorted(wanted - used - set(IMPLICIT))
    ]
    return out, unused


def main() -> int:
    """Print the problems (exit 1) or a one-line summary (exit 0)."""
    found, unused = problems()
    for line in found + unused:
        print(f"dependencies: {line}", file=sys.stderr)
    if not found:
        print(f"dependencies: {len(declared())} declared, every import covered")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
