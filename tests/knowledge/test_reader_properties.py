"""Properties of the knowledge-file reader, the models and text normalisation, for any input.

(a) Whatever bytes or text arrive, parse_knowledge accepts them or raises KnowledgeFileError:
    never another exception.
(b) What is accepted is stable: dump → parse → dump is a fixed point, the parsed base equals
    the dumped one, and every record survives JSON (what the store keeps) unchanged.
(c) normalise_text is idempotent and leaves no control character but \\n and \\t, and no
    bidirectional override.
"""

from __future__ import annotations

import copy
import math
import unicodedata
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from knowledge.base import KnowledgeBase
from knowledge.knowledge_file import KnowledgeFileError, dump_knowledge, parse_knowledge
from knowledge.models import (
    MODEL_OF_KIND,
    Claim,
    Event,
    Figure,
    Model,
    Party,
    Source,
    Topic,
)
from knowledge.normalise import (
    BIDI_CONTROLS,
    clean_text_or_empty,
    has_visible,
    normalise_text,
)

from .conftest import SEED_FILE

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")
DUMPER: Any = yaml.CSafeDumper if yaml.__with_libyaml__ else yaml.SafeDumper
SMALL_DOC: dict[str, Any] = {
    "claimbot": 1,
    "sources": [{"id": "s", "publisher": "P", "title": "T", "url": "https://example.org/a"}],
    "parties": [{"id": "p", "name": "Party"}],
    "events": [{"id": "e", "title": "E", "date": "2023-05-22", "topics": [
        {"id": "t", "title": "T", "claims": [{"id": "c", "party": "p", "statement": "S", "sources": ["s"]}]}]}],
}

# What a hostile curator types: controls (ANSI escapes, NUL, BEL), line breaks of every
# kind, zero-width and bidi characters, fillers, lone surrogates, combining marks.
NASTY = list(
    "\x00\x07\x08\x1b\x7f\x85\x9b\r\n\t\x0b\x0c \u00a0\u00ad\u034f\u0301\u0338\u061c\u115f\u180e"
    "\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202e\u2060\u2066\u2069\u3164\ufeff\ufffe\uffff"
    "\ud800\udc80\U000e0001\U000e007f\ufe0f"
)
nasty_char = st.one_of(st.characters(), st.sampled_from(NASTY), st.sampled_from(list("aéЖش 1.:-#'\"[]{}")))
nasty_text = st.text(nasty_char, max_size=40)
# Mostly something visible wrapped in hostile characters, so that most records validate
# and the claim bases built below are not nearly empty.
_wrapped = st.builds(lambda a, b, c: a + b + c, nasty_text,
                    st.text(st.characters(categories=["L", "N", "P", "S"]), min_size=1, max_size=20), nasty_text)
wrapped_text = st.one_of(_wrapped, _wrapped, _wrapped, nasty_text)
# Numbers as a knowledge file may hold them: huge, negative, infinite, not a number.
numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 10**12, 10**12 + 1, 1e12, 1e-320, -0.0, True, False]),
)
mostly_valid_numbers = st.one_of(st.integers(0, 10**12), st.floats(0, 1e12), numbers)
urls = st.one_of(
    st.builds(lambda host, path: f"https://{host}/{path}", st.from_regex(r"\A[a-z]{1,8}\.(org|com)\Z"), nasty_text),
    st.sampled_from([
        "https://example.org/a)[BBC Verify confirmed this](https://evil.example/phish",
        "https://example.org/a)[BBC_Verify](https://evil.example/phish",
        "https://bbc.co.uk@evil.example/",
        "https://en.wikipedia.org/wiki/Belgorod_(city)",
        "javascript:alert(1)",
        "https://example.org/<script>'`\\",
    ]),
)
dates = st.dates()
# Language keys as moderators might type them: real ones, odd ones, and ones CLDR does not know.
language_codes = st.sampled_from(["uk", "ar", "fr", "de", "pt-BR", "EN", "xx", "zz-ZZZZZZZZZ", "", "uk\n"])
plural_forms = st.dictionaries(st.sampled_from(["zero", "one", "two", "few", "many", "other", "lots"]),
                               wrapped_text, max_size=6)


