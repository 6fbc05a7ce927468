"""The bundled MiniLM through ONNX Runtime beside PyTorch, on the same chunks and sentences.

Run: `pip install onnx` (not a dependency: the app does not use ONNX), then
`python benchmarks/onnx_encoder.py`. Exports the bundled model to ONNX (fp32, then the same
graph quantised to int8 with ONNX Runtime's dynamic quantisation) into a temporary folder, and
prints texts/s for each next to PyTorch, two threads each, with how far the vectors are from
PyTorch's. A number to read, not a test (README, "Speed at scale": why PyTorch stays).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evaluation.synthetic import generate_corpus
from assistant.indexing.embeddings import load_embeddings, load_token_counter
from assistant.indexing.ingest import build_chunks
from assistant.indexing.sentence_vectors import plain_sentences
from assistant.process import prepare, use_threads
from assistant.settings import PROJECT_ROOT, Settings

THREADS, BATCH = 2, 32  # as ingest embeds
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export(bert: Any, tokenizer: Any, folder: Path) -> tuple[Path, Path]:
    """The BERT encoder as an fp32 ONNX graph, and that graph with int8 weights."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class Hidden(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = tokenizer(
        ["a short text", "a somewhat longer text"], padding=True, return_tensors="pt"
    )
    fp32, int8 = folder / "fp32.onnx", folder / "int8.onnx"
    torch.onnx.export(
        Hidden(bert.eval()),
        tuple(sample[n] for n in names),
        str(fp32),
        input_names=names,
        output_names=["hidden"],
        dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "hidden"]},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return fp32, int8


def onnx_embedder(path: Path, tokenizer: Any) -> Callable[[list[str]], np.ndarray]:
    """Mean-pooled, unit-length vectors from an ONNX graph, batched by length as ingest does."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = THREADS, 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def embed(texts: list[str]) -> np.ndarray:
        order = np.argsort([-len(t) for t in texts])
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for first in range(0, len(texts), BATCH):
            rows = order[first : first + BATCH]
            batch = tokenizer(
                [texts[i] for i in rows],
                padding=True,
                truncation=True,
                max_length=256,
                return_tensors="np",
            )
            feed = {
                k: batch[k].astype(np.int64)
                for k in ("input_ids", "attention_mask", "token_type_ids")
            }
            hidden = session.run(None, feed)[0]
            mask = batch["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / mask.sum(1)
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    return embed


def rate(embed: Callable[[list[str]], Any], texts: list[str]) -> tuple[float, np.ndarray]:
    embed(texts[:BATCH])  # warm up
    began = time.perf_counter()
    vectors = np.asarray(embed(texts), dtype=np.float32)
    return len(texts) / (time.perf_counter() - began), vectors


def main() -> None:
    prepare()  # offline, no telemetry: before any library reads it
    use_threads(THREADS)
    embeddings = load_embeddings()
    model = embeddings.documents._client
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        generate_corpus(1000, folder / "corpus", PROJECT_ROOT / "corpus", load_token_counter(), 200)
        chunks = build_chunks(Settings(corpus_dir=folder / "corpus"), load_token_counter())[:600]
        fp32, int8 = export(model[0].auto_model, model.tokenizer, folder)
        texts = {"chunks": [c.embed_text for c in chunks], "sentences": plain_sentences(chunks)}
        print(f"{time.strftime('%Y-%m-%d')}, {THREADS} threads, batches of {BATCH}")
        for kind, items in texts.items():
            torch_rate, base = rate(embeddings.embed_documents, items)
            print(f"{len(items)} {kind}: PyTorch {torch_rate:.1f}/s")
            for name, path in (("ONNX fp32", fp32), ("ONNX int8", int8)):
                speed, vectors = rate(onnx_embedder(path, model.tokenizer), items)
                cosine = float((base * vectors).sum(1).min())
                print(
                    f"  {name}: {speed:.1f}/s (×{speed / torch_rate:.2f}), "
                    f"largest difference {float(np.abs(base - vectors).max()):.1e}, "
                    f"lowest cosine to PyTorch's {cosine:.5f}"
                )


if __name__ == "__main__":
    main()
