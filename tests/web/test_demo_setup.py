"""`attest demo setup` (what `make run` does) works twice in a row and prints what to open."""

import sqlalchemy as sa

from attest.models import BenchmarkText, CalibrationAttempt, Kiosk, Role, SigningKey, User


def test_demo_setup_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "setup"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "setup"])
    assert second.exit_code == 0, second.output
    for text in ("/login", "/kiosk/enrol/", "proctor", "demo-proctor-pass", "examiner3"):
        assert text in second.output
    assert "panellist  demo-panellist-pass" in second.output  # printed with the other logins
    assert db.scalar(sa.select(sa.func.count()).select_from(User)) == 9
    panellist = db.scalar(sa.select(User).where(User.username == "panellist"))
    assert panellist.role is Role.PANELLIST and panellist.has_totp and panellist.centre is None
    seniors = db.scalars(sa.select(User.username).where(User.is_senior_examiner)).all()
    assert sorted(seniors) == ["examiner3", "examiner6"]
    exempted = db.scalar(sa.select(sa.func.count()).select_from(CalibrationAttempt))
    assert exempted == 6  # the six demo examiners can score at once, exempted only once
    assert db.scalar(sa.select(sa.func.count()).select_from(Kiosk)) == 1
    assert db.scalar(sa.select(sa.func.count()).select_from(SigningKey)) == 1
    assert "0 added" in second.output
    # The writing benchmarks are loaded once, for standard-setting panels (issue [17]).
    assert "benchmark texts (standard setting): 27 added" in first.output
    assert "benchmark texts (standard setting): 0 added, 0 updated, 27 unchanged" in second.output
    assert db.scalar(sa.select(sa.func.count()).select_from(BenchmarkText)) == 27


def test_enrolment_link_from_demo_setup_registers_the_browser_once(app, db):
    output = app.test_cli_runner().invoke(args=["demo", "setup"]).output
    path = "/kiosk/enrol/" + output.split("/kiosk/enrol/")[1].split()[0]
    browser = app.test_client()
    response = browser.get(path)
    assert response.status_code == 302
    assert browser.get("/kiosk/").status_code == 200
    assert app.test_client().get(path).status_code == 403  # a used link does not work again


def test_the_demo_panellist_logs_in_to_the_panel_pages(app, db):
    from tests.web.helpers import login

    output = app.test_cli_runner().invoke(args=["demo", "setup"]).output
    secret = output.split("panellist", 1)[1]
    browser = app.test_client()
    user = db.scalar(sa.select(User).where(User.username == "panellist"))
    login(browser, "panellist", "demo-panellist-pass", user.totp_secret)
    assert user.totp_secret in secret  # its TOTP key is printed
    assert browser.get("/").headers["Location"].endswith("/panels/")
    assert browser.get("/panels/").status_code == 200
    assert browser.get("/admin/panels/").status_code == 403
