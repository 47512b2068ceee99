"""Prize queries: per stage and tier, totals, and net amounts after tax withholding.

All amounts are integers in NTD, computed from the data (never typed into templates):
a team's total for a tier = 入圍獎金 + 解題獎補 + that tier's 實證獎金
(優等: 5萬 + 25萬 + 30萬 = 60萬).
Withholding is a whole percentage of the gross (10% for ROC nationals, 20% for foreigners).
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.schema import Nationality, Programme, TierId

TIERS: tuple[TierId, ...] = ("outstanding", "excellent", "merit")


@dataclass(frozen=True)
class TierTotal:
    """A tier's prize path: ``parts`` are (stage id, amount) in payment order."""

    tier: TierId
    parts: tuple[tuple[str, int], ...]
    gross: int
    nationality: Nationality | None
    withholding_pct: int
    withheld: int
    net: int


def stage_amount(programme: Programme, stage_id: str, tier: str | None = None) -> int:
    """The amount of one stage; ``proof`` needs a ``tier``. Raises KeyError/ValueError."""
    stage = programme.stage(stage_id)
    if stage.tiers:
        if tier is None:
            raise ValueError(f"stage {stage_id!r} needs an award tier")
        return programme.tier(tier).amount
    if stage.amount is None:
        raise ValueError(f"stage {stage_id!r} has no amount")
    return stage.amount


def withheld(programme: Programme, gross: int, nationality: Nationality) -> int:
    """Tax withheld from ``gross`` for ``nationality``."""
    return gross * programme.prizes.withholding.percent(nationality) // 100


def net_amount(programme: Programme, gross: int, nationality: Nationality) -> int:
    """``gross`` minus withholding: 700000 for ROC → 630000; 500000 for foreign → 400000."""
    return gross - withheld(programme, gross, nationality)


def tier_total(
    programme: Programme, tier: str, nationality: Nationality | None = None
) -> TierTotal:
    """Total prize of a team that reaches ``tier``; net of withholding when ``nationality`` given.

    Example: excellent → gross 600000; outstanding + ROC → net 630000; merit + foreign → net 400000.
    """
    parts = tuple(
        (stage.id, stage_amount(programme, stage.id, tier)) for stage in programme.prizes.stages
    )
    gross = sum(amount for _, amount in parts)
    pct = programme.prizes.withholding.percent(nationality) if nationality else 0
    cut = gross * pct // 100
    return TierTotal(programme.tier(tier).id, parts, gross, nationality, pct, cut, gross - cut)


def max_total(programme: Programme) -> int:
    """The largest total a team can win on one challenge (computed; equals the stated 70萬)."""
    return max(tier_total(programme, tier).gross for tier in TIERS)
