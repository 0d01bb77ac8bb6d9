"""Running the Slack app: HTTP under gunicorn (``serve``) or Socket Mode (``run_socket``).

Both start the database and (unless NEWSBOT_SCHEDULER=off) the reminder scheduler, and
stop everything within 10 s of SIGTERM or SIGINT: Heroku allows 30 s, Kubernetes 30 s by
default, and a shorter bound leaves room for the platform's own bookkeeping.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_sdk import WebClient

from bot.config import Settings, SettingsError
from bot.desk.model import Desk
from bot.slack.app import build_app
from bot.slack.client import make_client

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

    from bot.schedule.runner import ReminderScheduler
    from bot.store.db import Database

logger = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 8.0  # scheduler and gunicorn's graceful_timeout: exit inside 10 s
DEFAULT_THREADS = 8


@dataclass
class Runtime:
    """What one serving process holds: the database, the scheduler, the Bolt app."""

    settings: Settings
    desk: Desk
    database: Database
    client: WebClient
    app: App
    scheduler: ReminderScheduler | None = None
    _stopped: threading.Event = field(default_factory=threading.Event)

    def next_runs(self) -> Mapping[str, datetime]:
        return self.scheduler.next_runs() if self.scheduler is not None else {}

    def health(self) -> tuple[int, dict[str, Any]]:
        """/healthz: what an operator checks first. No secrets: the URL is redacted."""
        reachable = self.database.ping()
        last: object = None
        if reachable:
            try:
                last = self.database.ledger().last_outcome()
            except Exception:  # a health check must answer whatever the driver throws
                logger.warning("could not read the delivery ledger for /healthz")
        data = {
            "status": "ok" if reachable else "database unreachable",
            "facts": self.desk.counts(),
            "database": {"reachable": reachable, "kind": self.database.kind},
            "scheduler": self.scheduler is not None,
            "next_reminders": {k: v.isoformat() for k, v in sorted(self.next_runs().items())},
            "last_delivery": last,
        }
        return (200 if reachable else 503), data

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(timeout=STOP_TIMEOUT_SECONDS)
        self.database.dispose()
        logger.info("stopped")


def start_runtime(settings: Settings, desk: Desk) -> Runtime:
    """Open the database, build the app, start the scheduler (unless switched off)."""
    from bot.replies.router import Router
    from bot.store.db import Database

    database = Database(settings.database_url)
    database.create_schema()
    book = database.book()
    client = make_client(settings)
    scheduler: ReminderScheduler | None = None
    if settings.scheduler:
        from bot.schedule.runner import start_scheduler

        scheduler = start_scheduler(settings, desk, database, client)
    router = Router(desk, book, editors=settings.editors)

    def next_runs() -> Mapping[str, datetime]:
        return scheduler.next_runs() if scheduler is not None else {}

    app = build_app(settings, desk, book, client, router, next_runs=next_runs)
    return Runtime(settings, desk, database, client, app, scheduler)


# --- HTTP ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebOptions:
    workers: int = 1
    threads: int = DEFAULT_THREADS

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> WebOptions:
        """WEB_CONCURRENCY (processes, as Heroku sets it) and WEB_THREADS (per process)."""
        return cls(
            workers=_positive(environ, "WEB_CONCURRENCY", 1),
            threads=_positive(environ, "WEB_THREADS", DEFAULT_THREADS),
        )


def _positive(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(f"{name}={text!r}: use a whole number of 1 or more")
    return int(text)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn embedded: the app is built in each worker after fork (threads don't fork)."""

    def __init__(self, load_app: Callable[[], WSGIApplication], options: dict[str, Any]):
        self._load_app = load_app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIApplication:
        return self._load_app()


def serve(
    settings: Settings,
    desk: Desk,
    port: int,
    environ: Mapping[str, str] | None = None,
    host: str = "0.0.0.0",  # noqa: S104 - a platform's router reaches the dyno from outside
) -> int:
    """HTTP mode under gunicorn (gthread workers); returns the exit status."""
    from bot.web import make_wsgi_app

    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    web = WebOptions.from_env(os.environ if environ is None else environ)
    runtimes: list[Runtime] = []

    def load_app() -> WSGIApplication:
        runtime = start_runtime(settings, desk)
        runtimes.append(runtime)
        return make_wsgi_app(settings, runtime.app, runtime.health)

    def worker_exit(_server: object, _worker: object) -> None:
        for runtime in runtimes:
            runtime.stop()

    options = {
        "bind": f"{host}:{port}",
        "workers": web.workers,
        "worker_class": "gthread",
        "threads": web.threads,
        "graceful_timeout": int(STOP_TIMEOUT_SECONDS),
        "timeout": 30,
        "keepalive": 5,
        "accesslog": None,
        "loglevel": settings.log_level.lower(),
        "worker_exit": worker_exit,
        "proc_name": "newsbot",
    }
    logger.info("serving HTTP on port %s (%s x %s threads)", port, web.workers, web.threads)
    try:
        _Gunicorn(load_app, options).run()
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0


# --- Socket Mode --------------------------------------------------------------------------


def run_socket(settings: Settings, desk: Desk, stop: threading.Event | None = None) -> int:
    """Socket Mode until SIGTERM/SIGINT (or ``stop`` is set); returns the exit status."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError

    settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    stop = stop if stop is not None else _stop_on_signals()
    runtime = start_runtime(settings, desk)
    handler = SocketModeHandler(
        runtime.app,
        app_token=settings.slack_app_token,
        web_client=make_client(settings, token=settings.slack_app_token),
    )
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except (SlackApiError, OSError) as error:
        logger.error("could not open a Socket Mode connection: %s", _api_error(error))
        runtime.stop()
        return 1
    logger.info("connected in Socket Mode")
    stop.wait()
    handler.close()  # type: ignore[no-untyped-call]
    runtime.stop()
    return 0


def _api_error(error: Exception) -> str:
    if hasattr(error, "response"):
        return str(error.response.get("error", "unknown error"))
    return type(error).__name__


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop
