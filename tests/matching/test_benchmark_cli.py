"""`python benchmarks/matching.py --claims F --questions Q --json` on a claim base and a
question file it has never seen: the figures the issue asks of it, machine-readable.

One run, as a user types it (a subprocess, the seed claim base, a question file written
here), with a small synthetic size so the scale section runs in seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "belgorod-incursion.claims.yaml"
QUESTIONS = [
    {"q": "how many people died in the belgorod raid?", "topic": "belgorod-casualties", "kind": "plain"},
    {"q": "who were the attackers", "topic": "belgorod-attackers-identity", "kind": "short"},
    {"q": "did washington back the incursion?", "topic": "belgorod-us-position", "kind": "paraphrase"},
    {"q": "Combien de morts à Belgorod ?", "topic": "belgorod-casualties", "kind": "plain", "lang": "fr"},
    {"q": "what is the capital of peru", "topic": None, "kind": "out_of_scope"},
]


def test_the_benchmark_reports_every_figure_on_any_claim_base(tmp_path: Path) -> None:
    questions = tmp_path / "mine.questions.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "matching.py"), "--claims", str(SEED), "--questions",
         str(questions), "--sizes", "200", "--methods", "claimbot,claimbot_lexical,token_set_scan", "--json"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")})  # (the defaults, as a user has)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)

    assert (report["questions"], report["topics"]) == (5, 12)
    assert set(report["methods"]) == {"claimbot", "claimbot_lexical", "token_set_scan"}
    for figures in report["methods"].values():
        # answered right (in scope), right within the top 3, wrong answers, per kind and language, latency
        assert {"top1", "top3", "wrong_rate", "oos_false_answer_rate", "per_kind", "per_lang",
                "latency_ms", "reliability"} <= set(figures)
        assert set(figures["per_kind"]) == {"plain", "short", "paraphrase"}
        assert set(figures["per_lang"]) == {"fr"}
        assert figures["latency_ms"]["p99"] >= 0
    # the plainest question of the five is answered by the bot's matcher
    assert report["methods"]["claimbot"]["per_kind"]["plain"] > 0

    # The floor under the semantic layer's latency, on its own line: the question model alone.
    assert report["question_model_ms"]["mean"] > 0
    assert report["question_model_ms"]["p99"] > 0
    at_scale = report["scale"]["200"]
    assert set(at_scale["methods"]) == {"claimbot", "claimbot_lexical", "token_set_scan"}
    index = at_scale["claimbot_index"]
    assert index["build_s"] > 0 and index["peak_rss_mb"] > 0 and index["upsert_ms_median"] >= 0
