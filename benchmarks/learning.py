"""What a claim base gains by learning from its members, measured.

    python benchmarks/learning.py                      # the test splits first, then the calibration split
    python benchmarks/learning.py --split calibration  # only the sets the matcher is tuned on
    python benchmarks/learning.py --json

A simulated community asks every question of a set in order, through the real service
(store, matcher, history). A moderator reads the gaps as they come and links the *first*
question of each topic that was not answered with the right topic (`/claim link`: the
question becomes one of the topic's aliases, the same history-tracked write as in
Discord). Then the same questions are asked again, less the linked ones (they would flatter
the "after"): answered right (of the in-scope questions) and wrong answers (of all
questions: an out-of-scope question answered counts as wrong), before → after.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.matching import CACHE, CALIBRATION_SPLIT, SECOND_TEST_SPLIT, TEST_SPLIT  # noqa: E402
from benchmarks.scoring import Question, load_questions  # noqa: E402
from claimbot.bootstrap import build_service  # noqa: E402
from knowledge.curation import CurationError, Curator  # noqa: E402
from knowledge.settings import Settings  # noqa: E402

COMMUNITY = "simulated"


@dataclass
class Learnt:
    name: str
    questions: int  # asked again (the linked ones left out)
    linked: int
    right_before: float
    right_after: float
    wrong_before: float
    wrong_after: float


def simulate(name: str, claims: Path, questions_file: Path) -> Learnt:
    questions = load_questions(questions_file)
    with tempfile.TemporaryDirectory() as scratch:
        service = build_service(Settings(database_url=f"sqlite:///{scratch}/claims.sqlite3", seed_files=[],
                                         embedding_cache=CACHE))
        try:
            service.import_file(COMMUNITY, claims, actor="benchmark")
            curator = Curator(service)

            def outcome(q: Question) -> tuple[bool, bool]:
                """(answered with the right topic, answered with a wrong one)."""
                answer = service.ask(COMMUNITY, q.q, record=False)
                if not answer.answered or answer.topic is None:
                    return False, False
                right = q.accepts(answer.topic.id)
                return right, not right

            before = [outcome(q) for q in questions]
            linked: set[int] = set()
            topics_linked: set[str] = set()
            for i, (q, (right, _)) in enumerate(zip(questions, before, strict=True)):
                if q.topic is None or right or q.topic in topics_linked:
                    continue
                try:
                    curator.link_question(COMMUNITY, q.q, q.topic, "moderator")
                except CurationError:
                    continue  # too long to be a phrasing, or already known
                linked.add(i)
                topics_linked.add(q.topic)
            kept = [i for i in range(len(questions)) if i not in linked]
            after = {i: outcome(questions[i]) for i in kept}
        finally:
            service.close()
    in_scope = [i for i in kept if questions[i].topic is not None]

    def pct(values: list[bool], of: int) -> float:
        return round(100 * sum(values) / of, 1) if of else 0.0

    # As the matching benchmark counts: answered right of the in-scope questions, wrong
    # answers of all questions (an out-of-scope question answered is a wrong answer).
    return Learnt(name, len(kept), len(linked),
                  pct([before[i][0] for i in in_scope], len(in_scope)),
                  pct([after[i][0] for i in in_scope], len(in_scope)),
                  pct([before[i][1] for i in kept], len(kept)), pct([after[i][1] for i in kept], len(kept)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    # (--split calibration: while tuning, the test split must not be looked at)
    parser.add_argument("--split", choices=("all", "test", "calibration"), default="all")
    args = parser.parse_args()
    tests = [*SECOND_TEST_SPLIT, *TEST_SPLIT]
    rows = [("test", simulate(*base)) for base in tests] if args.split in ("all", "test") else []
    if args.split in ("all", "calibration"):
        rows += [("calibration", simulate(*base)) for base in CALIBRATION_SPLIT]
    if args.json:
        print(json.dumps([{"split": split, **asdict(r)} for split, r in rows], indent=2))
        return 0
    print(f"{'split':<12}{'set':<28}{'asked':>6}{'linked':>7}   answered right      wrong answers")
    for split, r in rows:
        print(f"{split:<12}{r.name:<28}{r.questions:>6}{r.linked:>7}   {r.right_before:5.1f} → {r.right_after:5.1f}%"
              f"     {r.wrong_before:4.1f} → {r.wrong_after:4.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
