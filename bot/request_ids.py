"""The id of the Slack request being handled: in its log line and in any apology the user sees.

The transports (bot.web for HTTP, bot.runtime for Socket Mode) set :data:`REQUEST_ID` around
each request they hand to Bolt; listeners read it with :func:`reference_id`.
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("newsbot_request_id", default=None)


def new_request_id() -> str:
    return secrets.token_hex(4)


def reference_id() -> str:
    """The id of the request being handled (so the apology matches its log line), or a new one."""
    return REQUEST_ID.get() or new_request_id()
