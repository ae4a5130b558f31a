"""Login limits a person meets: one spelling of a username for lookup and lock, and separate
limits per username and per client address (a shared NAT must not lock out all its staff)."""

from __future__ import annotations

import pytest

from attest.auth.services import normalise_username
from attest.models import Role
from tests.factories import PASSWORD, make_user
from tests.web.helpers import login


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (" proctora2", "proctora2"),
        ("proctora2 ", "proctora2"),
        ("\u00a0proctora2\u00a0", "proctora2"),
        ("\u200bProctorA2\t", "proctora2"),
        ("\uff50\uff52\uff4f\uff43\uff54\uff4f\uff52\uff41\uff12", "proctora2"),  # full width
    ],
)
def test_a_username_has_one_spelling(typed, stored):
    assert normalise_username(typed) == stored


def test_a_locked_username_stays_locked_whatever_spaces_surround_it(app, db):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, user.username, "wrong password!")
    variants = (f" {user.username}", f"{user.username}\u00a0", f"\u2003{user.username} ")
    for n, variant in enumerate(variants):  # from other addresses: the username's own lock
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"
        assert login(other, variant, PASSWORD).status_code == 429, repr(variant)


def test_a_username_with_spaces_around_it_logs_in(app, db):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    response = login(app.test_client(), f"\u00a0{user.username.upper()} ")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_wrong_names_from_one_address_do_not_lock_the_staff_behind_it(app, db):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    client = app.test_client()
    for n in range(2 * app.config["LOGIN_MAX_FAILURES"]):
        assert login(client, f"nobody{n}", "wrong password!").status_code == 401
    assert login(app.test_client(), user.username).status_code == 302


def test_an_address_is_locked_after_its_own_higher_limit(app, db):
    app.config["LOGIN_ADDRESS_MAX_FAILURES"] = 2 * app.config["LOGIN_MAX_FAILURES"]
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    client = app.test_client()
    statuses = [
        login(client, f"nobody{n}", "wrong password!").status_code
        for n in range(app.config["LOGIN_ADDRESS_MAX_FAILURES"])
    ]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {401}
    assert login(app.test_client(), user.username).status_code == 429  # same address
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert login(other, user.username).status_code == 302
