"""The bundled MiniLM as a plain torch module and its word-piece tokenizer, for reading one text
at a time without importing transformers (whose import alone takes ~4 s of a start here).

`MiniBert` holds the same parameters under the same names as transformers' `BertModel` and runs
the same torch operations in the same order for one unpadded text, so its token states equal
that model's bit for bit (`tests/integration/test_bert.py` holds them to it). It follows the
attention transformers runs by default, `scaled_dot_product_attention` ("sdpa"), not its
"eager" matrix products, which round differently. Training, which
reads padded batches and needs gradients through transformers' code, loads transformers'
model instead (`embeddings.load_training_encoder`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn

CHECKPOINT = "model.safetensors"


class WordPieces:
    """The model's tokenizer (`tokenizer.json`), one text at a time, cut like transformers'
    `truncation=True`: the first word pieces, then [SEP]."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        path = folder / "tokenizer.json"
        try:
            self.tokenizer = Tokenizer.from_file(str(path))
        except Exception as error:  # the tokenizers library raises a bare Exception
            raise ValueError(f"{path} cannot be read as a tokenizer: {error}") from error
        # (The file asks for padding and truncation at 128; each call cuts at its own length.)
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        sep = self.tokenizer.token_to_id("[SEP]")
        if sep is None:
            raise ValueError(f"{path} has no [SEP] token")
        self.sep: int = sep

    def ids(self, text: str, max_length: int) -> list[int]:
        """`text`'s word-piece ids, [CLS] and [SEP] included, at most `max_length` of them."""
        if max_length < 2:
            raise ValueError(f"a text needs room for [CLS] and [SEP], not {max_length} pieces")
        ids: list[int] = self.tokenizer.encode(text).ids
        return ids if len(ids) <= max_length else [*ids[: max_length - 1], self.sep]


class Embeddings(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        size = config["hidden_size"]
        self.word_embeddings = nn.Embedding(config["vocab_size"], size, config["pad_token_id"])
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], size)
        self.token_type_embeddings = nn.Embedding(config["type_vocab_size"], size)
        self.LayerNorm = nn.LayerNorm(size, eps=config["layer_norm_eps"])

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1]).unsqueeze(0)
        hidden = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        hidden = hidden + self.position_embeddings(positions)
        return self.LayerNorm(hidden)  # type: ignore[no-any-return]


class SelfAttention(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        size = config["hidden_size"]
        self.heads = config["num_attention_heads"]
        self.head_size = size // self.heads
        self.query = nn.Linear(size, size)
        self.key = nn.Linear(size, size)
        self.value = nn.Linear(size, size)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        shape = (*hidden.shape[:-1], -1, self.head_size)
        query = self.query(hidden).view(*shape).transpose(1, 2)
        key = self.key(hidden).view(*shape).transpose(1, 2)
        value = self.value(hidden).view(*shape).transpose(1, 2)
        out = nn.functional.scaled_dot_product_attention(
            query,
            key,
            value,
            attn_mask=None,  # one unpadded text attends to every token
            dropout_p=0.0,
            scale=self.head_size**-0.5,
            is_causal=False,
        )
        out = out.transpose(1, 2).contiguous()
        return out.reshape(*hidden.shape[:-1], -1).contiguous()


class DenseNorm(nn.Module):
    """A projection added to the layer's input, then normalised."""

    def __init__(self, inputs: int, config: dict[str, Any]) -> None:
        super().__init__()
        self.dense = nn.Linear(inputs, config["hidden_size"])
        self.LayerNorm = nn.LayerNorm(config["hidden_size"], eps=config["layer_norm_eps"])

    def forward(self, hidden: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(hidden) + residual)  # type: ignore[no-any-return]


class Attention(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.self = SelfAttention(config)
        self.output = DenseNorm(config["hidden_size"], config)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(hidden), hidden)  # type: ignore[no-any-return]


class Intermediate(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.dense = nn.Linear(config["hidden_size"], config["intermediate_size"])

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return nn.functional.gelu(self.dense(hidden))


class Layer(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.attention = Attention(config)
        self.intermediate = Intermediate(config)
        self.output = DenseNorm(config["intermediate_size"], config)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        attended = self.attention(hidden)
        return self.output(self.intermediate(attended), attended)  # type: ignore[no-any-return]


class Stack(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.layer = nn.ModuleList(Layer(config) for _ in range(config["num_hidden_layers"]))


class MiniBert(nn.Module):
    """BERT's embeddings and encoder layers (no pooler: the sentence vector is a mean)."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        activation = config.get("hidden_act", "gelu")
        if (activation, config.get("position_embedding_type", "absolute")) != ("gelu", "absolute"):
            raise ValueError("MiniBert reads BERT models with GELU and absolute positions only")
        self.embeddings = Embeddings(config)
        self.encoder = Stack(config)

    def embed(self, ids: list[int]) -> torch.Tensor:
        """One text's word pieces as token states before the first layer (one segment)."""
        input_ids = torch.tensor([ids])
        return self.embeddings(input_ids, torch.zeros_like(input_ids))  # type: ignore[no-any-return]


def load_bert(folder: Path) -> tuple[WordPieces, MiniBert]:
    """The tokenizer and encoder in `folder` (a BERT checkpoint), ready to read (eval mode).
    A checkpoint that lacks a weight, or holds one this model has no place for, is refused."""
    from safetensors.torch import load_file

    settings = folder / "config.json"
    try:
        model = MiniBert(json.loads(settings.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{settings} cannot be read as a BERT configuration: {error!r}") from error
    wanted = set(model.state_dict())
    path = folder / CHECKPOINT
    try:
        found = load_file(str(path))
    except Exception as error:  # safetensors raises its own errors, not OSError
        raise ValueError(f"{path} cannot be read as safetensors: {error}") from error
    if missing := sorted(wanted - set(found)):
        raise ValueError(f"{path} lacks {missing[0]}")
    if odd := sorted(n for n in set(found) - wanted if not unused(n)):
        raise ValueError(f"{path} holds {odd[0]}, which this BERT reader has no place for")
    try:
        model.load_state_dict({name: found[name] for name in wanted})
    except RuntimeError as error:  # a weight of another shape than the configuration's
        raise ValueError(f"{path} does not fit {settings}: {error}") from error
    return WordPieces(folder), model.eval()


def unused(name: str) -> bool:
    """Whether a checkpoint's weight is one a mean-pooled sentence vector never reads."""
    return name.startswith("pooler.") or name == "embeddings.position_ids"
