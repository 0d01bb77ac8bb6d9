"""The ``newsbot`` command line: thin, each sub-command hands over to an adapter.

Exit codes: 0 done, 1 problems found (bad facts, failed posts), 2 bad usage or settings.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.config import Settings, SettingsError, normalize_database_url

if TYPE_CHECKING:
    from bot.desk.model import Desk, FollowUpBook
    from bot.desk.problems import Problem
    from bot.live_desk import LiveDesk
    from bot.store.db import Database

logger = logging.getLogger(__name__)

EXAMPLES = """\
examples:
  newsbot                         console (or the Slack app, when SLACK_BOT_TOKEN is set)
  newsbot ask "/facts 545"        one reply, printed as text
  newsbot check                   validate facts.yaml and every quote against its source
  newsbot verify story.txt        check a draft's quotes, figures and attributions
  newsbot serve --port 3000       HTTP mode for Slack (POST /slack/events, GET /healthz)
  newsbot post-due                post the reminders that are due, then exit (for cron)
"""


MAX_PREVIEW_DAYS = 366


class UsageError(Exception):
    """Bad flags or settings: exit 2 with one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="A Slack bot for newsrooms: sourced facts, quotes, figures and follow-ups.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--facts", metavar="FILE", help="facts file (env FACTS_FILE)")
    parser.add_argument("--database", metavar="URL", help="database URL (env DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("console", help="type commands, see replies as text (reads stdin)")
    ask = sub.add_parser("ask", help='one reply, e.g. newsbot ask "/facts 545"')
    ask.add_argument("line", help='a slash command and its text, e.g. "/quote cruelty"')
    ask.add_argument("--json", action="store_true", help="print the Block Kit JSON instead")
    ask.add_argument(
        "--channel",
        default="",
        metavar="ID",
        help="answer as in this Slack channel (its story first)",
    )
    check = sub.add_parser("check", help="validate facts.yaml and provenance")
    check.add_argument("file", nargs="?", help="facts file (default: FACTS_FILE or facts.yaml)")
    check.add_argument(
        "--compile",
        action="store_true",
        help="when sound, also write the compiled desk `newsbot serve` starts from "
        "(into NEWSBOT_DESK_CACHE, default .newsbot-cache beside the facts file)",
    )
    serve = sub.add_parser("serve", help="HTTP mode under a production WSGI server")
    serve.add_argument("--port", type=int, help="port to bind (env PORT, default 3000)")
    sub.add_parser("socket", help="Socket Mode: no public URL needed")
    post_due = sub.add_parser("post-due", help="one reminder sweep, then exit")
    post_due.add_argument("--now", metavar="ISO8601", help="pretend it is this time")
    schedule = sub.add_parser("schedule", help="preview upcoming reminder posts")
    schedule.add_argument("--days", type=int, default=7, help="how far ahead (default 7)")
    schedule.add_argument("--now", metavar="ISO8601", help="preview from this time")
    corrections = sub.add_parser(
        "corrections", help="update posted Slack messages whose facts changed"
    )
    corrections.add_argument(
        "--dry-run", action="store_true", help="list the corrections, change nothing"
    )
    extract = sub.add_parser("extract", help="draft facts.yaml entries from an article text")
    extract.add_argument("seed", help="a plain-text article")
    story = sub.add_parser("new-story", help="a new story file from an article, added to the desk")
    story.add_argument("slug", metavar="SLUG", help="the story's short name, e.g. transit")
    story.add_argument("--from", dest="article", required=True, metavar="ARTICLE", help="text")
    story.add_argument(
        "--channel", action="append", default=[], metavar="ID", help="its Slack channel ID"
    )
    story.add_argument("--title", help="the story's title (default: the article's headline)")
    verify = sub.add_parser("verify", help="check a draft's quotes and figures against the desk")
    verify.add_argument("draft", metavar="FILE", help="a story or draft, plain text")
    verify.add_argument("--json", action="store_true", help="print the findings as JSON")
    verify.add_argument("--today", metavar="YYYY-MM-DD", help="date staleness counts from")
    return parser


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args, os.environ if environ is None else environ)
        return _dispatch(args, settings)
    except (SettingsError, UsageError) as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _settings(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    settings = Settings.from_env(environ)
    if args.facts:
        settings = replace(settings, facts_file=args.facts)
    if args.database:
        settings = replace(settings, database_url=normalize_database_url(args.database))
    if getattr(args, "port", None) is not None:
        settings = replace(settings, port=args.port)
    return settings


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command
    if command is None:  # bare `newsbot`: Slack when credentials are set, else the console
        if not settings.has_slack:
            command = "console"
        else:
            command = "socket" if settings.slack_app_token else "serve"
    run = _COMMANDS.get(command)
    if run is None:
        raise UsageError(f"unknown command {command!r}: see newsbot --help")
    return run(args, settings)


_COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "check": lambda args, settings: _run_check(args, settings),
    "extract": lambda args, settings: run_extract(args.seed, sys.stdout),
    "verify": lambda args, settings: _run_verify(args, settings),
    "console": lambda args, settings: run_console(settings, sys.stdin, sys.stdout),
    "ask": lambda args, settings: run_ask(settings, args.line, args.json, sys.stdout, args.channel),
    "serve": lambda args, settings: run_server(settings, "serve"),
    "socket": lambda args, settings: run_server(settings, "socket"),
    "post-due": lambda args, settings: run_post_due(settings, _parse_now(args.now)),
    "schedule": lambda args, settings: run_schedule(settings, _parse_now(args.now), args.days),
    "new-story": lambda args, settings: run_new_story(args, settings.facts_file, sys.stdout),
    "corrections": lambda args, settings: run_corrections(
        settings, datetime.now(UTC), dry_run=args.dry_run
    ),
}


