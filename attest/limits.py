"""Rate-limit keys and counters outside Flask-Limiter's decorators.

Keys name no client address and no attestation code in clear: they are the same keyed
pseudonyms the logs use (attest.certificates.verify.pseudonym), so that Redis holds no more
than the logs do. A counter whose storage (Redis) does not answer falls back to this process's
memory, with a warning in the log, instead of failing the request."""

from __future__ import annotations

import logging
import math
import time

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)
_process_limiter = FixedWindowRateLimiter(MemoryStorage())


def hashed(value: str) -> str:
    """The pseudonym of a value in rate-limit keys (as in the logs)."""
    from attest.certificates.verify import pseudonym

    return pseudonym(current_app.config["SECRET_KEY"], value)


def hashed_client_address() -> str:
    """Default rate-limit key: the client address (after ProxyFix), pseudonymised; computed
    once per request (Flask-Limiter asks for it for every limit it checks)."""
    try:
        return g.attest_client_key
    except AttributeError:
        g.attest_client_key = hashed(get_remote_address() or request.remote_addr or "-")
        return g.attest_client_key


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
