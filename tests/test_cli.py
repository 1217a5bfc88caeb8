"""The `claimbot` command end to end, as a user runs it: a subprocess with its own database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "belgorod-incursion.claims.yaml"


@pytest.fixture
def env(store_url: str) -> dict[str, str]:
    """The environment of a `claimbot` run on an empty database (SQLite, then PostgreSQL)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
    clean["CLAIMBOT_DATABASE_URL"] = store_url
    return clean


def fork_seed(env: dict[str, str]) -> None:
    """Make the seed this community's own claims (a copy its moderators curate): a new
    community only follows the published seed base, which it cannot change."""
    done = claimbot(env, "base", "fork", "belgorod-incursion")
    assert done.returncode == 0 and "Forked 'belgorod-incursion'" in done.stdout, done.stderr


def claimbot(env: dict[str, str], *args: str, stdin: str | None = None, cwd: Path | None = None
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "claimbot", *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=60, cwd=cwd or ROOT)


def test_ask_shows_both_sides_with_status_and_source(env: dict[str, str]) -> None:
    done = claimbot(env, "ask", "how many casualties?")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Russia's defence ministry" in out and "Belgorod governor Vyacheslav Gladkov" in out
    assert out.index("Russia's defence ministry") < out.index("Belgorod governor")
    assert out.count("❔ unverified") >= 3
    assert "source [1]" in out and "[1] Unnamed news outlet (seed article)" in out
    assert "seeds/belgorod-incursion.txt" in out
    assert "dozens" in out and "70 attackers killed" in out


def test_ask_json(env: dict[str, str]) -> None:
    done = claimbot(env, "ask", "how many casualties?", "--json")
    data = json.loads(done.stdout)
    assert data["answered"] is True and data["topic"]["id"] == "belgorod-casualties"
    assert {c["party_id"] for c in data["claims"]} >= {"ru-mod", "gladkov"}
    assert all({"party", "statement", "status", "sources"} <= c.keys() for c in data["claims"])
    assert isinstance(data["suggestions"], list)


def test_out_of_scope_is_an_honest_no(env: dict[str, str]) -> None:
    done = claimbot(env, "ask", "who won the world cup", "--json")
    data = json.loads(done.stdout)
    assert data["answered"] is False and data["topic"] is None and data["claims"] == []
    assert "No sourced claims" in data["message"]


@pytest.mark.parametrize(("question", "reason"), [("", "empty"), ("x" * 2500, "2,500 characters"),
                                                   ("\x1b[2J\x07", "empty")])
def test_bad_questions_get_one_line_and_no_traceback(env: dict[str, str], question: str, reason: str) -> None:
    done = claimbot(env, "ask", question)
    assert done.returncode == 2
    assert reason in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_chat_gives_the_same_answers(env: dict[str, str]) -> None:
    done = claimbot(env, "chat", stdin="how many casualties?\n\nwhats the weather\n:quit\n")
    assert done.returncode == 0, done.stderr
    single = claimbot(env, "ask", "how many casualties?").stdout.strip()
    assert single in done.stdout
    assert "The question is empty" in done.stdout
    assert "No sourced claims" in done.stdout


@pytest.mark.parametrize("word", ["quit", "Exit", ":quit"])
def test_quit_leaves_the_chat_and_is_not_noted_as_a_question(env: dict[str, str], word: str) -> None:
    done = claimbot(env, "chat", stdin=f"{word}\nhow many casualties?\n")
    assert done.returncode == 0, done.stderr
    assert "No sourced claims" not in done.stdout  # (it was not asked)
    assert claimbot(env, "ask", "how many casualties?").stdout.strip() not in done.stdout  # (nor what came after)
    assert word.lower() not in claimbot(env, "gaps", "--json").stdout.lower()


def test_validate_import_export_history(env: dict[str, str], tmp_path: Path) -> None:
    fork_seed(env)
    assert claimbot(env, "validate", str(SEED)).stdout.startswith(f"{SEED}: ok")
    bad = tmp_path / "bad.yaml"
    bad.write_text(SEED.read_text().replace("status: confirmed", "status: sure"))
    done = claimbot(env, "validate", str(bad))
    assert done.returncode == 1 and f"{bad}:" in done.stderr and "status" in done.stderr

    exported = claimbot(env, "export").stdout
    out = tmp_path / "out.yaml"
    out.write_text(exported)
    assert "0 to" not in (dry := claimbot(env, "import", str(out), "--dry-run").stdout) and "unchanged" in dry
    changed = tmp_path / "changed.yaml"
    changed.write_text(exported.replace("70 attackers were killed.", "Over 70 attackers were killed."))
    dry = claimbot(env, "import", str(changed), "--dry-run").stdout
    assert "1 to update" in dry and "update claim russia-70-attackers-killed (statement)" in dry
    assert claimbot(env, "export").stdout == exported  # the dry run wrote nothing
    assert "1 updated, 50 unchanged" in claimbot(env, "import", str(changed), "--actor", "alice").stdout
    history = claimbot(env, "history", "--id", "russia-70-attackers-killed").stdout
    assert "alice changed claim russia-70-attackers-killed (v2)" in history
    assert "statement: 70 attackers were killed. → Over 70 attackers were killed." in history

    done = claimbot(env, "import", str(bad))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert claimbot(env, "export").stdout == changed.read_text()  # nothing from the bad file


