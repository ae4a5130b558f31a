"""The assessment domain modules import neither Flask nor SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[3]
# attest/__init__.py builds the Flask app, so the check stands in an empty package for it and
# loads only the modules under test (and whatever they import themselves).
PROBE = """
import sys, types
pkg = types.ModuleType("attest")
pkg.__path__ = [{path!r}]
sys.modules["attest"] = pkg
import {module}
leaks = sorted(m for m in ("flask", "sqlalchemy", "werkzeug") if m in sys.modules)
print(",".join(leaks))
"""


@pytest.mark.parametrize(
    "module",
    [
        "attest.assessment.items",
        "attest.assessment.bank",
        "attest.assessment.audio",
    ],
)
def test_module_imports_no_web_or_orm_framework(module: str) -> None:
    code = PROBE.format(path=str(PROJECT / "attest"), module=module)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT, check=True
    )
    assert result.stdout.strip() == "", f"{module} pulls in {result.stdout.strip()}"
