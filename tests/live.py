"""Run the app as real gunicorn processes and talk to them like a browser (tests, benchmarks)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_processes(
    count: int, env: dict[str, str], workers: int = 1, log_dir: Path | None = None
) -> Iterator[list[str]]:
    """Start `count` gunicorn servers (own ports) with the repository's gunicorn.conf.py."""
    procs, urls, logs = [], [], []
    bin_dir = Path(sys.executable).parent
    try:
        for k in range(count):
            port = free_port()
            log = open(log_dir / f"gunicorn-{k}.log", "wb") if log_dir else subprocess.DEVNULL
            logs.append(log)
            proc = subprocess.Popen(
                [str(bin_dir / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
                cwd=ROOT,
                env=os.environ
                | env
                | {"ATTEST_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            procs.append(proc)
            urls.append(f"http://127.0.0.1:{port}")
        for url, proc in zip(urls, procs, strict=True):
            wait_ready(url, proc)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in logs:
            if log is not subprocess.DEVNULL:
                log.close()


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn at {url} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn at {url} not ready after {timeout:.0f}s")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects (cookies ignore the port,
    as in a real browser, so one Browser can talk to several app processes on one host)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.last_csrf: str | None = None

    def set_cookie(self, name: str, value: str) -> None:
        cookie = http.cookiejar.Cookie(
            0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None,
            False, None, None, {},
        )  # fmt: skip
        self.jar.set_cookie(cookie)

    def request(
        self, method: str, url: str, data: dict | None = None, headers: dict | None = None
    ) -> tuple[int, str, dict[str, str]]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as response:
                status, text, hdrs = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as err:
            status, text, hdrs = err.code, err.read().decode(errors="replace"), err.headers
        match = _CSRF.search(text)
        if match:
            self.last_csrf = match.group(1)
        return status, text, dict(hdrs)

    def get(self, url: str, **kw):
        return self.request("GET", url, **kw)

    def post(self, url: str, data: dict, **kw):
        return self.request("POST", url, data={**data, "csrf_token": self.last_csrf or ""}, **kw)

    def post_json(
        self, url: str, document: dict, csrf: bool = False
    ) -> tuple[int, str, dict[str, str]]:
        """POST a JSON document: an API call, or with `csrf` a page's own call (the token of
        the last page in the X-CSRFToken header, as the page's script sends it)."""
        headers = {"Content-Type": "application/json"}
        if csrf:
            headers["X-CSRFToken"] = self.last_csrf or ""
        req = urllib.request.Request(
            url, data=json.dumps(document).encode(), method="POST", headers=headers
        )
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(errors="replace"), dict(err.headers)
