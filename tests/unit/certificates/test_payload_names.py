"""Names in the QR payload: a mononym and a shortened Persian name round-trip cleanly."""

from __future__ import annotations

from attest.certificates.payload import _drop_grapheme, decode_and_verify, encode_payload
from tests.unit.certificates.factories import KID, NOW, SIGNER, TRUSTED, make_claims


def test_a_mononym_travels_with_empty_given_names():
    claims = make_claims(family_name="Ahmadzai", given_names="")
    verified = decode_and_verify(encode_payload(claims, SIGNER.private_key, KID), TRUSTED, NOW)
    assert verified.display_names() == ("Ahmadzai", "")


def test_shortening_never_leaves_a_zero_width_joiner_at_the_end():
    assert _drop_grapheme("فرشته\u200cیی") == "فرشته\u200cی"
    assert _drop_grapheme("فرشته\u200cی") == "فرشته"