def test_export_and_history_of_a_community_that_only_follows_say_what_they_leave_out(
        env: dict[str, str], tmp_path: Path) -> None:
    done = claimbot(env, "export")
    assert done.returncode == 0, done.stderr
    assert "topics" not in done.stdout  # the file: its own claims, which are none yet
    empty = tmp_path / "empty.yaml"
    empty.write_text(done.stdout, encoding="utf-8")
    assert claimbot(env, "validate", str(empty)).returncode == 0
    assert "own claims only" in done.stderr and "claimbot base fork belgorod-incursion" in done.stderr
    history = claimbot(env, "history", "--id", "russia-70-attackers-killed").stdout
    assert "in this community's own claims" in history and "belgorod-incursion" in history
    fork_seed(env)
    done = claimbot(env, "export")
    assert "belgorod-casualties" in done.stdout and done.stderr == ""
    history = claimbot(env, "history", "--id", "no-such-claim").stdout
    assert history.strip() == "No changes recorded."  # (nothing followed: nothing else to say)


def test_importing_a_copy_of_a_followed_base_says_its_topics_would_be_offered_twice(env: dict[str, str]) -> None:
    dry = claimbot(env, "import", str(SEED), "--dry-run")
    assert "51 to create" in dry.stdout and "would" not in dry.stdout and "(dry run, nothing written)" in dry.stdout
    assert "also in what this community follows (belgorod-incursion)" in dry.stderr
    assert "claimbot base unfollow belgorod-incursion" in dry.stderr
    done = claimbot(env, "import", str(SEED))
    assert "51 created" in done.stdout and "claimbot base unfollow belgorod-incursion" in done.stderr
    assert claimbot(env, "base", "unfollow", "belgorod-incursion").returncode == 0
    again = claimbot(env, "import", str(SEED))
    assert "unchanged" in again.stdout and again.stderr == ""  # one copy now: nothing to warn of


def test_export_claimreview(env: dict[str, str]) -> None:
    fork_seed(env)
    data = json.loads(claimbot(env, "export", "--format", "claimreview").stdout)
    assert data["@context"] == "https://schema.org"
    reviews = {r["identifier"]: r for r in data["@graph"]}
    # Only claims with a verdict: the BBC-confirmed FSB building and the disputed capture of Bakhmut.
    assert set(reviews) == {"bbc-fsb-building-confirmed", "russia-captured-bakhmut"}
    fsb = reviews["bbc-fsb-building-confirmed"]
    assert fsb["reviewRating"]["alternateName"] == "confirmed" and fsb["author"]["name"] == "BBC"
    assert fsb["itemReviewed"]["@type"] == "Claim" and fsb["itemReviewed"]["author"]["name"] == "BBC (verification)"
    assert reviews["russia-captured-bakhmut"]["itemReviewed"]["disputedBy"] == ["Ukrainian officials (Kyiv)"]


def test_bad_setting_is_named(env: dict[str, str]) -> None:
    env["CLAIMBOT_DATABASE_URL"] = "mysql://nope"
    done = claimbot(env, "ask", "how many casualties")
    assert done.returncode == 2 and "CLAIMBOT_DATABASE_URL" in done.stderr and "Traceback" not in done.stderr


def test_gaps_then_link_then_answered(env: dict[str, str]) -> None:
    fork_seed(env)
    # A member's question finds nothing; a moderator sees it in the gaps and links it to the
    # topic it is about; the same question is answered at once, and the gap is gone.
    question = "any word on sabotage groups"
    assert json.loads(claimbot(env, "ask", question, "--json").stdout)["answered"] is False
    gaps = json.loads(claimbot(env, "gaps", "--json").stdout)["gaps"]
    assert [g["question"] for g in gaps] == [question] and gaps[0]["times"] == 1
    done = claimbot(env, "link", question, "belgorod-attackers-identity", "--actor", "mod-ana")
    assert done.returncode == 0, done.stderr
    assert "answered with \u201cWho were the attackers in the Belgorod raid?\u201d from now on" in done.stdout
    answer = json.loads(claimbot(env, "ask", question, "--json").stdout)
    assert answer["answered"] and answer["topic"]["id"] == "belgorod-attackers-identity"
    assert json.loads(claimbot(env, "gaps", "--json").stdout)["gaps"] == []
    history = claimbot(env, "history", "--kind", "topic", "--id", "belgorod-attackers-identity").stdout
    assert "mod-ana changed topic belgorod-attackers-identity" in history and question in history
    # Linking it twice, or to a topic that does not exist, is one clear line.
    again = claimbot(env, "link", question, "belgorod-attackers-identity")
    assert again.returncode == 2 and "already knows" in again.stderr and "Traceback" not in again.stderr
    missing = claimbot(env, "link", question, "no-such-topic")
    assert missing.returncode == 2 and "no topic" in missing.stderr


