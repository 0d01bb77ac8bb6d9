"""Both manifests are valid against Slack's schema and ask only for what is used.

The registry, the manifests and the README agree: tests/test_commands_agree.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MANIFESTS = ("manifest.yml", "manifest.http.yml")
SCOPES = {"commands", "chat:write", "channels:history", "groups:history", "users:read"}


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text())


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
