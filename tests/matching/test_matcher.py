"""The matcher as a member would notice it: the right topic, or an honest "I don't know".

The claim base here is written for these tests (three events, topics without aliases);
the development question set and its accuracy floors are in test_accuracy.py.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from knowledge.matching import Lexicon, LexiconError, Matcher, TopicDocument

BELGOROD = ("belgorod-incursion-2023", "Belgorod border incursion (May 2023)", date(2023, 5, 22),
            ("Belgorod region, Russia", "Armed groups crossed from Ukraine into Russia's Belgorod border region."))
KERCH = ("kerch-bridge-2022", "Kerch bridge explosion (October 2022)", date(2022, 10, 8),
         ("Kerch Strait, Crimea", "An explosion damaged the road and rail bridge linking Russia with Crimea."))
MARKET = ("donetsk-market-2024", "Donetsk market shelling (January 2024)", date(2024, 1, 21),
          ("Donetsk", "Shells hit a busy market in the Tekstilshchik district of Donetsk."))


def doc(topic_id: str, event: tuple, title: str, claims: tuple[str, ...], parties: tuple[str, ...] = (),
        tags: tuple[str, ...] = (), aliases: tuple[str, ...] = ()) -> TopicDocument:
    event_id, event_title, event_date, terms = event
    return TopicDocument(topic_id=topic_id, event_id=event_id, event_title=event_title, event_date=event_date,
                         title=title, aliases=aliases, tags=tags, parties=parties, claims=claims,
                         event_terms=(event_title, *terms))


DOCS = [
    doc("belgorod-casualties", BELGOROD, "How many people were killed or injured in the Belgorod raid?",
        ("70 attackers were killed.", "One civilian was killed and several people were injured.",
         "attackers killed", "civilians killed"),
        ("Russia (Moscow)", "Moscow", "Kremlin", "Belgorod governor Vyacheslav Gladkov", "Gladkov"), ("casualties",)),
    doc("belgorod-attackers-identity", BELGOROD, "Who were the attackers in the Belgorod raid?",
        ("The attackers were Ukrainian fighters.",
         "The attackers were Russians from the Liberty of Russia Legion and the Russian Volunteer Corps."),
        ("Russia (Moscow)", "Ukrainian officials (Kyiv)", "Kyiv", "Ukraine"), ("attackers", "identity")),
    doc("belgorod-us-position", BELGOROD, "Did the United States support the Belgorod raid?",
        ("The US did not endorse or facilitate any strikes inside Russia.",
         "It is up to Ukraine to decide how to conduct this war."),
        ("US State Department (spokesperson Matthew Miller)", "State Department", "Washington", "US"),
        ("united-states",)),
    doc("belgorod-fsb-building", BELGOROD, "Was an FSB building hit in the Belgorod raid?",
        ("One of the buildings affected was used by Russia's primary security agency, the FSB.",
         "The cause of the damage to the building remains unclear."),
        ("BBC (verification)", "BBC"), ("damage", "fsb")),
    doc("kerch-casualties", KERCH, "How many people died in the Kerch bridge explosion?",
        ("Three people were killed when a truck exploded.", "people killed"),
        ("Russia's Investigative Committee",), ("casualties",)),
    doc("kerch-responsibility", KERCH, "Who attacked the Kerch bridge?",
        ("Ukrainian military intelligence organised the truck bomb.", "The SBU later said it carried out the operation."),
        ("Russia (Moscow)", "Security Service of Ukraine (SBU)", "SBU"), ("responsibility",)),
    doc("kerch-damage", KERCH, "How badly was the Kerch bridge damaged?",
        ("Two road spans collapsed and fuel tanks on a train caught fire; rail traffic resumed the same day.",),
        ("Russia (Moscow)",), ("damage",)),
    doc("market-casualties", MARKET, "How many people were killed at the Donetsk market?",
        ("At least 27 people were killed and 25 wounded.", "people killed"),
        ("Donetsk's Russian-installed mayor",), ("casualties",)),
    doc("market-responsibility", MARKET, "Who shelled the Donetsk market?",
        ("Ukrainian forces shelled the market.", "The Ukrainian military denied shelling civilians."),
        ("Donetsk's Russian-installed mayor", "Ukraine's armed forces"), ("responsibility",)),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    m = Matcher()
    m.build(DOCS)
    return m


def answer(m: Matcher, question: str, **kwargs: object) -> str | None:
    result = m.match(question, **kwargs)  # type: ignore[arg-type]
    return result.candidates[0].topic_id if result.decision == "answer" else None


@pytest.mark.parametrize("question", [
    "how many casualties in belgorod?",
    "how many were killed in belgorod",
    "how many dead in the belgorod raid",
    "what's the belgorod death toll",
    "any fatalities in belgorod?",
    "how many wounded in belgorod",
    "belgorod casualties",
])
def test_synonyms_of_casualties_find_the_casualty_topic(matcher: Matcher, question: str) -> None:
    assert answer(matcher, question) == "belgorod-casualties"


@pytest.mark.parametrize(("question", "topic"), [
    ("who blew up the kerch bridge", "kerch-responsibility"),
    ("who is to blame for the kerch bridge blast", "kerch-responsibility"),
    ("did washington back the belgorod raid", "belgorod-us-position"),
    ("did america help the raid on belgorod", "belgorod-us-position"),
    ("was the spy agency's building in belgorod hit", "belgorod-fsb-building"),
    ("did the security service office in belgorod get damaged", "belgorod-fsb-building"),
])
def test_paraphrases_that_share_no_words_with_the_topic(matcher: Matcher, question: str, topic: str) -> None:
    assert answer(matcher, question) == topic


@pytest.mark.parametrize(("question", "topic"), [
    ("casualtes in belgorod", "belgorod-casualties"),
    ("how many kiled in belgorad", "belgorod-casualties"),
    ("who atacked the kerch brige", "kerch-responsibility"),
    ("was the fsb bulding in belgrod hit", "belgorod-fsb-building"),
])
def test_typos_in_topic_words_and_place_names(matcher: Matcher, question: str, topic: str) -> None:
    assert answer(matcher, question) == topic


def test_a_question_inside_a_chatty_message(matcher: Matcher) -> None:
    message = ("hey everyone, long time lurker here. my uncle keeps sending me videos about belgorod and "
               "honestly i have no idea what's real. how many people were actually killed there??")
    assert answer(matcher, message) == "belgorod-casualties"


@pytest.mark.parametrize(("question", "topic"), [
    ("сколько погибших в белгороде", "belgorod-casualties"),
    ("скільки загиблих у бєлгороді", "belgorod-casualties"),
    ("кто взорвал крымский мост", "kerch-responsibility"),
    ("хто обстріляв ринок у донецьку", "market-responsibility"),
])
def test_russian_and_ukrainian(matcher: Matcher, question: str, topic: str) -> None:
    assert answer(matcher, question) == topic


@pytest.mark.parametrize("question", [
    "hi", "thanks bot", "good morning everyone", "lol",
    "what's the weather like in moscow today", "is it going to rain in belgorod tomorrow",
    "who won the champions league final", "did real madrid win yesterday",
    "how do i reverse a list in python", "why does my javascript throw undefined",
    "how many people died at the battle of stalingrad", "casualties of the battle of kursk 1943",
    "how many people died on the titanic",
])
def test_out_of_scope_gets_no_answer(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).decision == "none"


@pytest.mark.parametrize("question", [
    "what is the history of belgorod", "when was belgorod founded", "who founded the fsb",
    "what is the population of donetsk", "who built the kerch bridge", "how long is the kerch bridge",
    "what is the fsb", "who is the mayor of donetsk", "ok thanks that helps",
])
def test_near_misses_that_share_words_with_a_topic_are_not_answered(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).decision != "answer"


@pytest.mark.parametrize("question", [
    # Same place, same kind of question, another date: another event.
    "how many were killed in the belgorod shelling on 30 december 2023",
    "how many died in the kerch bridge attack in july 2023",
    "casualties at the donetsk market in 2022",
])
def test_a_date_of_another_event_is_not_answered_from_this_one(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).decision != "answer"


def test_a_date_that_fits_does_not_get_in_the_way(matcher: Matcher) -> None:
    assert answer(matcher, "how many were killed in belgorod in may 2023") == "belgorod-casualties"
    assert answer(matcher, "who blew up the kerch bridge on 8 october") == "kerch-responsibility"
    assert answer(matcher, "may i ask how many were killed in belgorod") == "belgorod-casualties"  # "may": a verb


def test_a_named_place_is_never_answered_from_another_event() -> None:
    # The Belgorod event has no casualty topic: its place name must not land on Kerch's.
    m = Matcher()
    m.build([d for d in DOCS if d.topic_id != "belgorod-casualties"])
    for question in ("how many people were killed in belgorod", "how many were killed in the belgorod shelling"):
        result = m.match(question)
        assert result.decision != "answer" or result.candidates[0].event_id == BELGOROD[0], question


def test_a_common_word_that_names_an_event_is_its_subject() -> None:
    # "Wagner" is a common word (the composer), yet here it names an event: a short question
    # about it is answered, not treated as a question about no event in particular.
    wagner = ("wagner-mutiny-2023", "Wagner mutiny (June 2023)", date(2023, 6, 24),
              ("Rostov-on-Don", "Wagner mercenaries marched towards Moscow."))
    m = Matcher()
    m.build([*DOCS, doc("wagner-aircraft-casualties", wagner, "How many airmen died when Wagner downed aircraft?",
                        ("Wagner forces shot down six helicopters and a plane; at least 13 airmen were killed.",))])
    assert answer(m, "wagner mutiny deaths") == "wagner-aircraft-casualties"


def test_an_off_topic_word_does_not_match_through_a_shared_stem() -> None:
    # "founded" (history) shares the stem of "found" (what investigators found).
    probe = ("pipeline-2022", "Pipeline blasts (September 2022)", date(2022, 9, 26), ("Baltic Sea",))
    m = Matcher()
    m.build([*DOCS, doc("pipeline-investigation", probe, "What did the pipeline investigation find?",
                        ("Investigators found traces of explosives on the pipeline.",))])
    assert answer(m, "what did investigators find at the pipeline") == "pipeline-investigation"
    assert m.match("who founded the pipeline company").decision != "answer"


def test_the_channel_event_is_preferred(matcher: Matcher) -> None:
    assert answer(matcher, "how many casualties?", event_id="kerch-bridge-2022") == "kerch-casualties"
    assert answer(matcher, "who did it?", event_id="kerch-bridge-2022") == "kerch-responsibility"
    assert answer(matcher, "how many casualties?", event_id="belgorod-incursion-2023") == "belgorod-casualties"


def test_without_context_the_most_recent_event_wins_and_the_others_are_offered(matcher: Matcher) -> None:
    result = matcher.match("how many casualties?", limit=3)
    assert result.decision == "answer"
    ids = [c.topic_id for c in result.candidates]
    assert ids[0] == "market-casualties"  # January 2024: the most recent event
    assert set(ids[1:]) == {"belgorod-casualties", "kerch-casualties"}
    assert [c.event_id for c in result.candidates] == [matcher_event(ids[0]), *map(matcher_event, ids[1:])]


def matcher_event(topic_id: str) -> str:
    return next(d.event_id for d in DOCS if d.topic_id == topic_id)


def test_a_named_place_beats_recency(matcher: Matcher) -> None:
    assert answer(matcher, "how many died in the kerch bridge explosion") == "kerch-casualties"


def test_results_are_calibrated_and_limited(matcher: Matcher) -> None:
    result = matcher.match("how many casualties in belgorod", limit=2)
    assert len(result.candidates) <= 2
    assert 0.0 <= result.confidence <= 1.0
    assert all(0.0 <= c.score <= 1.0 for c in result.candidates)
    assert [c.score for c in result.candidates] == sorted((c.score for c in result.candidates), reverse=True)
    assert matcher.match("how many casualties in belgorod").confidence > matcher.match("belgorod").confidence


def test_unsure_questions_get_suggestions(matcher: Matcher) -> None:
    result = matcher.match("belgorod")  # the event, but which of its topics?
    assert result.decision == "suggest"
    assert {c.topic_id for c in result.candidates} <= {d.topic_id for d in DOCS if d.event_id == BELGOROD[0]}


def test_upsert_makes_a_new_topic_answerable_at_once() -> None:
    m = Matcher()
    m.build(DOCS)
    question = "how many residents were evacuated from belgorod"
    assert answer(m, question) is None
    m.upsert(doc("belgorod-evacuation", BELGOROD, "How many residents were evacuated from Belgorod villages?",
                 ("About 500 residents of border villages were evacuated.",), ("Gladkov",), ("evacuation",)))
    assert len(m) == len(DOCS) + 1
    assert answer(m, question) == "belgorod-evacuation"


def test_upsert_replaces_a_topic_and_remove_takes_it_out() -> None:
    m = Matcher()
    m.build(DOCS)
    old = DOCS[3]
    m.upsert(replace(old, title="Was a drone shot down over Belgorod?", tags=("drone",),
                     claims=("A drone was shot down over the city.",), parties=("Gladkov",)))
    assert len(m) == len(DOCS)
    assert answer(m, "was a drone shot down over belgorod") == old.topic_id
    assert answer(m, "was the fsb building in belgorod hit") != old.topic_id
    m.remove(old.topic_id)
    assert len(m) == len(DOCS) - 1
    for question in ("was a drone shot down over belgorod", "was the fsb building in belgorod hit"):
        assert old.topic_id not in [c.topic_id for c in m.match(question).candidates]
    m.remove("no-such-topic")  # removing twice is harmless
    assert len(m) == len(DOCS) - 1


def test_many_edits_keep_the_index_consistent() -> None:
    m = Matcher()
    m.build(DOCS)
    for n in range(1500):  # enough dead slots to trigger a compaction
        m.upsert(replace(DOCS[0], title=f"How many people were killed or injured in the Belgorod raid? ({n})"))
    assert len(m) == len(DOCS)
    assert answer(m, "how many casualties in belgorod") == "belgorod-casualties"
    assert answer(m, "who attacked the kerch bridge") == "kerch-responsibility"


def test_an_empty_index_knows_nothing() -> None:
    m = Matcher()
    m.build([])
    assert len(m) == 0
    assert m.match("how many casualties?").decision == "none"
    assert m.complete("") == []


def test_complete_finds_a_topic_from_part_of_its_title(matcher: Matcher) -> None:
    assert matcher.complete("kerch br")[:3] and set(matcher.complete("kerch br")[:3]) == {
        "kerch-casualties", "kerch-responsibility", "kerch-damage"}
    assert matcher.complete("belgorad casualt")[0] == "belgorod-casualties"  # typo, and a word being typed
    assert matcher.complete("fsb")[0] == "belgorod-fsb-building"
    assert matcher.complete("donetsk market who")[0] == "market-responsibility"


def test_complete_respects_the_limit_and_starts_with_recent_events(matcher: Matcher) -> None:
    assert len(matcher.complete("the", limit=2)) <= 2
    assert len(matcher.complete("how many", limit=25)) <= 25
    recent = matcher.complete("", limit=4)
    assert len(recent) == 4
    assert set(recent[:2]) == {"market-casualties", "market-responsibility"}  # the 2024 event first
    assert matcher.complete("zzzzqqq") == []


def test_complete_follows_edits() -> None:
    m = Matcher()
    m.build(DOCS)
    assert m.complete("kerch")  # builds the autocomplete index
    m.upsert(doc("kerch-ferry", KERCH, "Did the Kerch ferry keep running?", ("Ferries resumed.",)))
    assert "kerch-ferry" in m.complete("kerch ferr")
    m.remove("kerch-ferry")
    assert "kerch-ferry" not in m.complete("kerch ferr")


def test_the_lexicon_is_extended_by_a_moderators_file(tmp_path: Path) -> None:
    docs = [*DOCS, doc("belgorod-hostages", BELGOROD, "Were hostages taken in the Belgorod raid?",
                       ("The attackers took two border guards hostage.",), ("Gladkov",))]
    question = "did they kidnap anyone in belgorod"
    plain = Matcher()
    plain.build(docs)
    assert answer(plain, question) != "belgorod-hostages"
    extra = tmp_path / "extra.yaml"
    extra.write_text("concepts:\n  hostages: [hostage, hostages, kidnap, kidnapped, abducted, captives, \"заложник*\"]\n",
                     encoding="utf-8")
    extended = Matcher(Lexicon.load(extra))
    extended.build(docs)
    assert answer(extended, question) == "belgorod-hostages"
    assert answer(extended, "сколько заложников взяли в белгороде") == "belgorod-hostages"
    # The packaged concepts are still there, merged with the extra file.
    assert answer(extended, "how many fatalities in belgorod") == "belgorod-casualties"


@pytest.mark.parametrize(("content", "error"), [
    ("concepts: [not, a, mapping]", "mapping"),
    ("concepts:\n  x: plain string\n", "list of words"),
    ("synonyms:\n  x: [a]\n", "unknown section"),
    ("concepts:\n  x: [\"two words*\"]\n", "one word"),
    ("concepts: {x: [a]\n", "not valid YAML"),
])
def test_a_bad_lexicon_file_is_refused_with_its_name(tmp_path: Path, content: str, error: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match=error) as caught:
        Lexicon.load(bad)
    assert "bad.yaml" in str(caught.value)


def test_a_missing_lexicon_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot read"):
        Lexicon.load(tmp_path / "missing.yaml")


def test_a_lexicon_path_that_is_no_text_file_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # nobody writes to it: reading would wait forever
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("concepts:\n  vérité: [truth]\n".encode("latin-1"))
    for path, error in [(fifo, "is not a regular file"), (tmp_path, "is a directory, not a lexicon file"),
                        (Path("/dev/zero"), "is not a regular file"), (latin1, "is not UTF-8 text \\(byte 0xe9")]:
        with pytest.raises(LexiconError, match=error) as caught:
            Lexicon.load(path)
        assert str(path) in str(caught.value)


def test_the_packaged_lexicon_names_no_particular_event() -> None:
    # General domain vocabulary only: event and place names belong in the claim base.
    lexicon = Lexicon.load()
    words = set(lexicon.words) | set(lexicon.prefixes) | set(lexicon.cyrillic_prefixes) | set(lexicon.cyrillic_words)
    for name in ("belgorod", "kerch", "crocus", "krokus", "wagner", "vagner", "bakhmut", "kakhovka", "kramatorsk",
                 "zaporizhzhia", "prigozhin", "tochka"):
        assert name not in words, name


def test_a_topic_with_no_word_to_index_does_not_break_the_build() -> None:
    # Found by a property test: a title of punctuation alone, no claims yet.
    matcher = Matcher(Lexicon.load())
    matcher.build([doc("t", ("e", ":", date(2023, 5, 22), ()), ":", ())])
    assert matcher.match("how many casualties?").decision == "none"
