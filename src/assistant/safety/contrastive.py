"""SetFit-style training of the bundled MiniLM, for comparison with the other triage models.

As SetFit does: the encoder's top layers first learn from pairs of texts, pulling together texts
with the same labels and pushing apart texts with different ones (cosine-similarity loss); then
logistic heads read the tuned sentence vectors. (The shipped `finetune.py` instead trains the top
layers and a head on the labels directly.)
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from assistant.indexing.embeddings import load_encoder
from assistant.indexing.encoder import Encoder
from assistant.safety.finetune import (
    MAX_TOKENS,
    deterministic,
    load_tunable,
    pooled,
    top_layers,
)
from assistant.safety.model import Matrix, sigmoid

PAIRS = 4000  # label pairs: a same-label pair, then a random pair when its labels differ
BATCH = 16
LEARNING_RATE = 2e-5  # SetFit's default for the body


@dataclass
class ContrastiveModel:
    """Logistic heads over the sentence vectors of the contrastively tuned encoder."""

    outputs: tuple[str, ...]
    layers: dict[str, NDArray[np.float32]]  # state-dict entries of the tuned layers
    weights: NDArray[np.float64]  # (384, len(outputs))
    bias: NDArray[np.float64]
    encoder: Encoder | None = field(default=None, repr=False, compare=False)
    _top: Any = field(default=None, repr=False, compare=False)
    reads_clauses = False  # like the fine-tuned model: each turn whole

    def vectors(self, texts: Sequence[str]) -> Matrix:
        """Tuned sentence vectors, one text at a time (no padding), rounded to 5 decimals."""
        if self._top is None:
            if self.encoder is None:
                self.encoder = Encoder(*load_encoder(), MAX_TOKENS)
            self._top = self.encoder.tuned_top(self.layers)
        encoder = self.encoder
        assert encoder is not None
        rows = [encoder.vector(encoder.trunk(t, MAX_TOKENS), self._top)[0].numpy() for t in texts]
        return np.asarray(np.round(np.asarray(rows, dtype=np.float64), 5), dtype=np.float64)

    def score(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, len(self.outputs)))
        return np.round(sigmoid(self.vectors(texts) @ self.weights + self.bias), 6)


def pairs(keys: Sequence[tuple[Any, ...]], count: int, seed: int) -> list[tuple[int, int, float]]:
    """`count` pairs of row indices: in turn, two rows with equal keys (target 1.0) and two
    random rows when their keys differ (0.0; a random pair with equal keys is skipped), so at
    least half the pairs share labels."""
    rng = random.Random(seed)
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        groups[key].append(i)
    shared = [g for g in groups.values() if len(g) > 1]
    found: list[tuple[int, int, float]] = []
    while len(found) < count:
        group = rng.choice(shared)
        a, b = rng.sample(group, 2)
        found.append((a, b, 1.0))
        a, b = rng.randrange(len(keys)), rng.randrange(len(keys))
        if keys[a] != keys[b]:
            found.append((a, b, 0.0))
    return found[:count]


def fit_contrastive(
    texts: Sequence[str],
    targets: Sequence[Sequence[float | None]],
    outputs: Sequence[str],
    seed: int,
    fit_head: Callable[[Matrix, Sequence[float | None]], tuple[Matrix, float]],
    log: Callable[[str], object] | None = None,
) -> ContrastiveModel:
    """Tune the top LAYERS on label pairs (deterministically: fixed seed, threads and
    algorithms), then fit a logistic head per output on the tuned vectors."""
    import torch

    with deterministic(seed):
        tokenizer, model, tuned = load_tunable()
        optimiser = torch.optim.AdamW(list(tuned.parameters()), lr=LEARNING_RATE)
        keys = [tuple(-1.0 if t is None else t for t in row) for row in targets]
        found = pairs(keys, PAIRS, seed)
        model.train()
        started = time.perf_counter()
        for start in range(0, len(found), BATCH):
            batch = found[start : start + BATCH]
            left = pooled(tokenizer, model, [texts[a] for a, _, _ in batch])
            right = pooled(tokenizer, model, [texts[b] for _, b, _ in batch])
            similar = torch.tensor([same for _, _, same in batch])
            loss = torch.nn.functional.mse_loss((left * right).sum(-1), similar)
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
            if log is not None and start % (BATCH * 100) == 0:
                took = time.perf_counter() - started
                log(f"contrastive: pair {start}/{len(found)} ({took:.0f} s)")
        layers = top_layers(model)
    width = len(outputs)
    result = ContrastiveModel(tuple(outputs), layers, np.zeros((384, width)), np.zeros(width))
    x = result.vectors(texts)
    for j in range(width):
        result.weights[:, j], result.bias[j] = fit_head(x, [row[j] for row in targets])
    return result