def translations(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A `translations:` mapping: language → the translated fields (hostile values included)."""
    return st.dictionaries(language_codes, st.fixed_dictionaries(fields), max_size=2)


def _valid(model: type[Model], data: dict[str, Any]) -> Model | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


@st.composite
def claim_bases(draw: st.DrawFn) -> KnowledgeBase:
    """A valid claim base built from hostile values: records that fail validation are left out."""
    kb = KnowledgeBase()
    for i in range(draw(st.integers(1, 3))):
        fields = {"id": f"s{i}", "publisher": draw(wrapped_text), "title": draw(wrapped_text),
                  "url": draw(st.none() | urls), "document": draw(wrapped_text),
                  "published": draw(st.none() | dates)}
        if (source := _valid(Source, fields)) is not None:
            kb.put("source", source)
    for i in range(draw(st.integers(1, 3))):
        fields = {"id": f"p{i}", "name": draw(wrapped_text), "aliases": draw(st.lists(wrapped_text, max_size=3)),
                  "description": draw(st.none() | wrapped_text),
                  "translations": draw(translations(name=wrapped_text))}
        if (party := _valid(Party, fields)) is not None:
            kb.put("party", party)
    for i in range(draw(st.integers(1, 2))):
        start = draw(dates)
        event = _valid(Event, {"id": f"e{i}", "title": draw(wrapped_text), "summary": draw(st.none() | wrapped_text),
                               "date": start, "end_date": draw(st.none() | st.just(start)),
                               "location": draw(st.none() | wrapped_text)})
        if event is None:
            continue
        kb.put("event", event)
        for j in range(draw(st.integers(0, 2))):
            topic = _valid(Topic, {"id": f"t{i}-{j}", "title": draw(wrapped_text),
                                   "aliases": draw(st.lists(wrapped_text, max_size=3)),
                                   "tags": draw(st.lists(st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,8}\Z"), max_size=2)),
                                   "translations": draw(translations(
                                       title=wrapped_text, aliases=st.lists(wrapped_text, max_size=2)))})
            if topic is None:
                continue
            kb.put("topic", topic, event.id)
            for k in range(draw(st.integers(0, 3))):
                if not kb.parties or not kb.sources:
                    break
                figure = draw(st.none() | st.fixed_dictionaries(
                    {"value": mostly_valid_numbers, "unit": wrapped_text,
                     # The party's words are required: mostly given, so that claims with figures occur.
                     "wording": st.one_of(wrapped_text, wrapped_text, st.none())}))
                claim = _valid(Claim, {
                    "id": f"c{i}-{j}-{k}", "party": draw(st.sampled_from(sorted(kb.parties))),
                    "statement": draw(wrapped_text), "quote": draw(st.none() | wrapped_text),
                    "figure": figure, "status": draw(st.sampled_from(["unverified", "disputed", "retracted"])),
                    "sources": [draw(st.sampled_from(sorted(kb.sources)))], "note": draw(st.none() | wrapped_text),
                    # Mostly what the claim has to translate (a quote or figure only it has is
                    # refused), sometimes not: both paths are exercised.
                    "translations": draw(translations(
                        statement=wrapped_text, quote=st.one_of(st.none(), st.none(), wrapped_text),
                        figure=st.one_of(st.none(), st.fixed_dictionaries(
                            {"wording": st.none() | wrapped_text,
                             "unit": st.one_of(wrapped_text, wrapped_text, plural_forms)})))),
                })
                if claim is not None:
                    kb.put("claim", claim, topic.id)
    return kb


def _assert_json_round_trip(kb: KnowledgeBase) -> None:
    for kind, _, _, record in kb.records():
        model = MODEL_OF_KIND[kind]
        assert model.model_validate_json(record.model_dump_json()) == record


def _assert_stable(kb: KnowledgeBase) -> None:
    once = dump_knowledge(kb)
    again = parse_knowledge(once, name="dumped.yaml")
    assert dump_knowledge(again) == once
    assert list(again.records()) == list(kb.records())
    _assert_json_round_trip(again)


# --- (a) nothing but KnowledgeFileError ------------------------------------------------


def _parse_or_refuse(data: bytes | str) -> None:
    try:
        kb = parse_knowledge(data, name="fuzz.yaml")
    except KnowledgeFileError as exc:
        assert exc.problems and all(p.file == "fuzz.yaml" for p in exc.problems)
        str(exc)  # the message itself must be printable
    else:
        _assert_stable(kb)


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_are_parsed_or_refused(data: bytes) -> None:
    _parse_or_refuse(data)


# Pieces of YAML syntax, so generated text reaches anchors, aliases, tags and merge keys.
yaml_pieces = st.one_of(nasty_char, st.sampled_from(
    list("[]{}:,-&*!|>?%@`~<\n ") + ["&a ", "*a", "!!int ", "!!timestamp ", "<<: ", "- ", ": ", "\n  ", "1e9", ".inf"]))


@SETTINGS
@given(st.lists(yaml_pieces, max_size=80).map("".join))
def test_any_text_is_parsed_or_refused(text: str) -> None:
    _parse_or_refuse(text)


@SETTINGS
@given(st.integers(0, len(SEED_TEXT)), st.integers(0, 40), nasty_text)
def test_a_mutated_seed_file_is_parsed_or_refused(at: int, cut: int, insert: str) -> None:
    # Mostly valid YAML close to a real file: reaches the model validation, not just the parser.
    _parse_or_refuse(SEED_TEXT[:at] + insert + SEED_TEXT[at + cut:])


@SETTINGS
@given(st.sampled_from(["statement", "quote", "note"]), st.one_of(nasty_text, numbers))
def test_a_hostile_claim_value_is_parsed_or_refused(field: str, value: Any) -> None:
    # A small, valid file whose one value is hostile: YAML escapes it faithfully (\e, \0,
    # .inf, .nan, long integers), so the value reaches validation exactly as an attacker wrote it.
    if isinstance(value, str):  # no file can hold a lone surrogate; the other tests send them as text
        value = "".join(ch for ch in value if not "\ud800" <= ch <= "\udfff")
    doc = copy.deepcopy(SMALL_DOC)
    claim = doc["events"][0]["topics"][0]["claims"][0]
    claim[field] = value
    claim["figure"] = {"value": value if field == "note" else 1, "unit": "killed"}
    _parse_or_refuse(yaml.dump(doc, Dumper=DUMPER, allow_unicode=True))


# --- (b) accepted means stable ------------------------------------------------------------


@SETTINGS
@given(claim_bases())
def test_a_valid_claim_base_survives_dump_parse_dump(kb: KnowledgeBase) -> None:
    _assert_json_round_trip(kb)
    _assert_stable(kb)


@SETTINGS
@given(st.sampled_from(sorted(MODEL_OF_KIND)), nasty_text, numbers, urls)
def test_whatever_validates_survives_json(kind: str, text: str, number: Any, url: str) -> None:
    data: dict[str, dict[str, Any]] = {
        "source": {"id": "s", "publisher": text, "title": text, "url": url},
        "party": {"id": "p", "name": text, "aliases": [text, text], "description": text},
        "event": {"id": "e", "title": text, "summary": text, "date": "2023-05-22", "location": text},
        "topic": {"id": "t", "title": text, "aliases": [text]},
        "claim": {"id": "c", "party": "p", "statement": text, "sources": ["s"],
                  "figure": {"value": number, "unit": text}, "quote": text},
    }
    model = MODEL_OF_KIND[kind]
    try:
        record = model.model_validate(data[kind], strict=False)
    except ValidationError:
        return
    assert model.model_validate_json(record.model_dump_json()) == record


@SETTINGS
@given(numbers)
def test_a_figure_is_finite_bounded_and_exact_in_json(value: Any) -> None:
    try:
        figure = Figure.model_validate({"value": value, "unit": "killed", "wording": "as said"})
    except ValidationError:
        return
    assert figure.value is not None
    assert type(figure.value) in (int, float) and math.isfinite(figure.value) and 0 <= figure.value <= 10**12
    assert Figure.model_validate_json(figure.model_dump_json()) == figure


# --- (c) normalisation --------------------------------------------------------------------


def _allowed(ch: str, *, multiline: bool) -> bool:
    if ch in "\n\t":
        return multiline
    return unicodedata.category(ch) not in ("Cc", "Cs") and ch not in BIDI_CONTROLS


@SETTINGS
@given(st.text(nasty_char, max_size=80), st.booleans())
def test_normalise_text_is_idempotent_and_leaves_no_controls(text: str, multiline: bool) -> None:
    once = normalise_text(text, multiline=multiline)
    assert normalise_text(once, multiline=multiline) == once
    assert all(_allowed(ch, multiline=multiline) for ch in once)
    assert once == once.strip()
    assert unicodedata.normalize("NFC", once) == once
    cleaned = clean_text_or_empty(text)
    assert cleaned == "" or (has_visible(cleaned) and "\n" not in cleaned and "\t" not in cleaned)
