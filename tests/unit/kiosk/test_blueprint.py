"""The kiosk package: its blueprint lives in `attest.kiosk`, built on first use with every
route, whichever kiosk module is imported first; the item page's rule for going back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import attest.kiosk
from attest.kiosk.pages import can_go_back

ROOT = Path(__file__).resolve().parents[3]
PROBE = (
    "import importlib, sys; importlib.import_module({module!r}); from attest.kiosk import bp; "
    "import flask; app = flask.Flask('probe'); app.register_blueprint(bp); "
    "print(bp.name, bp.url_prefix, len([r for r in app.url_map.iter_rules() "
    "if r.endpoint.startswith('kiosk.')]))"
)


@pytest.mark.parametrize(
    "module", ["attest.kiosk", "attest.kiosk.pages", "attest.kiosk.capture", "attest.kiosk.current"]
)
def test_the_blueprint_has_every_route_whichever_module_comes_first(module):
    probe = [sys.executable, "-c", PROBE.format(module=module)]  # a fresh interpreter
    name, prefix, routes = subprocess.check_output(probe, text=True, cwd=ROOT).split()
    assert (name, prefix) == ("kiosk", "/kiosk")
    assert int(routes) == 22  # pages 11, session pages 5, JSON calls 6


def test_the_package_has_no_other_lazy_attribute():
    with pytest.raises(AttributeError):
        attest.kiosk.blueprint  # noqa: B018


@pytest.mark.parametrize(
    ("position", "skill", "adaptive", "expected"),
    [
        (2, "lezen", False, True),  # the item before is in the same section
        (3, "luisteren", False, False),  # the section before is closed to the candidate
        (1, "lezen", False, False),  # nothing before the first item
        (2, "lezen", True, False),  # an adaptive test never goes back
    ],
)
def test_going_back_stays_within_a_linear_section(position, skill, adaptive, expected):
    outline = [(1, "lezen"), (2, "lezen"), (3, "luisteren")]
    sitem = SimpleNamespace(position=position, skill=skill)
    assert can_go_back(outline, sitem, adaptive) is expected