def _run_verify(args: argparse.Namespace, settings: Settings) -> int:
    from bot.verify_cli import run_verify

    return run_verify(settings, args.draft, args.json, args.today, sys.stdout, load_or_report)


def _parse_now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now {text!r}: use ISO 8601, e.g. 2026-11-30T09:00:20-05:00") from None
    if when.tzinfo is None:
        raise UsageError(f"--now {text!r}: add a UTC offset, e.g. 2026-11-30T09:00:20-05:00")
    if not 1970 <= when.year <= 9000:  # date arithmetic around it must stay in range
        raise UsageError(f"--now {text!r}: use a year between 1970 and 9000")
    return when.astimezone(UTC)


def load_or_report(path: str, err: TextIO) -> Desk | None:
    """The validated desk, or None after printing every problem (never a traceback).
    Warnings are printed too; a desk with nothing but warnings loads."""
    return _checked(path, err)[0]


def _checked(path: str, err: TextIO) -> tuple[Desk | None, int]:
    """The desk (or None) after printing every problem; and how many were warnings."""
    from bot.desk.load import check_file

    desk, problems = check_file(path)
    return desk, _report(path, desk is not None, problems, err)


def _report(path: str, sound: bool, problems: Sequence[Problem], err: TextIO) -> int:
    """Print every problem, and what to do when there are errors; how many were warnings."""
    for problem in problems:
        print(problem, file=err)
    warnings = sum(1 for p in problems if p.warning)
    if not sound:
        print(
            f"newsbot: {path} has {len(problems) - warnings} problem(s); "
            "fix them and run `newsbot check`",
            file=err,
        )
    return warnings


def _run_check(args: argparse.Namespace, settings: Settings) -> int:
    path = args.file or settings.facts_file
    if args.compile:
        return run_compile(path, settings.desk_cache, sys.stdout)
    return run_check(path, sys.stdout)


def run_check(path: str, out: TextIO) -> int:
    return 0 if checked_desk(path, out) is not None else 1


def run_compile(path: str, cache: str | None, out: TextIO) -> int:
    """``newsbot check --compile``: the whole check, then the compiled desk ``newsbot serve``
    starts from (unless the files are exactly as a compiled desk already checked them)."""
    from bot.desk.compiled import cache_folder, compile_desk, find

    facts = Path(path)
    folder = cache_folder(facts, cache)
    found = find(facts, folder)
    if found is not None:
        print(f"{path}: ok; unchanged since it was checked and compiled into {found}", file=out)
        return 0
    try:
        done = compile_desk(facts, folder)
    except OSError as error:
        print(f"newsbot: cannot write the compiled desk into {folder}: {error}", file=sys.stderr)
        return 1
    warnings = _report(path, done.desk is not None, done.problems, sys.stderr)
    if done.desk is None:
        return 1
    _say_ok(path, done.desk, warnings, f"; compiled into {done.written}", out)
    return 0


def checked_desk(path: str, out: TextIO) -> Desk | None:
    """``newsbot check``: the desk after saying it is sound, or None after every problem.
    Warnings are printed and counted; they do not fail the check."""
    desk, warnings = _checked(path, sys.stderr)
    if desk is None:
        return None
    _say_ok(path, desk, warnings, "", out)
    return desk


