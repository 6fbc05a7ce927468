"""Modules that only name the embedding model import no torch (~1.5 s here): torch loads when
the encoder itself does (`embeddings.load_encoder`)."""

from __future__ import annotations

import subprocess
import sys

import pytest

MODULES = [
    "assistant.indexing.embeddings",
    "assistant.indexing.encoder",
    "assistant.safety.finetune",
    "assistant.safety.contrastive",
]


@pytest.mark.parametrize("module", MODULES)
def test_importing_a_module_that_names_the_model_loads_no_torch(module: str) -> None:
    child = f"import sys, {module}; print('torch' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "False"


def test_the_check_sees_torch_when_it_is_loaded() -> None:
    child = "import sys, torch; print('torch' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "True"
