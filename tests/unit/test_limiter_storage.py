"""In-process rate limits count and expire as before, without starting a thread per hit."""

import threading

import limits
import pytest
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

import attest.extensions  # noqa: F401 - registers the storage, as create_app does
from attest import limiter_storage
from attest.limiter_storage import InlineExpiryMemoryStorage


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(limits.storage.memory.time, "time", clock)
    monkeypatch.setattr(limiter_storage.time, "monotonic", clock)
    return clock


def test_memory_uri_gets_the_inline_storage():
    assert isinstance(storage_from_string("memory://"), InlineExpiryMemoryStorage)


def test_hits_start_no_thread_and_the_limit_holds(monkeypatch, clock):
    storage = storage_from_string("memory://")
    storage.timer.join()  # the one timer its constructor starts has run
    started = []
    monkeypatch.setattr(threading, "Timer", lambda *a, **k: started.append(a))
    limiter = FixedWindowRateLimiter(storage)
    rule = limits.parse("3/minute")
    answers = [limiter.hit(rule, "client-a") for _ in range(4)]
    assert answers == [True, True, True, False]
    assert limiter.hit(rule, "client-b")  # another key counts alone
    for k in range(200):
        clock.now += 0.01
        limiter.hit(limits.parse("1000/minute"), f"busy-{k % 7}")
    assert started == []
    clock.now += 61  # the window has passed: the client may look up again
    assert limiter.hit(rule, "client-a")


def test_keys_nobody_reads_again_are_swept(clock):
    storage = storage_from_string("memory://")
    limiter = FixedWindowRateLimiter(storage)
    for k in range(50):
        limiter.hit(limits.parse("5/second"), f"once-{k}")
    assert len(storage.storage) == 50
    clock.now += 2 * limiter_storage.SWEEP_SECONDS
    limiter.hit(limits.parse("5/second"), "later")
    assert set(storage.storage) == {next(k for k in storage.storage if "later" in k)}
