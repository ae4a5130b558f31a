"""WSGI entry point: `gunicorn wsgi:app`."""

import warnings

# cryptography 51 deprecates DSA and pyHanko 0.38 still imports the DSA key types (no DSA key is
# used): the same narrow filter as the test run's (setup.cfg), so that the warning does not land
# as a stray non-JSON line in the server's log.
warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko")

from attest import create_app  # noqa: E402 - after the filter, which must see the import

app = create_app()
