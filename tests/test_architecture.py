"""The package layering: no import cycle between lagesbild's top-level packages, and no upward import.

The graph is read from the source (AST), so it sees every import: module level, inside functions
(lazy imports) and under ``TYPE_CHECKING``. An import that must break the rule says so on its own
line with a comment ``# layering: allowed (why)``; none does today.

The layers, bottom to top. A package may import packages of *lower* layers only; packages of one
layer are siblings and do not import each other. ``lagesbild`` is the root package's public API
(``lagesbild/__init__.py``); ``from lagesbild import refdata`` counts as an import of ``refdata``.

* ``errors``: the one exception tree.
* ``settings``, ``refdata``, ``private_files``, ``i18n``: configuration, bundled reference data,
  the helpers that create files and folders readable by their owner only, and the one catalogue
  of the words people read in Swedish and English (the dashboard's and the command line's).
* ``observations``, ``records``: the typed records the stages hand each other through the store.
* ``store``, ``simulate``: the one storage interface; the simulator, which produces a market
  with known truth and must stay independent of the store and every stage it is used to test.
* ``normalize``: typed facts from observation text (and the identifier rules privacy uses).
* ``privacy``: keyed pseudonyms, scrubbing, the key file.
* ``ingest``, ``verdicts``, ``link``: the entry points from files and judgments, and linking.
* ``monitor``, ``estimate``, ``pipeline``, ``retention``, ``privacy_rotate``, ``workspace``:
  crawling (which validates through ``ingest``), estimation (which reads verdict flows), the
  after-import pipeline, data retention, key rotation, and an installation (store + key + settings).
* ``campaigns``: campaign evaluation and targeting (which ranks areas from the estimate suite).
* ``report``, ``lagesbild``: the lägesbild reports; the root package's small public API.
* ``web``: the dashboard and API.
* ``demo``: the demo runner.
* ``cli``: the thin command line over all of it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "lagesbild"
ROOT = "lagesbild"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("settings", "refdata", "private_files", "i18n"),
    ("observations", "records"),
    ("store", "simulate"),
    ("normalize",),
    ("privacy",),
    ("ingest", "verdicts", "link"),
    ("monitor", "estimate", "pipeline", "retention", "privacy_rotate", "workspace"),
    ("campaigns",),
    ("report", ROOT),
    ("web",),
    ("demo",),
    ("cli",),
)
"""Bottom to top; see the module docstring for what each layer is."""

ALLOWED = re.compile(r"#\s*layering:\s*allowed\b\s*\S")
"""The comment that allows one import to break the layering (it must give a reason)."""


@dataclass(frozen=True)
class Import:
    """One import of one top-level package by another, where it is written."""

    source: str
    target: str
    path: str
    line: int
    allowed: bool

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.source} imports {self.target}"


def _top_level(src: Path) -> set[str]:
    """The top-level packages and modules of the package at ``src`` (``__init__.py`` is :data:`ROOT`)."""
    names = {p.stem for p in src.glob("*.py") if p.name != "__init__.py"}
    names |= {p.name for p in src.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    return names | {ROOT}


def _owner(rel: Path) -> str:
    """The top-level package a file belongs to (``store/links.py`` -> ``store``)."""
    if len(rel.parts) == 1:
        return ROOT if rel.name == "__init__.py" else rel.stem
    return rel.parts[0]


def _module_parts(rel: Path) -> list[str]:
    """The dotted module a file is, as parts after the root (``store/links.py`` -> ``[store, links]``)."""
    parts = list(rel.with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imports(src: Path = SRC) -> list[Import]:
    """Every import between two different top-level packages under ``src``, from the AST of each file."""
    names = _top_level(src)
    found: list[Import] = []
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src)
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        owner = _owner(rel)
        package = _module_parts(rel) if rel.name == "__init__.py" else _module_parts(rel)[:-1]
        for node in ast.walk(ast.parse(text, filename=str(path))):
            targets: list[list[str]] = []
            if isinstance(node, ast.Import):
                targets = [a.name.split(".") for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = [ROOT, *package[: len(package) - node.level + 1]]
                    module = base + (node.module.split(".") if node.module else [])
                else:
                    module = (node.module or "").split(".")
                if module == [ROOT]:  # from lagesbild import refdata / Store
                    targets = [[ROOT, a.name] if a.name in names else [ROOT] for a in node.names]
                else:
                    targets = [module]
            else:
                continue
            source_lines = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
            allowed = any(ALLOWED.search(line) for line in source_lines)
            for parts in targets:
                if not parts or parts[0] != ROOT:
                    continue
                target = parts[1] if len(parts) > 1 else ROOT
                if target != owner:
                    found.append(Import(owner, target, str(rel), node.lineno, allowed))
    return found


def graph(found: Iterable[Import]) -> dict[str, set[str]]:
    """Package -> the packages it imports (allowed imports left out)."""
    out: dict[str, set[str]] = {}
    for imp in found:
        if not imp.allowed:
            out.setdefault(imp.source, set()).add(imp.target)
    return out


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(set(edges) | {w for ws in edges.values() for w in ws}):
        if v not in index:
            visit(v)
    return sorted(out)


def violations(found: Iterable[Import], layers: tuple[tuple[str, ...], ...] = LAYERS) -> list[Import]:
    """Imports of a package in the same or a higher layer (allowed imports left out)."""
    level = {name: i for i, layer in enumerate(layers) for name in layer}
    return [
        imp
        for imp in found
        if not imp.allowed and imp.source in level and imp.target in level and level[imp.target] >= level[imp.source]
    ]


# ------------------------------------------------------------------------------------------- the rules


def test_no_import_cycle_between_top_level_packages() -> None:
    found = imports()
    loops = cycles(graph(found))
    detail = [str(i) for i in found if not i.allowed and any(i.source in c and i.target in c for c in loops)]
    assert loops == [], f"import cycles {loops}:\n" + "\n".join(detail)


def test_every_import_goes_down_the_declared_layers() -> None:
    bad = violations(imports())
    assert bad == [], "imports of the same or a higher layer (see LAYERS):\n" + "\n".join(map(str, bad))


def test_every_top_level_package_has_a_layer() -> None:
    declared = [name for layer in LAYERS for name in layer]
    assert len(declared) == len(set(declared)), "a package is declared twice"
    assert set(declared) == _top_level(SRC), "place new packages in LAYERS (and remove ones that are gone)"


def test_store_imports_no_pipeline_stage() -> None:
    """The invariant behind the layering: the store keeps records, it does not know the stages."""
    stages = {"normalize", "privacy", "ingest", "verdicts", "link", "monitor", "estimate", "campaigns", "report", "web"}
    assert {i.target for i in imports() if i.source == "store"} & stages == set()


# ------------------------------------------------------------------------------------------- the checker


def _tree(tmp_path: Path, files: Mapping[str, str]) -> Path:
    src = tmp_path / "lagesbild"
    for name, body in {"__init__.py": "", **files}.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return src


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    """A small package with one of everything the checker must see."""
    return _tree(
        tmp_path,
        {
            "errors.py": "",
            "store/__init__.py": "from lagesbild.errors import X\n",
            "store/links.py": "def f():\n    from lagesbild.link.cluster import y  # a lazy import\n",
            "link/__init__.py": "from ..store import links\n",
            "link/cluster.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from lagesbild.report import Z\n"
                "from lagesbild import errors, Store\n"
            ),
            "report/__init__.py": (
                "import lagesbild.link.cluster\nfrom lagesbild.cli import w  # layering: allowed (a demo)\n"
            ),
            "cli/__init__.py": "",
        },
    )


def test_checker_reads_lazy_relative_type_checking_and_root_imports(toy: Path) -> None:
    edges = {(i.source, i.target, i.allowed) for i in imports(toy)}
    assert edges == {
        ("store", "errors", False),
        ("store", "link", False),  # inside a function
        ("link", "store", False),  # relative
        ("link", "report", False),  # under TYPE_CHECKING
        ("link", "errors", False),  # from lagesbild import errors
        ("link", ROOT, False),  # from lagesbild import Store
        ("report", "link", False),
        ("report", "cli", True),
    }


def test_checker_finds_cycles_and_upward_imports(toy: Path) -> None:
    found = imports(toy)
    assert cycles(graph(found)) == [["link", "report", "store"]]
    layers = (("errors",), ("store",), ("link",), ("report", ROOT), ("cli",))
    assert sorted((i.source, i.target) for i in violations(found, layers)) == [
        ("link", ROOT),
        ("link", "report"),
        ("store", "link"),
    ]


def test_an_allowed_import_needs_a_reason(tmp_path: Path) -> None:
    src = _tree(
        tmp_path,
        {
            "a.py": "from lagesbild.b import x  # layering: allowed\n",
            "b.py": "from lagesbild.a import y  # layering: allowed (b's tests need a)\n",
        },
    )
    assert {(i.source, i.allowed) for i in imports(src)} == {("a", False), ("b", True)}
