"""A built wheel runs on its own (issue 14, item 3): built from a copy of the sources, installed
into a fresh virtual environment outside the checkout, it migrates, sets up the demo and serves
pages and a kiosk item, with the templates and the item bank it carries inside the package.

Marked `wheel` (about a minute: one build, one install, two CLI commands, one gunicorn). The new
environment gets no downloads: the wheel is installed without dependencies, which the new
environment reads from this one's site-packages through a .pth file (not processed as a site
directory, so this checkout's editable `attest` stays out of it)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.live import ROOT, Browser, free_port, wait_ready

pytestmark = pytest.mark.wheel

SOURCES = ("setup.py", "setup.cfg", "pyproject.toml", "README.md", "MANIFEST.in")
FOLDERS = ("attest", "templates", "question_banks")
# Made in the installed app by the installed package: a candidate and a session for the kiosk.
SESSION_SCRIPT = """
import json
from datetime import UTC, date, datetime

import sqlalchemy as sa

import attest
from attest import create_app
from attest.assessment.delivery import create_session
from attest.models import Candidate, Centre, User

app = create_app()
with app.app_context():
    db = app.extensions["attest_session"]()
    centre = db.scalar(sa.select(Centre))
    proctor = db.scalar(sa.select(User).where(User.username == "proctor"))
    candidate = Candidate(centre_id=centre.id, family_name="Wheel", given_names="Wendy",
                          birth_date=date(1990, 5, 17), id_document_type="passport",
                          id_document_last4="4567")
    db.add(candidate)
    db.flush()
    ts, code = create_session(db, candidate, "a2-luisteren-lezen", proctor, datetime.now(UTC))
    db.commit()
    print(json.dumps({"code": code, "package": attest.__file__,
                      "templates": app.template_folder, "bank": app.config["BANK_DIR"],
                      "instance": app.instance_path}))
"""


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """Build the wheel from a copy of the sources (no compiled catalogues in it) and install it
    into a fresh venv; return the venv."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in SOURCES:
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")  # as in a fresh clone
    for name in FOLDERS:
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    env = _plain_env()
    pip = [sys.executable, "-m", "pip"]
    _run([*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
          "-w", str(tmp / "dist"), str(source)], tmp, env)  # fmt: skip
    (wheel,) = (tmp / "dist").glob("attest-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp, env)
    site = Path(_run([str(venv / "bin" / "python"), "-c",
                      "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp, env)
                .strip())  # fmt: skip
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "attest-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    _run([*pip, "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps",
          "--no-index", str(wheel)], tmp, env)  # fmt: skip
    return venv


def _plain_env() -> dict[str, str]:
    """The environment without this test run's settings (database, instance, keys)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATTEST_", "DATABASE_URL"))}
    env.pop("SECRET_KEY", None)
    env.pop("PYTHONPATH", None)
    return env | {"PYTHONWARNINGS": "ignore::DeprecationWarning"}


def test_the_wheel_serves_pages_and_a_kiosk_item_outside_the_checkout(installed, tmp_path):
    venv, cwd, env = installed, tmp_path / "elsewhere", _plain_env()
    cwd.mkdir()
    python, attest_cli = str(venv / "bin" / "python"), str(venv / "bin" / "attest")

    assert "database is up to date" in _run([attest_cli, "db", "upgrade"], cwd, env)
    demo = _run([attest_cli, "demo", "setup"], cwd, env)
    enrol = re.search(r"/kiosk/enrol/\S+", demo).group(0)
    made = json.loads(_run([python, "-c", SESSION_SCRIPT], cwd, env).splitlines()[-1])
    # everything comes from the installed package and its default instance, nothing from here
    for key in ("package", "templates", "bank", "instance"):
        assert Path(made[key]).is_relative_to(venv), (key, made[key])
        assert not Path(made[key]).is_relative_to(ROOT), (key, made[key])
    assert (venv / "var" / "attest-instance" / "attest.sqlite3").is_file()

    port = free_port()
    # The session was made by a script, not admitted by a proctor (identity document and photo:
    # tests/web/test_admission_required.py): this server lets its start code work without.
    # The demo bank's clips are synthetic: a live test refuses them unless allowed, as the demo
    # does (tests/web/test_synthetic_refusal.py).
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "attest:create_app()"],
        cwd=cwd,
        env={**env, "ATTEST_ADMISSION": "optional", "ATTEST_SYNTHETIC_AUDIO": "allow"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, server)
        browser = Browser()
        status, home, _ = browser.get(base + "/")
        assert status == 200 and "/login" in home and "<html" in home
        status, english, _ = browser.get(base + "/login?lang=en")
        assert status == 200 and "Password" in english  # catalogues compiled into the wheel

        kiosk = Browser()
        assert kiosk.get(base + enrol)[0] == 302
        assert kiosk.get(base + "/kiosk/")[0] == 200
        status, _, headers = kiosk.post(base + "/kiosk/", {"code": made["code"]})
        assert status == 302 and headers["Location"].endswith("/kiosk/language")
        assert kiosk.get(base + "/kiosk/language")[0] == 200
        assert kiosk.post(base + "/kiosk/language", {"language": "nl"})[0] == 302
        assert kiosk.get(base + "/kiosk/sound-check")[0] == 200  # before the first clip
        assert kiosk.post(base + "/kiosk/sound-check", {"result": "ok"})[0] == 302
        status, item, _ = kiosk.get(base + "/kiosk/item/1")
        assert status == 200, item[:500]
        assert 'class="item-form"' in item and 'data-position="1"' in item
        # the clip of the listening item comes from the bank inside the installed package
        status, body, _ = kiosk.post_json(base + "/kiosk/item/1/play", {}, csrf=True)
        assert status == 200, body
        clip = json.loads(body)["src"]
        assert clip.startswith("/kiosk/media/")
        with kiosk.opener.open(base + clip, timeout=30) as response:
            assert response.headers["Content-Type"].startswith("audio/")
            assert response.read(4) == b"OggS"
    finally:
        server.terminate()
        server.wait(timeout=60)
