"""How a learned answering model is kept: its arrays in one compressed `.npz` file and its
settings, data record and validation numbers in `model.json`, in a folder of the package."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

META = "model.json"


def save_model(
    folder: Path, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray], file: str
) -> None:
    """Write `meta` and the named `arrays` (into `file`) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / file, **arrays)  # type: ignore[arg-type]  # (allow_pickle)
    (folder / META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def load_model(folder: Path, file: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The `meta` and the arrays `save_model` wrote."""
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    with np.load(folder / file) as stored:
        arrays = {name: stored[name] for name in stored.files}
    return meta, arrays


def packaged(name: str) -> Path:
    """The folder of a model shipped inside the package (`answering/<name>`)."""
    return Path(str(resources.files("assistant.answering") / name))
