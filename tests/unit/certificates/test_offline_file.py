"""The PDF carries the QR payload in its document information; hostile files give None."""

import pytest

from attest.certificates.offline_file import payload_from_pdf
from attest.certificates.pdf import render_attestation


def test_payload_round_trips_through_the_pdf(make_data):
    pdf = render_attestation(
        make_data(),
        verify_url="https://a.example/v/ATT-7KQ2-M9XP",
        is_demo=False,
        qr_text="HTTPS://A.EXAMPLE/V/ABCDEF234567",
    )
    assert payload_from_pdf(pdf) == "HTTPS://A.EXAMPLE/V/ABCDEF234567"
    assert payload_from_pdf(render_attestation(make_data(), verify_url="x", is_demo=False)) is None


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n", b"garbage" * 100, b"%PDF-1.4\n1 0 obj <<"])
def test_hostile_files_give_none(data):
    assert payload_from_pdf(data) is None
