"""attest/assessment/formats/ordering.py: fragments put in order."""

from __future__ import annotations

import pytest

from attest.assessment.formats import get_format
from attest.assessment.formats.ordering import adjacent_pairs_right
from tests.unit.assessment.formats.cases import (
    ORDER,
    ORDER_PARTIAL,
    BlankCases,
    MalformedCases,
    ParseCases,
    ScoreCases,
    ValidateCases,
)


class TestOrdering(ScoreCases, ParseCases, MalformedCases, ValidateCases, BlankCases):
    """The interface tests of cases.py over this module's formats."""

    SCORES = [
        ("ordering", ORDER, ["b", "c", "d", "a"], 1.0),
        ("ordering", ORDER, ["a", "b", "c", "d"], 0.0),
        ("ordering", ORDER, [], 0.0),
        ("ordering", ORDER_PARTIAL, ["b", "c", "d", "a"], 1.0),
        ("ordering", ORDER_PARTIAL, ["a", "b", "c", "d"], 2 / 3),  # (b,c), (c,d) kept
        ("ordering", ORDER_PARTIAL, ["c", "d", "a", "b"], 2 / 3),  # (c,d), (d,a) kept
        ("ordering", ORDER_PARTIAL, ["a", "d", "c", "b"], 0.0),  # the key reversed
        ("ordering", ORDER_PARTIAL, None, 0.0),
    ]

    PARSED = [
        (
            "ordering",
            {"order_a": "4", "order_b": "1", "order_c": "2", "order_d": "3"},
            ORDER,
            ["b", "c", "d", "a"],
        ),
        ("ordering", {"order_a": ["", " "], "order_b": "", "csrf_token": "x"}, ORDER, []),
        ("ordering", {"order_b": "2", "order_a": "1"}, None, ["a", "b"]),
    ]

    MALFORMED = [
        (
            "ordering",
            {"order_a": "1", "order_b": "1", "order_c": "2", "order_d": "3"},
            ORDER,
            "each position from 1 to 4 once",
        ),
        ("ordering", {"order_a": "1", "order_b": "2"}, ORDER, "every fragment a position"),
        (
            "ordering",
            {"order_a": "1", "order_b": "2", "order_c": "3", "order_d": "5"},
            ORDER,
            "each position from 1 to 4 once",
        ),
        ("ordering", {"order_e": "1"}, ORDER, "no such fragment"),
        ("ordering", {"order_a": "first"}, ORDER, "expected a position number"),
        ("ordering", {"order_a": ["1", "2"]}, ORDER, "expected one value"),
    ]

    VALIDATION = [
        ("ordering", ORDER_PARTIAL, []),
        (
            "ordering",
            {**ORDER, "answer": ["a", "b", "c", "d"]},
            [
                "answer: expected the fragments to be listed in another order than the answer "
                "(the kiosk shows them as listed)"
            ],
        ),
        (
            "ordering",
            {**ORDER, "answer": ["b", "c", "a"]},
            [
                "answer: expected every fragment id once, in the correct order "
                "(a permutation of a, b, c, d); got ['b', 'c', 'a']"
            ],
        ),
        (
            "ordering",
            {**ORDER, "fragments": ["Een", "twee"], "answer": ["b", "a"]},
            ["fragments: expected a list of 3 to 6 texts; got 2"],
        ),
        (
            "ordering",
            {**ORDER, "fragments": ["Een", "een ", "", "vier"]},
            [
                "fragments[2]: expected a non-empty text, got ''",
                "fragments: expected distinct fragments",
            ],
        ),
    ]

    BLANK = [
        ("ordering", [], True),
    ]


@pytest.mark.parametrize(
    ("key", "order", "expected"),
    [
        (["a", "b", "c"], ["a", "b", "c"], (2, 2)),
        (["a", "b", "c"], ["c", "b", "a"], (0, 2)),
        (["a", "b", "c", "d", "e", "f"], ["b", "c", "d", "e", "f", "a"], (4, 5)),
    ],
)
def test_adjacent_pairs_rule(key: list[str], order: list[str], expected: tuple[int, int]) -> None:
    assert adjacent_pairs_right(key, order) == expected


def test_render_data_of_ordering_keeps_the_listed_order() -> None:
    order = get_format("ordering").render_data(ORDER)
    assert [f["text"] for f in order["fragments"]] == ORDER["fragments"]
    assert order["positions"] == [1, 2, 3, 4] and order["fragments"][0]["field"] == "order_a"
