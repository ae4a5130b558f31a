"""Base forms every blueprint may use (tests/import_graph.py allows `attest.forms` to all views)."""

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""
