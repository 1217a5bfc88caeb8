"""Write knowledge/data/seed-embeddings.npz: the vectors of the seed claim base's topics
(each topic's passage, each of its phrasings — title, aliases, translations — and each of
its claims).

    python scripts/make_seed_embeddings.py

Shipped so that a fresh install answers its first question without embedding the seed
base (a few seconds on a small machine). Run again after editing seeds/ or changing the
model: a stale file costs only time (changed topics are embedded at start as usual).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.documents import topic_documents  # noqa: E402
from knowledge.knowledge_file import load_knowledge_file  # noqa: E402
from knowledge.matching.semantic import (  # noqa: E402
    BUNDLED,
    VectorCache,
    claim_texts,
    load_encoder,
    passage,
    phrasings,
)


def main() -> int:
    encoder = load_encoder(None)
    if encoder is None:
        raise SystemExit("no embedding model to make the seed vectors with")
    docs = [d for f in sorted((ROOT / "seeds").glob("*.claims.yaml")) for d in topic_documents(load_knowledge_file(f))]
    # (the same keys as Embedder.vectors: the model's identity and the text)
    texts = list(dict.fromkeys([*(passage(d) for d in docs), *(t for d in docs for t in phrasings(d)),
                                *(t for d in docs for t in claim_texts(d))]))
    keys = np.array([VectorCache.key(encoder.identity, t).hex() for t in texts])
    vectors = np.vstack([encoder.passages(texts[i: i + 32]) for i in range(0, len(texts), 32)]).astype(np.float32)
    np.savez_compressed(BUNDLED, keys=keys, vectors=vectors)
    print(f"wrote {BUNDLED.relative_to(ROOT)}: {len(docs)} topics, {len(texts)} texts, "
          f"{BUNDLED.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
