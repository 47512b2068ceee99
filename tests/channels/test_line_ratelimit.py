"""The per-sender sliding-window limit gives one notice per burst."""

from __future__ import annotations

from bot.channels.ratelimit import SlidingWindowLimiter, Verdict


def test_one_notice_then_drop_then_recovers() -> None:
    limiter = SlidingWindowLimiter(limit=20, window=10)
    verdicts = [limiter.check("line:U1", 100 + i * 0.1) for i in range(25)]
    assert verdicts[:20] == [Verdict.ALLOW] * 20
    assert verdicts[20] is Verdict.NOTIFY
    assert verdicts[21:] == [Verdict.DROP] * 4
    assert limiter.check("line:U2", 101) is Verdict.ALLOW  # other senders unaffected
    assert limiter.check("line:U1", 111) is Verdict.ALLOW  # window moved on
