"""No import circle among `attest` modules and no import that runs up the layers.

The graph and the layer rules are in `tests/import_graph.py` (run it as a script to see them)."""

from __future__ import annotations

from tests import import_graph


def test_no_import_circle_and_no_upward_import():
    found, upward = import_graph.problems()
    report = [" <-> ".join(c) for c in found] + upward
    assert not report, "\n".join(report)


def test_the_graph_sees_a_circle(tmp_path, monkeypatch):
    """The check can fail: a two-module circle written to a scratch package is found."""
    package = tmp_path / "attest"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from attest import b\n")
    (package / "b.py").write_text("from attest.a import f\n")
    (package / "models").mkdir()
    (package / "models" / "__init__.py").write_text("import flask\n")
    monkeypatch.setattr(import_graph, "ROOT", tmp_path)
    monkeypatch.setattr(import_graph, "PACKAGE", package)
    monkeypatch.setattr(import_graph, "pure_modules", lambda: set())
    found, upward = import_graph.problems()
    assert found == [["attest.a", "attest.b"]]
    assert "attest.models: models import Flask" in upward
