"""Staff passwords: long enough, not common, not the username; hashed with argon2id."""

import pytest

from attest.auth.passwords import hash_password, password_problem, verify_password


@pytest.mark.parametrize(
    "password, username, problem",
    [
        ("short", None, "at least"),
        ("wachtwoord123", None, "most common"),
        ("Azertyuiop!!", None, "most common"),
        ("Welkom2026", None, "most common"),
        ("aaaaaaaaaaaaaa", None, "too few"),
        ("jan.peeters-2026!", "jan.peeters", "username"),
        ("x" * 300, None, "at most"),
    ],
)
def test_weak_passwords_are_refused(password, username, problem):
    assert problem in (password_problem(password, username) or "")


@pytest.mark.parametrize("password", ["paard-batterij-nietje-42", "Zes Ezels Op Het Ijs"])
def test_good_passwords_pass_and_verify(password):
    assert password_problem(password, "jan") is None
    stored = hash_password(password)
    assert stored.startswith("$argon2id$") and verify_password(stored, password)
    assert not verify_password(stored, password + "x") and not verify_password(None, password)
