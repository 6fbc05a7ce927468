"""The bundled MiniLM run in two halves, with the lower half of each text remembered.

Triage's fine-tuned encoder and retrieval's sentence vector differ only in their top layers, so
one pass through the shared lower layers serves both: triage runs its own top layers on the
remembered states, and the question's sentence vector runs the base top layers on the same
states. One text, unpadded, goes through the very same operations either way, so the split gives
the same numbers, bit for bit, as a whole pass (a test holds both to it).
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.indexing.bert import MiniBert, WordPieces

SHARED_LAYERS = 4  # of 6: the fine-tuned triage encoder trains only the top two
REMEMBERED = 64  # texts whose lower-layer states are kept (a question and its pieces)


@dataclass(frozen=True)
class Trunk:
    """A text after the shared layers: its token states."""

    hidden: Any  # torch.Tensor (1, tokens, 384)
    tokens: int


class Encoder:
    """The bundled model (its tokenizer and BERT encoder, `bert.load_bert`) run in two halves."""

    def __init__(self, tokenizer: WordPieces, model: MiniBert, max_tokens: int) -> None:
        self.tokenizer = tokenizer
        self.model = model.eval()
        self.max_tokens = max_tokens  # where the sentence vector truncates
        self.remembered: OrderedDict[tuple[int, ...], Trunk] = OrderedDict()
        self.lock = threading.Lock()

    def trunk(self, text: str, max_tokens: int | None = None) -> Trunk:
        """`text` (truncated at `max_tokens` word pieces) after the shared layers."""
        import torch

        ids = self.tokenizer.ids(text, self.max_tokens if max_tokens is None else max_tokens)
        key = tuple(ids)
        with self.lock:
            if key in self.remembered:
                self.remembered.move_to_end(key)
                return self.remembered[key]
        model = self.model
        with torch.inference_mode():
            hidden = run_layers(model.encoder.layer[:SHARED_LAYERS], model.embed(ids))
        trunk = Trunk(hidden, len(key))
        with self.lock:
            self.remembered[key] = trunk
            while len(self.remembered) > REMEMBERED:
                self.remembered.popitem(last=False)
        return trunk

    def tuned_top(self, layers: dict[str, Any]) -> Any:
        """A copy of the layers above the shared ones with tuned weights loaded: `layers` holds
        state-dict entries of the whole model ("encoder.layer.4.attention…")."""
        import torch

        top = copy.deepcopy(self.model.encoder.layer[SHARED_LAYERS:])
        state = {}
        for name, value in layers.items():
            index, rest = name.removeprefix("encoder.layer.").split(".", 1)
            state[f"{int(index) - SHARED_LAYERS}.{rest}"] = torch.from_numpy(value)
        if set(state) != set(top.state_dict()):
            odd = sorted(set(state) ^ set(top.state_dict()))[0]
            raise ValueError(f"fine-tuned layers do not fit the encoder: {odd}")
        top.load_state_dict(state)
        return top.eval()

    def vector(self, trunk: Trunk, layers: Any = None) -> Any:
        """The unit-length mean of the token states after `layers` (default: the base top
        layers), as sentence-transformers computes it."""
        import torch

        with torch.inference_mode():
            top = self.model.encoder.layer[SHARED_LAYERS:] if layers is None else layers
            hidden = run_layers(top, trunk.hidden)
            mask = torch.ones(hidden.shape[:2]).unsqueeze(-1)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    def embed(self, text: str) -> list[float]:
        """The sentence vector of `text`, bit for bit the bundled model's `encode` of `text`
        alone with `normalize_embeddings=True`, as documents are embedded (in a padded batch
        a document's vector can differ in its last bits: ~1e-7)."""
        import torch

        # sentence-transformers normalises twice (its Normalize module, then the flag), and the
        # second pass can move the last bit: do the same.
        vector = torch.nn.functional.normalize(self.vector(self.trunk(text)), dim=-1)
        return [float(x) for x in vector[0].numpy()]


def run_layers(layers: Any, hidden: Any) -> Any:
    """One unpadded text's token states through BERT layers in order (it attends to every
    token: no mask, as transformers builds none for it)."""
    for layer in layers:
        hidden = layer(hidden)
    return hidden
