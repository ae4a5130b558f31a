"""A live server in a thread and headless Chromium (Debian's) driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
import time

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("ATTEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # a fake microphone (a tone) and no permission prompt, for spoken answers
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Wait until a JavaScript expression is true in the page.

    Playwright's wait_for_function re-evaluates its predicate with eval() while it polls, which
    the kiosk's Content-Security-Policy (no 'unsafe-eval') refuses whenever the condition is not
    true at once; page.evaluate is not subject to it, so poll with that."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s: {expression}")
        time.sleep(0.1)


def wait_for(condition, timeout: float = 10.0, what: str = "the condition"):
    """Poll `condition()` (e.g. a database query after db.expire_all()) until it returns
    something true, and return that; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met after {timeout} s")
        time.sleep(0.1)
    return result


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop running in this thread while it
    # is open, which would break code that calls asyncio.run() (pyHanko) in later tests.
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    context.grant_permissions(["microphone"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
