"""WSGI entry point: `gunicorn wsgi:app`."""

from attest import create_app

app = create_app()
