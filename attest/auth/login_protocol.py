"""Flask-Login's user protocol for the ORM's `User`, given by the auth layer so that the model
imports no Flask (`import attest.models` loads neither Flask nor Flask-Login).

Flask-Login asks a user object for `is_authenticated`, `is_anonymous` and `get_id` (the model
says `is_active` itself: disabled accounts cannot log in). They are `UserMixin`'s, with its
equality by id, and are put on `User` once, when `attest.auth` is imported (the app factory
does, before any login)."""

from __future__ import annotations

from flask_login import UserMixin

from attest.models import User

PROTOCOL = ("is_authenticated", "is_anonymous", "get_id")


def give_login_protocol(model: type) -> None:
    """Give `model` UserMixin's protocol where the model does not define it itself, and
    UserMixin's equality: two objects of `model` with the same id are equal."""
    for name in PROTOCOL:
        if name not in vars(model):
            setattr(model, name, vars(UserMixin)[name])

    def __eq__(self, other):  # noqa: N807
        if isinstance(other, model):
            return self.get_id() == other.get_id()
        return NotImplemented

    def __ne__(self, other):  # noqa: N807
        equal = __eq__(self, other)
        return equal if equal is NotImplemented else not equal

    model.__eq__, model.__ne__, model.__hash__ = __eq__, __ne__, object.__hash__


give_login_protocol(User)