def _say_ok(path: str, desk: Desk, warnings: int, more: str, out: TextIO) -> None:
    from bot.desk.model import describe_counts

    summary = describe_counts(desk.counts())
    if len(desk.stories) > 1:
        summary = f"{len(desk.stories)} stories: {summary}"
    warned = f", {warnings} warning(s) above" if warnings else ""
    verbatim = "every quote found verbatim in its source"
    print(f"{path}: ok ({summary}{warned}); {verbatim}{more}", file=out)


def run_extract(seed: str, out: TextIO) -> int:
    from bot.desk.extract import extract_draft

    try:
        text = Path(seed).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"newsbot: cannot read {seed}: {error}", file=sys.stderr)
        return 1
    out.write(extract_draft(text, seed))
    return 0


def run_new_story(args: argparse.Namespace, facts: str, out: TextIO) -> int:
    """``newsbot new-story``: exit 0 written, 1 refused (nothing changed)."""
    from bot.new_story import NewStory, StoryRefused, create_story

    request = NewStory(args.slug, Path(args.article), tuple(args.channel), args.title)
    try:
        written = create_story(request, Path(facts), out)
    except StoryRefused as refused:
        print(f"newsbot new-story: {refused}", file=sys.stderr)
        return 1
    print(
        f"next: decide every TODO and guessed: line in {written.parent.name}/{written.name}, "
        "then run `newsbot check` (a serving bot loads the desk once check passes)",
        file=out,
    )
    return 0


def _open_book(settings: Settings, err: TextIO) -> tuple[FollowUpBook, Database | None]:
    """The database's follow-up book; if it is unreachable, a warning and a book that says
    so on every read and write (a change is never reported as made and then lost at exit)."""
    from bot.store.db import ANSWER_WITHIN_S, Database, DatabaseError
    from bot.store.memory import UnreachableBook

    try:
        database = Database(settings.database_url, settings.pool_size)
        database.create_schema()
    except DatabaseError as error:
        print(f"newsbot: {error}; follow-up changes will not be saved", file=err)
        return UnreachableBook(str(error)), None
    return database.book(answer_within=ANSWER_WITHIN_S), database


def run_console(settings: Settings, stdin: TextIO, out: TextIO) -> int:
    from bot.console import console

    desk = load_or_report(settings.facts_file, sys.stderr)
    if desk is None:
        return 1
    book, database = _open_book(settings, sys.stderr)
    try:
        return console(desk, book, stdin, out)
    finally:
        if database is not None:
            database.dispose()


