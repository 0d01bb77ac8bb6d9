"""The baseline: a bare Bolt app that answers one slash command with an echo.

Served through slack_bolt's WSGI adapter under gunicorn with the options ``newsbot serve``
uses (gthread worker class, WEB_CONCURRENCY workers, WEB_THREADS threads, keep-alive 5 s),
so the only difference the benchmark sees is the app.

    BARE_BOLT_TUNED=1 python -m bench.bare_bolt    # process_before_response=True
    python -m bench.bare_bolt                      # Bolt's defaults
    BARE_BOLT_WORKER=gthread ...                   # gunicorn's own gthread worker instead

Reads SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_API_URL (the Slack stand-in: with its
defaults Bolt calls auth.test at construction and on the first request).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.gunicorn_runner import run_gunicorn
from bot.runtime import WebOptions, gunicorn_options

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication


def build_echo_app(token: str, secret: str, api_url: str, tuned: bool) -> App:
    app = App(
        client=WebClient(token=token, base_url=api_url),
        signing_secret=secret,
        process_before_response=tuned,
    )

    @app.command("/facts")
    def echo(ack: Ack, command: dict[str, Any]) -> None:
        text = command.get("text", "")
        ack(f"echo {text}")

    return app


def main() -> int:
    env = os.environ
    tuned = env.get("BARE_BOLT_TUNED") == "1"

    def load_app() -> WSGIApplication:
        app = build_echo_app(
            env["SLACK_BOT_TOKEN"], env["SLACK_SIGNING_SECRET"], env["SLACK_API_URL"], tuned
        )
        handler = SlackRequestHandler(app, path="/slack/events")
        return handler

    options = gunicorn_options(WebOptions.from_env(env), "127.0.0.1", int(env.get("PORT", "0")))
    if env.get("BARE_BOLT_WORKER"):
        options["worker_class"] = env["BARE_BOLT_WORKER"]
    return run_gunicorn(load_app, {**options, "proc_name": "bare-bolt", "loglevel": "info"})


if __name__ == "__main__":
    sys.exit(main())
