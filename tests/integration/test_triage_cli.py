"""`assistant triage train` and `assistant triage check` from the command line, on a small
labelled data folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import assistant.cli as cli
from assistant.safety.detector import Detector
from assistant.safety.rules import load_rules

pytestmark = pytest.mark.integration
BOOK = load_rules()
PHRASES = {
    "severe_pain": "the pain is unbearable and nothing helps",
    "numbness_tingling": "my leg has gone numb",
    "loss_of_function": "I cannot walk up the stairs any more",
    "sudden_injury": "felt a pop and sudden sharp pain",
    "systemic_symptoms": "fever and chills with the hip pain",
    "bladder_bowel": "I cannot control my bladder",
    "saddle_numbness": "numb between my legs",
    "calf_dvt": "my calf is red hot and swollen",
    "major_trauma": "fell off a ladder and cannot stand on it",
}
BENIGN = ["how long do I hold the stretch", "where is the psoas", "my hips feel a bit tight"]


def batch(folder: Path, name: str, variant: int) -> None:
    rows = [
        {"text": f"{text} {'today' if variant else 'since monday'}", "labels": [rule],
         "describes_symptoms": True, "kind": "refer"}
        for rule, text in PHRASES.items()
    ]  # fmt: skip
    rows += [
        {"text": f"{text} {variant}", "labels": [], "describes_symptoms": "tight" in text,
         "kind": "mild-symptoms" if "tight" in text else "question"}
        for text in BENIGN
    ]  # fmt: skip
    rows.append({"text": f"when should I see a doctor {variant}", "labels": [],
                 "describes_symptoms": False, "kind": "warning-question"})  # fmt: skip
    lines = "".join(json.dumps(r) + "\n" for r in rows)
    (folder / "batches" / f"{name}.jsonl").write_text(lines, encoding="utf-8")


def test_train_writes_a_model_the_detector_loads_and_check_reports(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "batches").mkdir(parents=True)
    for i, name in enumerate(["t1", "t2", "t3", "v1"]):
        batch(data, name, i)
    (data / "split.yaml").write_text("validation: [v1]\n", encoding="utf-8")
    out = tmp_path / "model"
    result = CliRunner().invoke(
        cli.main, ["triage", "train", "--kind", "ngram", "--data", str(data), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "model.json").read_text())
    assert meta["kind"] == "ngram"
    assert meta["data"]["validation_batches"] == ["v1"]
    assert set(meta["thresholds"]) >= {*BOOK.ids, "refer", "symptoms", "warning_question"}
    detector = Detector.load(BOOK, out)
    found = detector.assess(["my calf is red hot and swollen"]).findings
    assert "calf_dvt" in [f.rule.id for f in found]

    suite = tmp_path / "suite.yaml"
    suite.write_text("batches: [data/batches/v1.jsonl]\n", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["triage", "check", str(suite)])
    assert result.exit_code == 0, result.output
    assert "refer cases" in result.output
    assert "false referrals on benign" in result.output


def test_train_names_a_bad_batch(tmp_path: Path) -> None:
    (tmp_path / "batches").mkdir()
    (tmp_path / "batches" / "b1.jsonl").write_text('{"text": "x"}\n', encoding="utf-8")
    (tmp_path / "split.yaml").write_text("validation: []\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli.main, ["triage", "train", "--kind", "ngram", "--data", str(tmp_path),
                   "--out", str(tmp_path / "m")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "b1.jsonl:1" in result.output
