"""The package's shape: no import cycles, no borrowed private names, small modules, and data
flowing one way along the pipeline (documents → indexing → retrieval → answer → cli/web)."""

from __future__ import annotations

import ast
from pathlib import Path

from assistant.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "assistant"
# Each stage may import only from the stages before it (and from the shared modules).
STAGES = ["documents", "indexing", "retrieval", "answer", "feedback", "report", "interfaces"]
SHARED = {"assistant.config", "assistant.errors", "assistant.translations"}
INTERFACES = {
    "assistant.cli",
    "assistant.corpus_commands",
    "assistant.curation_commands",
    "assistant.log_commands",
    "assistant.serve_command",
    "assistant.staging",
    "assistant.web",
    "assistant.evaluation",
    "assistant.__main__",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """Every `assistant` module imported by `path`, anywhere in it, with the names taken."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("assistant"):
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.startswith("assistant")]
    return found


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {
    name: {target for target, _ in imports(path) if target in MODULES and target != name}
    for name, path in MODULES.items()
}


def stage(name: str) -> int | None:
    if name in SHARED or name == "assistant":
        return None
    if name in INTERFACES or any(name.startswith(f"{i}.") for i in INTERFACES):
        return STAGES.index("interfaces")
    if name in ("assistant.answer", "assistant.questions", "assistant.turns"):
        return STAGES.index("answer")
    return STAGES.index(name.split(".")[1])


def test_the_graph_sees_every_import_even_inside_functions():
    assert len(MODULES) > 30
    assert "assistant.indexing.index" in GRAPH["assistant.answer"]
    assert "assistant.web.server" in GRAPH["assistant.serve_command"]  # imported inside `run`


def test_there_are_no_import_cycles():
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        assert name not in visiting, "import cycle: " + " -> ".join([*visiting, name])
        if name in done:
            return
        visiting.append(name)
        for target in sorted(GRAPH[name]):
            visit(target)
        visiting.pop()
        done.add(name)

    for name in MODULES:
        visit(name)


def test_no_module_imports_another_modules_private_names():
    for name, path in MODULES.items():
        for target, names in imports(path):
            private = [n for n in names if n.startswith("_") and target != name]
            assert not private, f"{name} imports {private} from {target}"


def test_data_flows_one_way_along_the_pipeline():
    for name, targets in GRAPH.items():
        own = stage(name)
        for target in targets:
            theirs = stage(target)
            if own is not None and theirs is not None:
                assert theirs <= own, f"{name} ({STAGES[own]}) imports {target} ({STAGES[theirs]})"


def test_modules_stay_small():
    for name, path in MODULES.items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 300, f"{name} has {lines} lines; split it"


def test_every_package_says_what_it_owns():
    for name, path in MODULES.items():
        if path.name == "__init__.py" and name != "assistant":
            assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), name
