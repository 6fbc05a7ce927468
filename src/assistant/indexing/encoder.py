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
from typing import Any

SHARED_LAYERS = 4  # of 6: the fine-tuned triage encoder trains only the top two
REMEMBERED = 64  # texts whose lower-layer states are kept (a question and its pieces)


@dataclass(frozen=True)
class Trunk:
    """A text after the shared layers: its token states and the mask the layers read."""

    hidden: Any  # torch.Tensor (1, tokens, 384)
    layer_mask: Any  # what the layers take as attention mask (None for one unpadded text)
    tokens: int


class Encoder:
    """The bundled model (its tokenizer and BERT encoder) run in two halves."""

    def __init__(self, tokenizer: Any, model: Any, max_tokens: int) -> None:
        self.tokenizer = tokenizer
        self.model = model.eval()
        self.max_tokens = max_tokens  # where the sentence vector truncates
        self.remembered: OrderedDict[tuple[int, ...], Trunk] = OrderedDict()
        self.lock = threading.Lock()

    def trunk(self, text: str, max_tokens: int | None = None) -> Trunk:
        """`text` (truncated at `max_tokens` word pieces) after the shared layers."""
        import torch

        batch = self.tokenizer(
            [text],
            truncation=True,
            max_length=max_tokens or self.max_tokens,
            return_tensors="pt",
        )
        key = tuple(batch["input_ids"][0].tolist())
        with self.lock:
            if key in self.remembered:
                self.remembered.move_to_end(key)
                return self.remembered[key]
        model = self.model
        with torch.inference_mode():
            hidden = model.embeddings(
                input_ids=batch["input_ids"], token_type_ids=batch.get("token_type_ids")
            )
            # Exactly the mask the whole model would build (None for one unpadded text).
            layer_mask, _ = model._create_attention_masks(
                attention_mask=batch["attention_mask"],
                encoder_attention_mask=None,
                embedding_output=hidden,
                encoder_hidden_states=None,
                past_key_values=None,
            )
            hidden = run_layers(model.encoder.layer[:SHARED_LAYERS], hidden, layer_mask)
        trunk = Trunk(hidden, layer_mask, len(key))
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
            hidden = run_layers(top, trunk.hidden, trunk.layer_mask)
            mask = torch.ones(hidden.shape[:2]).unsqueeze(-1)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    def embed(self, text: str) -> list[float]:
        """The sentence vector of `text`, equal to the bundled model's `encode` of it."""
        vector = self.vector(self.trunk(text))
        return [float(x) for x in vector[0].numpy()]


def run_layers(layers: Any, hidden: Any, layer_mask: Any) -> Any:
    """Token states through BERT layers in order."""
    for layer in layers:
        hidden = layer(hidden, attention_mask=layer_mask)
        if isinstance(hidden, tuple):  # older transformers return (states, ...)
            hidden = hidden[0]
    return hidden
