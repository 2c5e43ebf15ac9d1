"""The package's architecture, checked: stages import only upstream, no import cycles, heavy
libraries only where a model runs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "harness"
# Each stage and the stages upstream of it that it may import; any stage may import the shared modules.
UPSTREAM = {
    "data": set(),
    "models": {"data"},
    "training": {"data", "models"},
    "generation": {"data", "models"},
    "scoring": {"data"},
    "results": {"data", "scoring"},
    "evaluation": {"data", "models", "training", "generation", "scoring", "results"},
    "commands": {"data", "models", "training", "generation", "scoring", "results", "evaluation"},
}
STAGES = tuple(UPSTREAM)
SHARED = {"errors", "paths", "progress", "environment", "files", "store", "launch", "quiet", "tables"}
MODEL_LIBRARIES = {"torch", "transformers", "peft", "trl", "accelerate", "bitsandbytes"}
WITHOUT_MODEL_LIBRARIES = ("scoring", "results")


def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
            for p in PACKAGE.rglob("*.py")}


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    """Every module a file imports (absolute names), optionally only those at module level."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _stage(module: str) -> str | None:
    """The stage of a harness module, "shared" for the cross-cutting ones, None for the package and cli."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in ("__init__", "cli", "__main__"):
        return None
    return "shared" if parts[1] in SHARED else parts[1]


def test_every_module_belongs_to_a_stage_or_is_shared():
    unknown = {m for m in _modules() if _stage(m) not in (None, "shared", *STAGES)}
    assert not unknown, f"modules outside the stages {STAGES} and the shared modules: {sorted(unknown)}"


def test_stages_import_only_upstream():
    modules = _modules()
    wrong = []
    for module, path in modules.items():
        stage = _stage(module)
        if stage is None:
            continue
        for imported in _imports(path):
            target = _stage(imported) if imported in modules else None
            if target is None or target == stage:
                continue
            allowed = target == "shared" or target in UPSTREAM.get(stage, ())
            if not allowed:
                wrong.append(f"{module} ({stage}) imports {imported} ({target})")
    assert not wrong, "imports against the data flow:\n" + "\n".join(sorted(wrong))


@pytest.mark.parametrize("stage", WITHOUT_MODEL_LIBRARIES)
def test_no_model_libraries_outside_the_model_stages(stage):
    wrong = sorted(f"{module} imports {name}" for module, path in _modules().items() if _stage(module) == stage
                   for name in _imports(path) if name.split(".")[0] in MODEL_LIBRARIES)
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    modules = _modules()
    graph = {m: {i for i in _imports(p, top_level_only=True) if i in modules and i != m} for m, p in modules.items()}
    # a package's own __init__ importing its children is not a cycle
    graph = {m: {i for i in deps if not i.startswith(m + ".")} for m, deps in graph.items()}
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for dep in sorted(graph[module]):
            if state.get(dep) == "open":
                raise AssertionError("import cycle: " + " -> ".join(trail[trail.index(dep):] + [dep]))
            if dep not in state:
                visit(dep, trail + [dep])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