def run_ask(settings: Settings, line: str, as_json: bool, out: TextIO, channel: str = "") -> int:
    from bot.console import split_command
    from bot.desk.access import CONSOLE_EDITORS, CONSOLE_USER
    from bot.replies.router import Router

    desk = load_or_report(settings.facts_file, sys.stderr)
    if desk is None:
        return 1
    command, text = split_command(line)
    book, database = _open_book(settings, sys.stderr)
    try:
        router = Router(desk, book, editors=CONSOLE_EDITORS)  # local, like the console
        reply = router.handle(command, text, CONSOLE_USER, datetime.now(UTC), channel)
    finally:
        if database is not None:
            database.dispose()
    if as_json:
        from bot.replies.blocks import reply_to_json

        json.dump(reply_to_json(reply), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        from bot.replies.text import render_text

        out.write(render_text(reply).rstrip("\n") + "\n")
    return 0 if reply.ok else 1


def _configure_logging(settings: Settings) -> None:
    from bot.logs import configure

    configure(
        settings.log_level,
        settings.log_format,
        secrets=(settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token),
    )


def run_server(settings: Settings, mode: str) -> int:
    _configure_logging(settings)
    if mode == "serve":
        settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    else:
        settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    live = desk_to_serve(settings, sys.stderr)
    if live is None:
        return 1
    # Fail here with one line, not later inside a gunicorn worker with a traceback; this
    # also creates the schema once before several workers race to.
    _database_or_exit(settings).dispose()
    if mode == "serve":
        return serve_desk(settings, live)
    from bot.socket_mode import run_socket

    return run_socket(settings, live.desk)


def desk_to_serve(settings: Settings, err: TextIO) -> LiveDesk | None:
    """The compiled desk (bot.compiled_desk): opened if its files are as it checked them,
    else checked in full and compiled; None after printing every problem. Handed over in a
    LiveDesk, which alone holds it: the one desk a server lets go of when a reload replaces
    it (a caller's own reference would keep it in memory beside every later one)."""
    from bot.compiled_desk import load_for_serving, reloader
    from bot.desk.compiled import cache_folder
    from bot.live_desk import LiveDesk

    facts = Path(settings.facts_file)
    cache = cache_folder(facts, settings.desk_cache)
    served = load_for_serving(facts, cache, err)
    if served is None:
        return None
    _warn_placeholders(settings, served.desk)
    return LiveDesk(facts, served, reloader(cache))


def _warn_placeholders(settings: Settings, desk: Desk) -> None:
    for reminder in desk.placeholder_reminders():
        logger.warning(
            "%s:%d: reminder %s posts to %s, the shipped example channel: set its channel "
            "to your desk's channel ID (in Slack: the channel's name, then the ID at the bottom)",
            settings.facts_file,
            reminder.line,
            reminder.id,
            reminder.channel,
        )


def serve_desk(settings: Settings, live: LiveDesk, host: str = "0.0.0.0") -> int:  # noqa: S104
    """``newsbot serve`` once the desk is ready; a changed desk is checked and compiled anew
    in a child process while the workers keep serving (bot.live_desk)."""
    from bot import runtime

    return runtime.serve(settings, live, settings.port, host=host)


def _database_or_exit(settings: Settings) -> Database:
    """The database a long-running or scheduled command writes to, checked: one line and
    exit 2 if it cannot be used, or if it is SQLite on a platform that throws files away."""
    from bot.store.db import Database, DatabaseError

    settings.check_database_for_platform()
    try:
        database = Database(settings.database_url, settings.pool_size)
        database.create_schema()
    except DatabaseError as error:
        raise UsageError(str(error)) from None
    return database


def run_post_due(settings: Settings, now: datetime) -> int:
    from bot.schedule.reports import run_post_due as sweep_once
    from bot.slack.client import make_client

    _configure_logging(settings)
    # A failed post is printed once, with its reason; slack_sdk would log it again.
    logging.getLogger("slack_sdk").setLevel(logging.CRITICAL)
    settings.require("SLACK_BOT_TOKEN")
    desk = load_or_report(settings.facts_file, sys.stderr)
    if desk is None:
        return 1
    database = _database_or_exit(settings)
    try:
        return sweep_once(desk, database, make_client(settings), now, settings.catchup, sys.stdout)
    finally:
        database.dispose()


def run_schedule(settings: Settings, now: datetime, days: int) -> int:
    from bot.schedule.reports import run_schedule_preview

    if not 1 <= days <= MAX_PREVIEW_DAYS:
        raise UsageError(f"--days must be between 1 and {MAX_PREVIEW_DAYS}")
    desk = load_or_report(settings.facts_file, sys.stderr)
    if desk is None:
        return 1
    return run_schedule_preview(desk, now, days, sys.stdout)


def run_corrections(settings: Settings, now: datetime, *, dry_run: bool) -> int:
    """Check the facts file as ``newsbot check`` does, then edit (or, dry, list) every
    recorded message citing a fact whose content changed: the release step of a deploy.

    Exit 0 when everything is corrected, listed as impossible to edit, or left for the next
    run because Slack is busy (a release step must not fail a deploy for that); 1 for a bad
    facts file, the database failing, or a token Slack refuses; 2 when there is something to
    correct and no SLACK_BOT_TOKEN to do it with.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from bot.corrections import apply_corrections, print_report
    from bot.slack.client import make_client

    _configure_logging(settings)
    desk = checked_desk(settings.facts_file, sys.stdout)
    if desk is None:
        return 1

    send = not dry_run and bool(settings.slack_bot_token)
    database = _database_or_exit(settings)
    try:
        report = apply_corrections(
            desk,
            database.said(),
            database.book(),
            make_client(settings) if send else None,
            now,
            clock=lambda: datetime.now(UTC),
        )
    except SQLAlchemyError as exc:
        first_line = (str(getattr(exc, "orig", exc)).strip().splitlines() or [""])[0]
        print(f"corrections: the database at {database.url} failed: {first_line}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print_report(report, sys.stdout)
    if not dry_run and not send and report.attempts:
        raise UsageError("SLACK_BOT_TOKEN is not set: nothing was sent; set it and run again")
    return 1 if report.token_refused else 0
