"""The one place the Bolt app is wired: settings, services, middleware, listeners, errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient

from bot.config import Settings
from bot.desk.model import Desk, FollowUpBook
from bot.replies.blocks import render_blocks
from bot.replies.command import Command
from bot.replies.commands import COMMANDS
from bot.replies.modals import NOTE_BLOCK, RESOLVE_CALLBACK_ID
from bot.replies.reply import Reply
from bot.replies.router import Router
from bot.request_ids import reference_id
from bot.slack import listeners, shortcuts
from bot.slack.lean import AttachContext, LeanApp, StaticAuthorize, add_command_listener
from bot.slack.readers import readers_middleware
from bot.slack.services import CONTEXT_KEY, Blocks, Services, no_reminders, utc_now
from bot.slack.unhandled import answer_unhandled
from bot.store.said import SaidStore

logger = logging.getLogger(__name__)

OTHER_WORKSPACE = "Sorry, this Newsbot belongs to another Slack workspace, so it can't answer here."


def build_app(
    settings: Settings,
    desk: Desk,
    store: FollowUpBook,
    client: WebClient,
    router: Router,
    *,
    render: Callable[[Reply], Blocks] = render_blocks,
    clock: Callable[[], datetime] = utc_now,
    next_runs: Callable[[], Mapping[str, datetime]] = no_reminders,
    listener_executor: Executor | None = None,
    said: SaidStore | None = None,
) -> App:
    """A Bolt app that makes no Web API call until a listener needs one."""
    services = Services(settings, desk, store, router, render, clock, next_runs, said)
    bolt_logger = logging.getLogger("bot.slack.bolt")
    bolt_logger.addFilter(_drop_token_notice)
    # Work after the acknowledgement: Bolt's lazy listeners, and the notes sent to people
    # whose click no listener handles (see report_error).
    after_ack = listener_executor or ThreadPoolExecutor(
        max_workers=10, thread_name_prefix="newsbot-after-ack"
    )
    app = LeanApp(
        # A token-less copy of the client plus `authorize` keeps Bolt from calling auth.test,
        # at construction or on the first request: commands answer while Slack's API is down.
        client=_tokenless_copy(client),
        request_client=client,  # the one client every request's context holds (lean.py)
        authorize=StaticAuthorize(settings.slack_bot_token),
        token_verification_enabled=False,
        signing_secret=settings.slack_signing_secret or "",
        # bot/web.py verifies every HTTP request before Bolt sees it and hands Bolt the parsed
        # payload; Socket Mode requests need no signature.
        request_verification_enabled=False,
        # Listeners return their reply in the HTTP response: no 10 ms ack() polling.
        process_before_response=True,
        logger=bolt_logger,
        name="newsbot",
        # The caller's, so it can wait for work after ack when the process is told to stop.
        listener_executor=after_ack,
        # Requests no listener takes reach report_error, which answers 2xx (see unhandled.py).
        raise_error_for_unhandled_request=True,
    )
    app.use(AttachContext({CONTEXT_KEY: services}))
    if settings.team_id:
        app.use(_workspace_middleware(settings.team_id))
    if settings.readers:
        app.use(readers_middleware(settings, after_ack))
    register_listeners(app)
    app.error(_error_handler(after_ack))
    return app


def _drop_token_notice(record: logging.LogRecord) -> bool:
    """Bolt reads SLACK_BOT_TOKEN from the environment itself, then warns at every start that
    it is unused because a client was given: true, deliberate, and alarming in an operator's log.
    """
    return "`token` will be unused" not in record.getMessage()


def register_listeners(app: App, commands: Sequence[Command] = COMMANDS) -> None:
    """Every command in the registry, the buttons, the Resolve modal, App Home and the
    "Check against the desk" message shortcut."""
    # One listener for every command in the registry (the router dispatches by name): Bolt
    # tries one matcher for any command instead of one per command.
    add_command_listener(app, (command.name for command in commands), listeners.answer_command)
    app.action(listeners.SHARE_ACTION)(ack=listeners.acknowledge, lazy=[listeners.share_reply])
    app.action(listeners.RESOLVE_ACTION)(
        ack=listeners.open_resolve_modal, lazy=[listeners.resolve_refused]
    )
    for action_id in listeners.CHANGE_ACTIONS:
        app.action(action_id)(ack=listeners.acknowledge, lazy=[listeners.followup_button])
    app.view(RESOLVE_CALLBACK_ID)(
        ack=listeners.submit_resolution, lazy=[listeners.refresh_home_after_resolution]
    )
    app.event("app_home_opened")(ack=listeners.acknowledge, lazy=[listeners.open_home])
    app.message_shortcut(shortcuts.CHECK_DRAFT)(
        ack=listeners.acknowledge, lazy=[shortcuts.check_message]
    )


def _tokenless_copy(client: WebClient) -> WebClient:
    return WebClient(
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=list(client.retry_handlers or []),
        logger=client.logger,
    )


def _workspace_middleware(team_id: str) -> Callable[..., BoltResponse | None]:
    def refuse_other_workspaces(
        context: BoltContext, body: dict[str, Any], next: Callable[[], None]
    ) -> BoltResponse | None:
        if context.team_id == team_id:
            next()
            return None
        logger.warning("refused a request from workspace %s", context.team_id)
        if "command" in body:
            return _json_response({"response_type": "ephemeral", "text": OTHER_WORKSPACE})
        return BoltResponse(status=200, body="")

    return refuse_other_workspaces


def _json_response(data: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=200, body=json.dumps(data), headers={"content-type": "application/json"}
    )


def _error_handler(after_ack: Executor) -> Callable[..., BoltResponse]:
    def handle_error(
        error: Exception, body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> BoltResponse:
        if isinstance(error, BoltUnhandledRequestError):
            services = context.get(CONTEXT_KEY)
            return answer_unhandled(
                body,
                services if isinstance(services, Services) else None,
                lambda url, message: _post_later(after_ack, url, message, client.timeout),
            )
        return report_error(error, body, client)

    return handle_error


def _post_later(after_ack: Executor, url: str, message: dict[str, Any], timeout: int) -> None:
    after_ack.submit(listeners.post_to_response_url, url, message, timeout)


def report_error(error: Exception, body: dict[str, Any], client: WebClient) -> BoltResponse:
    """A listener raised: the traceback goes to the log, a reference id to the user."""
    ref = reference_id()
    logger.error("listener failed (ref %s)", ref, exc_info=error)
    if "command" in body:
        return _json_response({"response_type": "ephemeral", "text": listeners.apology(ref)})
    if body.get("type") == "view_submission":
        return _json_response(
            {"response_action": "errors", "errors": {NOTE_BLOCK: listeners.apology(ref)}}
        )
    if body.get("response_url"):
        listeners.post_to_response_url(
            body["response_url"],
            {
                "text": listeners.apology(ref),
                "response_type": "ephemeral",
                "replace_original": False,
            },
            client.timeout,
        )
    # 200, so Slack does not retry an event that would fail again.
    return BoltResponse(status=200, body="")
