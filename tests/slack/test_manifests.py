"""Both manifests are valid, and commands agree between the app, the manifests and README.md.

README.md must list each command on a line that starts with ``| `/facts`` (a Markdown
table row with the command in backticks), the form DESIGN.md's command table uses.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.slack import listeners

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MANIFESTS = ("manifest.yml", "manifest.http.yml")
SCOPES = {"commands", "chat:write", "channels:history", "groups:history"}


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text())


def registered_commands() -> set[str]:
    from slack_bolt import App

    app = App(signing_secret="x", token="xoxb-x", token_verification_enabled=False)
    from bot.slack.app import register_listeners

    register_listeners(app)
    found = set()
    for listener in app._listeners:  # Bolt has no public way to list what it routes
        for matcher in listener.matchers:
            body = {"command": None, "type": None}
            for command in (*listeners.COMMANDS, "/not-a-command"):
                body["command"] = command
                if getattr(matcher, "func", None) and matcher.func(body=body):
                    found.add(command)
    return found


@pytest.mark.parametrize("name", MANIFESTS)
def test_manifest_is_valid_against_slacks_schema(name: str) -> None:
    schema = json.loads((HERE / "manifest.schema.1.0.0.json").read_text())
    jsonschema.validate(load(name), schema)


@pytest.mark.parametrize("name", MANIFESTS)
def test_manifest_asks_only_for_the_scopes_used(name: str) -> None:
    manifest = load(name)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == SCOPES
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]


def test_socket_manifest_uses_socket_mode_and_http_manifest_has_urls() -> None:
    assert load("manifest.yml")["settings"]["socket_mode_enabled"] is True
    http = load("manifest.http.yml")
    assert http["settings"]["socket_mode_enabled"] is False
    urls = [c["url"] for c in http["features"]["slash_commands"]]
    urls += [http["settings"]["interactivity"]["request_url"]]
    urls += [http["settings"]["event_subscriptions"]["request_url"]]
    assert all(u.endswith("/slack/events") for u in urls)


def test_registered_commands_match_the_manifests_and_the_readme() -> None:
    registered = registered_commands()
    assert registered == set(listeners.COMMANDS)
    for name in MANIFESTS:
        in_manifest = {c["command"] for c in load(name)["features"]["slash_commands"]}
        assert in_manifest == registered, name
    readme = (ROOT / "README.md").read_text()
    in_readme = set(re.findall(r"^\|\s*`(/[a-z]+)", readme, flags=re.MULTILINE))
    assert in_readme == registered
