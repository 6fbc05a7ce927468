"""The import contract: every module of `src/assistant` belongs to one layer of the pipeline,
and imports only from its own layer or those below it (lazy imports inside functions count
too). A stage that reaches for a later one fails here, naming both."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import assistant

ROOT = Path(assistant.__file__).parent
# Bottom to top (README, "Architecture"). Within a layer modules may import each other.
LAYERS: list[tuple[str, set[str]]] = [
    ("shared", {"errors", "settings", "answer", "lexicon", "process", "batches", "text"}),
    ("indexing", {"indexing"}),
    ("safety", {"safety"}),
    ("answering", {"answering"}),
    ("assembly", {"assistant", "pipeline"}),
    ("web", {"web"}),
    ("evaluation", {"evaluation"}),
    ("training", {"training"}),
    ("commands", {"commands", "cli", "__main__", "__init__"}),
]
RANK = {name: n for n, (_, names) in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    return ".".join(("assistant", *path.relative_to(ROOT).with_suffix("").parts))


def layer(module: str) -> int | None:
    """The layer of an `assistant` module (None for other packages)."""
    parts = module.split(".")
    if parts[0] != "assistant":
        return None
    return RANK.get(parts[1] if len(parts) > 1 else "__init__", -1)


def imported(module: str, source: str) -> list[str]:
    """Every module `source` (the text of `module`) imports, relative imports resolved."""
    package = module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            found.append(".".join([*base, *([node.module] if node.module else [])]))
    return found


def upward(module: str, source: str) -> list[str]:
    """The imports of `module` that reach a layer above its own."""
    mine = layer(module)
    assert mine is not None
    assert mine >= 0, f"{module} is in no layer of LAYERS"
    return [
        f"{target} ({LAYERS[there][0]})"
        for target in imported(module, source)
        if (there := layer(target)) is not None and there > mine
    ]


MODULES = sorted(ROOT.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_a_module_imports_only_its_own_layer_and_those_below(path: Path) -> None:
    module = module_name(path)
    assert not upward(module, path.read_text(encoding="utf-8")), module


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("from assistant.pipeline import build_assistant", id="from-import"),
        pytest.param("def f():\n    import assistant.cli\n", id="lazy-import"),
        pytest.param("from ..training import scope", id="relative-import"),
    ],
)
def test_the_contract_catches_an_upward_import(source: str) -> None:
    assert upward("assistant.answering.retrieval", source)
    assert not upward("assistant.commands.measuring", source)


def test_a_module_in_no_layer_is_refused() -> None:
    with pytest.raises(AssertionError, match="in no layer"):
        upward("assistant.unplaced", "")
