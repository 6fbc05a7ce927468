"""A GGUF model run in-process by llama.cpp, as a LangChain chat model (the 'local' backend).

`llama-cpp-python` is an optional extra (`pip install -e ".[local]"`); it is imported only here,
and only when the local backend is chosen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LlamaCppChat(BaseChatModel):
    """Chat completions from a loaded `llama_cpp.Llama` (or anything with its method)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    llama: Any
    max_tokens: int = 400
    temperature: float = 0.0
    timeout: float | None = None  # seconds; checked between tokens (reading the prompt can't stop)
    # One llama.cpp context serves one completion at a time; the chat page has several users.
    lock: Any = None

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _request(self, messages: list[BaseMessage], stop: list[str] | None) -> dict[str, Any]:
        return {
            "messages": [
                {"role": ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages
            ],
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "stop": stop or None,
        }

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:  # fmt: skip
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(text))])

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:  # fmt: skip
        with self.lock or threading.Lock():
            started = time.monotonic()
            for part in self.llama.create_chat_completion(
                **self._request(messages, stop), stream=True
            ):
                if self.timeout is not None and time.monotonic() - started > self.timeout:
                    raise TimeoutError("the local model timed out")
                piece = part["choices"][0].get("delta", {}).get("content") or ""
                if piece:
                    if run_manager is not None:
                        run_manager.on_llm_new_token(piece)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


def load_llamacpp(
    path: Path, *, threads: int, context: int, max_tokens: int, timeout: float | None = None
) -> LlamaCppChat:
    """Load the GGUF file at `path` (raises a clear error when it or llama.cpp is missing)."""
    if not path.is_file():
        raise FileNotFoundError(f"the model file {path} does not exist")
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise ImportError(
            "llama-cpp-python is not installed: run `.venv/bin/pip install -e '.[local]'`"
        ) from exc
    llama = Llama(model_path=str(path), n_ctx=context, n_threads=threads, verbose=False)
    return LlamaCppChat(llama=llama, max_tokens=max_tokens, timeout=timeout, lock=threading.Lock())
