"""Settings: one class, read from `ASSISTANT_*` environment variables when built."""

import re
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def project_root(module: Path = Path(__file__)) -> Path:
    """The source checkout this package runs from (corpus/, evals/ and training/ beside src/),
    else — installed as a package, with no checkout around it — the current folder."""
    checkout = module.resolve().parents[2]
    return checkout if (checkout / "pyproject.toml").is_file() else Path.cwd()


PROJECT_ROOT = project_root()
GeneratorName = Literal["extractive", "openai", "ollama", "local"]


class Settings(BaseSettings):
    """Everything the assistant can be configured with; build it once and pass it down."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    corpus_dir: Path = Field(
        default=PROJECT_ROOT / "corpus",
        description="Folder of source documents (.md or .txt) to answer from.",
    )
    data_dir: Path = Field(
        default=PROJECT_ROOT / "data",
        description="Folder for everything the app writes (the search index); git-ignored.",
    )
    evals_dir: Path = Field(
        default=PROJECT_ROOT / "evals",
        description="Folder of eval suites (YAML); `assistant eval` runs them, and the "
        "training commands learn from the dev suites among them.",
    )
    training_dir: Path = Field(
        default=PROJECT_ROOT / "training",
        description="Folder of labelled training batches (answers/ and triage/) that the "
        "`train` commands learn from.",
    )
    collection: str = Field(
        default="iliopsoas",
        min_length=3,
        pattern=r"^[a-zA-Z0-9._-]+$",
        description="Name of the Chroma collection inside the data folder.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="A Chroma server, e.g. http://10.0.0.5:8000, shared by several app "
        "processes or machines (none: a Chroma folder inside the data folder).",
    )
    chroma_refresh: float = Field(
        default=5.0,
        ge=0,
        description="With a Chroma server: seconds between checks for an index another "
        "machine switched to (each check is one request).",
    )
    chunk_tokens: int = Field(
        default=200,
        ge=32,
        le=250,
        description="Most word pieces per chunk (the model truncates at 256, headings included).",
    )
    top_k: int = Field(default=8, ge=1, le=20, description="Passages the answer is built from.")
    candidates: int = Field(
        default=20, ge=1, le=200, description="Passages each retriever offers to the fusion."
    )
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant.")
    max_sentences: int = Field(
        default=6, ge=1, le=12, description="Most source sentences in a composed answer."
    )
    torch_threads: int = Field(
        default=1,
        ge=1,
        description="Torch threads for answering (one avoids stalls when the CPU is busy).",
    )
    ingest_threads: int = Field(default=2, ge=1, description="Torch threads for bulk embedding.")
    host: str = Field(default="127.0.0.1", description="Address the chat page listens on.")
    port: int = Field(default=7860, ge=1, le=65535, description="Port the chat page listens on.")
    concurrency: int = Field(
        default=4, ge=1, le=64, description="Answers the chat page computes at once."
    )
    queue_size: int = Field(
        default=64, ge=1, description="Requests that may wait for an answer; more are refused."
    )
    auth: SecretStr | None = Field(
        default=None,
        description="'username:password' required to open the chat page (none by default).",
    )

    generator: GeneratorName = Field(
        default="extractive",
        description=(
            "Who writes answers: 'extractive' quotes the sources (no model); 'openai' any "
            "OpenAI-compatible server; 'ollama' an Ollama server; 'local' a GGUF file run "
            "in-process by llama.cpp. Model answers are verified against their citations."
        ),
    )
    openai_base_url: str | None = Field(
        default=None,
        description="Base URL of the OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1 "
        "(none: api.openai.com).",
    )
    openai_model: str | None = Field(
        default=None, description="Model name to ask the OpenAI-compatible server for."
    )
    openai_api_key: SecretStr = Field(
        default=SecretStr("not-needed"),
        description="API key for the OpenAI-compatible server (local servers ignore it).",
    )
    ollama_base_url: str = Field(
        default="http://127.0.0.1:11434", description="Address of the Ollama server."
    )
    ollama_model: str | None = Field(
        default=None, description="Ollama model name, e.g. qwen2.5:1.5b-instruct."
    )
    local_model_path: Path | None = Field(
        default=None, description="Path of the GGUF file for the 'local' generator."
    )
    local_threads: int = Field(default=2, ge=1, description="CPU threads llama.cpp may use.")
    local_context: int = Field(
        default=4096, ge=512, description="Context window (tokens) of the local model."
    )
    generation_timeout: float = Field(
        default=60.0,
        gt=0,
        description="Seconds to wait for a model's answer before quoting the sources instead.",
    )
    show_drafts: bool = Field(
        default=True,
        description="Show a model's words on the chat page as they arrive (greyed, marked "
        "unchecked) until the checked answer replaces them; false shows only the checked answer.",
    )
    max_answer_tokens: int = Field(
        default=400, ge=16, le=4096, description="Most tokens a model may write per answer."
    )

    @model_validator(mode="after")
    def generator_has_a_model(self) -> Self:
        needed = {"openai": ("openai_model", self.openai_model),
                  "ollama": ("ollama_model", self.ollama_model),
                  "local": ("local_model_path", self.local_model_path)}  # fmt: skip
        if self.generator in needed:
            name, value = needed[self.generator]
            if not value:
                raise ValueError(
                    f"ASSISTANT_GENERATOR={self.generator} needs ASSISTANT_{name.upper()}"
                )
        return self

    @field_validator("chroma_url")
    @classmethod
    def chroma_url_is_a_server(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^/\s:@]+(:\d{1,5})?/?", value):
            raise ValueError("use the form http://host:port (https for TLS), nothing after it")
        return value

    @field_validator("auth")
    @classmethod
    def auth_has_user_and_password(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            user, _, password = value.get_secret_value().partition(":")
            if not user or not password:
                raise ValueError("use the form username:password")
        return value

    def credentials(self) -> tuple[str, str] | None:
        """The chat page's (username, password), if one is configured."""
        if self.auth is None:
            return None
        user, _, password = self.auth.get_secret_value().partition(":")
        return user, password

    @property
    def answers_dir(self) -> Path:
        """Labelled questions the answering models (scope, ranker, follow-ups, kinds) learn from."""
        return self.training_dir / "answers"

    @property
    def triage_dir(self) -> Path:
        """Labelled messages the triage detector learns from."""
        return self.training_dir / "triage"

    @property
    def index_dir(self) -> Path:
        """Folder of the persistent Chroma index inside the data folder."""
        return self.data_dir / "index"
