"""Per-candidate option order: seeded, stable, stored, off the diagonal, scored by ids."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attest.assessment import shuffle
from attest.assessment.formats import get_format

SINGLE = {
    "stem": "Hoe laat?",
    "options": [{"text": t} for t in ("rood", "groen", "blauw", "geel")],
    "answer": "c",
}
MATCHING = {
    "stem": "Wie past bij welke advertentie?",
    "prompts": [{"text": "Olga", "answer": "a"}, {"text": "Karim", "answer": "b"}],
    "options": [{"text": t} for t in ("knutselclub", "praatgroep", "kookles")],
}
ORDERING = {
    "stem": "Zet in volgorde.",
    "fragments": ["een", "twee", "drie", "vier"],
    "answer": ["b", "a", "d", "c"],
}


def test_the_seed_is_stable_per_session_and_item_and_differs_between_them():
    assert shuffle.seed_for(7, "nl-lz-a1-0001") == shuffle.seed_for(7, "nl-lz-a1-0001")
    assert shuffle.seed_for(7, "nl-lz-a1-0001") != shuffle.seed_for(8, "nl-lz-a1-0001")
    assert shuffle.seed_for(7, "nl-lz-a1-0001") != shuffle.seed_for(7, "nl-lz-a1-0002")


def test_the_order_is_the_same_on_every_draw_and_varies_over_candidates():
    orders = {
        tuple(shuffle.display_order("single_choice", SINGLE, shuffle.seed_for(s, "x"))["options"])
        for s in range(60)
    }
    again = shuffle.display_order("single_choice", SINGLE, shuffle.seed_for(3, "x"))
    assert again == shuffle.display_order("single_choice", SINGLE, shuffle.seed_for(3, "x"))
    assert len(orders) > 12  # of 24 possible orders, many are used
    assert all(sorted(o) == ["a", "b", "c", "d"] for o in orders)
    # the key lands on every place, so a position is no cue
    assert {o.index("c") for o in orders} == {0, 1, 2, 3}


def test_an_item_that_says_its_order_matters_keeps_the_bank_order():
    fixed = {**SINGLE, "shuffle": False}
    assert shuffle.display_order("single_choice", fixed, 1) is None
    assert shuffle.display_order("inline_choice", {"gaps": []}, 1) is None
    assert get_format("single_choice").validate(fixed) == []
    assert get_format("single_choice").validate({**SINGLE, "shuffle": "nee"}) == [
        "shuffle: expected true or false (false keeps the bank order); got 'nee'"
    ]


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**63))
def test_matching_and_ordering_keys_never_sit_on_the_diagonal(seed):
    m = shuffle.display_order("matching", MATCHING, seed)["options"]
    assert m[0] != "a" and m[1] != "b"
    o = shuffle.display_order("ordering", ORDERING, seed)["fragments"]
    assert all(o[i] != ORDERING["answer"][i] for i in range(4))
    assert shuffle.diagonal("ordering", ORDERING, o) == []


def test_the_shown_order_is_applied_to_the_render_data_and_scoring_uses_ids():
    fmt = get_format("single_choice")
    order = {"options": ["d", "c", "b", "a"]}
    data = shuffle.apply_order(fmt.render_data(SINGLE), order)
    assert [o["id"] for o in data["options"]] == ["d", "c", "b", "a"]
    assert [o["text"] for o in data["options"]] == ["geel", "blauw", "groen", "rood"]
    # the candidate clicks the second option shown: its id is "c", the key
    assert fmt.score(SINGLE, fmt.parse_response({"answer": data["options"][1]["id"]}, SINGLE)) == 1
    assert [o["label"] for o in data["options"]] == ["a", "b", "c", "d"]  # letters by place
    plain = shuffle.apply_order(fmt.render_data(SINGLE), None)
    assert [(o["id"], o["label"]) for o in plain["options"]] == [(x, x) for x in "abcd"]
    with pytest.raises(ValueError, match="does not match"):
        shuffle.apply_order(fmt.render_data(SINGLE), {"options": ["a", "b"]})


def test_ordering_fragments_follow_the_stored_order():
    fmt = get_format("ordering")
    data = shuffle.apply_order(fmt.render_data(ORDERING), {"fragments": ["c", "d", "a", "b"]})
    assert [f["text"] for f in data["fragments"]] == ["drie", "vier", "een", "twee"]
    assert [f["field"] for f in data["fragments"]] == ["order_c", "order_d", "order_a", "order_b"]


def test_every_id_is_shown_once_for_any_number_of_options():
    for n in range(2, 9):
        content = {"options": [{"text": c} for c in string.ascii_uppercase[:n]], "answer": "a"}
        order = shuffle.display_order("single_choice", content, n)["options"]
        assert sorted(order) == list(string.ascii_lowercase[:n])
