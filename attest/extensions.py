"""Flask extensions, created unbound and bound in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf import CSRFProtect

import attest.limiter_storage  # noqa: F401 - memory:// without a thread per hit (see there)
from attest.limit_keys import hashed_client_address

babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage is chosen in create_app(): Redis when ATTEST_REDIS_URL is set, else process memory.
# Keys hold pseudonyms of client addresses, never the addresses (attest.limit_keys).
limiter = Limiter(hashed_client_address)
