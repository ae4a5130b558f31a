"""The attempt counter of attest.auth.throttle on a real database: its window, its lock, and
a lock that has run out starting the count again."""

from __future__ import annotations

from datetime import timedelta

from attest.auth.throttle import ThrottlePolicy, clear, is_locked, release, take_attempt

POLICY = ThrottlePolicy(max_failures=3, lock_seconds=300, window_seconds=900)


def test_attempts_are_numbered_and_the_last_allowed_one_locks(db, now):
    assert [take_attempt(db, "u:a", now, POLICY) for _ in range(5)] == [1, 2, 3, 4, 5]
    assert is_locked(db, "u:a", now) and not is_locked(db, "u:other", now)
    assert is_locked(db, "u:a", now + timedelta(seconds=299))


def test_a_lock_that_ran_out_starts_the_count_again(db, now):
    for _ in range(3):
        take_attempt(db, "u:b", now, POLICY)
    later = now + timedelta(seconds=301)
    assert not is_locked(db, "u:b", later)
    assert take_attempt(db, "u:b", later, POLICY) == 1


def test_the_window_forgets_old_failures(db, now):
    take_attempt(db, "u:c", now, POLICY)
    take_attempt(db, "u:c", now, POLICY)
    assert take_attempt(db, "u:c", now + timedelta(seconds=901), POLICY) == 1


def test_release_gives_an_attempt_back_and_clear_forgets_it(db, now):
    for _ in range(3):
        take_attempt(db, "ip:d", now, POLICY)
    assert is_locked(db, "ip:d", now)
    release(db, "ip:d", POLICY)
    assert not is_locked(db, "ip:d", now)
    assert take_attempt(db, "ip:d", now, POLICY) == 3
    clear(db, ["ip:d"])
    assert take_attempt(db, "ip:d", now, POLICY) == 1
