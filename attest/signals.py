"""What happens on the main path, announced to whoever reacts (blinker signals).

A step of the main path announces what it did instead of calling the next step itself, so that
delivery does not import scoring and scoring does not import issuing (the path is a line, not a
circle). The receivers are connected where the app is built (`attest.wiring.connect_main_path`,
called by `create_app`, so the web app and the CLI both have them). Every signal is sent in the
sender's transaction: a receiver only flushes, and what it does is committed or rolled back
with the step that announced it.

Pure module: no Flask, no ORM."""

from __future__ import annotations

from blinker import Namespace

main_path = Namespace()

# sender: the TestSession just completed (its receptive results are flushed);
# keywords: session (the ORM session), now.
session_finished = main_path.signal("session-finished")

# sender: the TestSession; keywords: session, skill, at (the deadline). Sent just before a
# section closes because its time ran out, to keep what the candidate gave but never submitted.
section_timed_out = main_path.signal("section-timed-out")

# sender: the RemarkRequest just completed (new_level and completed_at set); keywords: session,
# performance, changed ({skill: (old level, new level)} of the session's results), now.
# A receiver that replaces the attestation sets the request's old/new attestation ids.
remark_completed = main_path.signal("remark-completed")
