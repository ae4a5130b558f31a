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
from flask_limiter.constants import HeaderNames
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


class ClientLimit:
    """A limit shared by several views, counted once per request per client, with one direct
    `limits` hit instead of Flask-Limiter's decorator (which resolves, filters and evaluates its
    limits anew on every request, the costliest part of a verification scan after the read).

    What it keeps of Flask-Limiter's shared limit: the limiter's storage and strategy (Redis or
    process memory, fixed window), the same storage keys (`LIMITER/<prefix>/<client
    pseudonym>/<scope>/<amount>/<multiples>/<granularity>`, so counts carry over), the same
    response headers (X-RateLimit-Limit/-Remaining/-Reset and Retry-After, written by
    `install_limit_headers`, on every answer of the view, refused or not) and a 429 past the
    limit, answered by the app's 429 handler. When the storage does not answer it counts in
    this process, with a warning in the log, like `count_failure`."""

    def __init__(self, limit, scope: str, exempt_when=None) -> None:
        self.limit = limit  # a callable returning the limit text, read per request (settings)
        self.scope = scope
        self.exempt_when = exempt_when

    def __call__(self, view):
        from functools import wraps

        @wraps(view)
        def limited(*args, **kwargs):
            self.hit()
            return view(*args, **kwargs)

        return limited

    def hit(self) -> None:
        """Count this request; answer 429 past the limit."""
        from flask import abort, g

        from attest.extensions import limiter
        from attest.limit_keys import hashed_client_address

        if not limiter.enabled or (self.exempt_when is not None and self.exempt_when()):
            return
        args = (current_app.config["RATELIMIT_KEY_PREFIX"], hashed_client_address(), self.scope)
        items = _parsed(self.limit())
        try:
            refused, window = _hit(limiter.limiter, items, args)
        except Exception:  # noqa: BLE001 - any storage failure: count in this process instead
            log.warning(
                "rate-limit storage unreachable: %s counted in this process only", self.scope
            )
            refused, window = _hit(_process_limiter, items, args)
        g.attest_limit_window = window
        if refused:
            abort(429)


def _parsed(text: str):
    """The limit items of a limit text (kept: the text changes only with the settings)."""
    items = _PARSED.get(text)
    if items is None:
        items = _PARSED[text] = tuple(parse_many(text))
    return items


_PARSED: dict[str, tuple] = {}


def _hit(strategy, items, args: tuple) -> tuple[bool, tuple]:
    """Hit every window of a limit, in Flask-Limiter's order (the smallest first); return
    whether one refused and what the headers say: (limit, remaining, reset time) of the first
    refusing window, else of the first window."""
    shown = None
    for item in sorted(items):
        if not strategy.hit(item, *args):
            return True, _window(strategy, item, args)
        if shown is None:
            shown = item
    return False, _window(strategy, shown, args)


def _window(strategy, item, args: tuple) -> tuple:
    reset_time, remaining = strategy.get_window_stats(item, *args)
    return item.amount, remaining, int(reset_time + 1)


def install_limit_headers(app) -> None:
    """Write the rate-limit headers of a request counted by a ClientLimit, on whatever answer
    it got (also a 429 or an error page), as Flask-Limiter writes them for its own limits."""
    from flask import g

    from attest.extensions import limiter

    @app.after_request
    def limit_headers(response):
        window = g.pop("attest_limit_window", None)
        if window is None or not limiter._headers_enabled:
            return response
        names = limiter._header_mapping
        amount, remaining, reset_at = window
        headers = response.headers
        headers.add(names[HeaderNames.LIMIT], str(amount))
        headers.add(names[HeaderNames.REMAINING], str(remaining))
        headers.add(names[HeaderNames.RESET], str(reset_at))
        existing = headers.get("Retry-After")
        if existing is not None:  # e.g. the per-code count's: the later of the two counts
            reset_at = max(int(time.time() + int(existing)), reset_at)
        headers.set(names[HeaderNames.RETRY_AFTER], str(int(reset_at - time.time())))
        return response
