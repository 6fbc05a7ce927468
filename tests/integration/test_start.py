"""What a start loads: a fresh process that opens the index and answers a question imports
neither sentence-transformers (documents are embedded in batches only at ingest), transformers
(the question encoder is plain torch) nor scikit-learn (only training needs it) — together
~5 s of every start here."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.assistant import Assistant
from assistant.settings import Settings

pytestmark = pytest.mark.integration

CHILD = """
import json, sys
from assistant.process import prepare
prepare()
from assistant.pipeline import build_assistant
from assistant.settings import Settings
answer = build_assistant(Settings()).ask("How long should I hold a hip flexor stretch?")
heavy = [n for n in ("sentence_transformers", "transformers", "sklearn") if n in sys.modules]
print(json.dumps({"heavy": heavy, "text": answer.text}))
"""


def test_a_start_and_its_first_answer_import_no_heavy_library(
    assistant: Assistant, shipped_settings: Settings
) -> None:
    assert assistant.ask("How long should I hold a hip flexor stretch?").text  # index built
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(shipped_settings.corpus_dir),
        "ASSISTANT_DATA_DIR": str(shipped_settings.data_dir),
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["heavy"] == []
    assert "[1]" in found["text"]  # a cited answer, from the index
