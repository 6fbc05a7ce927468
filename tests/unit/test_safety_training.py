"""Training data, fitting and the saved model: validation of batch files, what is learned from
each row, reproducible fits, and a save/load round trip that scores exactly the same."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import AssistantError
from assistant.safety.data import fingerprint, read_batch
from assistant.safety.learning import fit_ngram, outputs_for, row_scores, units
from assistant.safety.model import Blend, load, save
from assistant.safety.rules import load_rules
from assistant.safety.training import load_split
from assistant.settings import PROJECT_ROOT

BOOK = load_rules()
OUTPUTS = outputs_for(BOOK.ids)


def write(path: Path, *rows: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        pytest.param("{not json", "b01.jsonl:1", id="not-json"),
        pytest.param(
            {"text": "x", "labels": ["made_up"], "kind": "refer"}, "unknown rule", id="unknown-rule"
        ),
        pytest.param(
            {"text": "x", "labels": [], "kind": "refer"}, "needs labels", id="refer-without-labels"
        ),
        pytest.param(
            {"turns": ["a", "b"], "turn_labels": [[]], "labels": [], "kind": "conversation"},
            "one list per turn",
            id="turn-labels",
        ),
        pytest.param(
            {"text": "x", "turns": ["x"], "labels": [], "kind": "question"},
            "either",
            id="text-and-turns",
        ),
        pytest.param({"text": "x", "labels": [], "kind": "chat"}, "kind", id="bad-kind"),
    ],
)
def test_a_bad_row_is_named_with_its_file_and_line(
    tmp_path: Path, row: object, problem: str
) -> None:
    path = tmp_path / "b01.jsonl"
    path.write_text(row if isinstance(row, str) else json.dumps(row), encoding="utf-8")
    with pytest.raises(AssistantError, match=problem):
        read_batch(path, BOOK.ids)


def test_rows_become_units_per_message_per_turn_and_per_conversation(tmp_path: Path) -> None:
    path = write(
        tmp_path / "b01.jsonl",
        {"text": "My leg is NUMB", "labels": ["numbness_tingling"], "kind": "refer"},
        {"text": "tight hips", "labels": [], "describes_symptoms": True, "kind": "mild-symptoms"},
        {
            "turns": ["fell off a ladder", "cant stand"],
            "turn_labels": [[], ["loss_of_function"]],
            "labels": ["major_trauma"],
            "describes_symptoms": True,
            "kind": "conversation",
        },
    )
    rows = read_batch(path, BOOK.ids)
    found = {u.text: dict(zip(OUTPUTS, u.targets, strict=True)) for u in units(rows, BOOK.ids)}
    assert set(found) == {
        "my leg is numb",
        "tight hips",
        "fell off a ladder",
        "cant stand",
        "fell off a ladder . cant stand",
    }
    assert found["my leg is numb"]["numbness_tingling"] == 1.0
    assert found["my leg is numb"]["symptoms"] == 1.0  # every refer row describes symptoms
    assert found["tight hips"]["refer"] == 0.0
    assert found["cant stand"]["loss_of_function"] == 1.0
    assert found["cant stand"]["symptoms"] is None  # not labelled per turn
    joined = found["fell off a ladder . cant stand"]
    assert joined["major_trauma"] == 1.0
    # Writers differ on whether a fall that stops walking is also loss of function.
    assert joined["loss_of_function"] is None


TOY = [
    ("my leg is numb", ["numbness_tingling"]),
    ("numb foot since monday", ["numbness_tingling"]),
    ("my thigh has gone numb", ["numbness_tingling"]),
    ("calf is hot and swollen", ["calf_dvt"]),
    ("swollen red calf after a flight", ["calf_dvt"]),
    ("how long do i hold the stretch", []),
    ("where is the psoas", []),
    ("is the bridge good for the core", []),
]


def toy_rows(tmp_path: Path) -> Path:
    rows = [
        {
            "text": t,
            "labels": labels,
            "describes_symptoms": bool(labels),
            "kind": "refer" if labels else "question",
        }
        for t, labels in TOY
    ]
    rows.append(
        {
            "text": "when should i see a doctor",
            "labels": [],
            "describes_symptoms": False,
            "kind": "warning-question",
        }
    )
    rows += [
        {"text": f"{r} now", "labels": [r], "describes_symptoms": True, "kind": "refer"}
        for r in BOOK.ids
    ]
    return write(tmp_path / "b01.jsonl", *rows)


def test_an_ngram_fit_learns_and_is_reproducible(tmp_path: Path) -> None:
    rows = read_batch(toy_rows(tmp_path), BOOK.ids)
    first = fit_ngram(units(rows, BOOK.ids), OUTPUTS)
    second = fit_ngram(units(rows, BOOK.ids), OUTPUTS)
    assert np.array_equal(first.weights, second.weights)
    scores = first.score(["my foot is numb", "where is the bridge"])
    numb = OUTPUTS.index("numbness_tingling")
    assert scores[0, numb] > 0.5 > scores[1, numb]


def test_a_saved_model_scores_exactly_as_it_did(tmp_path: Path) -> None:
    rows = read_batch(toy_rows(tmp_path), BOOK.ids)
    model = fit_ngram(units(rows, BOOK.ids), OUTPUTS)
    save(model, tmp_path / "model", {"kind": "ngram", "thresholds": {}})
    loaded, meta = load(tmp_path / "model")
    assert meta["kind"] == "ngram"
    assert not isinstance(loaded, Blend)  # one n-gram model, not a blend of two
    assert loaded.outputs == OUTPUTS
    texts = ["numb calf", "tight hips", "ｎｕｍｂ", ""]
    assert np.allclose(loaded.score(texts), model.score(texts), atol=1e-5)
    assert row_scores(loaded, rows).shape == (len(rows), len(OUTPUTS))


def test_fingerprint_changes_with_the_data(tmp_path: Path) -> None:
    path = toy_rows(tmp_path)
    before = fingerprint([path])
    path.write_text(path.read_text() + "\n", encoding="utf-8")
    assert fingerprint([path]) != before


def test_the_shipped_split_holds_out_whole_batches() -> None:
    split = load_split(PROJECT_ROOT / "training" / "triage", BOOK)
    train = {e.batch for e in split.train}
    held = {e.batch for e in split.validation}
    assert held
    assert not train & held
    assert len(split.train) + len(split.validation) >= 3000


def test_contrastive_pairs_are_seeded_and_at_least_half_share_labels() -> None:
    from assistant.safety.contrastive import pairs

    keys = [(1.0, 0.0)] * 5 + [(0.0, 1.0)] * 5 + [(0.0, 0.0)] * 5
    found = pairs(keys, 200, seed=7)
    assert found == pairs(keys, 200, seed=7)
    assert len(found) == 200
    for a, b, same in found:
        assert a != b or same == 1.0
        assert (keys[a] == keys[b]) == (same == 1.0)
    share = sum(same for _, _, same in found) / len(found)
    assert 0.5 <= share < 1.0  # both kinds, same-label pairs at least half
