"""People's names for posts in a channel (users.info), so a reminder notifies nobody."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)

_names: dict[str, str] = {}
_lock = threading.Lock()
MAX_LOOKUPS = 20  # per post: a few owners at most; never a burst against users.info


def names_for(client: WebClient, users: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(id, name) for each user Slack can name; the others are left out (shown as the id).

    Names are kept for the life of the process: they rarely change, and a reminder post
    should not wait on many look-ups.
    """
    found: list[tuple[str, str]] = []
    for user in list(dict.fromkeys(users))[:MAX_LOOKUPS]:
        name = _name(client, user)
        if name:
            found.append((user, name))
    return tuple(found)


def _name(client: WebClient, user: str) -> str | None:
    with _lock:
        if user in _names:
            return _names[user]
    try:
        response = client.users_info(user=user)
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.info("users.info %s failed (%s); showing the id", user, type(exc).__name__)
        return None
    profile = (response.get("user") or {}).get("profile") or {}
    person = response.get("user") or {}
    name = profile.get("display_name") or profile.get("real_name") or person.get("real_name")
    if not isinstance(name, str) or not name.strip():
        return None
    with _lock:
        _names[user] = name.strip()
    return name.strip()
