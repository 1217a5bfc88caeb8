"""`claimbot`: the command line — ask offline, curate knowledge files, run the bot."""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from knowledge.answers import QuestionError, clean_question, question_key
from knowledge.errors import ClaimbotError
from knowledge.history import describe_entry
from knowledge.i18n import LANGUAGES, N_, Speech, choose_language, speech
from knowledge.knowledge_file import KnowledgeFileError, load_knowledge_file
from knowledge.service import ClaimService
from knowledge.settings import Settings, load_settings
from knowledge.text import render_text

from .bootstrap import build_service

LOCAL_COMMUNITY = "local"
# Characters that reorder the text around them (right-to-left overrides and isolates).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MAX_ACTOR = 100  # a name, an email address or "discord:<id>"
CHAT_BANNER = N_("""claimbot offline console — the same answers the Discord bot gives.
Ask a question (e.g. "how many casualties?"); :help for commands, :quit to leave.""")
CHAT_HELP = N_("Type a question. A number picks a \u201cdid you mean\u201d suggestion. "
               ":events lists events, :event ID ties the console to one, :quit leaves.")


def _printable(text: str) -> str:
    """Text echoed back to a terminal: control characters (an escape sequence's ESC, a bell)
    and bidirectional overrides shown as text, not obeyed. Everything else is left as it is
    (a translation's no-break spaces, say)."""
    return "".join(repr(ch)[1:-1] if (unicodedata.category(ch) == "Cc" and ch != "\n") or ch in BIDI_CONTROLS
                   else ch for ch in text)


class CliError(ClaimbotError):
    """A problem to report on one line, with what to do about it."""


MAX_HISTORY = 10_000


def actor_name(text: str) -> str:
    """Who made a change, as the history shows it: printable, not blank, not a paragraph."""
    name = text.strip()
    if not name or not name.isprintable() or any("\udc80" <= ch <= "\udcff" for ch in name):
        raise argparse.ArgumentTypeError("must be a name in printable text (who made the change, for the history)")
    if len(name) > MAX_ACTOR:
        raise argparse.ArgumentTypeError(f"{len(name):,} characters; a name has at most {MAX_ACTOR}")
    return name


def community_id(text: str) -> str:
    """`--community`: a Discord server id or a short name; never bytes that are not text."""
    if any("\udc80" <= ch <= "\udcff" for ch in text) or not text.isprintable() or not text.strip():
        raise argparse.ArgumentTypeError("must be printable text: a Discord server id, or 'local'")
    if len(text) > 100:
        raise argparse.ArgumentTypeError("is longer than 100 characters; use a Discord server id or a short name")
    if text.startswith("@"):
        raise argparse.ArgumentTypeError("names starting with @ hold claimbot's seed claim bases, which are "
                                         "changed through their files in seeds/; use a server id or a short name")
    return text


def whole_number(low: int, high: int, unit: str = "") -> Callable[[str], int]:
    """An argument type: a whole number from `low` to `high`, refused in one line otherwise
    (SQLite cannot even bind 10**20, and argparse's own error would be a traceback later)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text[:20]}' is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:,} and {high:,}{unit}")
        return value

    return parse


def language(text: str) -> str:
    """`--lang`: one of the interface languages (uk, ar, fr…); English otherwise, with a word why."""
    code = text.strip()
    if choose_language(code) != code.split("-")[0].casefold():
        raise argparse.ArgumentTypeError(f"'{code[:20]}' is not a language claimbot speaks; use one of "
                                         + ", ".join(LANGUAGES))
    return choose_language(code)


def terminal_language() -> str | None:
    """The terminal's language, as gettext programs read it (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if value := os.environ.get(name, "").split(":")[0].split(".")[0]:
            return None if value in ("C", "POSIX") else value
    return None


