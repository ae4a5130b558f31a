"""The import graph of the `attest` package: circles and imports that run up the layers.

Run as a script (`python tests/import_graph.py`) to print every circle and every upward import;
`tests/unit/test_import_graph.py` asserts there are none. Every import counts, also one inside a
function (a circle broken by a late import is still a circle); imports under
`if TYPE_CHECKING:` do not run and do not count.

Layers, low to high: domain < infrastructure < models < services < views < cli/app. Domain
modules are those listed in `tests/unit/test_purity.py` and every other module that imports,
directly or through other `attest` modules, neither Flask, Werkzeug nor SQLAlchemy.
Infrastructure is the short list `INFRASTRUCTURE` (engine, settings, extensions, logs). A
module may import its own layer or a lower one. Views of one package import neither the views
nor the forms of another package.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "attest"

LAYERS = ("domain", "infrastructure", "models", "services", "views", "cli")
INFRASTRUCTURE = {
    "attest.engine",
    "attest.request_session",
    "attest.config",
    "attest.extensions",
    "attest.errors",
    "attest.logs",
    "attest.i18n",
    "attest.redis_client",
    "attest.limiter_storage",
    "attest.limit_keys",
    "attest.storage",
    "attest.migrate",
}


# view helpers every blueprint may use (base forms)
SHARED_VIEWS = {"attest.forms"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, current: str, is_package: bool) -> list[tuple[str, int]]:
    """Every (imported module, line) in `tree`, skipping TYPE_CHECKING blocks."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = current.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, node.lineno))
            # `from attest.x import y` may import the submodule attest.x.y
            found.extend((f"{base}.{alias.name}", node.lineno) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int


def _is_web_or_orm(target: str) -> bool:
    top = target.split(".")[0]
    return top in {"flask", "werkzeug", "sqlalchemy", "alembic"} or top.startswith("flask_")


def edges(impure: set[str] | None = None, flask_users: set[str] | None = None) -> list[Edge]:
    """Edges between `attest` modules; modules importing Flask/ORM directly go in `impure`,
    those importing Flask or Werkzeug in `flask_users`."""
    modules = all_modules()
    result = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        seen = set()
        for target, line in _imports(tree, name, path.name == "__init__.py"):
            if impure is not None and _is_web_or_orm(target):
                impure.add(name)
                if flask_users is not None and not target.startswith(("sqlalchemy", "alembic")):
                    flask_users.add(name)
            if target in modules and target != name and target not in seen:
                if name.startswith(target + "."):
                    continue  # a submodule importing its own package's __init__
                seen.add(target)
                result.append(Edge(name, target, line))
    return result


def circles(graph_edges: list[Edge]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    graph: dict[str, list[str]] = {}
    for edge in graph_edges:
        graph.setdefault(edge.source, []).append(edge.target)
        graph.setdefault(edge.target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10000)

    def strong(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                strong(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            strong(node)
    return found


def domain_modules(graph_edges: list[Edge], impure: set[str], declared: set[str]) -> set[str]:
    """Declared pure modules plus every module that reaches no Flask/ORM import."""
    tainted = set(impure)
    changed = True
    while changed:
        changed = False
        for edge in graph_edges:
            if edge.target in tainted and edge.source not in tainted:
                tainted.add(edge.source)
                changed = True
    return declared | (set(all_modules()) - tainted)


def layer_of(module: str, pure: set[str]) -> str:
    parts = module.split(".")
    leaf = parts[-1]
    if module in INFRASTRUCTURE:
        return "infrastructure"
    if len(parts) > 1 and parts[1] == "models":
        return "models"
    if module == "attest" or module.startswith("attest.cli"):
        return "cli"
    if module in pure:
        return "domain"
    if leaf.endswith("views") or leaf == "forms" or leaf.endswith("_forms"):
        return "views"
    if module == "attest.kiosk" or (len(parts) > 2 and parts[1] == "kiosk"):
        return "views"
    return "services"


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def upward(graph_edges: list[Edge], pure: set[str]) -> list[str]:
    problems = []
    for edge in graph_edges:
        source, target = layer_of(edge.source, pure), layer_of(edge.target, pure)
        where = f"{edge.source} (line {edge.line}) -> {edge.target}"
        if LAYERS.index(target) > LAYERS.index(source):
            problems.append(f"{where}: {source} imports {target}")
        elif (
            source == target == "views"
            and package_of(edge.source) != package_of(edge.target)
            and edge.target not in SHARED_VIEWS
        ):
            problems.append(f"{where}: views import another package's views or forms")
    return problems


def pure_modules() -> set[str]:
    sys.path.insert(0, str(ROOT))
    from tests.unit.test_purity import PURE_MODULES

    return set(PURE_MODULES)


def problems() -> tuple[list[list[str]], list[str]]:
    """(circles, upward imports) of the package as it is on disk."""
    impure: set[str] = set()
    flask_users: set[str] = set()
    graph_edges = edges(impure, flask_users)
    pure = domain_modules(graph_edges, impure, pure_modules())
    ups = upward(graph_edges, pure)
    ups += [
        f"{module}: models import Flask"
        for module in sorted(flask_users)
        if layer_of(module, pure) == "models"
    ]
    return circles(graph_edges), ups


def main() -> int:
    found, ups = problems()
    for component in found:
        print("circle:", " <-> ".join(component))
    for problem in ups:
        print("upward:", problem)
    print(f"{len(found)} circle(s), {len(ups)} upward import(s)")
    return 1 if found or ups else 0


if __name__ == "__main__":
    raise SystemExit(main())
