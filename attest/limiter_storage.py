"""In-process rate-limit counters without a thread per hit.

The `memory://` storage of `limits` (5.x) starts a `threading.Timer` whenever its previous 10 ms
timer has ended, so under steady traffic almost every counted request starts a thread: on the
verification routes that was the largest single cost of a request. Counters already expire
when they are read (`MemoryStorage.get`), so the sweep that frees keys nobody reads again can
run inline, at most once a second, instead. Limits, windows and keys are unchanged.

Importing this module registers the class for the `memory` scheme, so every `memory://`
storage URI (the default without Redis, and tests) gets it; Redis storage is untouched."""

from __future__ import annotations

import time

from limits.storage import MemoryStorage

SWEEP_SECONDS = 1.0


class InlineExpiryMemoryStorage(MemoryStorage):
    """`MemoryStorage` whose expired keys are swept inline, at most once per SWEEP_SECONDS."""

    STORAGE_SCHEME = ["memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    # Called by MemoryStorage.incr/decr/acquire_entry (name-mangled there) to schedule expiry.
    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - overrides the mangled name
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()
