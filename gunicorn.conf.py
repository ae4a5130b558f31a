"""Gunicorn settings for Attest: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment, so one file serves every centre's servers:

| variable                | meaning                                         | default          |
| ----------------------- | ----------------------------------------------- | ---------------- |
| ATTEST_BIND             | address:port (or unix:/path) to listen on       | 127.0.0.1:8000   |
| WEB_CONCURRENCY         | worker processes                                | 2 x cores + 1    |
| ATTEST_THREADS          | threads per worker (gthread)                    | 4                |
| ATTEST_TIMEOUT          | seconds before a silent worker is restarted     | 30               |
| ATTEST_MAX_REQUESTS     | requests after which a worker is recycled       | 20000 (± 50 %)   |
| ATTEST_FORWARDED_ALLOW  | proxy addresses trusted for X-Forwarded-*       | 127.0.0.1        |

Workers are stateless: sessions live in signed cookies, rate limits and shared state in Redis
(ATTEST_REDIS_URL), data in PostgreSQL (DATABASE_URL), files in ATTEST_STORAGE_DIR. So any number
of workers on any number of machines behave as one system. The app is not preloaded: each
worker opens its own database pool after the fork (pools must never be shared across a fork).
Logs are JSON lines on stderr (attest/logs.py); gunicorn's own messages use the same format,
and its access log is off because the app writes one access line per request with its id.
"""

import multiprocessing
import os

bind = os.environ.get("ATTEST_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("ATTEST_THREADS", "4"))
timeout = int(os.environ.get("ATTEST_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Workers are recycled now and then (a leak cannot grow for ever). The jitter is half the limit so
# that workers, which all start together, do not restart together: with 10 % the region benchmark
# saw every worker recycle within seconds of the others and no one accepting for 10-25 s. A busy
# worker serves ~50 requests a second and its memory stays flat (210-280 MiB in the region
# benchmark), so 20,000 means a restart every few minutes at peak; at 5,000 it was every ~100 s,
# and each restart (~1 s to boot) showed in the answers' p99 (benchmarks/RESULTS.md).
max_requests = int(os.environ.get("ATTEST_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 2
preload_app = False
forwarded_allow_ips = os.environ.get("ATTEST_FORWARDED_ALLOW", "127.0.0.1")
# Recordings are uploaded through the app; the app limits the body size (MAX_CONTENT_LENGTH).
limit_request_line = 8190
# Several instances may run on one host: no shared default control socket (gunicorn >= 24).
control_socket_disable = "ATTEST_CONTROL_SOCKET" not in os.environ
control_socket = os.environ.get("ATTEST_CONTROL_SOCKET", "")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("ATTEST_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "attest.logs.JsonFormatter"}},
    "filters": {"request_id": {"()": "attest.logs.RequestIdFilter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
            "stream": "ext://sys.stderr",
        }
    },
    # The app adds its own JSON handler to the root logger (attest/logs.py).
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}
