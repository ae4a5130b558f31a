"""Attestations: keys, PDF, seal, QR payload, status list, verification.

Set here, before any module of the package imports pyHanko: cryptography 51 deprecates DSA and
warns when DSA key types are looked up, which pyHanko 0.38 does when `pyhanko.sign` is imported
(Attest signs and accepts ECDSA only). Printed by every app process, the warning broke the JSON
log lines. The filter is narrow: this message, this category, raised from pyHanko's own modules.
"""

from __future__ import annotations

import warnings

from cryptography.utils import CryptographyDeprecationWarning

warnings.filterwarnings(
    "ignore",
    message="DSA is deprecated",
    category=CryptographyDeprecationWarning,
    module=r"pyhanko(\.|$)",
)
