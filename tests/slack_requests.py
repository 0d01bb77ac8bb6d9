"""Requests shaped and signed as Slack sends them: shared by the Slack and reliability tests."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from typing import Any

# Slack gives every slash command a trigger id of its own; two commands typed alike differ by it
# (a replay of one request does not: bot.web runs a replayed change once).
_TRIGGERS = itertools.count(1)


def sign(body: bytes, timestamp: str, secret: str) -> str:
    """Slack's v0 signature: HMAC-SHA256 over ``v0:{timestamp}:{body}``."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def slash_command_fields(
    command: str, text: str, *, user: str, team: str, response_url: str
) -> dict[str, str]:
    """The form fields of a slash command, as Slack posts them."""
    return {
        "token": "legacy",
        "team_id": team,
        "team_domain": "newsroom",
        "channel_id": "C0NEWSDESK",
        "channel_name": "newsdesk",
        "user_id": user,
        "user_name": "reporter",
        "command": command,
        "text": text,
        "api_app_id": "A0NEWSBOT",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"1337.{next(_TRIGGERS)}.abcd",
    }


def button_click(action_id: str, value: str, *, user: str, team: str) -> dict[str, Any]:
    """A ``block_actions`` payload for one button; callers add the container they need."""
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": "newsroom"},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A0NEWSBOT",
        "trigger_id": "1337.42.trigger",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": "1612191600.000001",
            }
        ],
    }


def home_opened(user: str = "U0REPORTER", team: str = "T0NEWSROOM") -> dict[str, Any]:
    """The Events API callback Slack sends when someone opens the App Home tab."""
    return {
        "type": "event_callback",
        "team_id": team,
        "api_app_id": "A0NEWSBOT",
        "event": {
            "type": "app_home_opened",
            "user": user,
            "channel": "D0HOME",
            "tab": "home",
            "event_ts": "1612191600.1",
        },
        "event_id": "Ev1",
        "event_time": 1612191600,
    }


def message_shortcut(
    callback_id: str, text: str, *, user: str, team: str, response_url: str
) -> dict[str, Any]:
    """A ``message_action`` payload: a message shortcut used on someone's message."""
    return {
        "type": "message_action",
        "token": "legacy",
        "action_ts": "1612191600.000002",
        "team": {"id": team, "domain": "newsroom"},
        "user": {"id": user, "name": "copyeditor", "team_id": team},
        "channel": {"id": "C0NEWSDESK", "name": "newsdesk"},
        "is_enterprise_install": False,
        "callback_id": callback_id,
        "trigger_id": "1337.42.shortcut",
        "message_ts": "1612191000.000100",
        "message": {
            "type": "message",
            "user": "U0WRITER",
            "ts": "1612191000.000100",
            "team": team,
            "text": text,
        },
        "response_url": response_url,
    }
