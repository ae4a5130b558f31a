"""The main path is wired where the app is built: the issuing service sits on the app and the
receivers of the main path's signals are connected, for the web app and the CLI alike."""

from __future__ import annotations

from pathlib import Path

from blinker import ANY

from attest import create_app, signals
from attest.certificates.issuing import Issuer, issuer_of
from attest.examiner.scoring import queue_performances
from attest.wiring import keep_unsent_work, reissue_if_changed


def _receivers(signal) -> list:
    return list(signal.receivers_for(ANY))


def test_the_app_factory_builds_the_issuer_from_the_settings(app):
    issuer = issuer_of(app)
    assert isinstance(issuer, Issuer)
    assert issuer.public_url == app.config["PUBLIC_URL"] == "https://attest.example"
    assert issuer.name == app.config["ISSUER_NAME"]
    assert issuer.keys_dir == Path(app.config["KEYS_DIR"])
    assert issuer.storage.root == Path(app.config["STORAGE_DIR"])
    assert issuer.verify_url("ATT-7KQ2-M9XP") == "https://attest.example/v/ATT-7KQ2-M9XP"


def test_the_main_path_signals_have_their_receivers_once(app, tmp_path):
    create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "other"), "LOG_FORMAT": "none"})
    assert _receivers(signals.session_finished) == [queue_performances]
    assert _receivers(signals.section_timed_out) == [keep_unsent_work]
    assert _receivers(signals.remark_completed) == [reissue_if_changed]


def test_the_cli_runs_in_an_app_with_the_same_wiring(app):
    seen = []

    @app.cli.command("probe-wiring")
    def probe() -> None:
        from flask import current_app

        seen.append(issuer_of(current_app))

    result = app.test_cli_runner().invoke(args=["probe-wiring"])
    assert result.exit_code == 0, result.output
    assert seen == [issuer_of(app)]