RIVERTON = """\
claimbot: 2
sources:
  - id: src-a
    publisher: Example News
    title: Flood report
    url: https://example.org/flood
parties:
  - id: city
    name: City council
  - id: ngo
    name: Relief NGO
events:
  - id: riverton-flood-2025
    title: Riverton flood (March 2025)
    date: 2025-03-02
    location: Riverton
    topics:
      - id: riverton-deaths
        title: How many people died in the Riverton flood?
        aliases: [riverton death toll]
        claims:
          - id: city-deaths
            party: city
            statement: Twelve people died in the flood.
            figure: {wording: twelve people, value: 12, unit: people killed, unit_one: person killed}
            status: unverified
            sources: [src-a]
          - id: ngo-deaths
            party: ngo
            statement: At least 40 people died.
            figure: {wording: at least 40, at_least: 40, unit: people killed}
            status: disputed
            disputed_by: [city]
            sources: [src-a]
"""


def test_a_link_in_the_communitys_own_base_outranks_the_base_it_follows(env: dict[str, str],
                                                                       tmp_path: Path) -> None:
    # A community follows the seed and curates its own crisis beside it; its moderator links
    # a question the seed answers confidently to their own topic. It is theirs at once.
    (tmp_path / "riverton.yaml").write_text(RIVERTON, encoding="utf-8")
    assert claimbot(env, "import", str(tmp_path / "riverton.yaml")).returncode == 0
    question = "how many casualties?"
    assert json.loads(claimbot(env, "ask", question, "--json").stdout)["base"] == "belgorod-incursion"
    done = claimbot(env, "link", question, "riverton-deaths")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "answered with \u201cHow many people died in the Riverton flood?\u201d from now on" in done.stdout
    answer = json.loads(claimbot(env, "ask", question, "--json").stdout)
    assert answer["answered"] and answer["topic"]["id"] == "riverton-deaths" and answer["base"] is None


def test_console_commands_and_numbers_are_never_questions(env: dict[str, str]) -> None:
    # Typed at the console, none of these is a question: none may reach the moderators' gaps.
    chat = claimbot(env, "chat", stdin="7\n:foo\n:EVENTS now\nwho won the match\n5\n:QUIT\nnot asked\n")
    assert chat.returncode == 0, chat.stderr
    assert "Unknown command :foo" in chat.stdout
    assert "belgorod-incursion-2023: " in chat.stdout  # ":EVENTS now" lists the events
    gaps = [g["question"] for g in json.loads(claimbot(env, "gaps", "--json").stdout)["gaps"]]
    assert gaps == ["who won the match"]  # the one question asked; ":QUIT" left before "not asked"


def test_what_the_cli_echoes_back_cannot_drive_the_terminal(env: dict[str, str]) -> None:
    for command in (["ask", "--event", "\x1b]0;pwned\x07", "x"], ["link", "x y z", "\x1b[2Jtopic"]):
        done = claimbot(env, *command)
        assert done.returncode == 2 and "\x1b" not in done.stderr and "\x07" not in done.stderr
        assert "\\x1b" in done.stderr  # shown, as text


def test_a_console_pick_becomes_a_candidate_phrasing(env: dict[str, str]) -> None:
    fork_seed(env)
    # In the console, picking a "did you mean" number is the member answering their own
    # question: `gaps` lists it for the moderators, and `link` accepts it.
    question = "what did gladkov say"
    chat = claimbot(env, "chat", stdin=f"{question}\n1\n:quit\n")
    assert chat.returncode == 0, chat.stderr
    candidates = json.loads(claimbot(env, "gaps", "--json").stdout)["candidates"]
    assert len(candidates) == 1 and candidates[0]["question"] == question and candidates[0]["picks"] == 1
    assert "did you mean" in claimbot(env, "gaps").stdout
    assert claimbot(env, "link", question, candidates[0]["topic"]).returncode == 0
    assert json.loads(claimbot(env, "gaps", "--json").stdout)["candidates"] == []


