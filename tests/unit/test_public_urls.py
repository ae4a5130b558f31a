"""The public paths have one home, attest/public_urls.py, and never change (issue [10])."""

from __future__ import annotations

import ast
from pathlib import Path

from attest import public_urls as urls

PACKAGE = Path(urls.__file__).parent
PATHS = ("/v/", "/V/", "/v", "/status/attestations", "/api/", "/.well-known/jwks.json")


def test_the_paths_printed_and_called_by_others_are_the_ones_of_old():
    assert (urls.CODE_PAGE, urls.PAYLOAD_PAGE, urls.STATUS_LIST) == ("/v/", "/V/", PATHS[3])
    assert (urls.API_VERIFY, urls.API_PROFILES, urls.API_OPENAPI) == (
        "/api/v1/verify",
        "/api/v1/profiles",
        "/api/v1/openapi.json",
    )
    assert urls.PARTNER_CHECKS == "/api/v1/partner/checks"
    assert (urls.JWKS, urls.CRL) == ("/.well-known/jwks.json", "/crl/issuing.crl")


def test_absolute_urls_are_built_from_the_base():
    base = "https://attest.example.be/"
    assert urls.code_url(base, "ATT-1234") == "https://attest.example.be/v/ATT-1234"
    assert urls.payload_url(base, "ABC") == "HTTPS://ATTEST.EXAMPLE.BE/V/ABC"
    assert urls.status_list_url(base) == "https://attest.example.be/status/attestations"
    assert urls.status_list_url(base, 7) == "https://attest.example.be/status/attestations#7"
    assert urls.url(base, urls.API_VERIFY) == "https://attest.example.be/api/v1/verify"
    assert urls.is_api("/api/v1/verify") and not urls.is_api("/v/ATT-1234")


def _path_literals(package: Path) -> list[str]:
    """Return string constants (f-string parts too) that start or end with a public path."""
    found = []
    for path in sorted(package.rglob("*.py")):
        if path == Path(urls.__file__) or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if any(text.startswith(p) or text.endswith(p) for p in PATHS if p != "/v"):
                    found.append(f"{path.relative_to(package)}:{node.lineno}: {text[:40]!r}")
    return found


def test_no_other_module_spells_a_public_path():
    assert _path_literals(PACKAGE) == []


def test_the_scan_finds_a_path_spelled_again(tmp_path):
    (tmp_path / "stray.py").write_text('A = f"{base}/v/{code}"\nB = "/status/attestations"\n')
    assert sorted(line.split(":")[1] for line in _path_literals(tmp_path)) == ["1", "2"]
