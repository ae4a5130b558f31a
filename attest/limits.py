"""Rate-limit keys and counters outside Flask-Limiter's decorators.

Keys name no client address and no attestation code in clear: they are the same keyed
pseudonyms the logs use (attest.limit_keys, attest.pseudonyms), so that Redis holds no more
than the logs do. A counter whose storage (Redis) does not answer falls back to this process's
memory, with a warning in the log, instead of failing the request."""

from __future__ import annotations

import logging
import math
import time

from flask import current_app
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from attest.limit_keys import hashed  # noqa: F401 - imported from here by the verify views

log = logging.getLogger(__name__)
_process_limiter = FixedWindowRateLimiter(MemoryStorage())


def count_failure(limit: str, scope: str, key: str) -> int:
    """Count one failure under `scope`/`key` against every window of `limit`; return 0 while
    all windows allow it, else the seconds until the exceeded one resets (for Retry-After)."""
    from attest.extensions import limiter

    items = parse_many(limit)
    scope = f"{current_app.config.get('RATELIMIT_KEY_PREFIX', '')}/{scope}"
    try:
        return _count(limiter.limiter, items, scope, key)
    except Exception:  # noqa: BLE001 - any storage failure: count in this process instead
        log.warning("rate-limit storage unreachable: %s counted in this process only", scope)
        return _count(_process_limiter, items, scope, key)


def _count(strategy, items, scope: str, key: str) -> int:
    refused = [item for item in items if not strategy.hit(item, scope, key)]
    if not refused:
        return 0
    resets = [strategy.get_window_stats(item, scope, key).reset_time for item in refused]
    return max(1, math.ceil(max(resets) - time.time()))
