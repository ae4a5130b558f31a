"""The vocabulary (skills, levels) has one home: attest/vocabulary.py (issue [10])."""

from __future__ import annotations

import ast
from pathlib import Path

from attest import vocabulary
from attest.vocabulary import (
    BELOW_A1,
    LEVELS,
    PRODUCTIVE,
    RECEPTIVE,
    RESULT_LEVELS,
    SKILL_NAMES_NL,
    SKILLS,
    SPEAKING,
    is_measured,
    level_range,
    level_rank,
)

PACKAGE = Path(vocabulary.__file__).parent
HOME = Path(vocabulary.__file__)
SKILL_WORDS = set(SKILLS) | set(SKILL_NAMES_NL.values())
LEVEL_WORDS = {*RESULT_LEVELS, "C1", "C2"}


def _strings(node: ast.expr) -> list[str]:
    """Return the string constants of a sequence literal, looking through N_("...") marks."""
    out = []
    for element in node.elts:
        if isinstance(element, ast.Call) and len(element.args) == 1:
            element = element.args[0]
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            out.append(element.value)
    return out


def _second_definitions(package: Path = PACKAGE) -> list[str]:
    """Return every tuple, list or set literal naming two skills or two levels outside HOME."""
    found = []
    for path in sorted(package.rglob("*.py")):
        if path == HOME or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Tuple | ast.List | ast.Set):
                continue
            words = set(_strings(node))
            if len(words & SKILL_WORDS) >= 2 or len(words & LEVEL_WORDS) >= 2:
                where = f"{path.relative_to(package)}:{node.lineno}"
                found.append(f"{where}: {sorted(words)}")
    return found


def test_no_other_module_lists_skills_or_levels():
    assert _second_definitions() == []


def test_the_scan_finds_a_list_of_skills_or_levels(tmp_path):
    (tmp_path / "stray.py").write_text(
        'A = ("listening", "reading")\nB = [N_("lezen"), N_("spreken")]\nC = {"B2", "C1"}\n',
        encoding="utf-8",
    )
    found = [line.split(":")[1] for line in _second_definitions(tmp_path)]
    assert found == ["1", "2", "3"]


def test_the_vocabulary():
    assert SKILLS == RECEPTIVE + PRODUCTIVE
    assert SPEAKING == "speaking" and SPEAKING in PRODUCTIVE
    assert RESULT_LEVELS == (BELOW_A1, *LEVELS)
    assert [level_rank(level) for level in RESULT_LEVELS] == [0, 1, 2, 3, 4]
    assert level_range("A2", "B1") == ("A2", "B1")
    assert is_measured("B2") and not is_measured("C1") and not is_measured(BELOW_A1)
    assert list(SKILL_NAMES_NL) == list(SKILLS)
