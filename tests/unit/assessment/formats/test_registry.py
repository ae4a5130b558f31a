"""The registry is the only list of item formats: adding a format is one module and one template.

Every other module asks the format object (its template, QTI interaction, lint rules, productive
skill) instead of naming formats: no format name is written as a string anywhere in `attest/`
outside `attest/assessment/formats/`, nor in a template outside `templates/kiosk/formats/`, and
every format the package defines is registered and complete.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

from attest.assessment import formats as formats_package
from attest.assessment.formats import FORMATS, ItemFormat, get_format
from attest.assessment.formats.base import ExaminerScored
from attest.assessment.formats.registry import QTI_INTERACTIONS, by_name, qti_format, qti_formats
from attest.assessment.lint_gates import GATE_CODES
from attest.assessment.qti.item_reader import READERS
from attest.assessment.qti.item_writer import WRITERS

ROOT = Path(__file__).resolve().parents[4]
PACKAGE = ROOT / "attest"
FORMATS_DIR = PACKAGE / "assessment" / "formats"
TEMPLATES = ROOT / "templates"
FORMAT_TEMPLATES = TEMPLATES / "kiosk" / "formats"


def _name_literals(path: Path) -> list[tuple[int, str]]:
    """(line, name) of every string constant in a Python file that is a format's name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in FORMATS
    ]


def test_no_module_outside_the_formats_package_names_a_format() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {name!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if FORMATS_DIR not in path.parents and "migrations" not in path.parts
        for line, name in _name_literals(path)
    ]
    assert found == [], "ask the format object (formats.get_format) instead:\n" + "\n".join(found)


def test_no_template_outside_the_format_templates_names_a_format() -> None:
    quoted = re.compile("[\"'](" + "|".join(map(re.escape, FORMATS)) + ")[\"']")
    found = [
        f"{path.relative_to(ROOT)}: {match.group(1)!r}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        if FORMAT_TEMPLATES not in path.parents
        for match in quoted.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_every_format_class_in_the_package_is_registered() -> None:
    defined = {}
    for info in pkgutil.iter_modules(formats_package.__path__):
        module = importlib.import_module(f"{formats_package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, ItemFormat) and cls.__module__ == module.__name__ and cls.name:
                defined[cls.name] = cls
    assert defined == FORMATS


def test_a_format_is_one_class_with_a_unique_name() -> None:
    class Dummy(ItemFormat):
        name = "test_only_format"

    assert by_name([Dummy]) == {"test_only_format": Dummy}
    assert Dummy.kiosk_template == "kiosk/formats/test_only_format.html"
    with pytest.raises(ValueError, match="empty or taken"):
        by_name([Dummy, Dummy])
    with pytest.raises(ValueError, match="empty or taken"):
        by_name([ItemFormat])


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_has_a_kiosk_template(name: str) -> None:
    fmt = get_format(name)
    assert (TEMPLATES / fmt.kiosk_template).is_file()
    assert get_format(name).name == name


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_has_a_qti_mapping_both_ways(name: str) -> None:
    fmt = get_format(name)
    if fmt.qti_interaction is None:
        return  # a format may declare that QTI has no counterpart; export then refuses it
    assert fmt.qti_interaction in READERS and fmt.qti_interaction in WRITERS
    assert fmt.qti_cardinality in ("single", "multiple", "ordered")  # QTI 3 cardinalities
    assert qti_format(fmt.qti_interaction, fmt.qti_cardinality) is fmt
    assert fmt in qti_formats(fmt.qti_interaction)


def test_every_qti_reader_and_writer_belongs_to_a_format() -> None:
    assert set(READERS) == set(WRITERS) == QTI_INTERACTIONS


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_has_its_lint_rules(name: str) -> None:
    """A machine-scored format checks its key for ambiguity; its gates exist and it has what
    they ask of it (a diagonal rule over a shuffled field)."""
    fmt = get_format(name)
    assert fmt.lint_gates <= set(GATE_CODES)
    if fmt.is_machine_scored:
        assert fmt.key_issues.__func__ is not ItemFormat.key_issues.__func__
    else:
        assert issubclass(fmt, ExaminerScored) and fmt.productive_skill is not None
    if "diagonal-key" in fmt.lint_gates:
        assert fmt.shuffle_field and fmt.diagonal.__func__ is not ItemFormat.diagonal.__func__
    if {"key-position", "key-longest"} & fmt.lint_gates:
        assert fmt.shuffle_field == "options"


def test_registry_knows_the_formats_and_rejects_unknown_names() -> None:
    assert {"single_choice", "multiple_response", "text_entry"} <= set(FORMATS)
    assert get_format("single_choice").name == "single_choice"
    with pytest.raises(KeyError, match="unknown item format 'essay'"):
        get_format("essay")


def test_registry_holds_every_format_once() -> None:
    assert set(FORMATS) == {
        "single_choice",
        "multiple_response",
        "text_entry",
        "inline_choice",
        "matching",
        "ordering",
        "extended_text",
        "audio_response",
        "speaking_conversation",
    }
