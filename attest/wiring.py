"""The main path's services and reactions, connected once where the app is built.

`create_app` calls `connect_main_path(app)`, so the web app and the CLI (whose commands run in
an app built by the same factory) react alike:

- the issuing service (`certificates.issuing.Issuer`) is built from the settings and kept on
  the app (`issuing.issuer_of(app)`), with the storage it shares with the kiosk's uploads;
- a finished session queues its productive answers for the examiners
  (`signals.session_finished` -> `examiner.scoring.queue_performances`);
- a section whose time ran out keeps what the candidate gave but never submitted
  (`signals.section_timed_out` -> `recording_uploads.salvage_unsent`);
- a completed re-mark that changed a level replaces the attestation
  (`signals.remark_completed` -> `issuing.reissue_after_remark`).

The receivers are plain functions, connected once per process (connecting one again changes
nothing); those that need the app's services find them on the current app, so they run in a
request or a CLI command (or in a test's `app.app_context()`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Mapping

from attest import signals
from attest.assessment.recording_uploads import salvage_unsent
from attest.certificates.issuing import EXTENSION, Issuer, issuer_of, reissue_after_remark
from attest.examiner.scoring import queue_performances

if TYPE_CHECKING:
    import sqlalchemy.orm as so
    from flask import Flask

    from attest.models import Performance, RemarkRequest, TestSession


def connect_main_path(app: Flask) -> None:
    """Build the issuing service for `app` and connect the main path's receivers."""
    app.extensions[EXTENSION] = Issuer.from_config(app.config)
    signals.session_finished.connect(queue_performances)
    signals.section_timed_out.connect(keep_unsent_work)
    signals.remark_completed.connect(reissue_if_changed)


def _issuer() -> Issuer:
    from flask import current_app

    return issuer_of(current_app)


def keep_unsent_work(ts: TestSession, *, session: so.Session, skill: str, at: datetime) -> None:
    """Receiver of `section_timed_out`: the saved writing drafts and fully uploaded recordings
    of the section become the answers (an upload with chunks missing calls the proctor)."""
    salvage_unsent(session, _issuer().storage, ts, at, skill=skill)


def reissue_if_changed(
    request: RemarkRequest,
    *,
    session: so.Session,
    performance: Performance,
    changed: Mapping[str, tuple[str | None, str]],
    now: datetime,
) -> None:
    """Receiver of `remark_completed`: replace the attestation when a level changed."""
    reissue_after_remark(session, request, performance, changed, now, _issuer())
