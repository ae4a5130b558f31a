"""Staff login: argon2 hashes, wrong passwords refused, throttling, CSRF, CLI account creation."""

import sqlalchemy as sa

from attest.models import LoginThrottle, Role, User
from tests.factories import PASSWORD, make_user
from tests.web.helpers import csrf, login


def test_password_is_stored_as_argon2_hash(db):
    user = make_user(db, role=Role.PROCTOR)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_right_password_logs_in_and_wrong_password_is_refused(app, db, client):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    bad = login(client, user.username, "not the password")
    assert bad.status_code == 401
    assert "niet juist" in bad.get_data(as_text=True)
    assert client.get("/proctor/").status_code == 302  # still anonymous
    good = login(client, user.username)
    assert good.status_code == 302
    assert client.get("/proctor/").status_code == 200


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(db, client):
    response = login(client, "nobody-here", "whatever password")
    assert response.status_code == 401
    assert "niet juist" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_even_for_the_right_password(app, db, client):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, user.username, "wrong password!")
    locked = login(client, user.username)
    assert locked.status_code == 429
    assert "Te veel mislukte pogingen" in locked.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) >= 1
    # The stored throttle keys reveal neither the username nor the address.
    keys = db.scalars(sa.select(LoginThrottle.key)).all()
    assert all(user.username not in k and "127.0.0.1" not in k for k in keys)


def test_login_form_without_csrf_token_is_refused(db, client):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/proctor/").status_code == 302


def test_logout_requires_post_with_csrf(db, client):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    login(client, user.username)
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": csrf(client, "/proctor/")}).status_code == 302
    assert client.get("/proctor/").status_code == 302


def test_open_redirect_after_login_is_ignored(db, client):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    token = csrf(client)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"username": user.username, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_cli_creates_users_and_refuses_weak_passwords(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "Beheer",
            "--role",
            "admin",
            "--password",
            "a-long-enough-password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.scalar(sa.select(User).where(User.username == "beheer"))
    assert user is not None and user.role is Role.ADMIN
    weak = runner.invoke(
        args=["users", "create", "--username", "x", "--role", "admin", "--password", "short"]
    )
    assert weak.exit_code != 0 and "password" in weak.output
    orphan = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "p",
            "--role",
            "proctor",
            "--password",
            "a-long-enough-password",
        ]
    )
    assert orphan.exit_code != 0 and "centre" in orphan.output


def test_login_starts_a_fresh_session(app, db, client):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client, user.username)
    with client.session_transaction() as sess:
        assert "planted" not in sess and sess.get("_user_id") == str(user.id)


def test_idle_and_old_sessions_end(app, db, client):
    import time

    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    login(client, user.username)
    assert client.get("/proctor/").status_code == 200
    with client.session_transaction() as sess:
        sess["seen_at"] = time.time() - 31 * 60  # idle for 31 minutes
    idle = client.get("/proctor/")
    assert idle.status_code == 302 and "/login" in idle.headers["Location"]
    login(client, user.username)
    with client.session_transaction() as sess:
        sess["login_at"] = time.time() - 13 * 3600  # logged in 13 hours ago, active all along
    assert client.get("/proctor/").status_code == 302


def test_logout_everywhere_ends_the_other_devices_too(app, db, client):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    other_device = app.test_client()
    login(client, user.username)
    login(other_device, user.username)
    assert other_device.get("/proctor/").status_code == 200
    client.post("/logout-everywhere", data={"csrf_token": csrf(client, "/proctor/")})
    assert other_device.get("/proctor/").status_code == 302
    assert client.get("/proctor/").status_code == 302
    login(other_device, user.username)  # a new login works again
    assert other_device.get("/proctor/").status_code == 200
