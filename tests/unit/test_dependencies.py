"""Every third-party package the code imports is declared in setup.cfg's install_requires, so
that no release of another package (which merely pulls it in today) can take it away."""

from __future__ import annotations

import ast
import configparser
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Imported, but part of a declared package's own interface (installed by it, in its API).
COMES_WITH = {
    "click": "Flask (its command line)",
    "werkzeug": "Flask (its request and response types)",
    "limits": "Flask-Limiter (its storage interface)",
    "asn1crypto": "pyHanko (its certificate types)",
}


def _declared() -> set[str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = cfg["options"]["install_requires"].splitlines()
    names = (re.match(r"[A-Za-z0-9_.\-]+", line.strip()) for line in lines)
    return {_norm(m.group(0)) for m in names if m and not m.group(0).startswith("#")}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported() -> set[str]:
    modules = set()
    for path in (ROOT / "attest").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m != "attest"}


def test_every_imported_package_is_declared():
    declared, dists = _declared(), packages_distributions()
    missing = {
        module: dists.get(module)
        for module in _imported() - set(COMES_WITH)
        if not {_norm(d) for d in dists.get(module, [module])} & declared
    }
    assert not missing, f"imported but not in setup.cfg install_requires: {missing}"


def test_pillow_is_declared_with_a_lower_bound():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    assert re.search(r"^Pillow>=\d", cfg["options"]["install_requires"], re.MULTILINE)