def _speech(args: argparse.Namespace) -> Speech:
    return speech(getattr(args, "lang", None) or terminal_language())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimbot", description=__doc__)
    parser.add_argument("--community", default=LOCAL_COMMUNITY, type=community_id,
                        help="whose claim base to use: a Discord server id, or 'local' (default)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer one question from the claim base")
    ask.add_argument("question")
    ask.add_argument("--event", help="the event the question is about (an event id)")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--lang", type=language, help=f"answer in this language ({', '.join(LANGUAGES)}); "
                     "default: the terminal's (LANG), else English")

    chat = sub.add_parser("chat", help="an interactive offline console")
    chat.add_argument("--event", help="tie the console to an event (an event id)")
    chat.add_argument("--lang", type=language, help=f"answer in this language ({', '.join(LANGUAGES)})")

    imp = sub.add_parser("import", help="load a knowledge file into the claim base")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    imp.add_argument("--actor", default="cli", type=actor_name, help="who is importing, for the history")

    exp = sub.add_parser("export", help="write the claim base as a knowledge file")
    exp.add_argument("--format", choices=["yaml", "claimreview"], default="yaml",
                     help="yaml: a knowledge file (every claim); claimreview: schema.org ClaimReview JSON-LD, one "
                          "review per claim someone has ruled on (unverified claims have no review to publish)")
    exp.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")

    val = sub.add_parser("validate", help="check knowledge files without writing anything")
    val.add_argument("files", type=Path, nargs="+")

    hist = sub.add_parser("history", help="who changed what, when")
    hist.add_argument("--kind", choices=["source", "party", "event", "topic", "claim"])
    hist.add_argument("--id", dest="record_id")
    hist.add_argument("--limit", type=whole_number(1, MAX_HISTORY), default=50,
                      help=f"at most this many entries (1–{MAX_HISTORY:,})")

    gaps = sub.add_parser("gaps", help="questions the claim base could not answer, most asked first")
    gaps.add_argument("--days", type=whole_number(1, 3650, " days"), default=30,
                      help="how far back to look (1–3,650; default 30)")
    gaps.add_argument("--json", action="store_true", help="print one JSON object")

    link = sub.add_parser("link", help="teach a topic a question it did not answer (adds it as an alias)")
    link.add_argument("question")
    link.add_argument("topic", help="the topic id the question is about")
    link.add_argument("--actor", default="cli", type=actor_name, help="who is linking, for the history")

    base = sub.add_parser("base", help="shared claim bases: publish this community's, follow others', fork one")
    base_sub = base.add_subparsers(dest="base_command", metavar="ACTION", required=True)
    listing = base_sub.add_parser("list", help="published bases, and which this community follows")
    listing.add_argument("--json", action="store_true", help="print one JSON object")
    publish = base_sub.add_parser("publish", help="publish this community's own claims under NAME, live")
    publish.add_argument("name")
    publish.add_argument("--actor", default="cli", type=actor_name, help="who is publishing")
    base_sub.add_parser("withdraw", help="stop serving this community's published base (the name stays yours)")
    follow = base_sub.add_parser("follow", help="answer from a published base too")
    follow.add_argument("name")
    unfollow = base_sub.add_parser("unfollow", help="stop answering from a base")
    unfollow.add_argument("name")
    fork = base_sub.add_parser("fork", help="copy a followed base into this community's own claims, then unfollow it")
    fork.add_argument("name")
    fork.add_argument("--actor", default="cli", type=actor_name, help="who is forking, for the history")

    sub.add_parser("run", help="start the Discord bot (needs CLAIMBOT_DISCORD_TOKEN)")
    sub.add_parser("start", help="the main job: the bot when a token is configured, else the offline console")
    return parser


# Why writing the output can fail: a full disk (`> /dev/full`), a file too large, an I/O error.
_OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EIO, errno.EDQUOT, errno.EBADF})


