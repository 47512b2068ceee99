"""Load and validate a knowledge file.

Every failure raises :class:`KnowledgeError` whose message names the file, the key path and the
problem, e.g. ``programme.yml: schedule.milestones[4].dates.108-3: unknown round '108-3'
(known: 108-1, 108-2)``. Checks, in order: YAML syntax, types and required keys (pydantic),
unique ids, date references (rounds, milestones), a date for every round, dates that exist, and
prize arithmetic (tranches sum to their stage, the stated maximum equals the largest total).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.dates import RelativeSpec, ResolvedDate, UntilSpec, resolve
from knowledge.schema import Programme

DEFAULT_PATH = Path(__file__).with_name("programme.yml")


class KnowledgeError(ValueError):
    """A knowledge file is malformed. ``file``, ``path`` and ``problem`` say where and why."""

    def __init__(self, file: str, path: str, problem: str, more: int = 0) -> None:
        self.file, self.path, self.problem, self.more = file, path, problem, more
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(f"{file}: {path or '<top>'}: {problem}{suffix}")


def _loc(parts: tuple[int | str, ...]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _strip_tags(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Drop pydantic's union tag (``dates.108-1.day.month`` → ``dates.108-1.month``)."""
    kinds = {"day", "day_range", "month", "month_part", "month_range", "until", "relative"}
    return tuple(
        p for i, p in enumerate(loc) if not (p in kinds and i >= 2 and loc[i - 2] == "dates")
    )


def _from_validation(file: str, exc: ValidationError) -> KnowledgeError:
    err = exc.errors()[0]
    loc = _strip_tags(tuple(err["loc"]))
    if err["type"] == "missing":
        problem = "missing required key"
    elif err["type"] == "extra_forbidden":
        problem = "unknown key"
    else:
        got = repr(err.get("input"))
        problem = f"{err['msg']} (got {got[:60]})"
    return KnowledgeError(file, _loc(loc), problem, exc.error_count() - 1)


def parse(data: Any, file: str = "<data>") -> Programme:
    """Validate already-parsed YAML ``data``; ``file`` names it in errors. Raises KnowledgeError."""
    if not isinstance(data, dict):
        raise KnowledgeError(file, "", f"expected a mapping at the top, got {type(data).__name__}")
    try:
        programme = Programme.model_validate(data)
    except ValidationError as exc:
        raise _from_validation(file, exc) from None
    _check_ids(file, programme)
    _check_prizes(file, programme)
    programme._resolved.update(_resolve_all(file, programme))
    return programme


def load(path: str | Path | None = None) -> Programme:
    """Load a knowledge file (default: the bundled ``programme.yml``, cached).

    Raises:
        KnowledgeError: the file is missing, not YAML, or fails validation.
    """
    if path is None:
        return _load_default()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _load_default() -> Programme:
    return _load(DEFAULT_PATH)


def _load(path: Path) -> Programme:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(name, "", f"cannot read file ({exc.strerror})") from None
    try:
        data = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise KnowledgeError(name, where, f"invalid YAML: {problem}") from None
    return parse(data, name)


def _duplicates(ids: list[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for index, item in enumerate(ids):
        if item in seen:
            yield index, item
        seen.add(item)


def _check_ids(file: str, p: Programme) -> None:
    for index, rid in _duplicates([r.id for r in p.rounds]):
        raise KnowledgeError(file, f"rounds[{index}].id", f"duplicate round id {rid!r}")
    milestone_ids = [m.id for m in p.schedule.milestones]
    for index, mid in _duplicates(milestone_ids):
        raise KnowledgeError(
            file, f"schedule.milestones[{index}].id", f"duplicate milestone id {mid!r}"
        )
    round_ids = [r.id for r in p.rounds]
    for index, milestone in enumerate(p.schedule.milestones):
        base = f"schedule.milestones[{index}].dates"
        for rid, spec in milestone.dates.items():
            if rid not in round_ids:
                known = ", ".join(round_ids)
                raise KnowledgeError(
                    file, f"{base}.{rid}", f"unknown round {rid!r} (known: {known})"
                )
            if isinstance(spec, UntilSpec | RelativeSpec) and spec.after not in milestone_ids:
                raise KnowledgeError(
                    file, f"{base}.{rid}.after", f"unknown milestone id {spec.after!r}"
                )
        for rid in round_ids:
            if rid not in milestone.dates:
                raise KnowledgeError(
                    file,
                    f"{base}.{rid}",
                    f"missing date of milestone {milestone.id!r} for round {rid!r}",
                )


def _check_prizes(file: str, p: Programme) -> None:
    stages = {s.id: s for s in p.prizes.stages}
    for needed in ("shortlist", "solution_grant", "proof"):
        if needed not in stages:
            raise KnowledgeError(file, "prizes.stages", f"missing stage {needed!r}")
    index = [s.id for s in p.prizes.stages].index("solution_grant")
    grant = stages["solution_grant"]
    if grant.tranches and sum(t.amount for t in grant.tranches) != grant.amount:
        raise KnowledgeError(
            file, f"prizes.stages[{index}].tranches", "tranche amounts do not add up to the stage"
        )
    if not stages["proof"].tiers or stages["shortlist"].amount is None or grant.amount is None:
        raise KnowledgeError(
            file, "prizes.stages", "shortlist/solution_grant need an amount, proof tiers"
        )
    best = stages["shortlist"].amount + grant.amount + max(t.amount for t in stages["proof"].tiers)
    if best != p.prizes.max_per_team_per_challenge:
        raise KnowledgeError(
            file,
            "prizes.max_per_team_per_challenge",
            f"states {p.prizes.max_per_team_per_challenge} but stages add up to at most {best}",
        )


def _resolve_all(file: str, p: Programme) -> dict[tuple[str, str], ResolvedDate]:
    out: dict[tuple[str, str], ResolvedDate] = {}
    for rnd in p.rounds:
        _resolve_round(file, p, rnd.id, rnd.year, out)
    return out


def _resolve_round(
    file: str, p: Programme, rid: str, year: int, out: dict[tuple[str, str], ResolvedDate]
) -> None:
    ids = [m.id for m in p.schedule.milestones]
    visiting: set[str] = set()

    def get(mid: str) -> ResolvedDate:
        if (rid, mid) in out:
            return out[(rid, mid)]
        path = f"schedule.milestones[{ids.index(mid)}].dates.{rid}"
        if mid in visiting:
            raise KnowledgeError(file, path, f"circular reference through {mid!r}")
        visiting.add(mid)
        try:
            out[(rid, mid)] = resolve(p.milestone(mid).dates[rid], year, get)
        except KnowledgeError:
            raise
        except ValueError as exc:
            raise KnowledgeError(file, path, str(exc)) from None
        return out[(rid, mid)]

    for mid in ids:
        get(mid)
