"""Section clocks kept by the server, with a movable clock: limits, pauses, outages, plays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from attest.assessment import timing
from attest.assessment.timing import Clock

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TIMEOUT = 30


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def running(limit=600, extra=0, elapsed=0, since=0) -> Clock:
    return Clock(
        limit_seconds=limit, extra_seconds=extra, elapsed_seconds=elapsed, running_since=at(since)
    )


@pytest.mark.parametrize(
    ("clock", "now", "last_seen", "expected"),
    [
        (running(), 100, 95, 500),  # kiosk alive: time counts to now
        (running(), 100, None, 500),  # no heartbeat yet: counts to now
        (running(), 100, 70, 500),  # silent exactly the timeout: still counted
        (running(), 100, 60, 540),  # lost: counts only to the last heartbeat
        (running(extra=120), 100, 95, 620),  # extra time
        (running(elapsed=550), 100, 95, 0),  # never below zero
        (Clock(limit_seconds=600, elapsed_seconds=200), 999, 1, 400),  # stopped (paused)
        (running(elapsed=100, since=50), 100, 99, 450),  # banked time plus the current run
    ],
)
def test_remaining(clock, now, last_seen, expected):
    seen = at(last_seen) if last_seen is not None else None
    assert timing.remaining(clock, at(now), seen, TIMEOUT) == pytest.approx(expected)


def test_untimed_section_never_expires():
    clock = Clock(limit_seconds=None, running_since=T0)
    assert timing.remaining(clock, at(10_000), at(10_000), TIMEOUT) is None
    assert not timing.is_expired(clock, at(10_000), at(10_000), TIMEOUT)


def test_expiry_with_grace_and_deadline():
    clock = running(limit=60)
    assert not timing.is_expired(clock, at(59), at(59), TIMEOUT)
    assert timing.is_expired(clock, at(60), at(60), TIMEOUT)
    assert not timing.is_expired(clock, at(61), at(61), TIMEOUT, grace=2)
    assert timing.is_expired(clock, at(62), at(62), TIMEOUT, grace=2)
    assert timing.expired_at(clock, at(62), TIMEOUT) == at(60)
    banked = Clock(limit_seconds=60, elapsed_seconds=40, running_since=at(100))
    assert timing.expired_at(banked, at(130), TIMEOUT) == at(120)


def test_a_lost_kiosk_does_not_run_out_of_time():
    clock = running(limit=60)
    # the kiosk went silent after 10 s: an hour later the section still has 50 s
    assert not timing.is_expired(clock, at(3600), at(10), TIMEOUT)
    assert timing.remaining(clock, at(3600), at(10), TIMEOUT) == pytest.approx(50)


def test_pause_banks_and_start_runs_again():
    clock = timing.bank(running(limit=600), at(100))
    assert clock.running_since is None and clock.elapsed_seconds == pytest.approx(100)
    assert timing.remaining(clock, at(5000), at(5000), TIMEOUT) == pytest.approx(500)
    again = timing.start(clock, at(5000))
    assert timing.remaining(again, at(5060), at(5060), TIMEOUT) == pytest.approx(440)
    closed = Clock(limit_seconds=600, closed_at=at(1))
    assert timing.start(closed, at(5)).running_since is None  # a closed section stays closed


def test_outage_is_given_back_from_the_last_heartbeat():
    clock = running(limit=600)
    assert timing.outage_seconds(at(100), at(125), TIMEOUT) is None  # a short blip
    assert timing.outage_seconds(at(100), at(400), TIMEOUT) == pytest.approx(300)
    back = timing.give_back_outage(clock, at(100), at(400))
    assert back.running_since == at(400) and back.elapsed_seconds == pytest.approx(100)
    assert timing.remaining(back, at(400), at(400), TIMEOUT) == pytest.approx(500)


@pytest.mark.parametrize(
    ("last_seen", "expected"), [(None, "never"), (95, "connected"), (70, "connected"), (69, "lost")]
)
def test_connection_state(last_seen, expected):
    seen = at(last_seen) if last_seen is not None else None
    assert timing.connection_state(seen, at(100), TIMEOUT) == expected


@pytest.mark.parametrize(
    ("plays", "max_plays", "allowed"), [(0, 2, True), (1, 2, True), (2, 2, False), (9, 0, True)]
)
def test_play_limit(plays, max_plays, allowed):
    assert timing.may_play(plays, max_plays) is allowed


def test_every_shipped_section_has_a_time_limit_and_listening_a_play_limit():
    from attest.assessment.purposes import load_purposes

    for purpose in load_purposes().values():
        for section in purpose.sections:
            assert section.time_limit_seconds and section.time_limit_seconds > 0, purpose.code
            if section.skill == "listening":
                assert section.max_plays == 2


@pytest.mark.parametrize(
    "extra",
    [
        "time_limit_minutes: 0",
        "time_limit_minutes: -5",
        "time_limit_minutes: lang",
        "max_plays: -1",
        "max_plays: 1.5",
    ],
)
def test_bad_time_or_play_limits_are_refused(tmp_path, extra):
    from attest.assessment.purposes import PurposeError, load_purposes

    path = tmp_path / "purposes.yaml"
    path.write_text(
        "- code: x\n  title: X\n  lowest_level: A1\n  target_level: A2\n"
        f"  sections:\n    - skill: listening\n      {extra}\n",
        encoding="utf-8",
    )
    with pytest.raises(PurposeError):
        load_purposes(path)
