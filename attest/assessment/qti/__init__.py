"""QTI 3.0 export and QTI 3.0/2.2/2.1 import of the item bank (pure: no Flask, no ORM).

The mapping between Attest items and QTI items, the metadata and the limits are documented in
docs/qti.md.
"""

from attest.assessment.qti.common import QtiError
from attest.assessment.qti.export import export_bank
from attest.assessment.qti.importer import (
    ImportedPackage,
    InstallReport,
    assess_package,
    import_package,
    install_package,
    read_package,
)
from attest.assessment.qti.report import ImportReport, ItemOutcome

__all__ = [
    "ImportReport",
    "ImportedPackage",
    "ItemOutcome",
    "assess_package",
    "InstallReport",
    "QtiError",
    "export_bank",
    "import_package",
    "install_package",
    "read_package",
]
