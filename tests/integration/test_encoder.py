"""The encoder run in two halves gives what a whole pass gives, and triage's pass serves the
question's sentence vector."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from assistant.assistant import Assistant
from assistant.evaluation.cases import load_suite
from assistant.indexing.embeddings import MiniLM, load_training_encoder
from assistant.safety.finetune import SCALE, FineTunedModel, pooled
from assistant.settings import PROJECT_ROOT
from assistant.text.normalise import normalise

pytestmark = pytest.mark.integration
TEXTS = [
    "What's the best stretch for a tight psoas after sitting all day?",
    "ok",
    "my hip flexor has been sore for two days after a long run, is that normal? "
    "I did lunges and bridges the day before and it only hurts when I lift my knee",
    "Pourquoi mon psoas est-il tendu ? 🙂",
    "word " * 300,  # beyond both truncation lengths
]


@pytest.mark.parametrize("text", TEXTS, ids=["question", "one-word", "long", "french", "huge"])
def test_the_split_sentence_vector_equals_the_whole_model_encode(model: MiniLM, text: str) -> None:
    split = np.array(model.embed_query(text))
    whole = np.array(model.documents.embed_query(text))
    # The same operations in the same order, normalised twice as sentence-transformers does.
    assert np.array_equal(split, whole)


def test_every_suite_question_vector_equals_the_whole_model_encode(model: MiniLM) -> None:
    questions = [c.question for c in load_suite(PROJECT_ROOT / "evals" / "answers.yaml")]
    for text in questions:
        assert model.embed_query(text) == model.documents.embed_query(text), text


def fine_tuned(assistant: Assistant) -> FineTunedModel:
    parts = [p for p in assistant.triage.reader.parts if isinstance(p, FineTunedModel)]
    assert parts, "the packaged detector has a fine-tuned part"
    return parts[0]


@pytest.mark.parametrize("text", TEXTS, ids=["question", "one-word", "long", "french", "huge"])
def test_the_fine_tuned_scores_equal_a_whole_pass_through_the_tuned_model(
    assistant: Assistant, text: str
) -> None:
    tuned = fine_tuned(assistant)
    tokenizer, whole = load_training_encoder()
    whole.load_state_dict({k: torch.from_numpy(v) for k, v in tuned.layers.items()}, strict=False)
    whole.eval()
    _, head = tuned.parts()
    with torch.inference_mode():
        vector = pooled(tokenizer, whole, [normalise(text)])
        expected = np.round(torch.sigmoid(head(vector * SCALE)).double().numpy(), 4)
    assert np.array_equal(tuned.score([normalise(text)]), expected)


def test_triage_shares_its_lower_layers_with_the_question_vector(assistant: Assistant) -> None:
    tuned = fine_tuned(assistant)
    model = assistant.retriever.embeddings
    assert isinstance(model, MiniLM)
    assert tuned.encoder is model.encoder  # one copy of the lower layers, not two
    question = "How long should I hold the kneeling hip flexor stretch?"
    model.encoder.remembered.clear()
    assistant.ask(question)
    # Triage read the question first; its lower-layer states were then reused for retrieval.
    remembered = len(model.encoder.remembered)
    fresh = model.encoder.vector(model.encoder.trunk(normalise(question)))
    assert len(model.encoder.remembered) == remembered
    fresh = torch.nn.functional.normalize(fresh, dim=-1)  # as `embed` does, like the documents
    assert model.embed_query(normalise(question)) == [float(x) for x in fresh[0].numpy()]
