"""TOTP second step for admins and examiners: enrolment with a QR code, confirmation, recovery
codes, replay refused, wrong codes throttled, no page before the second step, a fresh session."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa

from attest import totp
from attest.models import AuditEvent, RecoveryCode, Role, User
from tests.conftest import csrf_from
from tests.factories import PASSWORD, TOTP_SECRET, make_user, totp_code
from tests.web.helpers import login


def _password_step(client, username: str):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )


def _post_code(client, url: str, code: str):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"code": code, "csrf_token": token})


# the default ATTEST_TOTP_REQUIRED_ROLES: authors too, since they change live content
@pytest.mark.parametrize("role", [Role.ADMIN, Role.EXAMINER, Role.PANELLIST, Role.AUTHOR])
def test_staff_who_need_totp_reach_no_page_before_the_second_step(db, client, role):
    user = make_user(db, role=role)
    db.commit()
    response = _password_step(client, user.username)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    for url in ("/admin/", "/proctor/", "/admin/items/", "/"):
        page = client.get(url)
        assert page.status_code in (200, 302)
        if page.status_code == 302:
            assert "/login" in page.headers["Location"], url
        else:  # only the public home page, for an anonymous visitor
            assert url == "/" and "Afmelden" not in page.get_data(as_text=True)
    done = _post_code(client, "/login/code", totp_code(user.username))
    assert done.status_code == 302
    assert client.get("/").status_code in (200, 302)
    assert "Afmelden" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_proctor_logs_in_with_the_password_alone(db, client):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    response = _password_step(client, user.username)
    assert response.headers["Location"] == "/"
    assert client.get("/proctor/").status_code == 200


def test_a_code_cannot_be_used_twice(db, app):
    user = make_user(db, role=Role.ADMIN)
    db.commit()
    code = totp.code_at(TOTP_SECRET, totp.step_at(time.time()))
    first, second = app.test_client(), app.test_client()
    _password_step(first, user.username)
    assert _post_code(first, "/login/code", code).status_code == 302
    _password_step(second, user.username)
    replay = _post_code(second, "/login/code", code)
    assert replay.status_code == 400
    assert "al gebruikt" in replay.get_data(as_text=True)
    assert second.get("/admin/").status_code == 302  # still not logged in
    # an older code of the window is refused too: steps only move forward
    older = totp.code_at(TOTP_SECRET, totp.step_at(time.time()) - 1)
    assert _post_code(second, "/login/code", older).status_code == 400


def test_wrong_codes_are_throttled_even_for_the_right_code(db, app, client):
    user = make_user(db, role=Role.EXAMINER)
    db.commit()
    _password_step(client, user.username)
    for _ in range(app.config["TOTP_MAX_FAILURES"] - 1):
        assert _post_code(client, "/login/code", "000000").status_code in (400, 429)
    locked = _post_code(client, "/login/code", "000001")
    assert locked.status_code == 429
    right = _post_code(client, "/login/code", totp_code(user.username))
    assert right.status_code == 429 and "Te veel foute codes" in right.get_data(as_text=True)
    refusals = db.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.second_factor_refused")
    ).all()
    assert len(refusals) >= app.config["TOTP_MAX_FAILURES"]


def test_enrolment_shows_a_qr_code_and_confirms_with_a_code(db, client):
    user = make_user(db, role=Role.ADMIN, totp_secret=None)
    db.commit()
    response = _password_step(client, user.username)
    assert response.headers["Location"].endswith("/login/enrol")
    assert client.get("/admin/").status_code == 302
    page = client.get("/login/enrol").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page and "<script" not in page
    db.expire_all()
    secret = db.get(User, user.id).totp_secret
    assert secret and secret in page
    assert client.get("/login/enrol").get_data(as_text=True).count(secret) >= 1  # same secret
    wrong = _post_code(client, "/login/enrol", "123456")
    assert wrong.status_code == 400
    code = totp.code_at(secret, totp.step_at(time.time()))
    done = _post_code(client, "/login/enrol", code)
    assert done.status_code == 200
    assert client.get("/admin/").status_code == 200
    db.expire_all()
    stored = db.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == totp.RECOVERY_COUNT
    assert all(len(r.code_hash) == 64 for r in stored)
    html = done.get_data(as_text=True)
    codes = re.findall(r"<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})</code></li>", html)
    assert len(codes) == totp.RECOVERY_COUNT
    assert {totp.recovery_hash(c) for c in codes} == {r.code_hash for r in stored}
    assert db.get(User, user.id).totp_confirmed_at is not None


def test_a_recovery_code_works_once(db, app):
    user = make_user(db, role=Role.ADMIN)
    db.commit()
    from attest.auth.second_factor import replace_recovery_codes

    codes = replace_recovery_codes(db, db.get(User, user.id), user.created_at)
    db.commit()
    first = app.test_client()
    _password_step(first, user.username)
    assert _post_code(first, "/login/code", codes[0].lower()).status_code == 302
    assert first.get("/admin/").status_code == 200
    second = app.test_client()
    _password_step(second, user.username)
    assert _post_code(second, "/login/code", codes[0]).status_code == 400
    assert second.get("/admin/").status_code == 302


def test_the_pending_step_expires(db, app, client):
    user = make_user(db, role=Role.ADMIN)
    db.commit()
    _password_step(client, user.username)
    token = csrf_from(client.get("/login/code").get_data(as_text=True))
    app.config["MFA_PENDING_SECONDS"] = -1
    response = client.post(
        "/login/code", data={"code": totp_code(user.username), "csrf_token": token}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/admin/").status_code == 302


def test_login_rotates_the_session(db, client):
    user = make_user(db, role=Role.ADMIN)
    db.commit()
    client.get("/login?lang=en")
    before = client.get_cookie("session").value
    _password_step(client, user.username)
    pending = client.get_cookie("session").value
    _post_code(client, "/login/code", totp_code(user.username))
    after = client.get_cookie("session").value
    assert len({before, pending, after}) == 3
    with client.session_transaction() as sess:
        assert "mfa" not in sess and sess["sid"] and sess["lang"] == "en"
        sid = sess["sid"]
    other = client.application.test_client()
    login(other, user.username)
    with other.session_transaction() as sess:
        assert sess["sid"] != sid  # every login gets a new identity


def test_session_cookie_flags(app, db, client):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()

    def session_cookie(response) -> str:
        return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))

    response = login(client, user.username)
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    over_tls = app.test_client()
    token = csrf_from(over_tls.get("/login", base_url="https://attest.example").get_data(True))
    response = over_tls.post(
        "/login",
        base_url="https://attest.example",
        data={"username": user.username, "password": PASSWORD, "csrf_token": token},
    )
    assert "Secure" in session_cookie(response)  # served over TLS: Secure by itself
    app.config["SESSION_COOKIE_SECURE"] = True
    secure = login(app.test_client(), user.username)
    assert "Secure" in session_cookie(secure)


def test_cli_resets_the_second_factor(app, db):
    user = make_user(db, role=Role.EXAMINER)
    db.commit()
    result = app.test_cli_runner().invoke(args=["users", "reset-2fa", user.username])
    assert result.exit_code == 0, result.output
    db.expire_all()
    again = db.get(User, user.id)
    assert again.totp_secret is None and again.session_epoch == 1
    client = app.test_client()
    assert _password_step(client, user.username).headers["Location"].endswith("/login/enrol")
    assert db.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == str(user.id)))


def test_demo_accounts_get_a_printed_secret(app, db):
    output = app.test_cli_runner().invoke(args=["demo", "setup"]).output
    admin = db.scalar(sa.select(User).where(User.username == "admin"))
    assert admin.has_totp and admin.totp_secret in output
    assert "otpauth://totp/" in output
    client = app.test_client()
    assert login(client, "admin", "demo-admin-pass", secret=admin.totp_secret).status_code == 302
    assert client.get("/admin/").status_code == 200


def _stored_secret(db, user_id) -> str | None:
    """The totp_secret column as the database holds it (what a dump would show)."""
    return db.execute(
        sa.text("SELECT totp_secret FROM user_account WHERE id = :id"), {"id": user_id}
    ).scalar()


def test_the_database_holds_the_totp_secret_sealed(db, client):
    user = make_user(db, role=Role.ADMIN, totp_secret=None)
    db.commit()
    _password_step(client, user.username)
    page = client.get("/login/enrol").get_data(as_text=True)
    db.expire_all()
    secret = db.get(User, user.id).totp_secret
    assert secret in page  # shown to the user once, to enrol
    stored = _stored_secret(db, user.id)
    assert stored.startswith("f1:") and secret not in stored


def test_a_secret_kept_in_the_clear_is_sealed_at_the_next_login(db, client):
    user = make_user(db, role=Role.ADMIN)
    db.commit()
    db.execute(
        sa.text("UPDATE user_account SET totp_secret = :s WHERE id = :id"),
        {"s": TOTP_SECRET, "id": user.id},
    )
    db.commit()
    assert login(client, user.username).status_code == 302  # the clear secret still works
    db.expire_all()
    stored = _stored_secret(db, user.id)
    assert stored.startswith("f1:") and TOTP_SECRET not in stored
    assert db.get(User, user.id).totp_secret == TOTP_SECRET


def test_a_secret_sealed_with_another_key_is_refused_clearly(app):
    from attest.field_crypto import FieldCipher, FieldKeyError, derive_key

    sealed = FieldCipher(derive_key("old-secret")).seal(TOTP_SECRET)
    with pytest.raises(FieldKeyError, match="does not open"):
        FieldCipher(derive_key("new-secret")).open(sealed)
    rotated = FieldCipher(f"{derive_key('new-secret')},{derive_key('old-secret')}")
    assert rotated.open(sealed) == TOTP_SECRET  # the old key still opens during a rotation
    assert FieldCipher(derive_key("new-secret")).open(rotated.seal("x")) == "x"
    with pytest.raises(FieldKeyError, match="32 url-safe"):
        FieldCipher("not-a-key")


def test_setting_a_field_key_keeps_old_secrets_and_reseals_them_at_the_next_login(app, db):
    """ATTEST_FIELD_KEY set for the first time: secrets sealed under the key derived from
    SECRET_KEY still open (it stays a key that opens), and a login seals them again under the
    new key, so that the derived key can later be dropped; a tampered value is a clear error."""
    from cryptography.fernet import Fernet

    from attest import field_crypto
    from attest.field_crypto import FieldCipher, FieldKeyError, derive_key

    derived = derive_key(app.config["SECRET_KEY"])
    user = make_user(db, role=Role.EXAMINER)  # sealed under the derived key
    db.commit()
    new_key = Fernet.generate_key().decode()
    field_crypto.configure(new_key, also_open=derived)  # what create_app does with FIELD_KEY
    try:
        assert field_crypto.cipher().needs_resealing(user.totp_secret_sealed)
        assert login(app.test_client(), user.username).status_code == 302
        db.expire_all()
        stored = db.get(User, user.id).totp_secret_sealed
        assert FieldCipher(new_key).open(stored) == TOTP_SECRET  # the new key alone opens it
        assert not field_crypto.cipher().needs_resealing(stored)
        assert field_crypto.cipher().needs_resealing(TOTP_SECRET)  # clear, from before sealing
        with pytest.raises(FieldKeyError):
            field_crypto.cipher().open("f1:é-not-a-token")
    finally:
        field_crypto.configure(derived)


def test_a_secret_sealed_under_other_keys_refuses_calmly_and_recovery_codes_still_work(
    db, client, caplog
):
    """After SECRET_KEY changed without ATTEST_FIELD_KEY, staff see what is wrong (not a 500),
    are not throttled for it, can still log in with a recovery code, and the log says why."""
    from datetime import UTC, datetime

    from attest.auth.second_factor import replace_recovery_codes
    from attest.field_crypto import FieldCipher, derive_key

    user = make_user(db, role=Role.EXAMINER)
    user.totp_secret_sealed = FieldCipher(derive_key("the key of an earlier server")).seal(
        TOTP_SECRET
    )
    recovery = replace_recovery_codes(db, user, datetime.now(UTC))
    db.commit()
    _password_step(client, user.username)
    code = totp.code_at(TOTP_SECRET, totp.step_at(time.time()))  # right, but cannot be checked
    for _ in range(6):  # more than the failures that would lock the account
        refused = _post_code(client, "/login/code", code)
        assert refused.status_code == 503
        assert "fout in de instellingen van de server" in refused.get_data(as_text=True)
    assert f"user id={user.id} does not open with the configured keys" in caplog.text
    assert user.username not in caplog.text
    assert client.get("/examiner/").status_code == 302  # not logged in
    done = _post_code(client, "/login/code", recovery[0])
    assert done.status_code == 302
    assert client.get("/examiner/").status_code == 200
    reasons = db.scalars(
        sa.select(AuditEvent.detail).where(AuditEvent.action == "user.second_factor_refused")
    ).all()
    assert reasons and all(r == {"reason": "unavailable"} for r in reasons)


def test_an_unconfirmed_secret_under_other_keys_is_replaced_at_enrolment(db, client):
    from attest.field_crypto import FieldCipher, derive_key

    user = make_user(db, role=Role.ADMIN, totp_secret=None)
    user.totp_secret_sealed = FieldCipher(derive_key("another key")).seal(TOTP_SECRET)
    db.commit()
    response = _password_step(client, user.username)
    assert response.headers["Location"].endswith("/login/enrol")
    page = client.get("/login/enrol")
    assert page.status_code == 200
    db.expire_all()
    assert db.get(User, user.id).totp_secret not in (None, TOTP_SECRET)
