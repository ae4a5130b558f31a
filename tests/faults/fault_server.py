"""An Attest server in its own process, for fault tests: it stops (sleeps) at a known point of
attestation issuing so that the test can kill it there with SIGKILL.

Usage: python fault_server.py  (settings in the environment: FAULT_CONFIG as JSON for
create_app, FAULT_PAUSE = before_put | after_put | none, FAULT_MARKER = a file written on
reaching the pause; the chosen port is printed on the first line of standard output)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from werkzeug.serving import make_server

import attest.storage as storage
from attest import create_app

PAUSE = os.environ.get("FAULT_PAUSE", "none")
MARKER = Path(os.environ.get("FAULT_MARKER", "/dev/null"))
_put = storage.DirectoryStorage.put


def _pause(key: str) -> None:
    MARKER.write_text(key)
    time.sleep(600)  # the test kills the process here


def put(self, key: str, data: bytes) -> None:
    if key.startswith("attestations/") and PAUSE == "before_put":
        _pause(key)
    _put(self, key, data)
    if key.startswith("attestations/") and PAUSE == "after_put":
        _pause(key)


storage.DirectoryStorage.put = put

if __name__ == "__main__":
    app = create_app(json.loads(os.environ["FAULT_CONFIG"]))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    sys.stdout.close()
    server.serve_forever()
