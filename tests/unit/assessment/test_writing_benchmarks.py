"""The shipped writing benchmarks (question_banks/calibration/nl/writing.yaml, issue [11] item 6):
each answers a live writing task, is banded on that task's rubric, and its level follows from
its bands by the level rule; at least six per level. No loader reads them into the database yet
(see question_banks/README.md, "Benchmark performances")."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from attest.assessment import rubrics
from attest.assessment.bank import Bank, load_bank
from attest.assessment.cefr import LEVELS
from attest.assessment.lint_rules import count_words

ROOT = Path(__file__).resolve().parents[3] / "question_banks"
BENCHMARKS = ROOT / "calibration" / "nl" / "writing.yaml"
FIELDS = {"id", "task", "level", "calibration", "bands", "reasons", "text"}
MINIMUM_PER_LEVEL = 6


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(ROOT / "nl")


def _entries() -> list[dict[str, Any]]:
    return yaml.safe_load(BENCHMARKS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: e["id"])
def test_a_benchmark_fits_its_task_and_its_rubric(bank: Bank, entry: dict[str, Any]) -> None:
    assert set(entry) == FIELDS, set(entry) ^ FIELDS
    task = bank.get(entry["task"])
    assert task.skill == "writing" and task.status == "live"
    assert re.fullmatch(rf"nl-bm-sc-{entry['level'].lower()}-\d\d", entry["id"])
    rubric = rubrics.rubric_for(
        "writing", rubrics.task_type_for("writing", task.level, task.content), task.level
    )
    assert rubric.check(entry["bands"]) == {}
    assert rubrics.task_level(entry["bands"], task.level) == entry["level"]
    assert set(entry["reasons"]) == set(rubric.codes)
    assert all(len(str(why).split()) >= 3 for why in entry["reasons"].values()), entry["reasons"]
    assert isinstance(entry["calibration"], bool)
    words = count_words(entry["text"])
    assert task.content["min_words"] <= words <= task.content["max_words"], words


def test_every_level_has_enough_benchmarks_with_unique_ids() -> None:
    entries = _entries()
    assert len({e["id"] for e in entries}) == len(entries)
    per_level = Counter(e["level"] for e in entries)
    assert all(per_level[level] >= MINIMUM_PER_LEVEL for level in LEVELS), per_level
    calibration = Counter(e["level"] for e in entries if e["calibration"])
    assert all(calibration[level] >= 3 for level in LEVELS), calibration
