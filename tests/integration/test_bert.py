"""The plain-torch MiniLM (`indexing/bert.py`) reads one text exactly as transformers'
`BertModel` and tokenizer do: the same word pieces at every cut, the same token states bit for
bit — so the question vectors and triage scores a start computes without transformers are the
ones the models were trained and measured with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from assistant.evaluation.cases import load_suite
from assistant.indexing.bert import load_bert
from assistant.indexing.embeddings import load_training_encoder, model_path
from assistant.indexing.encoder import run_layers
from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.integration

ODD = [
    "",
    "ok",
    "İstanbul STRASSE ß Æsir café naïve e\u0301",
    "🙂 hip\u200bflexor\u00a0pain\x1c\x1fthen",
    "中文 psoas 한국어 ümlaut",
    "Pourquoi mon psoas est-il tendu ?",
    "word " * 300,  # cut at every length below
    "iliopsoas" * 80,  # one word over 100 characters: [UNK]
    "iliopsoas " * 120,  # cut inside a word of several pieces
]


def suite_questions() -> list[str]:
    cases = load_suite(PROJECT_ROOT / "evals" / "answers-validation.yaml")
    return [c.question for c in cases]


@pytest.fixture(scope="module")
def both() -> tuple[Any, Any, Any, Any]:
    tokenizer, reference = load_training_encoder()
    pieces, bert = load_bert(model_path())
    return tokenizer, reference.eval(), pieces, bert


@pytest.mark.parametrize("max_length", [8, 128, 256, 512])
def test_the_word_pieces_are_transformers_at_every_cut(
    both: tuple[Any, Any, Any, Any], max_length: int
) -> None:
    tokenizer, _, pieces, _ = both
    for text in [*ODD, *suite_questions()]:
        expected = tokenizer([text], truncation=True, max_length=max_length)["input_ids"][0]
        assert pieces.ids(text, max_length) == expected, text


@pytest.mark.parametrize(
    "text",
    [*ODD, "What's the best stretch for a tight psoas after sitting all day?"],
    ids=[
        "empty",
        "ok",
        "accents",
        "invisibles",
        "scripts",
        "french",
        "cut-words",
        "unknown-word",
        "cut-in-a-word",
        "question",
    ],
)
def test_the_token_states_are_transformers_bit_for_bit(
    both: tuple[Any, Any, Any, Any], text: str
) -> None:
    tokenizer, reference, pieces, bert = both
    with torch.inference_mode():
        batch = tokenizer([text], truncation=True, max_length=256, return_tensors="pt")
        expected = reference(**batch).last_hidden_state
    assert torch.equal(states(bert, pieces.ids(text, 256)), expected)


def test_every_suite_question_gets_transformers_states(both: tuple[Any, Any, Any, Any]) -> None:
    tokenizer, reference, pieces, bert = both
    for text in suite_questions():
        with torch.inference_mode():
            batch = tokenizer([text], truncation=True, max_length=256, return_tensors="pt")
            expected = reference(**batch).last_hidden_state
        assert torch.equal(states(bert, pieces.ids(text, 256)), expected), text


def states(bert: Any, ids: list[int]) -> torch.Tensor:
    """One text's token states through every layer of the plain-torch model."""
    with torch.inference_mode():
        return run_layers(bert.encoder.layer, bert.embed(ids))  # type: ignore[no-any-return]


def copy_model(folder: Path, skip: str = "") -> None:
    for name in ("config.json", "tokenizer.json", "model.safetensors"):
        if name != skip:
            (folder / name).write_bytes((model_path() / name).read_bytes())


def test_a_checkpoint_missing_a_weight_is_refused(tmp_path: Path) -> None:
    from safetensors.torch import load_file, save_file

    copy_model(tmp_path, skip="model.safetensors")
    weights = load_file(str(model_path() / "model.safetensors"))
    del weights["encoder.layer.3.output.dense.weight"]
    save_file(weights, str(tmp_path / "model.safetensors"))
    with pytest.raises(ValueError, match=r"lacks encoder\.layer\.3\.output\.dense\.weight"):
        load_bert(tmp_path)


def test_a_checkpoint_with_a_weight_it_has_no_place_for_is_refused(tmp_path: Path) -> None:
    from safetensors.torch import load_file, save_file

    copy_model(tmp_path, skip="model.safetensors")
    weights = load_file(str(model_path() / "model.safetensors"))
    weights["encoder.layer.6.output.dense.weight"] = weights[
        "encoder.layer.5.output.dense.weight"
    ].clone()
    save_file(weights, str(tmp_path / "model.safetensors"))
    with pytest.raises(ValueError, match=r"holds encoder\.layer\.6\.output\.dense\.weight"):
        load_bert(tmp_path)


def test_the_bundled_checkpoint_loads_with_its_pooler_unread() -> None:
    from safetensors.torch import load_file

    found = load_file(str(model_path() / "model.safetensors"))
    assert "pooler.dense.weight" in found  # what the test above must not refuse
    assert "embeddings.position_ids" in found
    load_bert(model_path())  # refuses neither


def test_a_corrupt_checkpoint_is_refused_by_name(tmp_path: Path) -> None:
    copy_model(tmp_path, skip="model.safetensors")
    (tmp_path / "model.safetensors").write_bytes(b"not safetensors at all")
    with pytest.raises(ValueError, match=r"model\.safetensors cannot be read"):
        load_bert(tmp_path)


@pytest.mark.parametrize("text", ["", "{not json"], ids=["empty", "broken"])
def test_an_unreadable_tokenizer_is_refused_by_name(tmp_path: Path, text: str) -> None:
    copy_model(tmp_path, skip="tokenizer.json")
    (tmp_path / "tokenizer.json").write_text(text)
    with pytest.raises(ValueError, match=r"tokenizer\.json cannot be read"):
        load_bert(tmp_path)


def test_a_missing_tokenizer_is_refused_by_name(tmp_path: Path) -> None:
    copy_model(tmp_path, skip="tokenizer.json")
    with pytest.raises(ValueError, match=r"tokenizer\.json cannot be read"):
        load_bert(tmp_path)


@pytest.mark.parametrize("max_length", [0, 1])
def test_a_cut_without_room_for_both_marks_is_refused(
    both: tuple[Any, Any, Any, Any], max_length: int
) -> None:
    pieces = both[2]
    with pytest.raises(ValueError, match="room for"):
        pieces.ids("hip flexor", max_length)
    assert len(pieces.ids("hip flexor", 2)) == 2  # [CLS] [SEP]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({}, r"config\.json cannot be read as a BERT configuration: KeyError"),
        ({"hidden_size": 64}, r"model\.safetensors does not fit .*config\.json"),
    ],
    ids=["no-keys", "another-shape"],
)
def test_a_configuration_that_does_not_describe_the_checkpoint_is_refused_by_name(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    copy_model(tmp_path)
    config = json.loads((model_path() / "config.json").read_text()) if change else {}
    (tmp_path / "config.json").write_text(json.dumps({**config, **change}))
    with pytest.raises(ValueError, match=message):
        load_bert(tmp_path)


def test_a_missing_configuration_is_refused_by_name(tmp_path: Path) -> None:
    copy_model(tmp_path, skip="config.json")
    with pytest.raises(ValueError, match=r"config\.json cannot be read"):
        load_bert(tmp_path)
