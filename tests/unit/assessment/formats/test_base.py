"""attest/assessment/formats/base.py: what every format keeps of the ItemFormat interface."""

from __future__ import annotations

import json

import pytest

from attest.assessment.formats import FORMATS, get_format
from tests.format_answers import correct_answer, wrong_answer
from tests.unit.assessment.formats.cases import (
    EXAMINER,
    MACHINE,
    SECRET_KEYS,
    keys_of,
)


@pytest.mark.parametrize("fmt", sorted(MACHINE))
def test_machine_scored_formats_score_in_zero_one(fmt: str) -> None:
    cls = get_format(fmt)
    assert cls.is_machine_scored and cls.max_score == 1.0


@pytest.mark.parametrize("fmt", sorted(MACHINE))
@pytest.mark.parametrize("scoring", ["all_or_nothing", "partial"])
def test_answer_builders_give_full_and_zero_scores(fmt: str, scoring: str) -> None:
    cls, content = get_format(fmt), {**MACHINE[fmt], "scoring": scoring}
    right = cls.parse_response(correct_answer(fmt, content), content)
    wrong = cls.parse_response(wrong_answer(fmt, content), content)
    assert cls.score(content, right) == 1.0
    assert cls.score(content, wrong) == 0.0


@pytest.mark.parametrize("fmt", sorted({**MACHINE, **EXAMINER}))
def test_render_data_never_contains_the_key(fmt: str) -> None:
    content = {**{**MACHINE, **EXAMINER}[fmt], "transcript": "A: geheim", "text": "Een tekst."}
    data = get_format(fmt).render_data(content)
    assert not keys_of(data) & SECRET_KEYS
    assert data["stem"] == content["stem"] and data["format"] == fmt
    assert "geheim" not in json.dumps(data)


def test_the_samples_cover_every_format() -> None:
    assert set(MACHINE) | set(EXAMINER) == set(FORMATS)
    assert all(get_format(f).is_machine_scored for f in MACHINE)
