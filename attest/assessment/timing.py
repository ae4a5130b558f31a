"""Section clocks kept by the server: elapsed and remaining time, outages, play counts.

Plain data in, plain data out (no Flask, no ORM), so the rules can be tested with a movable clock.

A section's clock runs from the moment its first item is shown. It stops while the session is
paused, and once the kiosk has been silent (no request, no heartbeat) for longer than the heartbeat
timeout it counts only up to the last heartbeat: a crashed or unplugged kiosk does not eat the
candidate's time. When the kiosk comes back (or the session is resumed on another kiosk), the clock
restarts and the silence from the last heartbeat on is recorded as an outage."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

HEARTBEAT_SECONDS = 10  # how often a kiosk pings the server
HEARTBEAT_TIMEOUT_SECONDS = 30  # silent for longer than this: connection lost, clock stops
# An answer sent just before the deadline may arrive a moment after it: network latency.
GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class Clock:
    """One section's clock: its limit, the extra time granted and the time banked so far.

    `running_since` is set while the clock runs; `elapsed_seconds` holds what was counted before
    (pauses and outages bank the running time and clear `running_since`)."""

    limit_seconds: float | None  # None: the section has no time limit
    extra_seconds: float = 0.0
    elapsed_seconds: float = 0.0
    running_since: datetime | None = None
    closed_at: datetime | None = None

    @property
    def allowed_seconds(self) -> float | None:
        """Return the total time allowed (limit plus extra time), None when untimed."""
        if self.limit_seconds is None:
            return None
        return self.limit_seconds + self.extra_seconds


def counted_until(now: datetime, last_seen: datetime | None, timeout: float) -> datetime:
    """Return up to when time counts: now, or the last heartbeat once the kiosk is lost.

    Counting only to the last heartbeat of a lost kiosk gives the candidate the whole silence
    back, the same amount whether the proctor looks now or the kiosk reconnects later."""
    if last_seen is None or (now - last_seen).total_seconds() <= timeout:
        return now
    return last_seen


def elapsed(clock: Clock, now: datetime, last_seen: datetime | None, timeout: float) -> float:
    """Return the seconds counted on a clock at `now`."""
    total = clock.elapsed_seconds
    if clock.running_since is not None and clock.closed_at is None:
        until = counted_until(now, last_seen, timeout)
        total += max(0.0, (until - clock.running_since).total_seconds())
    return total


def remaining(
    clock: Clock, now: datetime, last_seen: datetime | None, timeout: float
) -> float | None:
    """Return the seconds left (never below zero), None for an untimed section."""
    allowed = clock.allowed_seconds
    if allowed is None:
        return None
    return max(0.0, allowed - elapsed(clock, now, last_seen, timeout))


def is_expired(
    clock: Clock,
    now: datetime,
    last_seen: datetime | None,
    timeout: float,
    grace: float = 0.0,
) -> bool:
    """Tell whether the clock's time (plus `grace` seconds) has run out at `now`."""
    allowed = clock.allowed_seconds
    if allowed is None:
        return False
    return elapsed(clock, now, last_seen, timeout) >= allowed + grace


def expired_at(clock: Clock, last_seen: datetime | None, timeout: float) -> datetime | None:
    """Return when a running clock reached its limit (None while time is left or when stopped).

    Only meaningful once is_expired() holds: the moment is reconstructed from the run start."""
    allowed = clock.allowed_seconds
    if allowed is None or clock.running_since is None:
        return None
    return clock.running_since + timedelta(seconds=max(0.0, allowed - clock.elapsed_seconds))


def bank(clock: Clock, until: datetime) -> Clock:
    """Stop a running clock at `until`, keeping what it counted up to then."""
    if clock.running_since is None:
        return clock
    counted = max(0.0, (until - clock.running_since).total_seconds())
    return replace(clock, elapsed_seconds=clock.elapsed_seconds + counted, running_since=None)


def start(clock: Clock, now: datetime) -> Clock:
    """Let a stopped clock run from `now` (a closed clock stays closed)."""
    if clock.closed_at is not None or clock.running_since is not None:
        return clock
    return replace(clock, running_since=now)


def outage_seconds(last_seen: datetime | None, now: datetime, timeout: float) -> float | None:
    """Return how long the kiosk was silent when that exceeds the timeout, else None."""
    if last_seen is None:
        return None
    silent = (now - last_seen).total_seconds()
    return silent if silent > timeout else None


def give_back_outage(clock: Clock, last_seen: datetime, now: datetime) -> Clock:
    """After an outage, count time only up to the last heartbeat and restart the clock now."""
    if clock.running_since is None or clock.closed_at is not None:
        return clock
    return replace(bank(clock, max(last_seen, clock.running_since)), running_since=now)


def connection_state(last_seen: datetime | None, now: datetime, timeout: float) -> str:
    """Return 'never' (no kiosk yet), 'connected' or 'lost' from the last heartbeat."""
    if last_seen is None:
        return "never"
    return "connected" if (now - last_seen).total_seconds() <= timeout else "lost"


def may_play(plays: int, max_plays: int) -> bool:
    """Tell whether a listening clip may be played once more (max_plays 0: unlimited)."""
    return max_plays <= 0 or plays < max_plays
