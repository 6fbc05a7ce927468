"""The bundled MiniLM fine-tuned to rank candidate sentences, for `ranking_compare`: a
cross-encoder (question and sentence read together) and a bi-encoder (a vector each, cosine).
Both train on the candidates and labels of `training.ranking.gather`; nothing is saved.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.answering.ranking import FEATURES
from assistant.indexing.embeddings import load_training_encoder
from assistant.safety.finetune import LAYERS, pooled
from assistant.training import ranking as rt

NEGATIVES = 7  # other candidates per training question, the best-scored by hand first
MAX_TOKENS = 128
CROSS_RATE, HEAD_RATE, SCALE_HEAD = 1e-4, 1e-3, 10.0  # few steps: a high rate (3e-5 learned less)
BI_RATE, BI_BATCH, SCALE = 2e-5, 16, 20.0  # SCALE: MultipleNegativesRankingLoss's
HAND, USABLE = FEATURES.index("hand_score"), FEATURES.index("usable")


def picks(labels: np.ndarray, hand: np.ndarray, negatives: int = NEGATIVES) -> np.ndarray:
    """Rows a question trains on: its answering candidates first, then up to `negatives` others,
    the best-scored by hand first (the hardest to tell apart)."""
    others = np.flatnonzero(~labels)
    others = others[np.argsort(-hand[others], kind="stable")][:negatives]
    return np.concatenate([np.flatnonzero(labels), others])


def shared(owners: Sequence[set[str]], columns: Sequence[str]) -> np.ndarray:
    """In-batch negatives that are not: column j also answers question i (i != j)."""
    found = np.array([[c in own for c in columns] for own in owners], dtype=np.bool_)
    np.fill_diagonal(found, False)
    return found


class Cross:
    """The bundled MiniLM reading (question, sentence) together: a linear head on the mean of
    the pair's token states (the model was trained to mean-pool; its [CLS] state means little)."""

    def __init__(self) -> None:
        import torch

        torch.manual_seed(rt.SEED)  # the new head starts from the same weights every run
        self.tokenizer, self.model = load_training_encoder()
        self.head = torch.nn.Linear(self.model.config.hidden_size, 1)

    def logits(self, query: str, texts: Sequence[str]) -> Any:
        import torch

        batch = self.tokenizer([query] * len(texts), list(texts), padding=True, truncation=True,
                               max_length=MAX_TOKENS, return_tensors="pt")  # fmt: skip
        tokens = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return self.head(SCALE_HEAD * torch.nn.functional.normalize(mean, dim=-1))[:, 0]

    def fit(self, groups: Sequence[rt.Group], queries: Sequence[str]) -> Cross:
        """One epoch, a question a step: each answering candidate against its question's
        NEGATIVES hardest others (softmax cross-entropy, as top-1 asks); warm-up, then decay."""
        import torch

        items = [
            (q, picks(g.labels, g.features[:, HAND]), g)
            for g, q in zip(groups, queries, strict=True)
        ]
        items = [i for i in items if i[2].labels.any() and len(i[1]) > i[2].labels.sum()]
        random.Random(rt.SEED).shuffle(items)
        optimiser = torch.optim.AdamW(  # a new head learns faster than the encoder under it
            [
                {"params": self.model.parameters()},
                {"params": self.head.parameters(), "lr": HEAD_RATE},
            ],
            lr=CROSS_RATE,
        )
        warm, steps = max(1, len(items) // 10), len(items)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
        )
        self.model.train()
        for query, rows, group in items:
            logits = self.logits(query, [group.texts[i] for i in rows])
            n = int(group.labels.sum())  # picks puts the answering rows first
            losses = [torch.logsumexp(torch.cat([logits[p : p + 1], logits[n:]]), 0) - logits[p]
                      for p in range(n)]  # fmt: skip
            optimiser.zero_grad()
            torch.stack(losses).mean().backward()  # type: ignore[no-untyped-call]
            optimiser.step()
            schedule.step()
        self.model.eval()
        return self

    def prepare(self, texts: Sequence[str]) -> None:
        """Nothing can be worked out ahead: every pair is read whole."""

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return np.asarray(self.logits(query, texts).numpy(), dtype=np.float64)


class Bi:
    """The bundled MiniLM with its top LAYERS tuned so that a question's vector lies near the
    sentences answering it (in-batch negatives and a hard negative each, as
    MultipleNegativesRankingLoss); score: cosine. The lower layers stay retrieval's."""

    def __init__(self) -> None:
        self.tokenizer, self.model = load_training_encoder()
        depth = len(self.model.encoder.layer)
        top = tuple(f"encoder.layer.{depth - 1 - i}." for i in range(LAYERS))
        for name, parameter in self.model.named_parameters():
            parameter.requires_grad = name.startswith(top)
        self.table: dict[str, np.ndarray] = {}

    def fit(self, groups: Sequence[rt.Group], queries: Sequence[str]) -> Bi:
        """(question, answering candidate, hard negative) triples, BI_BATCH a step, one epoch."""
        import torch

        torch.manual_seed(rt.SEED)
        items: list[tuple[str, str, str, set[str]]] = []
        for g, q in zip(groups, queries, strict=True):
            rows = picks(g.labels, g.features[:, HAND])
            answers = sorted({g.texts[i] for i in rows if g.labels[i]})
            others = [g.texts[i] for i in rows if not g.labels[i] and g.features[i, USABLE]]
            for k, text in enumerate(answers if others else []):  # a different negative each
                items.append((q, text, others[k % len(others)], set(answers)))
        random.Random(rt.SEED).shuffle(items)
        optimiser = torch.optim.AdamW([p for p in self.model.parameters() if p.requires_grad],
                                      lr=BI_RATE)  # fmt: skip
        self.model.train()
        for start in range(0, len(items), BI_BATCH):
            batch = items[start : start + BI_BATCH]
            columns = [b[1] for b in batch] + [b[2] for b in batch]
            q = pooled(self.tokenizer, self.model, [b[0] for b in batch])
            d = pooled(self.tokenizer, self.model, columns)
            mask = torch.from_numpy(shared([b[3] for b in batch], columns))
            logits = (SCALE * q @ d.T).masked_fill(mask, -1e4)
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
        self.model.eval()
        return self

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            parts = [pooled(self.tokenizer, self.model, list(texts[i : i + 64])).numpy()
                     for i in range(0, len(texts), 64)]  # fmt: skip
        return np.asarray(np.vstack(parts), dtype=np.float64)

    def prepare(self, texts: Sequence[str]) -> None:
        """Sentence vectors once per corpus sentence, as indexing would store them."""
        self.table = dict(zip(texts, self.vectors(texts), strict=True))

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        vector = self.vectors([query])[0]
        return np.asarray(np.array([self.table[t] for t in texts]) @ vector, dtype=np.float64)


Model = Cross | Bi