def test_an_unreachable_postgresql_server_is_one_line_naming_the_host(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a local port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
    env["CLAIMBOT_DATABASE_URL"] = f"postgresql://claimbot:secret-pw@127.0.0.1:{port}/claims"
    for command in (["ask", "how many casualties?"], ["import", str(SEED)], ["history"]):
        done = claimbot(env, *command)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert f"127.0.0.1:{port}" in line and "'claims'" in line and "refused" in line
        assert "check that the server is running" in line and "CLAIMBOT_DATABASE_URL" in line
        assert "secret-pw" not in line  # a password is never shown


@pytest.mark.parametrize("url", ["mysql://db/claims", "claims.sqlite3"])
def test_a_database_url_claimbot_cannot_use_names_both_engines(url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
    env["CLAIMBOT_DATABASE_URL"] = url
    done = claimbot(env, "ask", "how many casualties")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "sqlite:///" in done.stderr and "postgresql://" in done.stderr


def test_a_new_community_follows_the_seed_base_and_forks_it_to_change_it(env: dict[str, str]) -> None:
    # A new community gets no copy: it answers from the published seed base, labelled so.
    answer = json.loads(claimbot(env, "ask", "how many casualties?", "--json").stdout)
    assert answer["answered"] and answer["base"] == "belgorod-incursion"
    assert "From the followed claim base \u201cbelgorod-incursion\u201d" in claimbot(env, "ask", "how many casualties?").stdout
    assert "sources: []" in claimbot(env, "export").stdout  # nothing of its own to export
    listing = json.loads(claimbot(env, "base", "list", "--json").stdout)
    assert listing["following"] == [{"name": "belgorod-incursion", "withdrawn": False}]
    # Its moderators cannot change a followed base's topic; the error says how to.
    refused = claimbot(env, "link", "any word on sabotage groups", "belgorod-attackers-identity")
    assert refused.returncode == 2 and "belongs to the claim base 'belgorod-incursion'" in refused.stderr
    assert "claimbot base fork belgorod-incursion" in refused.stderr
    fork_seed(env)
    assert json.loads(claimbot(env, "base", "list", "--json").stdout)["following"] == []
    answer = json.loads(claimbot(env, "ask", "how many casualties?", "--json").stdout)
    assert answer["answered"] and answer["base"] is None  # now its own claims
    assert claimbot(env, "link", "any word on sabotage groups", "belgorod-attackers-identity").returncode == 0
    # Forking again is refused, with nothing changed: it is no longer followed.
    again = claimbot(env, "base", "fork", "belgorod-incursion")
    assert again.returncode == 2 and "does not follow" in again.stderr


def test_a_published_base_is_answered_live_by_its_followers(env: dict[str, str], tmp_path: Path) -> None:
    fork_seed(env)
    assert claimbot(env, "base", "publish", "belgorod-fc").returncode == 0
    other = ["--community", "other-server"]
    assert claimbot(env, *other, "base", "unfollow", "belgorod-incursion").returncode == 0
    assert claimbot(env, *other, "base", "follow", "belgorod-fc").returncode == 0
    # A change by the publisher is what the follower answers at once: no copy to drift.
    changed = tmp_path / "changed.yaml"
    changed.write_text(claimbot(env, "export").stdout.replace("70 attackers were killed.",
                                                              "Over 70 attackers were killed."))
    assert claimbot(env, "import", str(changed)).returncode == 0
    answer = json.loads(claimbot(env, *other, "ask", "how many casualties?", "--json").stdout)
    assert answer["base"] == "belgorod-fc"
    assert "Over 70 attackers were killed." in [c["statement"] for c in answer["claims"]]
    # Withdrawn: the follower no longer answers from it, and the name stays the publisher's.
    assert claimbot(env, "base", "withdraw").returncode == 0
    assert json.loads(claimbot(env, *other, "ask", "how many casualties?", "--json").stdout)["answered"] is False
    taken = claimbot(env, "--community", "third", "base", "publish", "belgorod-fc")
    assert taken.returncode == 2 and "belongs to another community" in taken.stderr


@pytest.mark.parametrize(("args", "shown"), [
    (("base", "publish", "Belgorod FC!"), "not a claim base name"),
    (("base", "publish", "x"), "not a claim base name"),
    (("base", "publish", "mine"), "no claims of its own to publish"),
    (("base", "follow", "belgorod"), "Did you mean: belgorod-incursion?"),
    (("base", "unfollow", "nothing-here"), "does not follow 'nothing-here'"),
])
def test_bad_base_commands_are_one_clear_line(env: dict[str, str], args: tuple[str, ...], shown: str) -> None:
    done = claimbot(env, *args)
    assert done.returncode == 2 and shown in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_seed_bases_cannot_be_written_from_the_command_line(env: dict[str, str]) -> None:
    done = claimbot(env, "--community", "@belgorod-incursion", "import", str(SEED))
    assert done.returncode == 2 and "seed claim bases" in done.stderr and "Traceback" not in done.stderr
