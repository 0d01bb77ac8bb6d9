"""The registry of commands, Bolt's routing, help, Share, both manifests and the README agree.

README.md must list each command on a line that starts with ``| `/facts`` (a Markdown
table row with the command in backticks), the form DESIGN.md's command table uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import yaml
from slack_bolt import App

from bot.replies.command import Command
from bot.replies.commands import COMMANDS, NAMES
from bot.replies.reply import Note, Reply
from bot.replies.router import Router
from bot.replies.text import render_text
from bot.slack.bolt_app import register_listeners
from bot.slack.listeners import read_share_value
from bot.store.memory import MemoryBook
from tests.replies.desks import shipped_desk

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ("manifest.yml", "manifest.http.yml")
NOW = datetime(2021, 2, 1, 15, 0, tzinfo=UTC)


def documents() -> dict[str, str]:
    return {name: (ROOT / name).read_text() for name in (*MANIFESTS, "README.md")}


def routed_by_bolt(commands: Sequence[Command]) -> set[str]:
    app = App(signing_secret="x", token="xoxb-x", token_verification_enabled=False)
    register_listeners(app, commands)
    found = set()
    for listener in app._listeners:  # Bolt has no public way to list what it routes
        for matcher in listener.matchers:
            for name in (*(c.name for c in commands), "/not-a-command"):
                body = {"command": name, "type": None}
                if getattr(matcher, "func", None) and matcher.func(body=body):
                    found.add(name)
    return found


def disagreements(commands: Sequence[Command], docs: Mapping[str, str]) -> list[str]:
    """Every place a command is missing or extra, as one line each; empty when all agree."""
    names = {c.name for c in commands}
    problems: list[str] = []

    def compare(where: str, listed: set[str]) -> None:
        problems.extend(f"{n}: registered but not in {where}" for n in sorted(names - listed))
        problems.extend(f"{n}: in {where} but not registered" for n in sorted(listed - names))

    compare("Bolt's routing", routed_by_bolt(commands))
    for manifest in MANIFESTS:
        slash = yaml.safe_load(docs[manifest])["features"]["slash_commands"]
        compare(manifest, {c["command"] for c in slash})
    compare("README.md", set(re.findall(r"^\|\s*`(/[a-z]+)", docs["README.md"], re.MULTILINE)))
    router = Router(shipped_desk(), MemoryBook(), commands=commands)
    overview = render_text(router.handle("/facts", "", "U1", NOW))
    unknown = render_text(router.handle("/no-such-command", "", "U1", NOW))
    for command in commands:
        helped = router.handle(command.name, "help", "U1", NOW)
        if not helped.ok or Note(command.usage) not in helped.parts:
            problems.append(f"{command.name}: `{command.name} help` does not show its usage")
        line = f"`{command.name}`: {command.summary}"
        for where, text in (("the /facts overview", overview), ("the unknown reply", unknown)):
            if line not in text:
                problems.append(f"{command.name}: not listed in {where}")
    return problems


def test_the_registry_help_bolt_both_manifests_and_the_readme_agree() -> None:
    assert disagreements(COMMANDS, documents()) == []


def test_a_command_registered_without_manifests_or_readme_row_is_caught() -> None:
    def timeline(context: object, query: str, user: str, now: datetime) -> Reply:
        return Reply((Note("a timeline"),), text="a timeline", command="/timeline")

    throwaway = Command("/timeline", "what happened when", "`/timeline` lists events.", timeline)
    problems = disagreements((*COMMANDS, throwaway), documents())
    assert problems == [
        "/timeline: registered but not in manifest.yml",
        "/timeline: registered but not in manifest.http.yml",
        "/timeline: registered but not in README.md",
    ]


def test_a_row_missing_from_the_readme_or_a_manifest_is_caught() -> None:
    docs = documents()
    docs["README.md"] = re.sub(r"^\| `/source.*\n", "", docs["README.md"], flags=re.MULTILINE)
    manifest = yaml.safe_load(documents()["manifest.http.yml"])
    manifest["features"]["slash_commands"].append({"command": "/extra", "description": "x"})
    docs["manifest.http.yml"] = yaml.safe_dump(manifest)
    assert disagreements(COMMANDS, docs) == [
        "/extra: in manifest.http.yml but not registered",
        "/source: registered but not in README.md",
    ]


def test_share_replays_every_registered_command_but_never_a_change() -> None:
    for name in NAMES:
        assert read_share_value(json.dumps({"c": name, "q": "x"})) == (name, "x")
    assert read_share_value(json.dumps({"c": "/timeline", "q": ""})) is None
    for verb in ("add", "resolve", "snooze", "reopen"):
        assert read_share_value(json.dumps({"c": "/followups", "q": f"{verb} x"})) is None
