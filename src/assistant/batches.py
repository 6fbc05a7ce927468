"""Labelled batch files: JSON Lines, one validated row per line, shared by the triage and the
answering training data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from assistant.errors import AssistantError

RowModel = TypeVar("RowModel", bound=BaseModel)


def read_rows(path: Path, model: type[RowModel]) -> Iterator[tuple[int, RowModel]]:
    """Each non-blank line of `path` validated as `model`, with its line number; an
    AssistantError names the file, line and fault."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"{path}: cannot read: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield number, model.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise AssistantError(f"{path}:{number}: {' '.join(str(exc).split())}") from exc