def main(argv: Sequence[str] | None = None) -> int:
    if sys.stdout is None:  # started with its output closed (`claimbot export >&-`)
        print("claimbot: standard output is closed; give the output somewhere to go (a file, or -o FILE)",
              file=sys.stderr)
        return 2
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, not at exit: a failure is reported like any other
        return code
    except BrokenPipeError:
        # The reader went away (`claimbot export | head`): stop quietly, as Unix tools do.
        # Python would still try to flush stdout at exit and print a second error.
        _discard_output()
        return 141  # 128 + SIGPIPE, what a shell reports for a tool killed by the same
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRORS:
            raise
        _discard_output()
        print(f"claimbot: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return 1


def _discard_output() -> None:
    # What is still buffered cannot be written either: drop it, or the exit flush fails again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "start" and _token_configured():
            args.command = "run"
        if args.command == "run":
            from bot.launcher import run_bot  # the only command that needs discord.py

            return run_bot()
        if args.command == "start":
            print("No Discord token configured (CLAIMBOT_DISCORD_TOKEN in .env), so here is the offline "
                  "console on the same claim base; see the README to connect the bot.")
            args.command, args.event = "chat", None
        if args.command == "validate":
            return cmd_validate(args)
        settings = load_settings(Settings)
        # The command line talks through its output; log lines only when asked for.
        level = settings.log_level if "log_level" in settings.model_fields_set else "WARNING"
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
        service = build_service(settings)
        try:
            service.set_up(args.community)
            return int(COMMANDS[args.command](service, args))
        finally:
            service.close()
    except ClaimbotError as exc:  # knowledge files, the store, questions, curation: written for the reader
        print(f"claimbot: {_printable(exc.say(_speech(args)))}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return 2


def _token_configured() -> bool:
    from bot.settings import BotSettings

    return load_settings(BotSettings).discord_token is not None


def _event(service: ClaimService, community: str, event_id: str | None) -> str | None:
    if event_id is None:
        return None
    events = service.events(community)
    if event_id not in events:
        from knowledge.curation import Curator

        if close := Curator(service).closest_id(community, "event", event_id):
            raise CliError(f"unknown event '{event_id}'; did you mean '{close}'?")
        known = ", ".join(events) or "none yet"
        raise CliError(f"unknown event '{event_id}' (known events: {known})")
    return event_id


def cmd_ask(service: ClaimService, args: argparse.Namespace) -> int:
    said = _speech(args)
    answer = service.ask(args.community, args.question, event_id=_event(service, args.community, args.event),
                         channel="cli", language=said.language)
    if args.json:
        print(json.dumps(answer.to_json(said), ensure_ascii=False, indent=2))
    else:
        print(render_text(answer, speech=said))
    return 0


def cmd_chat(service: ClaimService, args: argparse.Namespace) -> int:
    event_id = _event(service, args.community, args.event)
    said = _speech(args)
    tr = said.tr
    print(tr(CHAT_BANNER))
    last_suggestions: list[str] = []
    last_question = ""
    while True:
        try:
            line = input("\n? ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        command = line.strip()
        # Commands and numbers are never questions: asked, they would land in the moderators'
        # unanswered questions. (A bare "quit" or "exit" too.)
        name, _, argument = command.partition(" ")
        name = name.lower()
        if name in (":quit", ":q", ":exit") or command.lower() in ("quit", "exit"):
            return 0
        if name == ":help":
            print(tr(CHAT_HELP))
            continue
        if name == ":events":
            for event in service.events(args.community).values():
                print(f"  {event.id}: {event.title} ({event.date})")
            continue
        if name == ":event":
            try:
                event_id = _event(service, args.community, argument.strip() or None)
            except CliError as exc:
                print(_printable(exc.say(said)))
                continue
            print(tr("Questions are now about {event}.", event=event_id) if event_id else tr("No event context."))
            continue
        if name.startswith(":"):
            print(tr("Unknown command {command}: :help lists the commands.", command=_printable(name)))
            continue
        if command.isdecimal():
            if len(command) > 3 or not 1 <= int(command) <= len(last_suggestions):
                print(tr("Pick a number from 1 to {n}, or type a question.", n=len(last_suggestions))
                      if last_suggestions else tr(CHAT_HELP))
                continue
            topic_id = last_suggestions[int(command) - 1]
            picked = service.answer_topic(args.community, topic_id, language=said.language)
            # The member answered their own question: a candidate phrasing for the moderators.
            service.remember_pick(args.community, topic_id, question_key(last_question))
            print(render_text(picked, speech=said) if picked else tr("That topic is gone."))
            continue
        try:
            clean_question(line)
            answer = service.ask(args.community, line, event_id=event_id, channel="cli", language=said.language)
        except QuestionError as exc:
            print(exc.say(said))
            continue
        last_suggestions = [s.id for s in answer.suggestions] if answer.decision == "suggest" else []
        last_question = answer.question
        print(render_text(answer, speech=said))


def cmd_import(service: ClaimService, args: argparse.Namespace) -> int:
    incoming = load_knowledge_file(args.file)
    if args.dry_run:
        plan = service.plan_file_import(args.community, incoming)
        print(f"{args.file}: {plan.summary()} (dry run, nothing written)")
        for change in plan.changes:
            extra = f" ({', '.join(change.fields)})" if change.fields else ""
            print(f"  {change.action} {change.kind} {change.id}{extra}")
    else:
        plan = service.import_knowledge(args.community, incoming, args.actor)
        print(f"{args.file}: {plan.summary(done=True)}")
    if twice := service.bases_sharing_topics(args.community, plan):
        print(f"Some of its topics are also in what this community follows ({', '.join(twice)}): answers offer "
              f"both. If the file is your copy of it: claimbot base unfollow {twice[0]}", file=sys.stderr)
    return 0


def cmd_export(service: ClaimService, args: argparse.Namespace) -> int:
    if args.format == "claimreview":
        from knowledge.claimreview import claimreview_jsonld

        text = json.dumps(claimreview_jsonld(service.knowledge(args.community), service.metas(args.community)),
                          ensure_ascii=False, indent=2) + "\n"
    else:
        text = service.export(args.community)
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if followed := service.answering_bases(args.community):
        # (stderr: what is written stays the knowledge file)
        print(f"This holds this community's own claims only. Its answers also come from what it follows: "
              f"{', '.join(followed)}. To curate and export one as your own: claimbot base fork {followed[0]}",
              file=sys.stderr)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            kb = load_knowledge_file(path)
        except KnowledgeFileError as exc:
            print(exc, file=sys.stderr)
            failed += 1
        else:
            print(f"{path}: ok ({len(kb.events)} events, {len(kb.topics)} topics, {len(kb.claims)} claims)")
    return 1 if failed else 0


def cmd_gaps(service: ClaimService, args: argparse.Namespace) -> int:
    from knowledge.curation import Curator

    since = service.clock() - timedelta(days=args.days)
    curator = Curator(service)
    gaps = curator.open_gaps(args.community, since, limit=25)
    candidates = curator.candidates(args.community, since, limit=25)
    if args.json:
        print(json.dumps({"days": args.days, "gaps": [
            {"question": g.example, "times": g.count, "last_asked": g.last_asked.isoformat()} for g in gaps],
            "candidates": [{"question": c.question, "topic": c.topic_id, "picks": c.picks} for c in candidates]},
            ensure_ascii=False, indent=2))
        return 0
    said = _speech(args)
    tr = said.tr
    if not gaps and not candidates:
        print(said.plural("No unanswered questions in the last {n} day.",
                          "No unanswered questions in the last {n} days.", args.days))
    for gap in gaps:
        print(f"{gap.count:>4}\u00d7  {gap.example}")
    if gaps:
        print("\n" + tr('Teach the claim base one: claimbot link "QUESTION" TOPIC_ID'))
    if candidates:
        print("\n" + tr("Members picked these topics from \u201cdid you mean\u201d; accept one with "
                        "claimbot link \"QUESTION\" TOPIC_ID:"))
        for candidate in candidates:
            print(f"{candidate.picks:>4}\u00d7  {candidate.question}  \u2192  {candidate.topic_id}")
    return 0


def cmd_link(service: ClaimService, args: argparse.Namespace) -> int:
    from knowledge.curation import Curator

    linked = Curator(service).link_question(args.community, args.question, args.topic, args.actor)
    print(linked.say(_speech(args)))
    return 0 if linked.instead is None else 3  # learnt, but members asking it do not get that topic yet


def cmd_base(service: ClaimService, args: argparse.Namespace) -> int:
    community, action = args.community, args.base_command
    if action == "publish":
        mine = service.publish(community, args.name, args.actor)
        print(f"This community's claims are published as '{mine.name}': other servers can follow it "
              f"(/base follow {mine.name}, or claimbot base follow {mine.name}).")
    elif action == "withdraw":
        print(f"'{service.withdraw(community)}' is withdrawn: its followers no longer get its claims. "
              "The name stays this community's; publish it again to resume.")
    elif action == "follow":
        base = service.follow(community, args.name)
        print(f"Following '{base.name}': its claims are answered here from now on, labelled with its name.")
    elif action == "unfollow":
        service.unfollow(community, args.name)
        print(f"No longer following '{args.name.strip().casefold()}'.")
    elif action == "fork":
        plan = service.fork(community, args.name, args.actor)
        print(f"Forked '{args.name.strip().casefold()}' into this community's own claims ({plan.summary(done=True)}); "
              "it is no longer followed.")
    else:
        followed = service.followed_bases(community)
        own = service.own_base(community)
        published = service.published_bases()
        if args.json:
            print(json.dumps({
                "own": ({"name": own.name, "withdrawn": own.withdrawn} if own else None),
                "following": [{"name": b.name, "withdrawn": b.withdrawn} for b in followed],
                "published": [{"name": b.name, "followers": b.followers} for b in published],
            }, ensure_ascii=False, indent=2))
            return 0
        following = {b.name for b in followed}
        if own is not None:
            print(f"This community publishes '{own.name}'" + (" (withdrawn)." if own.withdrawn else "."))
        print("Following: " + (", ".join(b.name + (" (withdrawn by its publisher)" if b.withdrawn else "")
                                         for b in followed) or "nothing"))
        print("Published claim bases:")
        for b in published:
            mark = "*" if b.name in following else " "
            print(f" {mark} {b.name}  ({b.followers:,} following)")
    return 0


def cmd_history(service: ClaimService, args: argparse.Namespace) -> int:
    entries = service.history(args.community, kind=args.kind, record_id=args.record_id,
                              limit=args.limit, newest_first=True)
    if not entries:
        followed = service.answering_bases(args.community)
        print("No changes recorded." if not followed else
              "No changes recorded in this community's own claims. Its answers also come from what it follows: "
              f"{', '.join(followed)} (their history is their publishers').")
    for entry in entries:
        print(describe_entry(entry))
    return 0


COMMANDS: dict[str, Any] = {
    "ask": cmd_ask,
    "chat": cmd_chat,
    "import": cmd_import,
    "export": cmd_export,
    "history": cmd_history,
    "gaps": cmd_gaps,
    "link": cmd_link,
    "base": cmd_base,
}
