"""Parametrize the interface tests of cases.py with the case table of the class running them."""

from __future__ import annotations

import inspect

import pytest

from tests.unit.assessment.formats.cases import TABLES


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    table = TABLES.get(metafunc.function.__name__)
    if metafunc.cls is None or table is None:
        return
    names = [p for p in inspect.signature(metafunc.function).parameters if p != "self"]
    metafunc.parametrize(names, getattr(metafunc.cls, table))
