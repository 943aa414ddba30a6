"""The import rule of ARCHITECTURE.md, checked on every file (imports inside functions too).

Rooms are ranked from the ground floor up; a module may import its own room, the ground floor,
and rooms ranked below its own, never above. No two files may import each other in a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The ground floor: shared by every room, importing only each other.
GROUND = ("errors", "paths", "events", "files", "config", "store", "onnx_session", "onnx_graph",
          "registry", "about")
# Rooms from the bottom up: each may import the ones before it.
ROOMS = ("values", "sentences", "models", "audio", "tts", "asr", "wake", "understanding",
         "household", "skills", "dialogue", "generation", "history", "training", "service",
         "pipeline", "wyoming", "personalize")
# The command dispatcher on top imports every room's commands by name.
TOP = ("assistant", "assistant.cli", "assistant.__main__", "assistant.config_cli")


def modules() -> dict[str, Path]:
    out = {}
    for pkg in ("assistant", "personalize"):
        for f in (REPO / pkg).rglob("*.py"):
            name = ".".join(f.relative_to(REPO).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = f
    return out


def imports(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports, resolved to files."""
    edges: dict[str, set[str]] = {}
    for m, f in mods.items():
        pkg = m if f.name == "__init__.py" else m.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(f.read_text(), str(f))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = pkg.split(".")[: len(pkg.split(".")) - (node.level - 1)]
                    base = ".".join(parts + ([base] if base else []))
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            else:
                continue
            for t in targets:
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                # a package's __init__ holds only its docstring (tested below)
                if t and t != m and mods[t].name != "__init__.py":
                    found.add(t)
        edges[m] = found
    return edges


def room(module: str) -> str:
    """'ground', 'top', or the room a module lives in."""
    if module in TOP:
        return "top"
    parts = module.split(".")
    if parts[0] == "personalize":
        return "personalize"
    if len(parts) == 2 and parts[1] in GROUND:
        return "ground"
    return parts[1]


def rank(r: str) -> int:
    return -1 if r == "ground" else len(ROOMS) if r == "top" else ROOMS.index(r)


def test_every_module_is_in_a_known_room() -> None:
    unknown = sorted({room(m) for m in modules()} - {"ground", "top", *ROOMS})
    assert not unknown, f"rooms missing from ARCHITECTURE.md and ROOMS: {unknown}"


def test_packages_hold_no_code() -> None:
    """Package ``__init__`` files hold a docstring and constants only (``__version__``), so
    importing a package hides no import."""
    busy = [str(f.relative_to(REPO)) for f in modules().values() if f.name == "__init__.py"
            and any(not (isinstance(n, (ast.Expr, ast.Assign)) and isinstance(n.value, ast.Constant))
                    for n in ast.parse(f.read_text()).body)]
    assert not busy, f"__init__ files with code: {busy}"


def test_imports_point_down() -> None:
    bad = []
    for m, targets in imports(modules()).items():
        src = room(m)
        for t in targets:
            dst = room(t)
            if dst == src and src != "ground":
                continue
            if src == "ground" and dst == "ground":
                continue
            if rank(dst) >= rank(src):
                bad.append(f"{m} ({src}) imports {t} ({dst})")
    assert not bad, "imports that point up or sideways:\n" + "\n".join(sorted(bad))


def test_no_import_circles() -> None:
    edges = imports(modules())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert not circles, f"import circles: {circles}"


def test_the_rule_catches_an_upward_import(tmp_path: Path) -> None:
    """The check itself: a values module importing a skill is reported."""
    mods = {"assistant.values.x": tmp_path / "x.py", "assistant.skills.y": tmp_path / "y.py"}
    mods["assistant.values.x"].write_text("def f():\n    from assistant.skills.y import g\n")
    mods["assistant.skills.y"].write_text("from ..values import x\n")
    edges = imports(mods)
    assert edges == {"assistant.values.x": {"assistant.skills.y"},
                     "assistant.skills.y": {"assistant.values.x"}}
    assert rank(room("assistant.skills.y")) > rank(room("assistant.values.x"))
