"""The certificate domain modules import neither Flask nor SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[3] / "attest"
MODULES = ["attest.certificates.keys", "attest.certificates.pdf", "attest.certificates.seal"]

# The stub stands in for attest/__init__.py (the app factory, which may import Flask) so the
# test judges what these modules themselves pull in.
PROBE = """
import sys, types
pkg = types.ModuleType("attest")
pkg.__path__ = [{package_dir!r}]
sys.modules["attest"] = pkg
import {module}
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "sqlalchemy"))))
"""


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_no_web_or_orm(module):
    code = PROBE.format(package_dir=str(PACKAGE_DIR), module=module)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE_DIR.parent,
    )
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"
