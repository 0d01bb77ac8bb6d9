"""Bolt without the work it repeats on every request (issue 17).

Measured on a ``/facts`` request (``bench/breakdown.py`` and cProfile), Bolt 1.30 spends part of
each request building things that never change for a one-workspace bot:

- a new ``WebClient`` (and a logger lookup) for the context, in ``App._init_context``;
- argument injection (``build_required_kwargs``) for every function middleware, for an
  ``authorize`` function (to hand it the same token each time), and for each command's
  matcher and listener.

:class:`LeanApp` puts one client, built once with the bot token, in every request's context;
:class:`StaticAuthorize` answers from a result made once per workspace; :class:`AttachContext`
is a middleware Bolt calls directly; :class:`CommandListener` matches every registry command
with one set lookup. Everything else (middleware order, listeners, errors,
acknowledgements, lazy listeners) is Bolt's own, for HTTP and Socket Mode alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context import BoltContext
from slack_bolt.listener import Listener
from slack_bolt.listener_matcher import ListenerMatcher
from slack_bolt.logger import get_bolt_app_logger
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient


class LeanApp(App):
    """Bolt's App with one Web API client shared by every request.

    Bolt 1.15+ builds a client per request so that a listener may change its token without
    touching other requests. Here every request carries the same bot token (one workspace),
    and nothing in Newsbot changes a client: ``request_client`` (with the token) is shared.
    ``WebClient`` keeps no per-call state, so threads may share it.
    """

    def __init__(self, *, request_client: WebClient, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._request_client = request_client
        self._request_logger = get_bolt_app_logger(
            app_name=self.name, base_logger=self._base_logger
        )

    def _init_context(self, req: BoltRequest) -> None:
        req.context["logger"] = self._request_logger
        req.context["token"] = self._token
        req.context["client"] = self._request_client
        req.context["listener_runner"] = self.listener_runner


class StaticAuthorize(Authorize):
    """One bot token for the workspace(s) Slack names: nothing to look up, nothing to inject."""

    def __init__(self, bot_token: str | None) -> None:
        self._bot_token = bot_token
        self._results: dict[tuple[str | None, str | None], AuthorizeResult] = {}
        self._lock = threading.Lock()

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actor: str | None,
    ) -> AuthorizeResult:
        key = (enterprise_id, team_id)
        found = self._results.get(key)
        if found is None:
            found = AuthorizeResult(
                enterprise_id=enterprise_id, team_id=team_id, bot_token=self._bot_token
            )
            with self._lock:
                if len(self._results) > 64:  # Slack sends one team; anything else is forged
                    self._results.clear()
                self._results[key] = found
        return found


class AttachContext(Middleware):
    """Puts fixed values in every request's context (Bolt calls it without injection)."""

    def __init__(self, values: Mapping[str, object]) -> None:
        self._values = dict(values)

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Any) -> BoltResponse | None:
        req.context.update(self._values)
        result: BoltResponse | None = next()
        return result


class CommandMatcher(ListenerMatcher):
    """A slash command whose name is one of ``names``: a set lookup, no argument injection."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)

    def func(self, body: Mapping[str, Any]) -> bool:
        return body is not None and body.get("command") in self.names

    def matches(self, req: BoltRequest, resp: BoltResponse) -> bool:
        return self.func(req.body)


class CommandListener(Listener):
    """One listener for every command of the registry, called with its two arguments directly;
    what it returns is the acknowledgement.

    Bolt's ``app.command(name)`` registers a listener per command, and each request then runs
    each matcher (and the listener) through argument injection until one matches.
    """

    def __init__(self, names: Iterable[str], answer: Callable[..., BoltResponse]) -> None:
        self.matchers = [CommandMatcher(names)]
        self.middleware: list[Middleware] = []
        self.ack_function = answer
        self.lazy_functions: list[Callable[..., None]] = []
        self.auto_acknowledgement = False
        self.ack_timeout = 3

    def run_ack_function(
        self, *, request: BoltRequest, response: BoltResponse
    ) -> BoltResponse | None:
        answer: BoltResponse = self.ack_function(command=request.body, context=request.context)
        return answer


def add_command_listener(
    app: App, names: Iterable[str], answer: Callable[..., BoltResponse]
) -> None:
    """``answer(command, context)``, which returns the acknowledgement, for every command in
    ``names``, tried where Bolt would have tried ``app.command``'s listener (Bolt has no
    public way to add a Listener)."""
    app._listeners.append(CommandListener(names, answer))
