"""The kiosk: the pages and JSON calls a candidate's browser uses during a test.

`bp` is the blueprint `kiosk` (url prefix `/kiosk`); its routes live in the modules below and
its templates in the top-level `templates/kiosk/`. The blueprint is built on first use
(`from attest.kiosk import bp`, in create_app), so that importing the pure `languages` module
loads no Flask.

- `pages.py`: the request hooks (registered kiosk, display modes); enrolment, start code,
  language, instructions, items, finish, media;
- `current.py`: what every route shares: the session in progress, the time, the heartbeat
  timeout, the display-mode classes;
- `session_pages.py`: heartbeat (the section clock), audio plays, sound check, pause, focus;
- `capture.py`: the JSON calls of kiosk.js: queued answers, drafts, microphone, chunked uploads;
- `json_bodies.py`: reading a JSON call's body, field by field, with typed refusals;
- `messages.py`: what the candidate is told when the server refuses;
- `control.py`: services for plays, sound check and focus reports;
- `languages.py` (pure): the kiosk's languages and the general instructions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Blueprint

    bp: Blueprint


def __getattr__(name: str) -> Any:
    if name == "bp":
        return _blueprint()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _blueprint() -> Blueprint:
    """Build the blueprint once, then import the modules that add its hooks and routes."""
    global bp
    from flask import Blueprint

    bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
    from attest.kiosk import capture, pages, session_pages  # noqa: F401  (hooks, routes)

    return bp
